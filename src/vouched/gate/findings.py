"""Findings and the verdict: what every check returns and every report format prints."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from vouched.git import display
from vouched.model import Commit
from vouched.provenance.model import Attribution

__all__ = ["CommitReport", "FileReport", "Finding", "Severity", "Verdict"]

SCHEMA = "vouched.verdict/1"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a check found. ``hint`` says what would make it pass."""

    rule: str
    severity: Severity
    blocking: bool
    message: str
    hint: str = ""
    path: str | None = None
    line: int | None = None
    commit: str | None = None
    tier: str | None = None
    overridden: bool = False  # was blocking, waived by a break-glass override

    def __post_init__(self) -> None:
        if self.blocking and self.severity is not Severity.ERROR:
            raise ValueError(f"finding {self.rule}: a blocking finding must have severity error")

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "blocking": self.blocking,
            "message": self.message,
            "hint": self.hint,
            "path": None if self.path is None else display(self.path),
            "line": self.line,
            "commit": self.commit,
            "tier": self.tier,
            **({"overridden": True} if self.overridden else {}),
        }


@dataclass(frozen=True, slots=True)
class CommitReport:
    commit: Commit
    person: str | None  # the people.toml id of the person responsible for the commit
    attribution: Attribution

    def to_json(self) -> dict[str, Any]:
        return {
            "sha": self.commit.sha,
            "subject": self.commit.subject,
            "author": {
                "name": self.commit.author.name,
                "email": self.commit.author.email,
                "person": self.person,
            },
            "ai": self.attribution.to_json(),
        }


@dataclass(frozen=True, slots=True)
class FileReport:
    path: str
    tier: str
    reason: str
    old_path: str | None = None
    status: str = "M"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": display(self.path), "tier": self.tier, "reason": self.reason}
        out["status"] = self.status
        if self.old_path is not None:
            out["old_path"] = display(self.old_path)
        return out


@dataclass(frozen=True, slots=True)
class Verdict:
    base: str
    merge_base: str
    head: str
    tier: str | None  # the riskiest tier the change touches; None for an empty change
    commits: tuple[CommitReport, ...]
    files: tuple[FileReport, ...]
    findings: tuple[Finding, ...]
    policy_digest: str = ""
    notes: tuple[str, ...] = field(default=())

    @property
    def passed(self) -> bool:
        return not any(f.blocking for f in self.findings)

    @property
    def blocking(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.blocking)

    @property
    def overridden(self) -> tuple[Finding, ...]:
        """Findings that would block, waived by a break-glass override (counted apart)."""
        return tuple(f for f in self.findings if f.overridden)

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "verdict": "pass" if self.passed else "fail",
            "base": self.base,
            "merge_base": self.merge_base,
            "head": self.head,
            "tier": self.tier,
            "policy_digest": self.policy_digest,
            "commits": [c.to_json() for c in self.commits],
            "files": [f.to_json() for f in self.files],
            "findings": [f.to_json() for f in self.findings],
            **({"overridden": len(self.overridden)} if self.overridden else {}),
        }
