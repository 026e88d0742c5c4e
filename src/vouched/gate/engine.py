"""Evaluate a change: read it from git, judge it by the base revision's policy, return a verdict."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from vouched import policy as policy_mod
from vouched.gate.approvals import ApprovalSource
from vouched.gate.checks import CHECKS, Check
from vouched.gate.evaluation import Evaluation, build
from vouched.gate.findings import CommitReport, FileReport, Finding, Severity, Verdict
from vouched.git import Git
from vouched.provenance import Provenance

__all__ = ["evaluate", "judge"]

log = logging.getLogger(__name__)

_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.NOTE: 2}


def evaluate(
    git: Git,
    base: str,
    head: str,
    approval_sources: Sequence[ApprovalSource] | None = None,
    *,
    ledger: bool = True,
    now: datetime | None = None,
) -> Evaluation:
    """Read the change ``base...head`` and everything needed to judge it (policy and roster at ``base``).

    With ``ledger`` (the default) the signed ledger, when the repository has one, is read too: its review
    sign-offs become one more approval source, and the stage and break-glass checks read its evidence.
    """
    change = git.load_change(base, head)
    policy, people = policy_mod.load(git, change.base)
    log.debug("policy %s at %s: %d tiers", policy.digest, change.base, len(policy.tiers))
    provenance = Provenance(git, policy.markers, trace_rev=change.head)
    attribution = {c.sha: provenance.attribute(c) for c in change.commits}
    evidence = None
    sources = None if approval_sources is None else list(approval_sources)
    if ledger:
        from vouched.gate.approvals.ledger import LedgerApprovals
        from vouched.ledger.evidence import collect

        evidence = collect(git, change, people, now or datetime.now(UTC))
        if evidence is not None:
            sources = [*(sources or []), LedgerApprovals(evidence)]
    return build(change, policy, people, attribution, sources, provenance.problems, evidence)


def _apply_break_glass(ev: Evaluation, findings: list[Finding]) -> list[Finding]:
    """A valid, unexpired break-glass override of the head tree turns blocking findings into overridden ones.

    Findings the override cannot waive stay blocking: overdue retrospective reviews of earlier overrides.
    """
    override = ev.ledger.active_override() if ev.ledger is not None else None
    if override is None:
        return findings
    entry, bg = override
    out: list[Finding] = []
    overridden = 0
    for f in findings:
        if f.blocking and f.rule not in _NOT_OVERRIDABLE:
            out.append(dataclasses.replace(f, blocking=False, overridden=True))
            overridden += 1
        else:
            out.append(f)
    out.append(
        Finding(
            "breakglass.applied",
            Severity.WARNING,
            False,
            f"break-glass override by {entry.person.name} ({bg.signed_at}, expires {bg.expires}): "
            f"{overridden} blocking finding(s) overridden; reason: {bg.reason}",
            f"a review sign-off of this tree is due within {ev.policy.retro_review_days} day(s)",
        )
    )
    return out


_NOT_OVERRIDABLE = frozenset({"breakglass.retro-overdue"})


def judge(ev: Evaluation, checks: Sequence[Check] = CHECKS) -> Verdict:
    """Run every check on an evaluated change and collect the verdict."""
    if not checks:
        raise ValueError("refusing to judge a change with no checks")  # an empty gate would pass anything
    findings: list[Finding] = []
    for check in checks:
        findings.extend(check(ev))
    findings = _apply_break_glass(ev, findings)
    findings.sort(key=lambda f: (not f.blocking, _ORDER[f.severity], f.rule, f.path or "", f.commit or ""))
    ranks = [f.match.tier for f in ev.files] + [m.tier for c in ev.commits for _, m in c.tiers]
    riskiest = max(ranks, key=lambda t: t.rank).name if ranks else None
    return Verdict(
        base=ev.change.base,
        merge_base=ev.change.merge_base,
        head=ev.change.head,
        tier=riskiest,
        commits=tuple(
            CommitReport(c.commit, c.responsible.id if c.responsible else None, c.attribution) for c in ev.commits
        ),
        files=tuple(
            FileReport(f.change.path, f.match.tier.name, f.match.reason, f.change.old_path, f.change.status)
            for f in ev.files
        ),
        findings=tuple(findings),
        policy_digest=ev.policy.digest,
    )
