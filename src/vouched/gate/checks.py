"""The checks of the spine. Each is a small function: an evaluated change in, findings out.

Rule ids are stable (users filter and suppress by them); the README lists them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from vouched.gate.evaluation import EvaluatedCommit, Evaluation
from vouched.gate.findings import Finding, Severity
from vouched.git import display
from vouched.policy import Person, Tier, TierMatch

__all__ = ["CHECKS", "Check"]

Check = Callable[[Evaluation], Iterable[Finding]]


def _short(sha: str) -> str:
    return sha[:12]


def _who(c: EvaluatedCommit) -> str:
    if c.responsible is not None:
        return f"{c.responsible.name} ({c.responsible.level})"
    return str(c.responsible_identity)


def _finding(severity: Severity, rule: str, message: str, hint: str, **where: str | None) -> Finding:
    return Finding(
        rule,
        severity,
        severity is Severity.ERROR,
        message,
        hint,
        path=where.get("path"),
        commit=where.get("commit"),
        tier=where.get("tier"),
    )


def _error(rule: str, message: str, hint: str, **where: str | None) -> Finding:
    return _finding(Severity.ERROR, rule, message, hint, **where)


def _note(rule: str, message: str, hint: str = "", **where: str | None) -> Finding:
    return _finding(Severity.NOTE, rule, message, hint, **where)


def _warning(rule: str, message: str, hint: str = "", **where: str | None) -> Finding:
    return _finding(Severity.WARNING, rule, message, hint, **where)


def _tier_groups(c: EvaluatedCommit) -> dict[str, tuple[Tier, list[tuple[str, TierMatch]]]]:
    """The paths a commit touched, grouped by tier (riskiest tier first)."""
    groups: dict[str, tuple[Tier, list[tuple[str, TierMatch]]]] = {}
    for path, match in sorted(c.tiers, key=lambda pm: -pm[1].tier.rank):
        groups.setdefault(match.tier.name, (match.tier, []))[1].append((path, match))
    return groups


def _paths(entries: list[tuple[str, TierMatch]]) -> str:
    first, match = entries[0]
    text = f"{display(first)} ({match.reason})"
    if len(entries) > 1:
        text += f" and {len(entries) - 1} more"
    return text


@dataclass(frozen=True, slots=True)
class _Level:
    """The clearance a commit's responsible person has, for the unknown-author rules too."""

    name: str | None  # None: no clearance at all
    label: str


def _level_of(ev: Evaluation, c: EvaluatedCommit) -> _Level:
    if c.responsible is not None:
        return _Level(c.responsible.level, f"{c.responsible.name} ({c.responsible.level})")
    level = ev.policy.unknown_author_level
    return _Level(level, f"{c.responsible_identity} (not on the roster: {level or 'no clearance'})")


# -- the checks -------------------------------------------------------------------------------------


def check_empty(ev: Evaluation) -> Iterator[Finding]:
    if not ev.change.commits:
        yield _note(
            "change.empty",
            f"there are no commits between {_short(ev.change.merge_base)} and {_short(ev.change.head)}: "
            "nothing to judge",
        )


def check_provenance_records(ev: Evaluation) -> Iterator[Finding]:
    for problem in ev.provenance_problems:
        yield _error(
            "provenance.unreadable",
            f"a line-level provenance record cannot be read: {problem}",
            "repair or remove the record (git-ai notes under refs/notes/ai, or .agent-trace/traces.jsonl): "
            "vouched will not guess which lines an assistant wrote",
        )


def check_authors(ev: Evaluation) -> Iterator[Finding]:
    for c in ev.commits:
        if c.responsible is not None or not c.tiers:
            continue
        level = ev.policy.unknown_author_level
        hint = (
            f"add {c.responsible_identity.email} to {ev.people.file} on the base branch in a change of its "
            "own (a change cannot add its own author)"
        )
        if level is None:
            yield _error(
                "author.unknown",
                f"{c.responsible_identity} is not in {ev.people.file}, and unknown authors have no clearance",
                hint,
                commit=c.commit.sha,
            )
        else:
            yield _note(
                "author.unknown",
                f"{c.responsible_identity} is not in {ev.people.file}: treated as {level}, as [unknown_authors] says",
                hint,
                commit=c.commit.sha,
            )


def check_clearance(ev: Evaluation) -> Iterator[Finding]:
    policy = ev.policy
    for c in ev.commits:
        level = _level_of(ev, c)
        if level.name is None:
            continue  # reported once by check_authors
        rank = policy.rank(level.name)
        ai = c.attribution.assisted
        tools = ", ".join(c.attribution.tools) or "an AI assistant"
        for tier, entries in _tier_groups(c).values():
            where: dict[str, str | None] = {"path": entries[0][0], "commit": c.commit.sha, "tier": tier.name}
            if rank < policy.rank(tier.min_level):
                yield _error(
                    "clearance.level",
                    f"{level.label} changed {_paths(entries)}: {tier.name}-tier files need {tier.min_level} or above",
                    f"have someone of level {tier.min_level} or above author this work, or leave "
                    f"{tier.name}-tier files out of the change",
                    **where,
                )
                continue
            if ai and not tier.ai_allowed:
                yield _error(
                    "ai.not-allowed",
                    f"AI-assisted commit ({tools}) changed {_paths(entries)}: the {tier.name} tier allows "
                    "no AI-assisted changes",
                    "redo this part without an assistant and declare it with `Assisted-by: none`",
                    **where,
                )
            elif ai and rank < policy.rank(tier.ai_min_level):
                yield _error(
                    "clearance.ai-level",
                    f"AI-assisted commit ({tools}) by {level.label} changed {_paths(entries)}: AI-assisted "
                    f"changes to {tier.name}-tier files need {tier.ai_min_level} or above",
                    f"have someone of level {tier.ai_min_level} or above author the AI-assisted work, or "
                    "redo it without an assistant",
                    **where,
                )


def check_declaration(ev: Evaluation) -> Iterator[Finding]:
    for c in ev.commits:
        if c.attribution.declared:
            continue
        for tier, entries in _tier_groups(c).values():
            if tier.require_declaration:
                yield _error(
                    "declaration.missing",
                    f"commit changes {_paths(entries)} but does not say whether an AI assistant helped: "
                    f"the {tier.name} tier requires a declaration",
                    "add a trailer to the commit message: `Assisted-by: AGENT:MODEL` or `Assisted-by: none`",
                    path=entries[0][0],
                    commit=c.commit.sha,
                    tier=tier.name,
                )
                break


def check_rationale(ev: Evaluation) -> Iterator[Finding]:
    for c in ev.commits:
        if not c.attribution.assisted or any(v.strip() for v in c.commit.trailer_values("ai-rationale")):
            continue
        for tier, entries in _tier_groups(c).values():
            if tier.require_rationale:
                yield _error(
                    "rationale.missing",
                    f"AI-assisted commit changes {_paths(entries)} without saying why the assistant's work "
                    f"was accepted: the {tier.name} tier requires a rationale",
                    "add `AI-Rationale: <why this AI-written code is right>` to the commit message",
                    path=entries[0][0],
                    commit=c.commit.sha,
                    tier=tier.name,
                )
                break


def check_policy_edit(ev: Evaluation) -> Iterator[Finding]:
    for f in ev.files:
        if any(p == ".vouched" or p.startswith(".vouched/") for p in f.change.paths):
            yield _note(
                "policy.edited",
                f"this change edits {display(f.change.path)}: it is judged by the base revision's policy "
                f"and held to the {f.match.tier.name} tier; the edit governs only later changes",
                path=f.change.path,
                tier=f.match.tier.name,
            )


def check_stages(ev: Evaluation) -> Iterator[Finding]:
    for name in ev.touched_tiers:
        tier = ev.policy.tier(name)
        if tier.stages:
            yield _error(
                "stages.unverified",
                f"the {tier.name} tier requires signed sign-offs ({', '.join(tier.stages)}), and this "
                "version of vouched cannot verify signed sign-offs yet",
                f"until the signed ledger is available, remove `stages` from the {tier.name} tier in the "
                "base policy, or land this change through your documented manual sign-off process",
                tier=tier.name,
            )


def check_approvals(ev: Evaluation) -> Iterator[Finding]:
    tiers = [t for t in (ev.policy.tier(n) for n in ev.touched_tiers) if t.approvals > 0]
    if not tiers:
        return
    strictest = max(tiers, key=lambda t: (t.approvals, t.rank))
    if ev.approval_sources is None:
        yield _error(
            "approvals.no-source",
            f"the {strictest.name} tier needs {strictest.approvals} approval(s), and no approvals were given",
            "pass --approvals FILE, e.g. from `gh api repos/OWNER/REPO/pulls/N/reviews --paginate`",
            tier=strictest.name,
        )
        return
    authors = ev.author_ids
    head = ev.change.head
    eligible: dict[str, Person] = {}
    for source in ev.approval_sources:
        for approval in source.approvals():
            person = source.person(approval, ev.people)
            who = f"{approval.reviewer} ({source.name})"
            if not approval.approved:
                yield _warning(
                    "approvals.not-counted",
                    f"{who} has not approved: their standing review is {approval.state.lower() or 'not approved'}",
                )
            elif person is None:
                yield _warning(
                    "approvals.not-counted",
                    f"approval by {who} does not count: no one in {ev.people.file} has that login",
                    f"add the login to the person's entry in {ev.people.file} on the base branch",
                )
            elif person.id in authors:
                yield _warning(
                    "approvals.not-counted",
                    f"approval by {person.name} does not count: they authored part of this change",
                    "ask someone who did not write any of the change to review it",
                )
            elif approval.commit != head:
                seen = _short(approval.commit) if approval.commit else "an unknown commit"
                yield _warning(
                    "approvals.not-counted",
                    f"approval by {person.name} is stale: it was given for {seen}, and the change is now at "
                    f"{_short(head)}",
                    f"ask {person.name} to review the latest push and approve again",
                )
            else:
                eligible[person.id] = person
    for tier in tiers:
        need_rank = ev.policy.rank(tier.approver_min_level)
        counted = sorted(p.name for p in eligible.values() if ev.policy.rank(p.level) >= need_rank)
        if len(counted) >= tier.approvals:
            continue
        have = f"{len(counted)} ({', '.join(counted)})" if counted else "none"
        yield _error(
            "approvals.insufficient",
            f"the {tier.name} tier needs {tier.approvals} approval(s) of the head commit from people of level "
            f"{tier.approver_min_level} or above who wrote none of the change; it has {have}",
            f"ask {tier.approvals - len(counted)} more {tier.approver_min_level}+ reviewer(s) to approve "
            f"{_short(head)}",
            tier=tier.name,
        )


CHECKS: tuple[Check, ...] = (
    check_empty,
    check_provenance_records,
    check_authors,
    check_clearance,
    check_declaration,
    check_rationale,
    check_policy_edit,
    check_stages,
    check_approvals,
)
