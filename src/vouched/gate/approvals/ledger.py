"""Approvals from the signed ledger: review sign-offs, verified against the base revision's roster.

Each person's latest review sign-off of this change counts once, however many keys they have. It is bound
to the tree it reviewed: a new push needs a new approval unless its tree is identical.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vouched.gate.approvals.interface import Approval, ApprovalSource

if TYPE_CHECKING:
    from vouched.ledger.evidence import LedgerEvidence
    from vouched.policy import People, Person

__all__ = ["LedgerApprovals"]


class LedgerApprovals(ApprovalSource):
    name = "ledger"

    def __init__(self, evidence: LedgerEvidence) -> None:
        self.evidence = evidence

    def approvals(self) -> list[Approval]:
        latest: dict[str, Approval] = {}
        for entry, so in self.evidence.sign_offs("review"):
            if so.commit not in {c.sha for c in self.evidence.change.commits} and not self.evidence.on_head(so):
                continue  # a review of another change
            latest[entry.person.id] = Approval(
                reviewer=entry.person.id,
                approved=so.decision == "approve",
                commit=so.commit,
                submitted_at=so.signed_at,
                source=self.name,
                signed=True,
                state=so.decision,
                tree=so.tree,
            )
        return sorted(latest.values(), key=lambda a: a.submitted_at)

    def person(self, approval: Approval, people: People) -> Person | None:
        return people.by_id(approval.reviewer)
