"""Semgrep, when it is installed: the team's local rule files only, no metrics, no login, no network.

Semgrep is not a dependency of vouched (it is large, and its registry rules need the network). When a
tier requires it, vouched runs the ``semgrep`` on ``PATH`` as::

    semgrep scan --config RULES_DIR --json --metrics off --disable-version-check --no-git-ignore
                 --quiet --timeout 30 FILES

where ``RULES_DIR`` holds the ``.vouched/semgrep/*.yml`` / ``*.yaml`` files of the BASE revision, copied
to a private temporary folder (a change cannot bring its own rules, and no ``--config auto`` or registry
rule is ever used, since those need the network and a login). With no rule files at the base, the scanner
is not available: the gate reports it as missing where a tier requires it.

Severities: ``ERROR``/``HIGH`` are high, ``CRITICAL`` critical, ``WARNING``/``MEDIUM`` medium,
``INFO``/``LOW`` low; CWE ids come from the rule's ``metadata.cwe`` (``"CWE-89: ..."``).
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from vouched.scan.inputs import staged
from vouched.scan.interface import Availability, Level, Problem, ScanFinding, ScanResult, SourceFile

__all__ = ["RULES_DIR", "SemgrepScanner", "parse_output"]

log = logging.getLogger(__name__)

RULES_DIR = ".vouched/semgrep/"
_SEVERITY = {
    "CRITICAL": Level.CRITICAL,
    "ERROR": Level.HIGH,
    "HIGH": Level.HIGH,
    "WARNING": Level.MEDIUM,
    "MEDIUM": Level.MEDIUM,
    "INFO": Level.LOW,
    "LOW": Level.LOW,
}
_CWE = re.compile(r"CWE-(\d{1,5})")


class SemgrepScanner:
    """The ``semgrep`` scanner. ``rules`` maps a rule file's name to its bytes (from the base revision)."""

    name = "semgrep"

    def __init__(
        self, rules: dict[str, bytes] | None = None, *, binary: str | None = None, timeout: float = 300.0
    ) -> None:
        self._rules = dict(rules or {})
        self._binary = binary
        self._timeout = timeout

    def _bin(self) -> str | None:
        return self._binary if self._binary is not None else shutil.which("semgrep")

    def available(self) -> Availability:
        if self._bin() is None:
            return Availability(False, "semgrep is not installed (it is optional: pip install semgrep)")
        if not self._rules:
            return Availability(False, f"there are no Semgrep rule files in {RULES_DIR} at the base revision")
        return Availability(True)

    def handles(self, path: str) -> bool:
        return True  # the rules' `languages` decide which files Semgrep reads

    def scan(self, files: list[SourceFile]) -> ScanResult:
        binary, ready = self._bin(), self.available()
        if not files:
            return ScanResult()
        if binary is None or not ready.ok:
            return ScanResult(problems=(Problem(self.name, None, ready.reason),))
        with (
            tempfile.TemporaryDirectory(prefix="vouched-semgrep-rules-") as rules_dir,
            staged(files, python=False) as written,
        ):
            for n, (name, data) in enumerate(sorted(self._rules.items())):
                suffix = ".yaml" if name.endswith(".yaml") else ".yml"
                (Path(rules_dir) / f"rules{n}{suffix}").write_bytes(data)
            argv = [
                binary,
                "scan",
                "--config",
                rules_dir,
                "--json",
                "--metrics",
                "off",
                "--disable-version-check",
                "--no-git-ignore",
                "--quiet",
                "--timeout",
                "30",
                "--",
                *written,
            ]
            env = {**os.environ, "SEMGREP_SEND_METRICS": "off", "SEMGREP_ENABLE_VERSION_CHECK": "0"}
            env.pop("SEMGREP_APP_TOKEN", None)
            try:
                proc = subprocess.run(argv, capture_output=True, timeout=self._timeout, check=False, env=env)
            except (OSError, subprocess.TimeoutExpired) as exc:
                return ScanResult(problems=(Problem(self.name, None, f"semgrep could not run: {exc}"),))
            if proc.returncode not in (0, 1):
                err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
                why = err[-1] if err else f"exit code {proc.returncode}"
                return ScanResult(problems=(Problem(self.name, None, f"semgrep failed: {why[:300]}"),))
            return parse_output(proc.stdout, written)


def parse_output(raw: bytes, written: dict[str, SourceFile]) -> ScanResult:
    """Semgrep's ``--json`` document to findings; anything unexpected is a problem, never an exception."""
    try:
        doc = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        return ScanResult(problems=(Problem("semgrep", None, f"semgrep printed output that is not JSON: {exc}"),))
    if not isinstance(doc, dict) or not isinstance(doc.get("results", []), list):
        return ScanResult(problems=(Problem("semgrep", None, "semgrep's JSON output has no list of results"),))
    findings: list[ScanFinding] = []
    problems: list[Problem] = []
    broken: set[str] = set()
    for item in doc.get("results", []):
        found = _result(item, written)
        if isinstance(found, ScanFinding):
            findings.append(found)
        else:
            problems.append(found)
    errors = doc.get("errors", [])
    for err in errors if isinstance(errors, list) else [errors]:
        entry = _dict(err)
        source = written.get(_str(entry.get("path")))
        message = _str(entry.get("message"))
        if source is not None:
            broken.add(source.path)
            problems.append(Problem("semgrep", source.path, f"semgrep could not read it: {message[:200]}"))
        else:
            problems.append(Problem("semgrep", None, f"semgrep reported an error: {message[:200] or repr(err)[:200]}"))
    scanned = tuple(f.path for f in written.values() if f.path not in broken)
    return ScanResult(tuple(findings), tuple(problems), scanned)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _line(where: Any) -> int | None:
    if isinstance(where, dict):
        line = where.get("line")
        if isinstance(line, int) and not isinstance(line, bool) and line >= 1:
            return line
    return None


def _result(item: Any, written: dict[str, SourceFile]) -> ScanFinding | Problem:
    if not isinstance(item, dict):
        return Problem("semgrep", None, "semgrep printed a result that is not a JSON object")
    source = written.get(_str(item.get("path")))
    start, end = _line(item.get("start")), _line(item.get("end"))
    rule = _str(item.get("check_id"))
    if source is None or start is None or not rule:
        return Problem("semgrep", None, "semgrep printed a result without a known file, a line or a rule id")
    extra = _dict(item.get("extra"))
    meta = _dict(extra.get("metadata"))
    cwe_field = meta.get("cwe", [])
    cwe_texts: list[str] = [cwe_field] if isinstance(cwe_field, str) else []
    if isinstance(cwe_field, list):
        cwe_texts = [c for c in cwe_field if isinstance(c, str)]
    cwe = tuple(dict.fromkeys(int(m) for text in cwe_texts for m in _CWE.findall(text)))
    severity = _SEVERITY.get(str(extra.get("severity", "")).upper(), Level.MEDIUM)
    confidence = _SEVERITY.get(str(meta.get("confidence", "")).upper(), Level.MEDIUM)
    message = _str(extra.get("message"))
    return ScanFinding(
        scanner="semgrep",
        rule=rule[:200],
        title=rule.rsplit(".", 1)[-1][:200],
        severity=severity,
        confidence=min(confidence, Level.HIGH),
        path=source.path,
        line=start,
        end_line=max(start, end or start),
        cwe=cwe,
        message=message[:500],
    )
