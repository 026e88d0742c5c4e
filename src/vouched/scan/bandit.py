"""Bandit, used as a library: its own severities, confidences and CWE mapping.

Bandit is run in-process on copies of the change's Python files in a private temporary folder, with its
built-in defaults only (no ``.bandit``, ``pyproject.toml`` or ``bandit.yaml`` of the repository is read)
and with ``ignore_nosec``: a ``# nosec`` comment the change itself adds does not hide its finding.

Bandit parses with the running interpreter's :mod:`ast`, so code in a newer Python's syntax (3.12's
f-strings on a 3.11 interpreter) cannot be read: Bandit skips the file, and that becomes a problem
(``scan.not-scanned``), never a silent pass.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from vouched.scan.inputs import is_python, staged
from vouched.scan.interface import Availability, Level, Problem, ScanFinding, ScanResult, SourceFile

__all__ = ["BanditScanner"]

log = logging.getLogger(__name__)


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence Bandit while it loads and runs.

    Its per-file warnings come back to us as ``skipped``; stevedore logs an error for each optional Bandit
    plugin whose own dependency is absent (its SARIF formatter) and warns about its own deprecations:
    none of that is the user's to act on.
    """
    quiet = [logging.getLogger(name) for name in ("bandit", "stevedore")]
    old = [q.level for q in quiet]
    for q in quiet:
        q.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            yield
    finally:
        for q, level in zip(quiet, old, strict=True):
            q.setLevel(level)


def _level(text: object) -> Level:
    try:
        return Level.parse(str(text))
    except ValueError:
        return Level.MEDIUM  # bandit's UNDEFINED: treat as medium, never as nothing


class BanditScanner:
    """The ``bandit`` scanner."""

    name = "bandit"

    def available(self) -> Availability:
        try:
            with _quiet():
                import bandit  # noqa: F401
                from bandit.core import manager  # noqa: F401
        except ImportError as exc:
            return Availability(False, f"bandit is not installed (pip install bandit): {exc}")
        return Availability(True)

    def handles(self, path: str) -> bool:
        return is_python(path)

    def scan(self, files: list[SourceFile]) -> ScanResult:
        if not files:
            return ScanResult()
        ready = self.available()
        if not ready.ok:
            return ScanResult(problems=(Problem(self.name, None, ready.reason),))
        try:
            return self._scan(files)
        except Exception as exc:  # a crash inside bandit must block, not pass
            log.debug("bandit crashed", exc_info=True)
            return ScanResult(problems=(Problem(self.name, None, f"bandit crashed: {type(exc).__name__}: {exc}"),))

    def _scan(self, files: list[SourceFile]) -> ScanResult:
        with _quiet():
            from bandit.core import config as b_config
            from bandit.core import manager as b_manager

        with _quiet(), staged(files) as written:
            mgr = b_manager.BanditManager(b_config.BanditConfig(), "file", ignore_nosec=True, quiet=True)
            mgr.discover_files(list(written), recursive=False)
            mgr.run_tests()
            issues: list[Any] = mgr.get_issue_list()
            skipped: list[tuple[str, str]] = list(mgr.skipped)
        findings: list[ScanFinding] = []
        problems: list[Problem] = []
        broken: set[str] = set()
        for fname, reason in skipped:
            source = written.get(fname)
            if source is None:
                problems.append(Problem(self.name, None, f"bandit skipped a file it was not given: {reason}"))
                continue
            broken.add(source.path)
            why = "does not parse with this Python" if "syntax" in reason.lower() else reason
            problems.append(Problem(self.name, source.path, f"{why} (bandit: {reason})"))
        for issue in issues:
            source = written.get(issue.fname)
            if source is None:
                continue
            lines = [n for n in (getattr(issue, "linerange", None) or [issue.lineno]) if isinstance(n, int)]
            start = max(1, int(issue.lineno))
            cwe = getattr(getattr(issue, "cwe", None), "id", 0) or 0
            findings.append(
                ScanFinding(
                    scanner=self.name,
                    rule=str(issue.test_id),
                    title=str(issue.test),
                    severity=_level(issue.severity),
                    confidence=_level(issue.confidence),
                    path=source.path,
                    line=start,
                    end_line=max([start, *lines]),
                    cwe=(int(cwe),) if cwe else (),
                    message=str(issue.text),
                )
            )
        scanned = tuple(f.path for f in written.values() if f.path not in broken)
        return ScanResult(tuple(findings), tuple(problems), scanned)
