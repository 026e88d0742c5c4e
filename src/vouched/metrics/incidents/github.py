"""GitHub issues as ``gh issue list --json`` prints them.

Run ``gh issue list --state all --limit 10000 --json number,title,createdAt,closedAt,labels,state,stateReason``.
Required per issue: ``number`` and ``createdAt``. ``closedAt`` is the resolution time; an issue closed
as not planned (``stateReason`` ``NOT_PLANNED``) is kept but is not a bug. An issue is a bug when one of
its labels is in ``bug_labels``; severity comes from its labels (``severity: high``, ``P1``, ...), and
customer-reported from ``customer_labels``. Unknown fields are listed in the report, not errors.
"""

from __future__ import annotations

from typing import Any

from vouched.errors import InputError
from vouched.metrics.incidents._util import decode, json_items, load_json
from vouched.metrics.incidents.dates import parse_date
from vouched.metrics.incidents.model import Bug, ImportResult, classify_severity, is_bug_label, is_customer
from vouched.policy.model import MetricsConfig

__all__ = ["FIELDS", "parse_github"]

FIELDS = (
    "number",
    "title",
    "createdAt",
    "closedAt",
    "labels",
    "state",
    "stateReason",
    "url",
    "body",
    "author",
    "assignees",
    "milestone",
    "updatedAt",
    "id",
    "comments",
    "closed",
    "projectCards",
    "reactionGroups",
)
HINT = (
    "export with `gh issue list --state all --json number,title,createdAt,closedAt,labels,state,stateReason`, "
    "or name the export's format: --issues-format jira, csv or json"
)


def parse_github(raw: bytes, file: str, config: MetricsConfig) -> ImportResult:
    data = load_json(decode(raw, file), file, HINT)
    if isinstance(data, dict) and isinstance(data.get("issues"), list):
        data = data["issues"]
    if not isinstance(data, list):
        raise InputError(f"{file}: expected a JSON list of issues, not {type(data).__name__}", hint=HINT)
    bugs, skipped, unknown = json_items(
        data,
        file,
        "issue",
        HINT,
        lambda item, where: _issue(item, where, config),
        lambda item: (str(key) for key in item if key not in FIELDS),
    )
    return ImportResult(file, "github", bugs, skipped, unknown)


def _issue(item: dict[str, Any], where: str, config: MetricsConfig) -> Bug:
    number = item.get("number")
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise ValueError(f"number must be a positive whole number, not {number!r:.40}")
    created = item.get("createdAt")
    if not isinstance(created, str | int) or isinstance(created, bool):
        raise ValueError(f"issue #{number} has no createdAt")
    created_at = parse_date(str(created))
    closed = item.get("closedAt")
    resolved_at = parse_date(str(closed)) if isinstance(closed, str | int) and str(closed).strip() else None
    state = str(item.get("state") or "").upper()
    if state == "OPEN":
        resolved_at = None
    if resolved_at is not None and resolved_at < created_at:
        raise ValueError(f"issue #{number} was closed before it was created")
    raw_labels = item.get("labels") or []
    if not isinstance(raw_labels, list):
        raise ValueError(f"issue #{number}: labels must be a list")
    labels = tuple(
        str(label.get("name", "")) if isinstance(label, dict) else str(label)
        for label in raw_labels
        if isinstance(label, dict | str)
    )
    not_planned = str(item.get("stateReason") or "").upper() == "NOT_PLANNED"
    title = item.get("title")
    return Bug(
        id=f"#{number}",
        title=title if isinstance(title, str) else "",
        created_at=created_at,
        resolved_at=resolved_at,
        severity=classify_severity(labels, config),
        customer=is_customer(labels, config),
        is_bug=is_bug_label(labels, config) and not not_planned,
        labels=labels,
        where=where,
    )
