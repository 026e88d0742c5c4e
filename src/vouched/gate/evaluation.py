"""The evaluated change: a change from git, read through the base revision's policy and roster.

Built once, then handed to every check. Everything here is derived from the base revision's
`.vouched/` files and from commit metadata; nothing comes from the change's own copy of the policy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vouched.gate.approvals import ApprovalSource
from vouched.model import Change, Commit, FileChange, Identity
from vouched.policy import People, Person, Policy, TierMatch
from vouched.provenance import Attribution
from vouched.trailers import parse_identity

if TYPE_CHECKING:
    from vouched.ledger.evidence import LedgerEvidence

__all__ = ["EvaluatedCommit", "EvaluatedFile", "Evaluation", "is_bot"]


def is_bot(identity: Identity) -> bool:
    """A forge app or automation account rather than a person."""
    name, email = identity.name.lower(), identity.email.lower()
    return name.endswith("[bot]") or "[bot]@" in email


@dataclass(frozen=True, slots=True)
class EvaluatedFile:
    change: FileChange
    match: TierMatch


@dataclass(frozen=True, slots=True)
class EvaluatedCommit:
    commit: Commit
    attribution: Attribution
    # The person accountable for the commit: its author, or for a bot or assistant author the
    # co-author or committer who is a person. None when nobody on the roster answers for it.
    responsible: Person | None
    responsible_identity: Identity
    via: str  # how the responsible person was found: "author", "co-author", "committer" or "unknown"
    authors: tuple[Person, ...]  # every roster person who authored or co-authored the commit
    tiers: tuple[tuple[str, TierMatch], ...]  # each path the commit touched, with its tier


@dataclass(frozen=True, slots=True)
class Evaluation:
    change: Change
    policy: Policy
    people: People
    commits: tuple[EvaluatedCommit, ...]  # oldest first
    files: tuple[EvaluatedFile, ...]
    approval_sources: tuple[ApprovalSource, ...] | None  # None: no source was given
    provenance_problems: tuple[str, ...] = ()
    ledger: LedgerEvidence | None = None  # None: the repository has no signed ledger

    @property
    def author_ids(self) -> frozenset[str]:
        """People who wrote any part of the change: none of them may approve it."""
        ids: set[str] = set()
        for c in self.commits:
            ids.update(p.id for p in c.authors)
            if c.responsible is not None:
                ids.add(c.responsible.id)
        return frozenset(ids)

    @property
    def touched_tiers(self) -> tuple[str, ...]:
        """Names of every tier the change touches, least risky first."""
        names = {f.match.tier.name for f in self.files}
        for c in self.commits:
            names.update(m.tier.name for _, m in c.tiers)
        return tuple(t.name for t in self.policy.tiers if t.name in names)


def build(
    change: Change,
    policy: Policy,
    people: People,
    attribute: dict[str, Attribution],
    approval_sources: Sequence[ApprovalSource] | None,
    problems: Sequence[str] = (),
    ledger: LedgerEvidence | None = None,
) -> Evaluation:
    files = tuple(
        EvaluatedFile(fc, policy.resolve_change(fc.paths, ((a.number, a.text) for a in fc.added)))
        for fc in change.files
    )
    by_path: dict[str, TierMatch] = {}
    for f in files:
        for p in f.change.paths:
            by_path[p] = f.match
    commits = []
    for commit in reversed(change.commits):
        tiers: list[tuple[str, TierMatch]] = []
        for touch in commit.files:
            known = [by_path[p] for p in touch.paths if p in by_path]
            match = max(known, key=lambda m: m.tier.rank) if known else policy.resolve_change(touch.paths)
            tiers.append((touch.path, match))
        commits.append(_evaluate_commit(commit, attribute[commit.sha], people, tuple(tiers)))
    return Evaluation(
        change=change,
        policy=policy,
        people=people,
        commits=tuple(commits),
        files=files,
        approval_sources=None if approval_sources is None else tuple(approval_sources),
        provenance_problems=tuple(problems),
        ledger=ledger,
    )


def _evaluate_commit(
    commit: Commit, attribution: Attribution, people: People, tiers: tuple[tuple[str, TierMatch], ...]
) -> EvaluatedCommit:
    co_authors = [parse_identity(v) for v in commit.trailer_values("co-authored-by")]
    authors: dict[str, Person] = {}
    for ident in (commit.author, *(c for c in co_authors if c is not None)):
        person = people.by_email(ident.email)
        if person is not None:
            authors.setdefault(person.id, person)
    author = people.by_email(commit.author.email)
    responsible, via, identity = author, "author", commit.author
    if author is None and (is_bot(commit.author) or attribution.assisted):
        # An assistant or bot wrote it: the human who co-signed or committed it answers for it.
        for label, ident in [
            *(("co-author", c) for c in co_authors if c is not None),
            ("committer", commit.committer),
        ]:
            person = people.by_email(ident.email)
            if person is not None:
                responsible, via, identity = person, label, ident
                authors.setdefault(person.id, person)
                break
    if responsible is None:
        via = "unknown"
    return EvaluatedCommit(
        commit=commit,
        attribution=attribution,
        responsible=responsible,
        responsible_identity=identity,
        via=via,
        authors=tuple(authors.values()),
        tiers=tiers,
    )
