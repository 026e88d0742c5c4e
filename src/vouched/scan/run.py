"""The scan of one change: which scanner reads which file, only the changed lines, no duplicates.

Rules, in the order they apply:

1. Each file of the change with added lines is read from git at the head revision (the caller passes its
   bytes); a scanner runs only on the files whose tier requires it and that it reads at all (Ruff and
   Bandit: Python files). A file the screening refuses (:mod:`vouched.scan.inputs`) is a problem for each
   scanner its tier requires.
2. A finding is kept only when its line range, widened by the tier's ``context_lines`` (default 0) on each
   side, touches a line the change adds or changes. With 0, a multi-line statement is reported when any of
   its lines is new; with 2, a finding up to two lines from a changed line is kept too (useful when a
   change edits the argument that makes an unchanged call dangerous).
3. The same issue found by several scanners (same path, same first line, same CWE) is one finding that
   lists every ``scanner:rule`` as evidence, with the highest severity and confidence any of them gave.
4. ``assert`` in test files (Ruff S101, Bandit B101) is how tests check, not a weakness: it is dropped
   there (``tests/``, ``test/``, ``test_*.py``, ``*_test.py``, ``conftest.py``), and kept everywhere else.
5. Every added line of every text file is checked for credentials (:mod:`vouched.scan.secrets`),
   whatever the tier. Binary files cannot be read for secrets: a problem, reported as a note.

A required scanner that is not installed is ``missing``; one that crashed or printed garbage is
``failed``. The gate turns both into blocking findings.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

from vouched.scan.interface import Problem, ScanFinding, Scanner, ScanResult, SourceFile
from vouched.scan.secrets import find_secrets

__all__ = ["ScanReport", "Target", "deduplicate", "on_changed_lines", "run_scan"]

log = logging.getLogger(__name__)

SECRETS = "secrets"


@dataclass(frozen=True, slots=True)
class Target:
    """One file of the change, as the scan needs it."""

    path: str
    data: bytes | None  # the file at head; None when it is absent there (deleted)
    added: tuple[tuple[int, str], ...]  # (line number at head, text) of the added or changed lines
    scanners: tuple[str, ...] = ()  # scanners the file's tier requires
    context: int = 0
    binary: bool = False


@dataclass(frozen=True, slots=True)
class ScanReport:
    findings: tuple[ScanFinding, ...] = ()  # code scanners' findings on changed lines, de-duplicated
    secrets: tuple[ScanFinding, ...] = ()
    problems: tuple[Problem, ...] = ()  # files not scanned, and why (scanner, path, reason)
    missing: tuple[Problem, ...] = ()  # required scanners not installed (path None)
    failed: tuple[Problem, ...] = ()  # required scanners that crashed or gave unreadable output
    ran: tuple[str, ...] = field(default=())  # scanners that ran


_ASSERT_RULES = frozenset({"S101", "B101"})
_TEST_FILE = re.compile(r"(^|/)(tests?/|test_[^/]*\.py$|[^/]*_test\.py$|conftest\.py$)")


def is_test_file(path: str) -> bool:
    """Whether ``path`` is a test module by the usual layouts (pytest's and unittest's discovery names)."""
    return bool(_TEST_FILE.search(path))


def on_changed_lines(finding: ScanFinding, added: frozenset[int], context: int) -> bool:
    """Whether ``finding``'s lines, widened by ``context`` lines each side, touch an added line."""
    lo, hi = finding.line - context, finding.end_line + context
    if hi - lo < len(added):
        return any(n in added for n in range(lo, hi + 1))
    return any(lo <= n <= hi for n in added)


def deduplicate(findings: Sequence[ScanFinding]) -> list[ScanFinding]:
    """One finding per (path, line, CWE); findings without a CWE are merged only with the same rule."""
    merged: dict[tuple[object, ...], ScanFinding] = {}
    for f in findings:
        key: tuple[object, ...] = (f.path, f.line, f.cwe) if f.cwe else (f.path, f.line, f.scanner, f.rule)
        seen = merged.get(key)
        if seen is None:
            merged[key] = f
            continue
        evidence = tuple(dict.fromkeys((*seen.scanners, *f.scanners)))
        merged[key] = replace(
            seen,
            severity=max(seen.severity, f.severity),
            confidence=max(seen.confidence, f.confidence),
            end_line=max(seen.end_line, f.end_line),
            scanners=evidence,
        )
    return sorted(merged.values(), key=lambda f: (f.path, f.line, -f.severity, f.rule))


def run_scan(targets: Sequence[Target], scanners: Mapping[str, Scanner]) -> ScanReport:
    """Scan a change: code scanners where the tiers require them, secrets everywhere."""
    from vouched.scan.inputs import screen

    by_path = {t.path: t for t in targets}
    required: dict[str, list[Target]] = {}
    for t in targets:
        if t.data is None or not (t.added or t.binary):
            continue
        for name in t.scanners:
            required.setdefault(name, []).append(t)
    findings: list[ScanFinding] = []
    problems: list[Problem] = []
    missing: list[Problem] = []
    failed: list[Problem] = []
    ran: list[str] = []
    jobs: list[tuple[str, Scanner, list[SourceFile]]] = []
    for name in sorted(required):
        scanner = scanners.get(name)
        if scanner is None:
            missing.append(Problem(name, None, f"vouched has no scanner named {name!r}"))
            continue
        ready = scanner.available()
        if not ready.ok:
            missing.append(Problem(name, None, ready.reason))
            continue
        files: list[SourceFile] = []
        for t in required[name]:
            if t.data is None or (not scanner.handles(t.path) and not _python_script(scanner, t)):
                continue
            why = screen(SourceFile(t.path, t.data), binary=t.binary)
            if why is not None:
                problems.append(Problem(name, t.path, why))
            else:
                files.append(SourceFile(t.path, t.data))
        if files:
            jobs.append((name, scanner, files))
    # Scanners run side by side: Ruff and Semgrep are subprocesses, so they use the other core while Bandit
    # (in-process) holds this one. Results are collected in the scanners' name order, whatever finishes first.
    # The credentials pass runs here, in this thread, while the scanners work: Ruff's subprocess is otherwise
    # waited for with nothing to do. Its problems are still listed after the scanners'.
    with ThreadPoolExecutor(max_workers=max(1, len(jobs))) as pool:
        futures = [(name, pool.submit(_scan_safely, scanner, files)) for name, scanner, files in jobs]
        secrets, secret_problems = _secrets(targets)
        results = [(name, future.result()) for name, future in futures]
    for name, result in results:
        ran.append(name)
        for p in result.problems:
            (failed if p.path is None else problems).append(p)
        for f in result.findings:
            owner = by_path.get(f.path)
            if owner is None or (f.rule in _ASSERT_RULES and is_test_file(f.path)):
                continue
            if on_changed_lines(f, frozenset(n for n, _ in owner.added), owner.context):
                findings.append(f)
    problems.extend(secret_problems)
    log.debug("scan: %d finding(s), %d secret(s), %d problem(s)", len(findings), len(secrets), len(problems))
    return ScanReport(
        findings=tuple(deduplicate(findings)),
        secrets=tuple(secrets),
        problems=tuple(problems),
        missing=tuple(missing),
        failed=tuple(failed),
        ran=tuple(ran),
    )


def _secrets(targets: Sequence[Target]) -> tuple[list[ScanFinding], list[Problem]]:
    """Credentials on every added line of every text file; binary files are problems (not readable)."""
    secrets: list[ScanFinding] = []
    problems: list[Problem] = []
    for t in targets:
        if not t.added and not t.binary:
            continue
        if t.binary or (t.data is not None and b"\0" in t.data):
            problems.append(Problem(SECRETS, t.path, "binary file: not read for credentials"))
            continue
        secrets.extend(find_secrets(t.path, t.added))
    return secrets, problems


def _scan_safely(scanner: Scanner, files: list[SourceFile]) -> ScanResult:
    """A scanner's result; an exception from a backend becomes a failure of that scanner, never a pass."""
    try:
        return scanner.scan(files)
    except Exception as exc:
        log.debug("scanner %s raised", scanner.name, exc_info=True)
        return ScanResult(
            problems=(Problem(scanner.name, None, f"{scanner.name} crashed: {type(exc).__name__}: {exc}"),)
        )


def _python_script(scanner: Scanner, t: Target) -> bool:
    """An extension-less file with a python shebang is Python for the scanners that read Python."""
    from vouched.scan.inputs import is_python

    return scanner.handles("x.py") and t.data is not None and is_python(t.path, t.data)
