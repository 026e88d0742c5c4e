"""Where the ledger lives: an interface, and the git ref that travels with the repository.

``refs/vouched/ledger`` is a chain of commits, one entry each. An entry commit's tree holds exactly one
file, ``envelope.json``: the DSSE envelope as it was signed. So the history is a hash chain that
``git push`` and ``git fetch`` carry, and an append is written with plumbing only (``hash-object``,
``mktree``, ``commit-tree``, ``update-ref OLD``): the user's index, working tree and HEAD are never touched.

Appends are compare-and-swap: the ref moves only if it still points where the writer read it, and a writer
that lost the race re-reads and tries again. ``pull`` and ``push`` exchange the ref with a remote; when both
sides appended, the local entries the remote lacks are re-committed on top of the remote's (the envelopes
themselves, and so their signatures, are unchanged) and the push is retried.
"""

from __future__ import annotations

import hashlib
import logging
import random
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from vouched.errors import GitError
from vouched.git import Git
from vouched.ledger.dsse import parse_envelope
from vouched.ledger.errors import LedgerError, MalformedError
from vouched.ledger.index import EntryIndex, index_of, parse_index
from vouched.ledger.statement import parse_statement, payload_digest
from vouched.model import Identity

__all__ = ["ENTRY_FILE", "LEDGER_REF", "GitLedger", "JsonlLedger", "LedgerStore", "Listed", "RawEntry", "Rewrite"]

log = logging.getLogger(__name__)

LEDGER_REF = "refs/vouched/ledger"
ENTRY_FILE = "envelope.json"
_IDENTITY = Identity("vouched ledger", "ledger@vouched.invalid")
_RETRIES = 20


def _backoff(attempt: int) -> None:
    """Wait a little, more each time and at random, so that writers racing for the ref stop colliding."""
    time.sleep(random.uniform(0, min(0.5, 0.005 * 2**attempt)))  # noqa: S311 - jitter, not a secret


@dataclass(frozen=True, slots=True)
class RawEntry:
    """One entry as stored, before anything is believed. ``problem`` is a structural fault, if any."""

    position: int  # 1-based
    raw: bytes | None
    commit: str | None = None
    problem: tuple[str, str] | None = None  # (reason, message)
    trailers: str = ""  # the commit message's index, as listed (unverified; see vouched.ledger.index)


@dataclass(frozen=True, slots=True)
class Listed:
    """One entry as the ledger's `git log` lists it: no envelope read yet."""

    position: int  # 1-based
    commit: str
    parents: tuple[str, ...]
    tree: str
    trailers: str  # the commit message's index, as listed (unverified; see vouched.ledger.index)

    def index(self) -> EntryIndex | None:
        """What the commit message says the envelope is about; None without a (well-formed) index."""
        return parse_index(self.trailers)[0]


@dataclass(frozen=True, slots=True)
class Rewrite:
    """An entry the ledger once held (its reflog says so) that the current chain no longer holds."""

    old_tip: str
    commit: str
    raw: bytes | None


def _single_file_tree(blob: str, size: int) -> str:
    """The id git gives a tree holding only ``envelope.json`` = ``blob`` (SHA-1 or SHA-256 by id length)."""
    body = b"100644 " + ENTRY_FILE.encode() + b"\0" + bytes.fromhex(blob)
    algorithm = hashlib.sha1 if size == 40 else hashlib.sha256
    return algorithm(b"tree %d\0" % len(body) + body, usedforsecurity=False).hexdigest()


def _message(raw: bytes) -> str:
    """The entry commit's message: its index when the envelope parses (the index is a hint, never evidence)."""
    try:
        payload = parse_envelope(raw).payload
        return index_of(parse_statement(payload), payload_digest(payload)).message()
    except MalformedError:
        return "vouched ledger entry\n"


class LedgerStore(ABC):
    """A sequence of envelopes, oldest first."""

    name: str

    @abstractmethod
    def entries(self) -> list[RawEntry]:
        """Every entry, oldest first, with structural faults marked (nothing is verified here)."""


class GitLedger(LedgerStore):
    name = "git"

    def __init__(self, git: Git, ref: str = LEDGER_REF) -> None:
        self.git = git
        self.ref = ref

    def tip(self) -> str | None:
        try:
            return self.git.read_ref(self.ref)
        except GitError as exc:
            raise LedgerError(exc.message, hint="restore the ref from a clone: `vouched ledger pull`") from None

    # -- reading -----------------------------------------------------------------------------------

    def entries(self) -> list[RawEntry]:
        return list(self.iter_entries())

    def iter_entries(self) -> Iterator[RawEntry]:
        """Like :meth:`entries`, yielding each entry as soon as its envelope is read."""
        tip = self.tip()
        if tip is not None:
            yield from self._entries(tip)

    def _entries(self, tip: str) -> Iterator[RawEntry]:
        chain = self.git.chain_with_files(tip)
        # A well-formed entry's tree holds exactly envelope.json, the blob the commit wrote: its id can be
        # computed here, so git reads trees only for entries that are not well formed (no extra call).
        blobs: dict[str, str] = {}
        odd: list[str] = []
        for _, _, tree, files, _ in chain:
            written = [oid for name, oid in files if name == ENTRY_FILE]
            if written and _single_file_tree(written[-1], len(tree)) == tree:
                blobs[tree] = written[-1]
            else:
                odd.append(tree)
        trees = self.git.read_trees(odd) if odd else {}
        for tree in odd:
            listing = trees.get(tree, [])
            if len(listing) == 1 and listing[0][:2] == ("100644", ENTRY_FILE):
                blobs[tree] = listing[0][2]
        # The envelopes stream in chain order while the caller works on the ones already read.
        wanted = [blobs[tree] for _, _, tree, _, _ in chain if tree in blobs]
        stream = self.git.stream_objects(wanted)
        previous: str | None = None
        for position, (commit, parents, tree, _, trailers) in enumerate(chain, start=1):
            problem: tuple[str, str] | None = None
            expected = () if previous is None else (previous,)
            if parents != expected:
                problem = (
                    "ledger.chain",
                    f"entry commit {commit[:12]} has parents {' '.join(p[:12] for p in parents) or 'none'}, "
                    f"expected {previous[:12] if previous else 'none'}: the ledger must be one straight chain",
                )
            previous = commit
            raw = None
            if tree in blobs:
                obj = next(stream)
                raw = obj[3] if obj is not None and obj[2] == "blob" else None
            if problem is None and raw is None:
                names = ", ".join(name for _, name, _ in trees.get(tree, [])) or "nothing"
                problem = ("entry.tree", f"entry commit {commit[:12]} holds {names}, not exactly one {ENTRY_FILE}")
            yield RawEntry(position, raw, commit, problem, trailers)

    def listing(self, tip: str) -> list[Listed]:
        """Every entry's commit, parents, tree and index, oldest first, from one `git log` (no blob is read)."""
        return [
            Listed(position, commit, parents, tree, trailers)
            for position, (commit, parents, tree, trailers) in enumerate(self.git.chain_with_trailers(tip), start=1)
        ]

    def read(self, listed: Iterable[Listed], commit_at: Callable[[int], str]) -> list[RawEntry]:
        """The envelopes of some listed entries, with one `git cat-file --batch`, structure checked."""
        wanted = list(listed)
        found = self.git.cat_objects([f"{e.commit}:{ENTRY_FILE}" for e in wanted])
        out = []
        for e in wanted:
            problem: tuple[str, str] | None = None
            expected = () if e.position == 1 else (commit_at(e.position - 1),)
            obj = found.get(f"{e.commit}:{ENTRY_FILE}")
            raw = obj[2] if obj is not None and obj[1] == "blob" else None
            if e.parents != expected:
                problem = (
                    "ledger.chain",
                    f"entry commit {e.commit[:12]} has parents {' '.join(p[:12] for p in e.parents) or 'none'}: "
                    "the ledger must be one straight chain",
                )
            elif obj is None or raw is None or _single_file_tree(obj[0], len(e.tree)) != e.tree:
                problem = ("entry.tree", f"entry commit {e.commit[:12]} does not hold exactly one {ENTRY_FILE}")
            out.append(RawEntry(e.position, raw, e.commit, problem, e.trailers))
        return out

    def rewrites(self, entries: Iterable[RawEntry]) -> list[Rewrite]:
        """Entries that earlier values of the ref (its reflog) held and the current chain lacks."""
        current_commits = {e.commit for e in entries}
        current_raw = {e.raw for e in entries if e.raw is not None}
        found: list[Rewrite] = []
        seen: set[str] = set()
        for old in self.git.ref_log(self.ref):
            if old in current_commits or old in seen:
                continue
            try:
                old_entries = list(self._entries(old))
            except GitError:
                continue  # the old tip's objects are gone (gc): nothing left to compare
            for e in old_entries:
                if e.commit in seen or e.commit in current_commits:
                    continue
                if e.commit is not None:
                    seen.add(e.commit)
                if e.raw not in current_raw:
                    found.append(Rewrite(old, e.commit or "", e.raw))
            seen.add(old)
        return found

    def tip_entry(self) -> bytes | None:
        tip = self.tip()
        if tip is None:
            return None
        return self.git.read_files(tip, [ENTRY_FILE]).get(ENTRY_FILE)

    # -- writing -----------------------------------------------------------------------------------

    def _commit(self, raw: bytes, parent: str | None) -> str:
        message = _message(raw)
        blob = self.git.hash_blob(raw)
        tree = self.git.make_tree([(ENTRY_FILE, blob)])
        return self.git.commit_tree(tree, [parent] if parent else [], message, _IDENTITY)

    def append(self, raw: bytes) -> str:
        """Append one envelope (its exact bytes) and return the entry's commit; retries a lost race."""
        parse_envelope(raw)  # never store what we could not read back
        for attempt in range(_RETRIES):
            old = self.tip()
            commit = self._commit(raw, old)
            if self.git.compare_and_swap_ref(self.ref, commit, old, "vouched: append"):
                return commit
            log.debug("lost the race to append at %s; retrying", old)
            _backoff(attempt)
        raise LedgerError(f"could not append to {self.ref}: other writers kept moving it", hint="try again")

    def _replay(self, onto: str | None, entries: Iterable[RawEntry]) -> str | None:
        tip = onto
        for entry in entries:
            if entry.raw is not None:
                tip = self._commit(entry.raw, tip)
        return tip

    def pull(self, remote: str) -> tuple[int, int]:
        """Bring the remote's entries in; re-commit local-only entries on top. (fetched, replayed) counts."""
        tracking = f"refs/vouched/remotes/{remote}/ledger"
        for _ in range(_RETRIES):
            theirs = self.git.fetch_ref(remote, self.ref, tracking)
            ours = self.tip()
            if theirs is None or theirs == ours:
                return 0, 0
            if ours is not None and self.git.is_ancestor(theirs, ours):
                return 0, 0
            their_entries = list(self._entries(theirs))
            if ours is None or self.git.is_ancestor(ours, theirs):
                new, replayed = theirs, []
            else:
                their_raw = {e.raw for e in their_entries}
                their_commits = {e.commit for e in their_entries}
                replayed = [e for e in self._entries(ours) if e.commit not in their_commits and e.raw not in their_raw]
                new = self._replay(theirs, replayed) or theirs
            known = (
                0 if ours is None else len({e.commit for e in their_entries} & {e.commit for e in self._entries(ours)})
            )
            if self.git.compare_and_swap_ref(self.ref, new, ours, f"vouched: pull {remote}"):
                return len(their_entries) - known, len(replayed)
        raise LedgerError(f"could not update {self.ref}: it kept moving while pulling", hint="try again")

    def push(self, remote: str) -> int:
        """Pull, then push without force; retry if someone pushed in between. Returns entries sent."""
        for _ in range(_RETRIES):
            self.pull(remote)
            tip = self.tip()
            if tip is None:
                return 0
            if self.git.push_ref(remote, self.ref, self.ref):
                tracking = f"refs/vouched/remotes/{remote}/ledger"
                before = self.git.read_ref(tracking)
                sent = len(self.git.chain(tip)) - (len(self.git.chain(before)) if before else 0)
                self.git.compare_and_swap_ref(tracking, tip, before, f"vouched: push {remote}")
                return max(sent, 0)
            log.debug("push to %s refused (someone pushed first); pulling again", remote)
        raise LedgerError(f"could not push {self.ref} to {remote}: it kept moving", hint="try again")

    # -- JSON Lines --------------------------------------------------------------------------------

    def import_lines(self, lines: Iterable[bytes], origin: str) -> tuple[int, int]:
        """Append each envelope line not already held (by exact bytes). Returns (added, skipped)."""
        parsed: list[bytes] = []
        for number, line in enumerate(lines, start=1):
            text = line.strip()
            if not text:
                continue
            try:
                envelope = parse_envelope(text)
            except MalformedError as exc:
                raise MalformedError(exc.reason, f"{origin}:{number}: {exc.message}") from None
            parsed.append(envelope.to_bytes() if envelope.to_bytes() == text else text)
        held = {e.raw for e in self.entries()}
        added = 0
        for raw in parsed:
            if raw in held:
                continue
            self.append(raw)
            held.add(raw)
            added += 1
        return added, len(parsed) - added


class JsonlLedger(LedgerStore):
    """Entries from a JSON Lines file (an export or an audit bundle): one envelope a line."""

    name = "jsonl"

    def __init__(self, data: bytes) -> None:
        self.data = data

    def entries(self) -> list[RawEntry]:
        out: list[RawEntry] = []
        for line in self.data.split(b"\n"):
            if line.strip():
                out.append(RawEntry(len(out) + 1, line.strip()))
        return out
