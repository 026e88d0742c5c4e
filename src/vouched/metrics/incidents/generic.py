"""The generic format, for any tracker: CSV with a header row, or JSON.

Fields (CSV columns or JSON keys; names compared case-insensitively, ``-`` and spaces read as ``_``):

=================== ======== =================================================================================
field               required meaning
=================== ======== =================================================================================
id                  yes      the key commits use (``#123`` or ``123``, ``INC-42``)
created             yes      when the bug was reported (ISO 8601, ``12/Mar/24 3:04 PM``, Unix seconds)
title                        a one-line summary
resolved                     when it was resolved; empty while open
severity                     critical, high, medium, low, or a tracker word (P1, sev2, Major) mapped to one
customer_reported            true/false, yes/no, 1/0; or a label in ``customer_labels``
labels                       ``;``- or ``,``-separated in CSV, a list in JSON
type                         default ``bug``; anything else (``feature``, ``task``) is not a bug
commits                      commit ids that fixed it (full or abbreviated), separated by ``;``, ``,`` or spaces
pull_requests                pull request numbers whose commits fixed it
=================== ======== =================================================================================

JSON is a list of objects, or ``{"bugs": [...]}``. Unknown fields are listed in the report, not errors.
A row with a missing id, an unreadable date or a resolution before its creation is skipped and counted.
"""

from __future__ import annotations

import re
from typing import Any

from vouched.errors import InputError
from vouched.metrics.incidents._util import bug_key, decode, json_items, load_json, read_csv, split_list
from vouched.metrics.incidents.dates import parse_date
from vouched.metrics.incidents.model import Bug, ImportResult, Skip, classify_severity, is_customer
from vouched.policy.model import MetricsConfig

__all__ = ["FIELDS", "parse_generic_csv", "parse_generic_json"]

FIELDS = (
    "id",
    "created",
    "title",
    "resolved",
    "severity",
    "customer_reported",
    "labels",
    "type",
    "commits",
    "pull_requests",
)
REQUIRED = ("id", "created")
HINT = "the generic format needs the fields id and created; see `vouched report --help` and the README"
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0", ""}
_SHA = re.compile(r"^[0-9a-fA-F]{4,64}$")


def _field(name: str) -> str:
    return re.sub(r"[\s-]+", "_", name.strip().lower())


def parse_generic_csv(raw: bytes, file: str, config: MetricsConfig) -> ImportResult:
    header, rows = read_csv(decode(raw, file), file, HINT)
    names = [_field(h) for h in header]
    missing = [f for f in REQUIRED if f not in names]
    if missing:
        raise InputError(f"{file}:1: the header has no {' or '.join(missing)} column", hint=HINT)
    bugs: list[Bug] = []
    skipped: list[Skip] = []
    for line, row in rows:
        where = f"{file}:{line}"
        if len(row) > len(header):
            skipped.append(Skip(where, f"the row has {len(row)} cells but the header has {len(header)}"))
            continue
        record = {name: row[i] for i, name in enumerate(names) if i < len(row) and name in FIELDS}
        try:
            bugs.append(_bug(record, where, config))
        except ValueError as exc:
            skipped.append(Skip(where, str(exc)))
    if rows and not bugs:
        raise InputError(f"{file}: none of its {len(rows)} rows could be read: {skipped[0].reason}", hint=HINT)
    unknown = tuple(dict.fromkeys(h for h, n in zip(header, names, strict=True) if n not in FIELDS and h))
    return ImportResult(file, "csv", tuple(bugs), tuple(skipped), unknown)


def parse_generic_json(raw: bytes, file: str, config: MetricsConfig) -> ImportResult:
    data = load_json(decode(raw, file), file, HINT)
    if isinstance(data, dict) and isinstance(data.get("bugs"), list):
        data = data["bugs"]
    if not isinstance(data, list):
        raise InputError(f'{file}: expected a JSON list of bugs (or {{"bugs": [...]}})', hint=HINT)
    bugs, skipped, unknown = json_items(
        data,
        file,
        "bug",
        HINT,
        lambda item, where: _bug(_record(item), where, config),
        lambda item: (str(key) for key in item if _field(str(key)) not in FIELDS),
    )
    return ImportResult(file, "json", bugs, skipped, unknown)


def _record(item: dict[str, Any]) -> dict[str, Any]:
    """The known fields of one JSON bug, under their normalised names."""
    record: dict[str, Any] = {}
    for key, value in item.items():
        name = _field(str(key))
        if name in FIELDS:
            record[name] = value
    return record


def _text(value: object, name: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"{name} must be text, not {type(value).__name__}")
    return str(value).strip()


def _bug(record: dict[str, Any], where: str, config: MetricsConfig) -> Bug:
    raw_id = _text(record.get("id"), "id")
    if not raw_id:
        raise ValueError("the id is empty")
    created_at = parse_date(_text(record.get("created"), "created"))
    resolved_text = _text(record.get("resolved"), "resolved")
    resolved_at = parse_date(resolved_text) if resolved_text else None
    if resolved_at is not None and resolved_at < created_at:
        raise ValueError(f"{raw_id}: resolved before it was created")
    labels = split_list(record.get("labels"))
    customer_raw = record.get("customer_reported")
    if isinstance(customer_raw, bool):
        customer = customer_raw
    else:
        word = _text(customer_raw, "customer_reported").lower()
        if word not in _TRUE | _FALSE:
            raise ValueError(f"{raw_id}: customer_reported must be true or false, not {word[:20]!r}")
        customer = word in _TRUE
    customer = customer or is_customer(labels, config)
    severity_word = _text(record.get("severity"), "severity")
    commits = split_list(record.get("commits"), spaces=True)
    for sha in commits:
        if not _SHA.match(sha):
            raise ValueError(f"{raw_id}: {sha[:20]!r} is not a commit id")
    pulls = tuple(p.lstrip("#") for p in split_list(record.get("pull_requests"), spaces=True))
    for pr in pulls:
        if not pr.isdigit():
            raise ValueError(f"{raw_id}: {pr[:20]!r} is not a pull request number")
    kind = _text(record.get("type"), "type").lower() or "bug"
    return Bug(
        id=bug_key(raw_id),
        title=_text(record.get("title"), "title"),
        created_at=created_at,
        resolved_at=resolved_at,
        severity=classify_severity([severity_word, *labels], config),
        customer=customer,
        is_bug=kind in ("bug", "defect", "incident", "regression"),
        labels=labels,
        commits=tuple(c.lower() for c in commits),
        pulls=pulls,
        where=where,
    )
