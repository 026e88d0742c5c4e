"""Evaluate a change: read it from git, judge it by the base revision's policy, return a verdict."""

from __future__ import annotations

import logging
from collections.abc import Sequence

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
) -> Evaluation:
    """Read the change ``base...head`` and everything needed to judge it (policy and roster at ``base``)."""
    change = git.load_change(base, head)
    policy, people = policy_mod.load(git, change.base)
    log.debug("policy %s at %s: %d tiers", policy.digest, change.base, len(policy.tiers))
    provenance = Provenance(git, policy.markers, trace_rev=change.head)
    attribution = {c.sha: provenance.attribute(c) for c in change.commits}
    return build(change, policy, people, attribution, approval_sources, provenance.problems)


def judge(ev: Evaluation, checks: Sequence[Check] = CHECKS) -> Verdict:
    """Run every check on an evaluated change and collect the verdict."""
    if not checks:
        raise ValueError("refusing to judge a change with no checks")  # an empty gate would pass anything
    findings: list[Finding] = []
    for check in checks:
        findings.extend(check(ev))
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
