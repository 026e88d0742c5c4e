"""What an issue tracker's export says about one bug, as vouched reads it: values only.

Every importer (one module a format) turns its rows into :class:`Bug` values and records every row it
could not read as a :class:`Skip` (where, and why), so the report counts what it left out instead of
quietly computing from less.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from vouched.policy.model import BUG_SEVERITIES, MetricsConfig

__all__ = ["BUG_SEVERITIES", "Bug", "ImportResult", "Skip", "classify_severity", "is_bug_label", "is_customer"]

_PREFIX = re.compile(r"^(?:severity|sev|priority|prio|impact)\s*[:/=_-]?\s*", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Skip:
    """A row left out of the import: ``where`` is ``file:line`` (CSV) or ``file[item N]`` (JSON)."""

    where: str
    reason: str


@dataclass(frozen=True, slots=True)
class Bug:
    """One issue from a tracker.

    ``id`` is the key commits use to name it: ``#123`` for GitHub (and for all-digit generic ids),
    ``PROJ-123`` for Jira, the id as written otherwise. Times are Unix seconds, UTC. ``is_bug`` is False
    for issues that are not defects (features, tasks, issues closed as not planned): they are imported so
    that a commit closing one is known not to be a bug fix. ``commits`` and ``pulls`` are the fixes the
    tracker itself lists (generic format).
    """

    id: str
    title: str
    created_at: int
    resolved_at: int | None
    severity: str
    customer: bool
    is_bug: bool
    labels: tuple[str, ...] = ()
    commits: tuple[str, ...] = ()
    pulls: tuple[str, ...] = ()
    where: str = ""


@dataclass(frozen=True, slots=True)
class ImportResult:
    """Everything one export gave: the issues, the rows skipped and the columns vouched does not read."""

    file: str
    format: str
    bugs: tuple[Bug, ...]
    skipped: tuple[Skip, ...] = ()
    unknown_columns: tuple[str, ...] = ()


def classify_severity(words: Iterable[str], config: MetricsConfig) -> str:
    """The most severe level any of ``words`` (a priority, a severity field, labels) maps to, else unknown.

    A word is compared lower-cased, with a leading ``severity:``, ``sev``, ``priority:``, ``P`` kept as
    written (``P1`` maps by itself): ``severity: high``, ``sev-1``, ``Priority/Low`` all work.
    """
    table = config.severity_map()
    best = len(BUG_SEVERITIES) - 1
    for word in words:
        key = word.strip().lower()
        level = table.get(key)
        if level is None:
            level = table.get(_PREFIX.sub("", key))
            if level is None and _PREFIX.match(key):
                stripped = _PREFIX.sub("", key)
                level = table.get("s" + stripped) if stripped.isdigit() else None
        if level is not None:
            best = min(best, BUG_SEVERITIES.index(level))
    return BUG_SEVERITIES[best]


def _norm(label: str) -> str:
    return " ".join(label.strip().lower().split())


def is_customer(labels: Iterable[str], config: MetricsConfig) -> bool:
    wanted = {_norm(x) for x in config.customer_labels}
    return any(_norm(label) in wanted for label in labels)


def is_bug_label(labels: Iterable[str], config: MetricsConfig) -> bool:
    wanted = {_norm(x) for x in config.bug_labels}
    return any(_norm(label) in wanted for label in labels)
