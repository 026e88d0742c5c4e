"""What the ledger says about one change, verified against the roster of the change's base revision.

The gate reads this: sign-offs whose subject is the change (its head tree, an older push of it, or a work
item its commits name), every break-glass override (for the one that covers this change and for overdue
retrospective reviews), and every review sign-off (a retrospective review may be of another change).
Keys are checked against the base revision's roster of *this* change, so a key removed from the roster
since stops counting.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from vouched.errors import VouchedError
from vouched.git import Git
from vouched.ledger.predicates import BreakGlass, SignOff, parse_time
from vouched.ledger.sign import work_items
from vouched.ledger.statement import Statement
from vouched.ledger.store import GitLedger
from vouched.ledger.verify import Problem, Roster, VerifiedEntry, verify_entries
from vouched.model import Change
from vouched.policy import People

__all__ = ["LedgerEvidence", "collect"]


@dataclass(frozen=True)
class LedgerEvidence:
    change: Change
    now: datetime
    work_items: tuple[str, ...]
    entries: tuple[VerifiedEntry, ...]
    problems: tuple[Problem, ...] = field(default=())
    documents: dict[str, str] = field(default_factory=dict)  # signed-off documents at head: path -> sha256

    def sign_offs(self, stage: str) -> list[tuple[VerifiedEntry, SignOff]]:
        out = []
        for e in self.entries:
            so = e.sign_off
            if so is not None and so.stage == stage:
                out.append((e, so))
        return out

    def on_head(self, so: SignOff) -> bool:
        return so.tree == self.change.head_tree

    def break_glass(self) -> list[tuple[VerifiedEntry, BreakGlass]]:
        return [(e, bg) for e in self.entries if (bg := e.break_glass) is not None]

    def active_override(self) -> tuple[VerifiedEntry, BreakGlass] | None:
        """The latest unexpired break-glass override of this change's head tree, if any."""
        found = None
        for e, bg in self.break_glass():
            if bg.tree == self.change.head_tree and parse_time(bg.expires) > self.now:
                found = (e, bg)
        return found


def collect(git: Git, change: Change, people: People, now: datetime) -> LedgerEvidence | None:
    """The ledger's evidence about ``change``; None when the repository has no ledger at all."""
    store = GitLedger(git)
    try:
        tip = store.tip()
    except VouchedError as exc:
        problem = Problem(None, None, "ledger.unreadable", exc.message)
        return LedgerEvidence(change, now, tuple(work_items(change)), (), (problem,))
    if tip is None:
        return None
    del tip
    items = tuple(work_items(change))
    commits = {c.sha for c in change.commits} | {change.head}

    def relevant(statement: Statement) -> bool:
        p = statement.predicate
        if isinstance(p, BreakGlass):
            return True
        if p.stage == "review" or p.tree == change.head_tree or p.commit in commits:
            return True
        return p.work_item is not None and p.work_item in items

    roster = Roster(lambda _base: people)
    report = verify_entries(store.entries(), roster, select=relevant, base_of=lambda _s: change.base)
    paths = sorted({so.document for e in report.entries if (so := e.sign_off) is not None and so.document})
    documents = {
        path: hashlib.sha256(content).hexdigest()
        for path, content in git.read_files(change.head, paths).items()
        if content is not None
    }
    return LedgerEvidence(change, now, items, tuple(report.entries), tuple(report.problems), documents)
