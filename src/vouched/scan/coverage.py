"""Test evidence: coverage reports read strictly, and the coverage of a change's added lines.

Four formats, told apart by their first bytes:

* coverage.py JSON (``coverage json``): ``files.<path>.executed_lines`` / ``missing_lines``; timestamp
  ``meta.timestamp`` (ISO 8601; coverage.py writes local time without a zone, read as this machine's).
* coverage.py XML (``coverage xml``) and any Cobertura XML: ``<class filename>`` / ``<lines><line number
  hits>``, paths relative to a ``<source>``; timestamp: the root's ``timestamp`` attribute (milliseconds
  since the epoch; seconds when the value is too small to be milliseconds).
* LCOV (``coverage lcov``, ``genhtml``'s input, c8, nyc, llvm-cov...): ``SF:`` / ``DA:line,hits`` /
  ``end_of_record``; LCOV records no time, so the file's modification time stands in for it.

A line is *executable* when the report knows it (run or not); lines it does not list (blank lines,
comments, declarations) are not counted. XML is parsed with :mod:`defusedxml`: a coverage report is a file
from a CI job, and entity expansion or external entities in it must not reach us. Anything malformed is an
:class:`~vouched.errors.InputError` that names the file and, where there is one, the line.
"""

from __future__ import annotations

import json
import logging
import os
import posixpath
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vouched.errors import GitError, InputError
from vouched.gate.findings import Finding, Severity
from vouched.git import display
from vouched.scan.patterns import language_for
from vouched.scan.patterns_origin import Origins, describe

if TYPE_CHECKING:
    from vouched.gate.checks import Check
    from vouched.gate.evaluation import EvaluatedCommit, Evaluation
    from vouched.git import Git

__all__ = ["CoverageReport", "Evidence", "coverage_check", "parse_report", "read_report"]

log = logging.getLogger(__name__)

MAX_REPORT = 512 * 1024 * 1024
_DA = re.compile(r"DA:(\d+),(-?\d+)(?:,.*)?")


@dataclass(frozen=True, slots=True)
class CoverageReport:
    """One report: for each file (as the report names it), each executable line and whether it ran."""

    file: str
    format: str
    timestamp: float | None  # seconds since the epoch
    timestamp_source: str
    lines: Mapping[str, Mapping[int, bool]]
    roots: tuple[str, ...] = ()


def read_report(path: str | os.PathLike[str]) -> CoverageReport:
    """Read and parse a report file; InputError when it is missing, unreadable or malformed."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_REPORT:
            raise InputError(f"{p}: the coverage report is {size} bytes, more than vouched reads")
        data = p.read_bytes()
        mtime = p.stat().st_mtime
    except FileNotFoundError:
        raise InputError(f"coverage report {p} does not exist", hint="run the tests with coverage first") from None
    except IsADirectoryError:
        raise InputError(f"{p} is a directory, not a coverage report") from None
    except OSError as exc:
        raise InputError(f"cannot read coverage report {p}: {exc.strerror or exc}") from None
    return parse_report(data, str(p), mtime)


def parse_report(data: bytes, name: str, mtime: float | None = None) -> CoverageReport:
    """Parse report bytes, sniffing the format; InputError on anything malformed."""
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"{name}:{line}: the coverage report is not UTF-8 text") from None
    head = text.lstrip()[:1]
    if head == "{":
        return _json(text, name, mtime)
    if head == "<":
        return _xml(data, name, mtime)
    return _lcov(text, name, mtime)


def _fail(name: str, message: str, line: int | None = None) -> InputError:
    where = name if line is None else f"{name}:{line}"
    return InputError(
        f"{where}: {message}",
        hint="pass a coverage.py JSON or XML report (`coverage json`, `coverage xml`), Cobertura XML or LCOV",
    )


def _json(text: str, name: str, mtime: float | None) -> CoverageReport:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _fail(name, f"not valid JSON: {exc.msg}", exc.lineno) from None
    except RecursionError:
        raise _fail(name, "not valid JSON: nested too deeply") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("files"), dict):
        raise _fail(name, "not a coverage.py JSON report: it has no `files` object")
    meta = doc.get("meta", {})
    if not isinstance(meta, dict):
        raise _fail(name, "`meta` must be an object")
    lines: dict[str, dict[int, bool]] = {}
    for path, entry in doc["files"].items():
        if not isinstance(entry, dict):
            raise _fail(name, f"files[{path!r}] must be an object")
        known: dict[int, bool] = {}
        for key, ran in (("missing_lines", False), ("executed_lines", True)):
            values = entry.get(key, [])
            if not isinstance(values, list) or not all(
                isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in values
            ):
                raise _fail(name, f"files[{path!r}].{key} must be a list of line numbers")
            for n in values:
                known[n] = known.get(n, False) or ran
        lines[path] = known
    stamp, source = None, "file modification time"
    raw = meta.get("timestamp")
    if raw is not None:
        if not isinstance(raw, str):
            raise _fail(name, "meta.timestamp must be an ISO 8601 string")
        try:
            when = datetime.fromisoformat(raw)
        except ValueError:
            raise _fail(name, f"meta.timestamp {raw[:40]!r} is not an ISO 8601 time") from None
        stamp, source = (when if when.tzinfo else when.astimezone()).timestamp(), "meta.timestamp"
    else:
        stamp = mtime
    return CoverageReport(name, "coverage.py json", stamp, source, lines)


def _xml(data: bytes, name: str, mtime: float | None) -> CoverageReport:
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        root = fromstring(data, forbid_dtd=True)
    except ParseError as exc:
        where = exc.position[0] if getattr(exc, "position", None) else None
        raise _fail(name, f"not well-formed XML: {exc}", where) from None
    except DefusedXmlException as exc:
        raise _fail(name, f"refused: the XML uses a DTD or entities ({type(exc).__name__})") from None
    except (ValueError, RecursionError) as exc:
        raise _fail(name, f"not usable XML: {exc}") from None
    if root.tag != "coverage":
        raise _fail(name, f"not a Cobertura report: the root element is <{root.tag[:40]}>, not <coverage>")
    roots = tuple((s.text or "").strip() for s in root.iter("source") if (s.text or "").strip())
    lines: dict[str, dict[int, bool]] = {}
    for cls in root.iter("class"):
        filename = cls.get("filename")
        if not filename:
            raise _fail(name, "a <class> has no filename attribute")
        known = lines.setdefault(filename, {})
        for block in cls.findall("lines"):
            for line in block.findall("line"):
                number, hits = line.get("number"), line.get("hits")
                try:
                    n, h = int(number or ""), int(hits or "")
                except ValueError:
                    raise _fail(
                        name, f"<line number={number!r} hits={hits!r}> in {filename[:80]} is not numbers"
                    ) from None
                if n <= 0:
                    raise _fail(name, f"line number {n} in {filename[:80]} must be positive")
                known[n] = known.get(n, False) or h > 0
    stamp, source = mtime, "file modification time"
    raw = root.get("timestamp")
    if raw:
        try:
            value = float(raw)
        except ValueError:
            raise _fail(name, f"timestamp {raw[:40]!r} is not a number") from None
        if value != value or value < 0 or value > 1e16:
            raise _fail(name, f"timestamp {raw[:40]!r} is out of range")
        stamp = value / 1000 if value > 1e11 else value
        source = "timestamp attribute"
    return CoverageReport(name, "cobertura xml", stamp, source, lines, roots)


def _lcov(text: str, name: str, mtime: float | None) -> CoverageReport:
    lines: dict[str, dict[int, bool]] = {}
    current: dict[int, bool] | None = None
    seen_record = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("SF:"):
            path = line[3:].strip()
            if not path:
                raise _fail(name, "SF: names no file", number)
            current = lines.setdefault(path, {})
            seen_record = True
        elif line.startswith("DA:"):
            m = _DA.fullmatch(line)
            if m is None or int(m.group(1)) <= 0:
                raise _fail(name, f"malformed line record {line[:60]!r} (want DA:<line>,<hits>)", number)
            if current is None:
                raise _fail(name, "a DA: record comes before any SF: file record", number)
            n = int(m.group(1))
            current[n] = current.get(n, False) or int(m.group(2)) > 0
        elif line == "end_of_record":
            current = None
        elif re.match(r"[A-Z]+:", line) is None and line != "end_of_record":
            raise _fail(name, f"not an LCOV record: {line[:60]!r}", number)
    if not seen_record:
        raise _fail(name, "not a coverage report: no SF: file records (and not JSON or XML)")
    return CoverageReport(name, "lcov", mtime, "file modification time", lines)


# -- matching report paths to repository paths -----------------------------------------------------------


def _relative(path: str, roots: Sequence[str], top: str | None) -> list[str]:
    """The repository-relative names a report path may stand for, best first."""
    path = path.replace("\\", "/")
    out: list[str] = []
    candidates = [path] if posixpath.isabs(path) else [posixpath.join(r.replace("\\", "/"), path) for r in roots]
    if not posixpath.isabs(path):
        candidates.append(path)
    tops = [top.replace("\\", "/")] if top else []
    if top:
        real = os.path.realpath(top).replace("\\", "/")
        if real not in tops:
            tops.append(real)
    for cand in candidates:
        norm = posixpath.normpath(cand)
        if posixpath.isabs(norm):
            for t in tops:
                if norm.startswith(t.rstrip("/") + "/"):
                    out.append(norm[len(t.rstrip("/")) + 1 :])
        else:
            out.append(norm.removeprefix("./"))
    return out


@dataclass
class Evidence:
    """Every report merged: repository path -> line -> ran. ``unmatched``: report paths that fit no file."""

    lines: dict[str, dict[int, bool]] = field(default_factory=dict)

    @classmethod
    def build(cls, reports: Iterable[CoverageReport], wanted: Iterable[str], top: str | None) -> Evidence:
        wanted_set = set(wanted)
        ev = cls()
        for report in reports:
            for rpath, known in report.lines.items():
                target = _resolve(rpath, report.roots, top, wanted_set)
                if target is None:
                    continue
                merged = ev.lines.setdefault(target, {})
                for n, ran in known.items():
                    merged[n] = merged.get(n, False) or ran
        return ev


def _resolve(rpath: str, roots: Sequence[str], top: str | None, wanted: set[str]) -> str | None:
    names = _relative(rpath, roots, top)
    for n in names:
        if n in wanted:
            return n
    # A report made elsewhere (another checkout, a container): the longest unique suffix match.
    for n in names:
        hits = [w for w in wanted if w.endswith("/" + n) or n.endswith("/" + w)]
        if len(hits) == 1:
            return hits[0]
    return None


# -- the check ---------------------------------------------------------------------------------------


def _head_time(ev: Evaluation) -> int | None:
    for c in ev.commits:
        if c.commit.sha == ev.change.head:
            return c.commit.committed_at
    return max((c.commit.committed_at for c in ev.commits), default=None)


def _lines_text(numbers: Sequence[int], limit: int = 8) -> str:
    shown = ", ".join(str(n) for n in numbers[:limit])
    return shown + (f" and {len(numbers) - limit} more" if len(numbers) > limit else "")


def coverage_check(
    git: Git, reports: Sequence[CoverageReport] | None, origins: dict[str, Origins] | None = None
) -> Check:
    """A check of the test evidence for a change (``reports``: None or empty when none was given)."""
    cache = origins if origins is not None else {}
    given = tuple(reports or ())

    def check_coverage(ev: Evaluation) -> Iterator[Finding]:
        requiring = {t.name: t for t in ev.policy.tiers if t.min_ai_line_coverage is not None}
        if not requiring and not given:
            return
        origin = Origins.shared(cache, git, ev)
        source_files = [
            f
            for f in ev.files
            if f.change.status != "D" and not f.change.binary and f.change.added and language_for(f.change.path)
        ]
        owners = {f.change.path: origin.of(f.change.path) for f in source_files}
        needed = {
            f.change.path: f.match.tier.name
            for f in source_files
            if f.match.tier.name in requiring and any(c.attribution.assisted for c in owners[f.change.path].values())
        }
        if needed and not given:
            for tier_name in sorted(set(needed.values()), key=lambda n: requiring[n].rank):
                paths = [p for p, t in needed.items() if t == tier_name]
                yield Finding(
                    "coverage.missing",
                    Severity.ERROR,
                    True,
                    f"the {tier_name} tier needs tests to run at least {requiring[tier_name].min_ai_line_coverage:g}% "
                    f"of its AI-assisted added lines, and no coverage report was given ({len(paths)} file(s), "
                    f"first {display(paths[0])})",
                    "run the tests with coverage on the head commit and pass the report: "
                    "`coverage run -m pytest && coverage json && vouched check --coverage coverage.json`",
                    path=paths[0],
                    tier=tier_name,
                )
            return
        if not given:
            return
        head_time = _head_time(ev)
        for report in given:
            if head_time is not None and report.timestamp is not None and report.timestamp < head_time:
                blocking = bool(needed)
                made = datetime.fromtimestamp(report.timestamp).astimezone().isoformat(timespec="seconds")
                commit_time = datetime.fromtimestamp(head_time).astimezone().isoformat(timespec="seconds")
                yield Finding(
                    "coverage.stale",
                    Severity.ERROR if blocking else Severity.WARNING,
                    blocking,
                    f"coverage report {display(report.file)} ({report.format}, {report.timestamp_source} {made}) is "
                    f"older than the head commit {ev.change.head[:12]} ({commit_time}): it cannot show the head "
                    "was tested",
                    "re-run the tests with coverage on the head commit",
                )
        try:
            top: str | None = git.toplevel()
        except GitError:
            top = None
        evidence = Evidence.build(given, [f.change.path for f in source_files], top)
        yield from _summary(ev, source_files, owners, evidence)
        for tier_name in sorted(set(needed.values()), key=lambda n: requiring[n].rank):
            tier = requiring[tier_name]
            yield from _tier_coverage(tier_name, tier.min_ai_line_coverage or 0.0, needed, owners, evidence)

    return check_coverage


def _summary(
    ev: Evaluation,
    files: Sequence[Any],
    owners: Mapping[str, Mapping[int, EvaluatedCommit]],
    evidence: Evidence,
) -> Iterator[Finding]:
    counts = {True: [0, 0], False: [0, 0]}  # ai? -> [covered, executable]
    for f in files:
        known = evidence.lines.get(f.change.path, {})
        for a in f.change.added:
            if a.number in known:
                c = owners[f.change.path].get(a.number)
                ai = c is not None and c.attribution.assisted
                counts[ai][1] += 1
                counts[ai][0] += 1 if known[a.number] else 0

    def part(label: str, covered: int, total: int) -> str:
        return f"{label} {covered}/{total} ({100 * covered / total:.0f}%)" if total else f"{label} none"

    measured = sum(1 for f in files if f.change.path in evidence.lines)
    yield Finding(
        "coverage.summary",
        Severity.NOTE,
        False,
        "added executable lines run by the tests: "
        + part("AI-assisted", *counts[True])
        + ", "
        + part("human", *counts[False])
        + f"; {measured} of {len(files)} changed source file(s) in the report(s)",
    )


def _tier_coverage(
    tier_name: str,
    minimum: float,
    needed: Mapping[str, str],
    owners: Mapping[str, Mapping[int, EvaluatedCommit]],
    evidence: Evidence,
) -> Iterator[Finding]:
    covered = total = 0
    uncovered: list[tuple[str, list[int]]] = []
    first: EvaluatedCommit | None = None
    for path, t in needed.items():
        if t != tier_name:
            continue
        ai = sorted(n for n, c in owners[path].items() if c.attribution.assisted)
        known = evidence.lines.get(path)
        if known is None:
            yield Finding(
                "coverage.missing",
                Severity.ERROR,
                True,
                f"{display(path)} has {len(ai)} AI-assisted added line(s) and no coverage report measures it: "
                "no test imported it, or the report was made from other sources",
                "add tests that run it, and check the coverage configuration (`source =`) includes it",
                path=path,
                line=ai[0] if ai else None,
                tier=tier_name,
            )
            continue
        missed = [n for n in ai if n in known and not known[n]]
        run = [n for n in ai if known.get(n)]
        covered += len(run)
        total += len(run) + len(missed)
        if missed:
            uncovered.append((path, missed))
            first = first or owners[path].get(missed[0])
    if total == 0:
        return
    pct = 100 * covered / total
    if pct + 1e-9 >= minimum:
        return
    where = "; ".join(f"{display(p)} lines {_lines_text(ns)}" for p, ns in uncovered[:5])
    yield Finding(
        "coverage.below-minimum",
        Severity.ERROR,
        True,
        f"the tests run {covered} of {total} AI-assisted added executable line(s) in the {tier_name} tier "
        f"({pct:.1f}%), below its min_ai_line_coverage of {minimum:g}%; not run: {where}"
        + (f" ({describe(first)})" if first else ""),
        "add tests that run these lines, then regenerate the coverage report",
        path=uncovered[0][0] if uncovered else None,
        line=uncovered[0][1][0] if uncovered else None,
        commit=first.commit.sha if first else None,
        tier=tier_name,
    )
