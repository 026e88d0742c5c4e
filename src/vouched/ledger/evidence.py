"""What the ledger says about one change, verified against the roster of the change's base revision.

The gate reads this: sign-offs whose subject is the change (its head tree, an older push of it, or a work
item its commits name), every break-glass override (for the one that covers this change and for overdue
retrospective reviews), and the review sign-offs of overridden trees (retrospective reviews).
Keys are checked against the base revision's roster of *this* change, so a key removed from the roster
since stops counting.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from vouched.errors import VouchedError
from vouched.git import Git
from vouched.ledger.dsse import parse_envelope
from vouched.ledger.errors import MalformedError
from vouched.ledger.index import EntryIndex
from vouched.ledger.lookup import ANY, BREAK_GLASS, commit_key, item_key, load_lookup, tree_key
from vouched.ledger.predicates import BreakGlass, SignOff, parse_time
from vouched.ledger.sign import work_items
from vouched.ledger.statement import Statement, payload_digest
from vouched.ledger.store import GitLedger, Listed, RawEntry
from vouched.ledger.verify import Problem, Report, Roster, VerifiedEntry, verify_entries
from vouched.model import Change
from vouched.policy import People

__all__ = ["LedgerEvidence", "collect"]

log = logging.getLogger(__name__)


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

    def overdue(self, days: int) -> list[tuple[VerifiedEntry, BreakGlass, datetime]]:
        """Break-glass overrides with no approving review of their tree, by someone other than their signer,
        more than ``days`` days after they were signed: ``(entry, override, when it was due)``."""
        out = []
        for entry, bg in self.break_glass():
            reviewed = any(
                so.decision == "approve" and so.tree == bg.tree and e.person.id != entry.person.id
                for e, so in self.sign_offs("review")
            )
            due = parse_time(bg.signed_at) + timedelta(days=days)
            if not reviewed and self.now > due:
                out.append((entry, bg, due))
        return out

    def active_override(self) -> tuple[VerifiedEntry, BreakGlass] | None:
        """The latest unexpired break-glass override of this change's head tree, if any."""
        found = None
        for e, bg in self.break_glass():
            if bg.tree == self.change.head_tree and parse_time(bg.expires) > self.now:
                found = (e, bg)
        return found


def collect(git: Git, change: Change, people: People, now: datetime) -> LedgerEvidence | None:
    """The ledger's evidence about ``change``; None when the repository has no ledger at all.

    The entry commits' index trailers (:mod:`vouched.ledger.index`) are looked up in the local table of
    :mod:`vouched.ledger.lookup` (brought up to date with a `git log` of the entries appended since), and
    only the entries that may concern the change are read and verified:
    those about its head tree, its commits or its work items, every break-glass override, every review
    of an overridden tree, and every entry without an index. The index only selects: anything it cannot
    vouch for (an entry whose index disagrees with its envelope, a link it resolved that the envelopes do
    not confirm) makes this read and verify the whole ledger instead, as `vouched ledger verify` does.
    """
    store = GitLedger(git)
    try:
        tip = store.tip()
    except VouchedError as exc:
        problem = Problem(None, None, "ledger.unreadable", exc.message)
        return LedgerEvidence(change, now, tuple(work_items(change)), (), (problem,))
    if tip is None:
        return None
    items = tuple(work_items(change))
    report = _selected(store, tip, change, people, items)
    if report is None:
        log.debug("the ledger's index cannot be trusted for this change: verifying the whole ledger")
        report = _everything(store, change, people, items)
    paths = sorted({so.document for e in report.entries if (so := e.sign_off) is not None and so.document})
    documents = {
        path: hashlib.sha256(content).hexdigest()
        for path, content in git.read_files(change.head, paths).items()
        if content is not None
    }
    return LedgerEvidence(change, now, items, tuple(report.entries), tuple(report.problems), documents)


# Problems that may come from an index that lies (an entry that was not read because of it): when the
# selection meets one, the whole ledger is verified instead.
_INDEX_DOUBT = frozenset({"entry.index", "entry.missing-link", "entry.out-of-order"})


def _selected(store: GitLedger, tip: str, change: Change, people: People, items: tuple[str, ...]) -> Report | None:
    """The report on the entries the index selects for ``change``; None if the index cannot be trusted."""
    listing = load_lookup(store.git, tip)
    commits = {c.sha for c in change.commits} | {change.head}
    wanted_items = set(items)

    def about_change(ix: EntryIndex | None, trees: AbstractSet[str]) -> bool:
        if ix is None or ix.kind == "break-glass":
            return True
        if ix.tree == change.head_tree or ix.commit in commits or ix.work_item in wanted_items:
            return True
        return ix.stage == "review" and ix.tree in trees

    # The lookup table gives the entries whose index, in the form vouched writes, names the change's head
    # tree, one of its commits or work items, or a break-glass override, and every entry whose index is in
    # any other form (or missing): those are parsed here, and kept when malformed, a break-glass override,
    # a review, or about the change. The index of each kept entry is then parsed and matched exactly.
    keys = [tree_key(change.head_tree), *map(commit_key, commits), *map(item_key, items), BREAK_GLASS]
    odd = listing.positions(ANY)

    def kept_odd(e: Listed) -> bool:
        ix = e.index()
        return ix is None or ix.kind == "break-glass" or ix.stage == "review" or about_change(ix, frozenset())

    maybe = listing.listed(store.git, listing.positions(*keys) | odd)
    maybe = [e for e in maybe if e.position not in odd or kept_odd(e)]
    kept = {e.position for e in maybe}
    overridden = set()
    for e in maybe:
        ix = e.index()
        if ix is not None and ix.kind == "break-glass" and ix.tree:
            overridden.add(ix.tree)

    def run(trees: AbstractSet[str], known: dict[str, int]) -> tuple[Report, set[str]]:
        extra = listing.positions(*map(tree_key, trees)) - kept
        pool = sorted([*maybe, *listing.listed(store.git, extra)], key=lambda e: e.position)
        chosen = [e for e in pool if about_change(e.index(), trees)]
        picked = {e.position for e in chosen}
        # Each chosen entry's predecessor is read too (only for its digest): it is nearly always the entry
        # its signer last saw, so the link is confirmed by the envelopes without another git call.
        neighbours = listing.listed(store.git, [p - 1 for p in picked if p > 1 and p - 1 not in picked])
        raws = store.read([*chosen, *neighbours], listing.commit)
        confirmed = _digests(raws[len(chosen) :])
        relied: set[str] = set()
        roster = Roster(lambda _base: people)
        report = verify_entries(
            raws[: len(chosen)], roster, base_of=lambda _s: change.base, known={**known, **confirmed}, relied=relied
        )
        return report, relied - set(confirmed)

    trees: set[str] = set(overridden)
    report, unconfirmed = run(trees, {})
    real = {bg.tree for e in report.entries if (bg := e.break_glass) is not None}
    if not real <= trees:  # an override without an index: read the reviews of its tree as well
        trees |= real
        report, unconfirmed = run(trees, {})
    if any(p.reason == "entry.missing-link" for p in report.problems):
        # A signer linked to an entry further back than its predecessor (a lost race, a replay after a
        # pull): look its digest up in every entry's index, then confirm it from the envelope.
        known: dict[str, int] = {}
        for e in listing.listed(store.git, range(1, len(listing) + 1)):
            ix = e.index()
            if ix is not None:
                known.setdefault(ix.digest, e.position)
        report, unconfirmed = run(trees, known)
    if any(p.reason in _INDEX_DOUBT for p in report.problems):
        return None
    if unconfirmed:
        every = listing.listed(store.git, range(1, len(listing) + 1))
        by_digest = {ix.digest: e for e in every if (ix := e.index()) is not None and ix.digest in unconfirmed}
        actual = _digests(store.read(list(by_digest.values()), listing.commit))
        if any(d not in actual or by_digest[d].position != actual[d] for d in unconfirmed):
            return None
    return report


def _digests(raws: list[RawEntry]) -> dict[str, int]:
    """The payload digest of each entry that holds a readable envelope, to its position."""
    out: dict[str, int] = {}
    for r in raws:
        if r.raw is None or r.problem is not None:
            continue
        try:
            out.setdefault(payload_digest(parse_envelope(r.raw).payload), r.position)
        except MalformedError:
            continue
    return out


def _everything(store: GitLedger, change: Change, people: People, items: tuple[str, ...]) -> Report:
    """Every entry parsed and linked; the signatures of those that may concern the change verified."""
    commits = {c.sha for c in change.commits} | {change.head}

    def relevant(statement: Statement) -> bool:
        p = statement.predicate
        if isinstance(p, BreakGlass):
            return True
        if p.stage == "review" or p.tree == change.head_tree or p.commit in commits:
            return True
        return p.work_item is not None and p.work_item in items

    roster = Roster(lambda _base: people)
    return verify_entries(store.entries(), roster, select=relevant, base_of=lambda _s: change.base)
