"""The security scan as a check of the gate: the change's files from git, the tiers' scan settings, findings.

:func:`scan_check` builds the check (it closes over the repository, since a check only receives the
evaluated change): it reads the changed files at the head commit (one ``git cat-file --batch``), runs
:func:`vouched.scan.run.run_scan`, asks ``git blame`` which commit of the change wrote each flagged line,
and reports, with the rule ids of :mod:`vouched.gate.rules`:

* ``scan.finding``: a code scanner's finding on a changed line; blocking at or above the tier's
  ``block_severity``, a warning below it;
* ``scan.secret``: a credential on an added line, in every tier (a warning when the line carries
  ``vouched: allow-secret``); the secret itself is never in the message, only its redacted form;
* ``scan.not-scanned``: a file a required scanner could not read (blocking), or a binary file the secrets
  detector cannot read (a note);
* ``scan.scanner-missing`` / ``scan.scanner-failed``: a required scanner that is not installed, or that
  crashed or printed output vouched cannot read: blocking, never a silent pass.

A finding on a line whose commit is AI-assisted says so, with the tools and the commit.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from vouched.gate.findings import Finding, Severity
from vouched.git import display
from vouched.scan.interface import Level, Problem, Scanner
from vouched.scan.patterns_origin import Origins
from vouched.scan.run import ScanReport, Target, run_scan
from vouched.scan.secrets import redact

if TYPE_CHECKING:
    from vouched.gate.checks import Check
    from vouched.gate.evaluation import Evaluation
    from vouched.git import Git

__all__ = ["default_scanners", "scan_check"]

log = logging.getLogger(__name__)

# Scanners quote the value in their hard-coded-password messages (Bandit: "Possible hardcoded password:
# 'hunter2'"): for these CWEs every quoted string of a scanner's message is redacted, as secrets are.
_CREDENTIAL_CWES = frozenset({259, 321, 798})
_QUOTED = re.compile(r"(['\"])(.+?)\1")

# How to fix the common weaknesses, by CWE: the hint of a `scan.finding`.
_FIXES: dict[int, str] = {
    20: "parse untrusted XML/YAML with a safe loader (defusedxml, yaml.safe_load)",
    22: "resolve the path and check it stays inside the intended directory; never join raw user input",
    78: "pass an argument list without shell=True (or shlex.quote each argument); never build commands from input",
    79: "let the template engine escape output; do not mark user input as safe",
    89: "use a parameterised query (cursor.execute(sql, params)); never format values into SQL",
    94: "do not evaluate or template untrusted input; turn on autoescaping and off debug mode",
    259: "read the password from the environment or a secret store, not from the source",
    295: "keep certificate and host-key verification on",
    319: "use an encrypted protocol (SFTP, SSH, HTTPS) instead of a clear-text one",
    326: "use keys of at least 2048 bits (RSA/DSA) or 224 bits (EC)",
    327: "use a current algorithm (SHA-256 or better, AES-GCM, TLS 1.2+); for non-security hashes pass "
    "usedforsecurity=False",
    330: "use the secrets module for tokens, keys and passwords",
    377: "create temporary files with tempfile.mkstemp or NamedTemporaryFile",
    400: "pass a timeout to every network call",
    502: "do not deserialise untrusted data with pickle or marshal; use JSON or a schema-checked format",
    605: "bind to a specific interface (127.0.0.1) unless the service must be public",
    703: "handle the error (log it, re-raise, or recover) instead of silencing it; do not rely on assert for checks",
    732: "grant the narrowest file permissions that work (0o600, 0o644)",
    798: "remove the credential, rotate it (it is in the history now), and read it from the environment or a "
    "secret store",
}


def default_scanners(semgrep_rules: dict[str, bytes] | None = None) -> dict[str, Scanner]:
    """Every scanner backend vouched has, by its policy name."""
    from vouched.scan.bandit import BanditScanner
    from vouched.scan.ruff import RuffScanner
    from vouched.scan.semgrep import SemgrepScanner

    return {"ruff": RuffScanner(), "bandit": BanditScanner(), "semgrep": SemgrepScanner(semgrep_rules)}


def scan_check(
    git: Git, scanners: Mapping[str, Scanner] | None = None, origins: dict[str, Origins] | None = None
) -> Check:
    """The scan check for changes read from ``git`` (``scanners`` replaces the backends, for tests).

    ``origins`` is the cache of which commit wrote each added line, shared with the other checks of
    :func:`vouched.scan.gate.scan_checks` so each file is blamed once.
    """
    cache: dict[str, Origins] = {} if origins is None else origins

    def check_scan(ev: Evaluation) -> Iterator[Finding]:
        chosen = scanners
        if chosen is None:
            wants_semgrep = any("semgrep" in f.match.tier.scan.scanners for f in ev.files)
            chosen = default_scanners(_semgrep_rules(git, ev.change.base) if wants_semgrep else None)
        yield from _check(git, ev, chosen, Origins.shared(cache, git, ev))

    return check_scan


def _semgrep_rules(git: Git, base: str) -> dict[str, bytes]:
    """The ``.vouched/semgrep/*.yml`` rule files at the BASE revision: a change cannot bring its own rules."""
    from vouched.scan.semgrep import RULES_DIR

    paths = [p for p in git.list_folder(base, RULES_DIR, recursive=True) if p.endswith((".yml", ".yaml"))]
    return {p: data for p, data in git.read_files(base, paths).items() if data is not None}


def _targets(git: Git, ev: Evaluation) -> list[Target]:
    files = [f for f in ev.files if f.change.status != "D" and (f.change.added or f.change.binary)]
    wanted = [f.change.path for f in files if f.match.tier.scan.scanners]
    blobs = git.read_files(ev.change.head, wanted) if wanted else {}
    return [
        Target(
            path=f.change.path,
            data=blobs.get(f.change.path),
            added=tuple((a.number, a.text) for a in f.change.added),
            scanners=f.match.tier.scan.scanners,
            context=f.match.tier.scan.context_lines,
            binary=f.change.binary,
        )
        for f in files
    ]


def _check(git: Git, ev: Evaluation, scanners: Mapping[str, Scanner], origin: Origins) -> Iterator[Finding]:
    targets = _targets(git, ev)
    if not targets:
        return
    report = run_scan(targets, scanners)
    tiers = {f.change.path: f.match.tier for f in ev.files}
    authors = _authors(origin, report)
    yield from _missing(ev, report, targets)
    for p in report.problems:
        tier = tiers.get(p.path or "")
        if p.scanner == "secrets":
            yield Finding(
                "scan.not-scanned",
                Severity.NOTE,
                False,
                f"{display(p.path or '')} was not read for credentials: {p.reason}",
                "keep credentials out of binary files too; vouched cannot see into them",
                path=p.path,
                tier=tier.name if tier else None,
            )
            continue
        yield Finding(
            "scan.not-scanned",
            Severity.ERROR,
            True,
            f"{p.scanner} could not scan {display(p.path or '')}, which the "
            f"{tier.name if tier else 'riskiest'} tier requires: {p.reason}",
            "make the file readable (valid syntax for the Python vouched runs on, UTF-8, no minified or "
            "generated code in a scanned tier), or move it out of the tier",
            path=p.path,
            tier=tier.name if tier else None,
        )
    for f in report.findings:
        tier = tiers.get(f.path)
        threshold = Level.parse(tier.scan.block_severity) if tier else Level.LOW
        blocking = f.severity >= threshold
        commit, ai = authors.get((f.path, f.line), (None, ""))
        cwe = ", ".join(f"CWE-{n}" for n in f.cwe)
        by = ", ".join(s.replace(":", " ") for s in f.scanners)
        fix = next((_FIXES[n] for n in f.cwe if n in _FIXES), "")
        text = (f.message or f.title).strip().rstrip(".")
        if set(f.cwe) & _CREDENTIAL_CWES:
            text = _QUOTED.sub(lambda m: m.group(1) + redact(m.group(2)) + m.group(1), text)
        yield Finding(
            "scan.finding",
            Severity.ERROR if blocking else Severity.WARNING,
            blocking,
            f"{text} ({by}; {cwe + ', ' if cwe else ''}severity {f.severity.label}, "
            f"confidence {f.confidence.label}){ai}",
            (fix + "; " if fix else "")
            + (
                f"findings of severity {tier.scan.block_severity} and above block the {tier.name} tier"
                if tier and blocking
                else "below the tier's block_severity: review it"
            ),
            path=f.path,
            line=f.line,
            commit=commit,
            tier=tier.name if tier else None,
        )
    for s in report.secrets:
        tier = tiers.get(s.path)
        allowed = s.severity < Level.CRITICAL
        commit, ai = authors.get((s.path, s.line), (None, ""))
        yield Finding(
            "scan.secret",
            Severity.WARNING if allowed else Severity.ERROR,
            not allowed,
            f"credential on an added line: {s.message} (CWE-798){ai}",
            _FIXES[798] if not allowed else "confirm with the author that this is not a real credential",
            path=s.path,
            line=s.line,
            commit=commit,
            tier=tier.name if tier else None,
        )


def _missing(ev: Evaluation, report: ScanReport, targets: list[Target]) -> Iterator[Finding]:
    def needing(p: Problem) -> tuple[str | None, int]:
        names = [t for t in targets if p.scanner in t.scanners and (t.added or t.binary)]
        ranks = [f.match.tier for f in ev.files if f.change.path in {t.path for t in names}]
        riskiest = max(ranks, key=lambda t: t.rank).name if ranks else None
        return riskiest, len(names)

    for p in report.missing:
        tier, count = needing(p)
        yield Finding(
            "scan.scanner-missing",
            Severity.ERROR,
            True,
            f"the {tier or 'riskiest'} tier requires the {p.scanner} scanner for {count} changed file(s), and it "
            f"cannot run here: {p.reason}",
            f"install it where vouched runs (pip install {p.scanner}), or change the tier's [tiers.scan] scanners "
            "on the base branch",
            tier=tier,
        )
    for p in report.failed:
        tier, count = needing(p)
        yield Finding(
            "scan.scanner-failed",
            Severity.ERROR,
            True,
            f"the {p.scanner} scanner failed on the change's {count} file(s) that the {tier or 'riskiest'} tier "
            f"requires it for: {p.reason}",
            "run vouched again with -v; if the scanner keeps failing, report it (the change cannot pass unscanned)",
            tier=tier,
        )


def _authors(origin: Origins, report: ScanReport) -> dict[tuple[str, int], tuple[str | None, str]]:
    """For each flagged (path, line): the change's commit that wrote it, and a note when it is AI-assisted."""
    out: dict[tuple[str, int], tuple[str | None, str]] = {}
    for f in (*report.findings, *report.secrets):
        writer = origin.commit(f.path, f.line)
        if writer is None:  # a context line the change did not write, or a line git could not place
            continue
        sha, note = writer.commit.sha, ""
        if writer.attribution.assisted:
            tools = ", ".join(writer.attribution.tools) or "an AI assistant"
            note = f"; an AI assistant wrote this line ({tools}, commit {sha[:7]})"
        out[(f.path, f.line)] = (sha, note)
    return out
