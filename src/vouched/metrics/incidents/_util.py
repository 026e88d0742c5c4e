"""Shared pieces of the importers: reading the file, JSON and CSV with positions, ids and lists."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from vouched.errors import InputError
from vouched.metrics.incidents.model import Bug, Skip

__all__ = ["bug_key", "decode", "json_items", "load_json", "read_csv", "split_list"]

csv.field_size_limit(1 << 24)
_DIGITS = re.compile(r"^#?\d+$")


def decode(raw: bytes, file: str) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(f"{file}:{line}: the file is not UTF-8 text", hint="export the file as UTF-8") from None
    if "\0" in text:
        raise InputError(f"{file}: the file holds NUL bytes: it is not a text export", hint="pass the export itself")
    return text


def load_json(text: str, file: str, hint: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{file}:{exc.lineno}: not valid JSON: {exc.msg} (column {exc.colno})", hint=hint) from None
    except RecursionError:
        raise InputError(f"{file}: not usable JSON: nested too deeply", hint=hint) from None


def json_items(
    data: list[Any],
    file: str,
    noun: str,
    hint: str,
    read: Callable[[dict[str, Any], str], Bug],
    unknown_keys: Callable[[dict[str, Any]], Iterable[str]],
) -> tuple[tuple[Bug, ...], tuple[Skip, ...], tuple[str, ...]]:
    """Read each object of a JSON export with ``read(item, where)``: the bugs, the items skipped with their
    reason (not an object, or ``read`` raised ValueError) and the unknown keys (``unknown_keys(item)``), in
    order. A non-empty export none of whose ``noun`` items could be read is an InputError, not an empty
    history: the export was most likely not the format it was read as."""
    bugs: list[Bug] = []
    skipped: list[Skip] = []
    unknown: dict[str, None] = {}
    for i, item in enumerate(data):
        where = f"{file}[item {i + 1}]"
        if not isinstance(item, dict):
            skipped.append(Skip(where, f"{_article(noun)} must be a JSON object, not {type(item).__name__}"))
            continue
        for key in unknown_keys(item):
            unknown.setdefault(key)
        try:
            bugs.append(read(item, where))
        except ValueError as exc:
            skipped.append(Skip(where, str(exc)))
    if data and not bugs:
        raise InputError(f"{file}: none of its {len(data)} {noun}s could be read: {skipped[0].reason}", hint=hint)
    return tuple(bugs), tuple(skipped), tuple(unknown)


def _article(noun: str) -> str:
    return f"an {noun}" if noun[:1] in "aeiou" else f"a {noun}"


def read_csv(text: str, file: str, hint: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and each non-blank row with the line it starts on; InputError for a broken file."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    try:
        while True:
            line = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = [cell.strip() for cell in row]
            else:
                rows.append((line, row))
    except csv.Error as exc:
        raise InputError(f"{file}:{reader.line_num}: not valid CSV: {exc}", hint=hint) from None
    if header is None:
        raise InputError(f"{file}: the file is empty: no header row", hint=hint)
    return header, rows


def split_list(value: object, *, spaces: bool = False) -> tuple[str, ...]:
    """A list field: a JSON list of strings, or one string separated by ``;`` or ``,`` (and, with ``spaces``,
    whitespace: for commit ids and numbers; labels may hold spaces)."""
    if value is None:
        return ()
    if isinstance(value, list):
        return tuple(str(v).strip() for v in value if isinstance(v, str | int) and str(v).strip())
    if isinstance(value, str | int):
        return tuple(part.strip() for part in re.split(r"[;,\s]" if spaces else r"[;,]", str(value)) if part.strip())
    raise ValueError(f"expected a list or a string, not {type(value).__name__}")


def bug_key(raw: str) -> str:
    """The key commits name a bug by: ``#123`` for numbers, the id as written otherwise."""
    value = raw.strip()
    return "#" + value.lstrip("#") if _DIGITS.match(value) else value
