"""Jira's CSV export ("Export > CSV (all fields)" or "current fields").

Columns read (as Jira names them): ``Issue key`` and ``Created`` (required), ``Summary``, ``Issue Type``,
``Priority``, ``Resolved``, ``Resolution``, ``Status`` and every ``Labels`` column (Jira repeats the header
once per label). Dates may be in Jira's own format (``12/Mar/24 3:04 PM``) or ISO. An issue is a bug when
its Issue Type is Bug (or Defect, Incident) or one of its labels is in ``bug_labels``; an issue resolved as
Won't Fix, Duplicate, Cannot Reproduce, Not a Bug or Invalid is not. Severity comes from Priority (and
labels), customer-reported from ``customer_labels``. Other columns are listed in the report as unknown.
"""

from __future__ import annotations

from vouched.errors import InputError
from vouched.metrics.incidents._util import decode, read_csv
from vouched.metrics.incidents.dates import parse_date
from vouched.metrics.incidents.model import Bug, ImportResult, Skip, classify_severity, is_bug_label, is_customer
from vouched.policy.model import MetricsConfig

__all__ = ["parse_jira"]

REQUIRED = ("Issue key", "Created")
KNOWN = (
    *REQUIRED,
    "Summary",
    "Issue Type",
    "Priority",
    "Resolved",
    "Resolution",
    "Status",
    "Labels",
    "Severity",
    "Issue id",
)
BUG_TYPES = {"bug", "defect", "incident", "problem"}
NOT_A_FIX = {"won't fix", "won't do", "duplicate", "cannot reproduce", "not a bug", "invalid", "declined"}
HINT = "export from Jira with Export > CSV (all fields); the header row must hold Issue key and Created"


def parse_jira(raw: bytes, file: str, config: MetricsConfig) -> ImportResult:
    header, rows = read_csv(decode(raw, file), file, HINT)
    index: dict[str, list[int]] = {}
    for i, name in enumerate(header):
        index.setdefault(name.casefold(), []).append(i)
    missing = [name for name in REQUIRED if name.casefold() not in index]
    if missing:
        raise InputError(
            f"{file}:1: the header has no {' or '.join(repr(m) for m in missing)} column: is this a Jira CSV export?",
            hint=HINT,
        )
    known = {k.casefold() for k in KNOWN}
    unknown = tuple(dict.fromkeys(name for name in header if name.casefold() not in known and name))

    def cell(row: list[str], name: str) -> str:
        cols = index.get(name.casefold(), [])
        return row[cols[0]].strip() if cols and cols[0] < len(row) else ""

    bugs: list[Bug] = []
    skipped: list[Skip] = []
    for line, row in rows:
        where = f"{file}:{line}"
        if len(row) > len(header):
            skipped.append(Skip(where, f"the row has {len(row)} cells but the header has {len(header)}"))
            continue
        key = cell(row, "Issue key")
        try:
            if not key:
                raise ValueError("the Issue key is empty")
            created_at = parse_date(cell(row, "Created"))
            resolved_text = cell(row, "Resolved")
            resolved_at = parse_date(resolved_text) if resolved_text else None
        except ValueError as exc:
            skipped.append(Skip(where, f"{key or 'issue'}: {exc}"))
            continue
        if resolved_at is not None and resolved_at < created_at:
            skipped.append(Skip(where, f"{key}: resolved before it was created"))
            continue
        labels = tuple(row[i].strip() for i in index.get("labels", []) if i < len(row) and row[i].strip())
        kind = cell(row, "Issue Type").casefold()
        resolution = cell(row, "Resolution").casefold()
        severity = classify_severity([cell(row, "Severity"), cell(row, "Priority"), *labels], config)
        bugs.append(
            Bug(
                id=key,
                title=cell(row, "Summary"),
                created_at=created_at,
                resolved_at=resolved_at,
                severity=severity,
                customer=is_customer(labels, config),
                is_bug=(kind in BUG_TYPES or is_bug_label(labels, config)) and resolution not in NOT_A_FIX,
                labels=labels,
                where=where,
            )
        )
    if rows and not bugs:
        raise InputError(f"{file}: none of its {len(rows)} rows could be read: {skipped[0].reason}", hint=HINT)
    return ImportResult(file, "jira", tuple(bugs), tuple(skipped), unknown)
