"""Ruff's security rules (``S``, the flake8-bandit port) through the native binary in Ruff's wheel.

Why Ruff: one native process checks a change's files in milliseconds (Bandit, a Python library, takes
about a second to load its plugins). It runs as::

    ruff check --isolated --select S --ignore-noqa --no-cache --exit-zero --output-format json FILES

on copies written to a private temporary folder (:func:`vouched.scan.inputs.staged`): ``--isolated``
ignores every configuration file, so the repository under review cannot switch rules off, and
``--ignore-noqa`` means a ``# noqa: S602`` comment the change itself adds does not hide its finding.

Ruff has no severities or CWE ids of its own: :data:`RULES` gives each ``S`` rule the CWE and severity
that Bandit gives the check it ports (``S602`` is Bandit's ``B602``; a test holds the two tables together).
A file Ruff cannot parse is reported by Ruff as ``invalid-syntax`` and becomes a problem, not a pass.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
from typing import Any

from vouched.scan.inputs import is_python, staged
from vouched.scan.interface import Availability, Level, Problem, ScanFinding, ScanResult, SourceFile

__all__ = ["RULES", "RuffScanner", "parse_output"]

log = logging.getLogger(__name__)

L, M, H = Level.LOW, Level.MEDIUM, Level.HIGH
# code: (CWE, severity, confidence), after Bandit's check of the same number.
RULES: dict[str, tuple[int, Level, Level]] = {
    "S101": (703, L, H),
    "S102": (78, M, H),
    "S103": (732, M, M),
    "S104": (605, M, M),
    "S105": (259, L, M),
    "S106": (259, L, M),
    "S107": (259, L, M),
    "S108": (377, M, M),
    "S110": (703, L, H),
    "S112": (703, L, H),
    "S113": (400, M, L),
    "S201": (94, H, M),
    "S202": (22, H, H),
    "S301": (502, M, H),
    "S302": (502, M, H),
    "S303": (327, M, H),
    "S304": (327, H, H),
    "S305": (327, M, H),
    "S306": (377, M, H),
    "S307": (78, M, H),
    "S308": (79, M, H),
    "S310": (22, M, H),
    "S311": (330, L, H),
    "S312": (319, H, H),
    "S313": (20, M, H),
    "S314": (20, M, H),
    "S315": (20, M, H),
    "S316": (20, M, H),
    "S317": (20, M, H),
    "S318": (20, M, H),
    "S319": (20, M, H),
    "S320": (20, M, H),
    "S321": (319, H, H),
    "S323": (295, M, H),
    "S324": (327, H, H),
    "S401": (319, H, H),
    "S402": (319, H, H),
    "S403": (502, L, H),
    "S404": (78, L, H),
    "S405": (20, L, H),
    "S406": (20, L, H),
    "S407": (20, L, H),
    "S408": (20, L, H),
    "S409": (20, L, H),
    "S410": (20, L, H),
    "S411": (20, H, H),
    "S412": (284, H, H),
    "S413": (327, H, H),
    "S415": (319, H, H),
    "S501": (295, H, H),
    "S502": (327, H, H),
    "S503": (327, M, M),
    "S504": (327, L, M),
    "S505": (326, H, H),
    "S506": (20, M, H),
    "S507": (295, H, M),
    "S508": (319, M, H),
    "S509": (319, M, H),
    "S601": (78, M, M),
    "S602": (78, H, H),
    "S603": (78, L, H),
    "S604": (78, M, L),
    "S605": (78, H, H),
    "S606": (78, L, M),
    "S607": (78, L, H),
    "S608": (89, M, M),
    "S609": (78, H, M),
    "S610": (89, M, M),
    "S611": (89, M, M),
    "S612": (94, M, H),
    "S701": (94, H, H),
    "S702": (80, M, H),
    "S704": (79, M, H),
}
_UNKNOWN = (0, Level.MEDIUM, Level.MEDIUM)  # an S rule newer than this table: medium, no CWE


def _find_binary() -> str | None:
    """The ruff executable shipped in the ``ruff`` wheel installed beside vouched, or None."""
    try:
        from ruff.__main__ import find_ruff_bin
    except ImportError:
        return None
    try:
        return os.fsdecode(find_ruff_bin())
    except (FileNotFoundError, OSError):
        return None


class RuffScanner:
    """The ``ruff`` scanner. ``binary`` overrides the wheel's executable (tests, benchmarks)."""

    name = "ruff"

    def __init__(self, binary: str | None = None, *, timeout: float = 120.0) -> None:
        self._binary = binary
        self._timeout = timeout

    def _bin(self) -> str | None:
        return self._binary if self._binary is not None else _find_binary()

    def available(self) -> Availability:
        binary = self._bin()
        if binary is None:
            return Availability(False, "the ruff package is not installed (pip install ruff)")
        if not os.access(binary, os.X_OK):
            return Availability(False, f"the ruff executable {binary} is missing or not executable")
        return Availability(True)

    def handles(self, path: str) -> bool:
        return is_python(path)

    def scan(self, files: list[SourceFile]) -> ScanResult:
        if not files:
            return ScanResult()
        binary = self._bin()
        ready = self.available()
        if binary is None or not ready.ok:
            return ScanResult(problems=(Problem(self.name, None, ready.reason),))
        with staged(files) as written:
            argv = [
                binary,
                "check",
                "--isolated",
                "--select",
                "S",
                "--ignore-noqa",
                "--no-cache",
                "--exit-zero",
                "--output-format",
                "json",
                "--target-version",
                "py313",
                "--",
                *written,
            ]
            try:
                proc = subprocess.run(argv, capture_output=True, timeout=self._timeout, check=False, env=_env())
            except (OSError, subprocess.TimeoutExpired) as exc:
                return ScanResult(problems=(Problem(self.name, None, f"ruff could not run: {exc}"),))
            if proc.returncode != 0:
                err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
                why = err[-1] if err else f"exit code {proc.returncode}"
                return ScanResult(problems=(Problem(self.name, None, f"ruff failed: {why[:300]}"),))
            return parse_output(proc.stdout, written)


def _env() -> dict[str, str]:
    """Ruff's environment: no user configuration, no cache directory, no colour."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUFF_")}
    env["NO_COLOR"] = "1"
    return env


def parse_output(raw: bytes, written: dict[str, SourceFile]) -> ScanResult:
    """Ruff's JSON diagnostics to findings; anything unexpected is a problem, never an exception."""
    try:
        items = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        return ScanResult(problems=(Problem("ruff", None, f"ruff printed output that is not JSON: {exc}"),))
    if not isinstance(items, list):
        return ScanResult(problems=(Problem("ruff", None, "ruff's JSON output is not a list of diagnostics"),))
    findings: list[ScanFinding] = []
    problems: list[Problem] = []
    broken: set[str] = set()
    for item in items:
        parsed = _diagnostic(item, written)
        if isinstance(parsed, ScanFinding):
            findings.append(parsed)
        elif isinstance(parsed, Problem):
            if parsed.path is None or parsed.path not in broken:
                problems.append(parsed)
            if parsed.path is not None:
                broken.add(parsed.path)
    scanned = tuple(f.path for f in written.values() if f.path not in broken)
    return ScanResult(tuple(findings), tuple(problems), scanned)


# Ruff's hard-coded-password rules quote the variable, argument or parameter name (Bandit's quote the value,
# which the gate redacts); unquoted, the name is shown as it is.
_NAMES_A_VARIABLE = frozenset({"S105", "S106", "S107"})
_QUOTED_NAME = re.compile(r'"([A-Za-z_][A-Za-z0-9_]*)"$')


def _diagnostic(item: Any, written: dict[str, SourceFile]) -> ScanFinding | Problem | None:
    if not isinstance(item, dict):
        return Problem("ruff", None, "ruff printed a diagnostic that is not a JSON object")
    filename = item.get("filename")
    source = written.get(filename) if isinstance(filename, str) else None
    if source is None:
        return Problem("ruff", None, "ruff reported a file it was not given")
    code = item.get("code")
    message = _str(item.get("message"))
    start, end = _row(item.get("location")), _row(item.get("end_location"))
    if code is None or code == "invalid-syntax" or (isinstance(code, str) and not code.startswith("S")):
        where = f" (line {start})" if start else ""
        return Problem("ruff", source.path, f"does not parse{where}: {message[:200]}")
    if not isinstance(code, str) or start is None:
        return Problem("ruff", source.path, "ruff printed a diagnostic without a rule or a line")
    cwe, severity, confidence = RULES.get(code, _UNKNOWN)
    if code in _NAMES_A_VARIABLE:  # 'assigned to: "token"' quotes the name, not the value: show it as a name
        message = _QUOTED_NAME.sub(r"\1", message)
    name = _str(item.get("name")) or code
    return ScanFinding(
        scanner="ruff",
        rule=code,
        title=str(name),
        severity=severity,
        confidence=confidence,
        path=source.path,
        line=start,
        end_line=max(start, end or start),
        cwe=(cwe,) if cwe else (),
        message=message,
    )


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _row(location: Any) -> int | None:
    if isinstance(location, dict):
        row = location.get("row")
        if isinstance(row, int) and not isinstance(row, bool) and row >= 1:
            return row
    return None
