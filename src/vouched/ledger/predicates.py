"""vouched's predicate types: what a sign-off and a break-glass override say, versioned by URI.

``https://vouched.dev/attestation/sign-off/v1``: a person signs off one stage of a change::

    {"stage": "review",                  # requirements | design | implementation | review
     "decision": "approve",              # approve | reject | needs-work
     "signer": "alice",                  # the person's id in .vouched/people.toml
     "signedAt": "2026-01-02T03:04:05Z", # UTC, RFC 3339, whole seconds
     "base": "<sha>",                    # the revision the change targets: its roster verifies the key
     "policyDigest": "sha256:<hex>",     # the policy.toml the signer was held to
     "rationale": "why",                 # free text, may be empty
     "previous": "sha256:<hex>" | null,  # the ledger entry the signer last saw (its payload digest)
     "document": "docs/pay-12.md"}       # requirements and design only, optional: where the document is

Its subject says exactly what was validated. Implementation and review: one subject named ``head`` with
``{"gitCommit": <head>, "gitTree": <head's tree>}``. Requirements and design: one subject named by the
work item (the ``Refs:`` trailer of the change's commits) with ``{"sha256": <digest of the document>}``.

``https://vouched.dev/attestation/break-glass/v1``: an emergency override of one change's findings::

    {"signer": "alice", "signedAt": "...", "base": "<sha>", "policyDigest": "sha256:<hex>",
     "previous": ..., "reason": "outage INC-42: card payments down", "expires": "2026-01-02T09:00:00Z"}

with the ``head`` subject of the change it covers. A v1 predicate never gains or loses a field: a change of
meaning is a new URI (``.../v2``), and a verifier reads the versions it knows and rejects the rest.
"""

from __future__ import annotations

import json
import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from vouched.ledger.errors import MalformedError

if TYPE_CHECKING:
    from vouched.ledger.statement import Subject

__all__ = [
    "BREAK_GLASS_V1",
    "DECISIONS",
    "PREDICATES",
    "SIGN_OFF_V1",
    "BreakGlass",
    "Predicate",
    "SignOff",
    "format_time",
    "parse_predicate",
    "parse_time",
]

SIGN_OFF_V1 = "https://vouched.dev/attestation/sign-off/v1"
BREAK_GLASS_V1 = "https://vouched.dev/attestation/break-glass/v1"
STAGES = ("requirements", "design", "implementation", "review")
CHANGE_STAGES = ("implementation", "review")  # bound to a head commit and tree
DECISIONS = ("approve", "reject", "needs-work")
HEAD_SUBJECT = "head"
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
_PERSON = re.compile(r"[^\x00-\x1f\x7f]{1,200}")
_MAX_TEXT = 20_000


def format_time(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> datetime:
    """An RFC 3339 UTC time in whole seconds (``2026-01-02T03:04:05Z``); ValueError otherwise."""
    if not _TIME.fullmatch(text):
        raise ValueError(f"{text[:40]!r} is not a UTC time like 2026-01-02T03:04:05Z")
    # Fixed positions (the regex vouches for them): much cheaper than strptime on 100,000 entries.
    return datetime(
        int(text[0:4]),
        int(text[5:7]),
        int(text[8:10]),
        int(text[11:13]),
        int(text[14:16]),
        int(text[17:19]),
        tzinfo=UTC,
    )


class _Fields:
    """Checks one predicate object, field by field; every problem is a ``predicate.malformed``."""

    def __init__(
        self, obj: object, kind: str, required: AbstractSet[str], optional: AbstractSet[str] = frozenset()
    ) -> None:
        self.kind = kind
        if not isinstance(obj, dict):
            raise self.fail("the predicate is not an object")
        extra = sorted(set(obj) - required - optional)
        if extra:
            raise self.fail(f"unknown field(s): {', '.join(extra)}")
        missing = sorted(required - set(obj))
        if missing:
            raise self.fail(f"missing field(s): {', '.join(missing)}")
        self.obj: dict[str, Any] = obj

    def fail(self, message: str) -> MalformedError:
        return MalformedError("predicate.malformed", f"{self.kind} predicate: {message}")

    def text(self, key: str, *, empty: bool = False, limit: int = _MAX_TEXT) -> str:
        value = self.obj[key]
        if not isinstance(value, str) or (not empty and not value.strip()) or len(value) > limit:
            raise self.fail(f"{key} must be a {'' if empty else 'non-empty '}string of at most {limit} characters")
        return value

    def choice(self, key: str, choices: tuple[str, ...]) -> str:
        value = self.obj[key]
        if value not in choices:
            raise self.fail(f"{key} is {json.dumps(value)[:60]}, expected one of {', '.join(choices)}")
        return str(value)

    def pattern(self, key: str, regex: re.Pattern[str], what: str) -> str:
        value = self.obj[key]
        if not isinstance(value, str) or not regex.fullmatch(value):
            raise self.fail(f"{key} must be {what}")
        return value

    def time(self, key: str) -> str:
        value = self.pattern(key, _TIME, "a UTC time like 2026-01-02T03:04:05Z")
        try:
            parse_time(value)
        except ValueError:
            raise self.fail(f"{key} is not a real date and time") from None
        return value

    def previous(self) -> str | None:
        value = self.obj["previous"]
        if value is None:
            return None
        return self.pattern("previous", _DIGEST, "null or sha256:<64 hex digits>")


def _head_subject(subjects: tuple[Subject, ...], kind: str) -> tuple[str, str]:
    if len(subjects) != 1 or subjects[0].name != HEAD_SUBJECT:
        raise MalformedError("predicate.malformed", f"{kind}: needs exactly one subject named {HEAD_SUBJECT!r}")
    commit, tree = subjects[0].get("gitCommit"), subjects[0].get("gitTree")
    if commit is None or tree is None or len(subjects[0].digest) != 2:
        raise MalformedError("predicate.malformed", f"{kind}: the head subject needs exactly gitCommit and gitTree")
    return commit, tree


@dataclass(frozen=True, slots=True)
class SignOff:
    TYPE: ClassVar[str] = SIGN_OFF_V1

    stage: str
    decision: str
    signer: str
    signed_at: str
    base: str
    policy_digest: str
    rationale: str
    previous: str | None
    # What was validated: (commit, tree) for implementation and review; (work item, document sha256) else.
    commit: str | None = None
    tree: str | None = None
    work_item: str | None = None
    document_digest: str | None = None
    document: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "stage": self.stage,
            "decision": self.decision,
            "signer": self.signer,
            "signedAt": self.signed_at,
            "base": self.base,
            "policyDigest": self.policy_digest,
            "rationale": self.rationale,
            "previous": self.previous,
        }
        if self.document is not None:
            out["document"] = self.document
        return out

    def subjects(self) -> list[dict[str, Any]]:
        if self.stage in CHANGE_STAGES:
            return [{"name": HEAD_SUBJECT, "digest": {"gitCommit": self.commit, "gitTree": self.tree}}]
        return [{"name": self.work_item, "digest": {"sha256": self.document_digest}}]


@dataclass(frozen=True, slots=True)
class BreakGlass:
    TYPE: ClassVar[str] = BREAK_GLASS_V1

    signer: str
    signed_at: str
    base: str
    policy_digest: str
    previous: str | None
    reason: str
    expires: str
    commit: str
    tree: str

    def to_json(self) -> dict[str, Any]:
        return {
            "signer": self.signer,
            "signedAt": self.signed_at,
            "base": self.base,
            "policyDigest": self.policy_digest,
            "previous": self.previous,
            "reason": self.reason,
            "expires": self.expires,
        }

    def subjects(self) -> list[dict[str, Any]]:
        return [{"name": HEAD_SUBJECT, "digest": {"gitCommit": self.commit, "gitTree": self.tree}}]


Predicate = SignOff | BreakGlass
_COMMON = {"signer", "signedAt", "base", "policyDigest", "previous"}


def _sign_off(obj: object, subjects: tuple[Subject, ...]) -> SignOff:
    f = _Fields(obj, "sign-off", _COMMON | {"stage", "decision", "rationale"}, {"document"})
    stage = f.choice("stage", STAGES)
    decision = f.choice("decision", DECISIONS)
    signer = f.pattern("signer", _PERSON, "a person id")
    signed_at = f.time("signedAt")
    base = f.pattern("base", _SHA, "a full commit id")
    policy_digest = f.pattern("policyDigest", _DIGEST, "sha256:<64 hex digits>")
    rationale = f.text("rationale", empty=True)
    previous = f.previous()
    if stage in CHANGE_STAGES:
        if "document" in f.obj:
            raise f.fail(f"a {stage} sign-off has no document: it is bound to the head commit and tree")
        commit, tree = _head_subject(subjects, f"a {stage} sign-off")
        return SignOff(
            stage, decision, signer, signed_at, base, policy_digest, rationale, previous, commit=commit, tree=tree
        )
    document = f.text("document", limit=2000) if "document" in f.obj else None
    if len(subjects) != 1 or len(subjects[0].digest) != 1 or subjects[0].get("sha256") is None:
        raise f.fail(f"a {stage} sign-off needs exactly one subject: the work item with the document's sha256")
    return SignOff(
        stage,
        decision,
        signer,
        signed_at,
        base,
        policy_digest,
        rationale,
        previous,
        work_item=subjects[0].name,
        document_digest=subjects[0].get("sha256"),
        document=document,
    )


def _break_glass(obj: object, subjects: tuple[Subject, ...]) -> BreakGlass:
    f = _Fields(obj, "break-glass", _COMMON | {"reason", "expires"})
    commit, tree = _head_subject(subjects, "a break-glass override")
    return BreakGlass(
        signer=f.pattern("signer", _PERSON, "a person id"),
        signed_at=f.time("signedAt"),
        base=f.pattern("base", _SHA, "a full commit id"),
        policy_digest=f.pattern("policyDigest", _DIGEST, "sha256:<64 hex digits>"),
        previous=f.previous(),
        reason=f.text("reason"),
        expires=f.time("expires"),
        commit=commit,
        tree=tree,
    )


PREDICATES = (SIGN_OFF_V1, BREAK_GLASS_V1)


def parse_predicate(kind: str, obj: object, subjects: tuple[Subject, ...]) -> Predicate:
    if kind == SIGN_OFF_V1:
        return _sign_off(obj, subjects)
    if kind == BREAK_GLASS_V1:
        return _break_glass(obj, subjects)
    raise MalformedError("statement.predicate-type", f"predicateType {kind[:100]} is not one vouched knows")
