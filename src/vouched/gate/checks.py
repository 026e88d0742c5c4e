"""The checks of the spine. Each is a small function: an evaluated change in, findings out.

Rule ids are stable (users filter and suppress by them); the README lists them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from vouched.gate.evaluation import EvaluatedCommit, Evaluation
from vouched.gate.findings import Finding, Severity
from vouched.git import display
from vouched.ledger.predicates import SignOff
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


def _signed_rationale(ev: Evaluation) -> bool:
    """A valid implementation or review sign-off (approve) of the head tree carries a rationale."""
    if ev.ledger is None:
        return False
    return any(
        so.decision == "approve" and so.rationale.strip() and ev.ledger.on_head(so)
        for stage in ("implementation", "review")
        for _, so in ev.ledger.sign_offs(stage)
    )


def check_rationale(ev: Evaluation) -> Iterator[Finding]:
    signed = _signed_rationale(ev)
    for c in ev.commits:
        if not c.attribution.assisted or any(v.strip() for v in c.commit.trailer_values("ai-rationale")):
            continue
        if signed:
            continue
        for tier, entries in _tier_groups(c).values():
            if tier.require_rationale:
                yield _error(
                    "rationale.missing",
                    f"AI-assisted commit changes {_paths(entries)} without saying why the assistant's work "
                    f"was accepted: the {tier.name} tier requires a rationale",
                    "add `AI-Rationale: <why this AI-written code is right>` to the commit message, or sign "
                    "one: `vouched sign --stage implementation --decision approve --rationale TEXT`",
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


def _stage_level(tier: Tier, stage: str) -> str:
    """The lowest level whose sign-off counts for ``stage``: the tier's ``min_level`` for implementation
    (whoever may change the tier may vouch for building it), ``approver_min_level`` for the other stages."""
    return tier.min_level if stage == "implementation" else tier.approver_min_level


def check_stages(ev: Evaluation) -> Iterator[Finding]:
    for name in ev.touched_tiers:
        tier = ev.policy.tier(name)
        if not tier.stages:
            continue
        if ev.ledger is None:
            yield _error(
                "stages.unverified",
                f"the {tier.name} tier requires signed sign-offs ({', '.join(tier.stages)}), and this "
                "repository has no signed ledger (refs/vouched/ledger)",
                "sign each stage with `vouched sign --stage STAGE --decision approve`, or fetch the ledger "
                "with `vouched ledger pull`",
                tier=tier.name,
            )
            continue
        for stage in tier.stages:
            yield from _check_stage(ev, tier, stage)


def _check_stage(ev: Evaluation, tier: Tier, stage: str) -> Iterator[Finding]:
    evidence = ev.ledger
    if evidence is None:  # pragma: no cover - check_stages only calls this with a ledger
        return
    need = _stage_level(tier, stage)
    need_rank = ev.policy.rank(need)
    authors = ev.author_ids
    latest: dict[str, tuple[Person, SignOff]] = {}
    for entry, so in evidence.sign_offs(stage):
        if stage in ("implementation", "review"):
            if not evidence.on_head(so):
                if so.commit in {c.commit.sha for c in ev.commits}:
                    yield _warning(
                        "stages.not-counted",
                        f"{stage} sign-off by {entry.person.name} is stale: it was given for "
                        f"{_short(so.commit or '')}, whose tree differs from the head's",
                        f"ask {entry.person.name} to sign off {_short(ev.change.head)} again",
                        tier=tier.name,
                    )
                continue
        else:
            if so.work_item not in evidence.work_items:
                continue
            if so.document is not None and so.document_digest is not None:
                stale = _document_changed(ev, so.document, so.document_digest)
                if stale:
                    yield _warning(
                        "stages.not-counted",
                        f"{stage} sign-off by {entry.person.name} of {so.work_item} is stale: {stale}",
                        f"ask {entry.person.name} to sign off the current document again",
                        tier=tier.name,
                    )
                    continue
        latest[entry.person.id] = (entry.person, so)
    counted: list[str] = []
    for person, so in latest.values():
        who = f"{person.name} ({person.level})"
        if so.decision != "approve":
            yield _error(
                "stages.rejected",
                f"{who} signed the {stage} stage off as {so.decision}"
                + (f": {so.rationale}" if so.rationale.strip() else ""),
                f"address it, and ask {person.name} to sign the {stage} stage off with --decision approve",
                tier=tier.name,
            )
        elif ev.policy.rank(person.level) < need_rank:
            yield _warning(
                "stages.not-counted",
                f"{stage} sign-off by {who} does not count: the {tier.name} tier needs {need} or above",
                tier=tier.name,
            )
        elif stage == "review" and person.id in authors:
            yield _warning(
                "stages.not-counted",
                f"review sign-off by {who} does not count: they authored part of this change",
                "ask someone who wrote none of the change to review it",
                tier=tier.name,
            )
        else:
            counted.append(person.name)
    if not counted:
        bound = (
            f"the head tree ({_short(ev.change.head_tree)})"
            if stage in ("implementation", "review")
            else "a work item the change's commits name (Refs: " + (", ".join(evidence.work_items) or "none") + ")"
        )
        yield _error(
            "stages.unverified",
            f"the {tier.name} tier requires a valid signed {stage} sign-off of {bound} by a person of level "
            f"{need} or above" + (" who wrote none of the change" if stage == "review" else "") + "; it has none",
            f"`vouched sign --stage {stage} --decision approve` by an eligible person, then `vouched ledger push`",
            tier=tier.name,
        )


def _document_changed(ev: Evaluation, document: str, digest: str) -> str | None:
    """Why a signed-off document in the repository no longer matches its sign-off, or None."""
    current = ev.ledger.documents.get(document) if ev.ledger is not None else None
    if current is None or current == digest:
        return None
    return f"{document} changed since it was signed off"


def check_ledger(ev: Evaluation) -> Iterator[Finding]:
    """Ledger entries about this change that do not count, and overdue retrospective reviews."""
    if ev.ledger is None:
        return
    for problem in ev.ledger.problems:
        yield _warning(
            "ledger.invalid",
            f"a ledger entry does not count: {problem}",
            "run `vouched ledger verify` for the whole ledger; re-sign from a clean ledger if it was tampered with",
        )
    days = ev.policy.retro_review_days
    for entry, bg, _ in ev.ledger.overdue(days):
        yield _error(
            "breakglass.retro-overdue",
            f"break-glass override by {entry.person.name} of {_short(bg.commit)} on {bg.signed_at} "
            f"({bg.reason}) has had no retrospective review sign-off for more than {days} day(s)",
            f"have someone other than {entry.person.name} review it: "
            f"`vouched sign --stage review --decision approve --head {bg.commit}`",
            commit=bg.commit,
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
    head_tree = ev.change.head_tree
    eligible: dict[str, Person] = {}
    signed: set[str] = set()
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
            elif approval.commit != head and (approval.tree is None or approval.tree != head_tree):
                seen = _short(approval.commit) if approval.commit else "an unknown commit"
                yield _warning(
                    "approvals.not-counted",
                    f"approval by {person.name} is stale: it was given for {seen}, and the change is now at "
                    f"{_short(head)}",
                    f"ask {person.name} to review the latest push and approve again",
                )
            else:
                eligible[person.id] = person
                if approval.signed:
                    signed.add(person.id)
    for tier in tiers:
        need_rank = ev.policy.rank(tier.approver_min_level)
        counted = sorted(
            p.name
            for p in eligible.values()
            if ev.policy.rank(p.level) >= need_rank and (tier.accept_unsigned_approvals or p.id in signed)
        )
        if len(counted) >= tier.approvals:
            continue
        have = f"{len(counted)} ({', '.join(counted)})" if counted else "none"
        unsigned = sorted(
            p.name for p in eligible.values() if p.id not in signed and ev.policy.rank(p.level) >= need_rank
        )
        kind = "approval(s)" if tier.accept_unsigned_approvals else "signed approval(s) (review sign-offs)"
        extra = ""
        if not tier.accept_unsigned_approvals and unsigned:
            extra = f"; unsigned forge approvals by {', '.join(unsigned)} do not count in this tier"
        yield _error(
            "approvals.insufficient",
            f"the {tier.name} tier needs {tier.approvals} {kind} of the head commit from people of level "
            f"{tier.approver_min_level} or above who wrote none of the change; it has {have}{extra}",
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
    check_ledger,
)
