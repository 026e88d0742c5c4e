"""Incidents and bugs from issue trackers' exports: one module a format, one entry point.

Formats: ``github`` (``gh issue list --json``), ``jira`` (Jira's CSV export), ``csv`` and ``json`` (the
generic format of :mod:`vouched.metrics.incidents.generic`). Every importer either returns an
:class:`ImportResult` (rows it could not read are skipped and counted, with file and line) or raises
:class:`~vouched.errors.InputError` when the file as a whole is unusable (not UTF-8, not JSON or CSV,
required columns missing, no readable row at all). Nothing else escapes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from vouched.errors import InputError
from vouched.metrics.incidents.dates import parse_date
from vouched.metrics.incidents.generic import parse_generic_csv, parse_generic_json
from vouched.metrics.incidents.github import parse_github
from vouched.metrics.incidents.jira import parse_jira
from vouched.metrics.incidents.model import Bug, ImportResult, Skip, classify_severity
from vouched.policy.model import MetricsConfig

__all__ = ["FORMATS", "Bug", "ImportResult", "Skip", "classify_severity", "load_issues", "parse_date", "parse_issues"]

Parser = Callable[[bytes, str, MetricsConfig], ImportResult]
FORMATS: dict[str, Parser] = {
    "github": parse_github,
    "jira": parse_jira,
    "csv": parse_generic_csv,
    "json": parse_generic_json,
}


def parse_issues(raw: bytes, file: str, fmt: str, config: MetricsConfig) -> ImportResult:
    parser = FORMATS.get(fmt)
    if parser is None:
        raise InputError(f"unknown issues format {fmt!r}", hint=f"use one of: {', '.join(FORMATS)}")
    return parser(raw, file, config)


def load_issues(path: Path, fmt: str, config: MetricsConfig) -> ImportResult:
    """Read and parse an export file; InputError when it cannot be read."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}", hint="pass an existing export file") from None
    return parse_issues(raw, str(path), fmt, config)
