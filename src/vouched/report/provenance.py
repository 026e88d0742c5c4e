"""The output of ``vouched provenance``: one record a commit, streamed.

``jsonl`` is the public contract: one object a line, ``{"sha": ..., "ai": {...}}`` first, then (extensions)
``subject`` and ``author`` ``{name, email}``. ``json`` is a JSON array of the same objects, one a line,
written as the records arrive. ``text`` is one line a commit: short sha, ``AI`` / ``human`` /
``declared-none``, the tools and models, the subject.

This is on a hot path (a whole history, measured against bare ``git log``): each record is assembled
from strings escaped by the C JSON string encoder (three times faster than building and encoding a dict;
a test holds it byte-for-byte equal to ``json.dumps`` of the dict) and records are written in batches,
in memory bounded by the batch, never the history.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from json.encoder import encode_basestring_ascii
from typing import TYPE_CHECKING, Literal, TextIO

from vouched.errors import UsageError
from vouched.report._util import clean

if TYPE_CHECKING:
    from vouched.model import Commit
    from vouched.provenance.model import Attribution

__all__ = ["PROVENANCE_FORMATS", "ProvenanceFormat", "record_json", "render_provenance"]

ProvenanceFormat = Literal["text", "json", "jsonl"]
PROVENANCE_FORMATS: tuple[ProvenanceFormat, ...] = ("text", "json", "jsonl")
_BATCH = 512  # records joined into one write

_string: Callable[[str], str] = encode_basestring_ascii  # a JSON string literal, as json.dumps writes it


def _strings(values: tuple[str, ...]) -> str:
    return ", ".join(map(_string, values))


def record_json(commit: Commit, ai: Attribution) -> str:
    """``json.dumps({"sha", "ai": ai.to_json(), "subject", "author": {"name", "email"}})``, only faster."""
    return (
        f'{{"sha": {_string(commit.sha)}, "ai": {{"assisted": {"true" if ai.assisted else "false"}, '
        f'"declared": {"true" if ai.declared else "false"}, "tools": [{_strings(ai.tools)}], '
        f'"models": [{_strings(ai.models)}], "evidence": [{_strings(ai.evidence)}]}}, '
        f'"subject": {_string(commit.subject)}, '
        f'"author": {{"name": {_string(commit.author.name)}, "email": {_string(commit.author.email)}}}}}'
    )


def _line(commit: Commit, ai: Attribution) -> str:
    kind = "AI" if ai.assisted else "declared-none" if ai.declared else "human"
    tools = " ".join((*ai.tools, *ai.models)) or "-"
    return f"{commit.sha[:7]}  {kind:<13}  {clean(tools)}  {clean(commit.subject)}"


def render_provenance(records: Iterable[tuple[Commit, Attribution]], fmt: ProvenanceFormat | str, out: TextIO) -> int:
    """Write ``records`` to ``out`` in ``fmt`` (``text``, ``json`` or ``jsonl``); return how many.

    ``fmt`` is checked here rather than only by the type, since it comes straight from ``--format``: an
    unknown one is a :class:`~vouched.errors.UsageError`.
    """
    if fmt == "jsonl":
        return _write(records, record_json, out, sep="\n", start="", end="\n", empty="")
    if fmt == "json":
        return _write(records, record_json, out, sep=",\n", start="[\n", end="\n]\n", empty="[]\n")
    if fmt == "text":
        return _write(records, _line, out, sep="\n", start="", end="\n", empty="")
    raise UsageError(f"unknown provenance format {fmt!r}", hint=f"choose one of: {', '.join(PROVENANCE_FORMATS)}")


def _write(
    records: Iterable[tuple[Commit, Attribution]],
    encode: Callable[[Commit, Attribution], str],
    out: TextIO,
    *,
    sep: str,
    start: str,
    end: str,
    empty: str,
) -> int:
    count = 0
    batch: list[str] = []
    for commit, ai in records:
        batch.append(encode(commit, ai))
        if len(batch) == _BATCH:
            out.write((start if count == 0 else sep) + sep.join(batch))
            count += len(batch)
            batch.clear()
    if batch:
        out.write((start if count == 0 else sep) + sep.join(batch))
        count += len(batch)
    out.write(end if count else empty)
    return count
