"""Verifying the ledger: every entry parsed strictly, every signature checked, every signer on the roster.

An entry counts only when all of these hold, and each failure is reported with the entry's position, its
commit and a stable reason code:

``ledger.chain``, ``entry.tree``            the ref is not one straight chain of one-envelope commits
``ledger.rewritten``                        an entry the ref once held (its reflog) is gone: deleted or truncated
``envelope.*``, ``statement.*``, ``predicate.malformed``   the entry does not parse (strict parsers)
``entry.duplicate``                         the same signed statement appears twice (a replay)
``entry.missing-link``                      the entry the signer last saw (``previous``) is not in the ledger
``entry.out-of-order``                      the entry the signer last saw comes after it
``signer.base-unknown``                     the base revision named in the sign-off is not in the repository
``signer.unknown``                          the signer is not on the roster at that base revision
``signature.unlisted-key``                  the key is not listed for anyone at that base revision
``signature.wrong-person``                  the key is listed, for another person than the signer
``signature.invalid``                       the signature does not verify (edited envelope or payload)
``break-glass.not-allowed``                 a break-glass override by someone without ``break_glass = true``
``entry.index``                             the commit message's index disagrees with the envelope, or is
                                            malformed (the entry itself still counts: the index is a hint)
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from vouched.errors import VouchedError
from vouched.ledger.dsse import Envelope, parse_envelope
from vouched.ledger.errors import MalformedError
from vouched.ledger.fast import parse_fast
from vouched.ledger.index import mismatch
from vouched.ledger.keys import PublicKey, parse_public_key
from vouched.ledger.predicates import BreakGlass, SignOff
from vouched.ledger.statement import Statement, parse_statement
from vouched.ledger.store import GitLedger, RawEntry, Rewrite
from vouched.policy import People, Person

__all__ = ["Problem", "Report", "Roster", "VerifiedEntry", "verify_entries", "verify_ledger"]


@dataclass(frozen=True, slots=True)
class Problem:
    position: int | None  # 1-based entry position; None for the ledger as a whole
    commit: str | None
    reason: str
    message: str

    def __str__(self) -> str:
        where = "ledger" if self.position is None else f"entry {self.position}"
        if self.commit:
            where += f" ({self.commit[:12]})"
        return f"{where}: {self.reason}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {"entry": self.position, "commit": self.commit, "reason": self.reason, "message": self.message}


@dataclass(frozen=True, slots=True)
class VerifiedEntry:
    position: int
    commit: str | None
    envelope: Envelope
    statement: Statement
    digest: str  # sha256:<hex> of the payload: the entry's identity
    person: Person
    keyid: str

    @property
    def sign_off(self) -> SignOff | None:
        p = self.statement.predicate
        return p if isinstance(p, SignOff) else None

    @property
    def break_glass(self) -> BreakGlass | None:
        p = self.statement.predicate
        return p if isinstance(p, BreakGlass) else None


@dataclass
class Report:
    total: int = 0
    entries: list[VerifiedEntry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class Roster:
    """The people, and their keys by fingerprint, at each base revision (read once per revision)."""

    def __init__(self, load: Callable[[str], People | None]) -> None:
        self._load = load
        self._cache: dict[str, tuple[People, dict[str, tuple[Person, PublicKey]]] | None] = {}

    def at(self, base: str) -> tuple[People, dict[str, tuple[Person, PublicKey]]] | None:
        if base not in self._cache:
            people = self._load(base)
            if people is None:
                self._cache[base] = None
            else:
                keys: dict[str, tuple[Person, PublicKey]] = {}
                for person in people.persons:
                    for line in person.keys:
                        try:
                            key = parse_public_key(line)
                        except ValueError:
                            continue  # the roster parser already refuses these
                        keys[key.fingerprint] = (person, key)
                self._cache[base] = (people, keys)
        return self._cache[base]


def _payload_digest(payload: bytes) -> str:
    return "sha256:" + hashlib.sha256(payload).hexdigest()


def verify_ledger(store: GitLedger, roster: Roster) -> Report:
    """What `vouched ledger verify` checks: every entry of the git ledger, as it streams in, and the
    entries its reflog saw that the chain lost."""
    read: list[RawEntry] = []

    def keep() -> Iterator[RawEntry]:
        for entry in store.iter_entries():
            read.append(entry)
            yield entry

    report = verify_entries(keep(), roster)
    report.problems[:0] = verify_entries([], roster, rewrites=store.rewrites(read)).problems
    return report


def verify_entries(
    entries: Iterable[RawEntry],
    roster: Roster,
    *,
    rewrites: Iterable[Rewrite] = (),
    select: Callable[[Statement], bool] | None = None,
    base_of: Callable[[Statement], str] | None = None,
    known: dict[str, int] | None = None,
    relied: set[str] | None = None,
) -> Report:
    """Check every entry; those ``select`` rejects are parsed and linked but their signatures not checked.

    ``base_of`` picks the revision whose roster judges an entry (default: the base the signer named).
    When ``entries`` are a selection of the ledger, ``known`` maps the payload digests of entries that were
    not read to their positions, and the digests a link was resolved through are added to ``relied`` (for
    the caller to confirm against the envelopes).
    """
    report = Report()
    for rw in rewrites:
        report.problems.append(
            Problem(
                None,
                rw.commit,
                "ledger.rewritten",
                f"entry commit {rw.commit[:12]} was in the ledger (at {rw.old_tip[:12]}) and is gone: "
                "an entry was deleted or the ref was truncated or rewritten",
            )
        )
    # One pass: each entry is parsed, linked and checked, and its signature handed to a worker thread in
    # batches, so parsing overlaps verifying (cryptography releases the GIL while it verifies).
    seen: dict[str, int] = {}  # payload digest -> position of the first entry with it
    unlinked: list[tuple[RawEntry, str]] = []  # entries whose `previous` is not (yet) seen
    batch: list[tuple[PublicKey, bytes, bytes]] = []
    batch_entries: list[tuple[VerifiedEntry, int]] = []
    known = known or {}
    workers = max(1, min(8, (os.cpu_count() or 1)))
    with ThreadPoolExecutor(workers) as pool:
        chunks: list[tuple[list[tuple[VerifiedEntry, int]], Future[list[bool]]]] = []

        def flush() -> None:
            nonlocal batch, batch_entries
            if batch_entries:
                chunks.append((batch_entries, pool.submit(_verify_all, batch)))
            batch, batch_entries = [], []

        for entry in entries:
            report.total += 1
            if entry.problem is not None or entry.raw is None:
                reason, message = entry.problem or ("entry.tree", "the entry holds no envelope")
                report.problems.append(Problem(entry.position, entry.commit, reason, message))
                continue
            fast = parse_fast(entry.raw)
            if fast is not None:
                envelope, statement = fast
            else:
                try:
                    envelope = parse_envelope(entry.raw)
                    statement = parse_statement(envelope.payload)
                except MalformedError as exc:
                    report.problems.append(Problem(entry.position, entry.commit, exc.reason, exc.message))
                    continue
            digest = _payload_digest(envelope.payload)
            if entry.trailers and (wrong := mismatch(entry.trailers, statement, digest)) is not None:
                report.problems.append(Problem(entry.position, entry.commit, "entry.index", wrong))
            first = seen.get(digest)
            if first is not None:
                report.problems.append(
                    Problem(
                        entry.position,
                        entry.commit,
                        "entry.duplicate",
                        f"the same signed statement is already entry {first}: a replay does not count twice",
                    )
                )
                continue
            seen[digest] = entry.position
            previous = statement.predicate.previous
            if previous is not None and previous not in seen:
                if previous in known:
                    if relied is not None:
                        relied.add(previous)
                    if known[previous] > entry.position:
                        report.problems.append(
                            Problem(
                                entry.position,
                                entry.commit,
                                "entry.out-of-order",
                                f"the signer appended after entry {known[previous]}, which now comes later: "
                                "entries were reordered",
                            )
                        )
                        continue
                else:
                    unlinked.append((entry, previous))  # missing or later: known only at the end
                    continue
            result = _check(entry, envelope, statement, digest, roster, select, base_of)
            if isinstance(result, Problem):
                report.problems.append(result)
            elif result is not None:
                verified, checks = result
                batch_entries.append((verified, len(batch)))
                batch.extend(checks)
                if len(batch) >= 256:
                    flush()
        flush()
        for entry, previous in unlinked:
            if previous in seen:
                report.problems.append(
                    Problem(
                        entry.position,
                        entry.commit,
                        "entry.out-of-order",
                        f"the signer appended after entry {seen[previous]}, which now comes later: "
                        "entries were reordered",
                    )
                )
            else:
                report.problems.append(
                    Problem(
                        entry.position,
                        entry.commit,
                        "entry.missing-link",
                        f"the signer appended after {previous[:19]}..., which is not in the ledger: "
                        "an entry was deleted",
                    )
                )
        for group, future in chunks:
            results = future.result()
            for i, (verified, start) in enumerate(group):
                end = group[i + 1][1] if i + 1 < len(group) else len(results)
                if all(results[start:end]):
                    report.entries.append(verified)
                else:
                    report.problems.append(
                        Problem(
                            verified.position,
                            verified.commit,
                            "signature.invalid",
                            f"the signature by {verified.keyid} does not verify: the entry was altered",
                        )
                    )
    report.entries.sort(key=lambda e: e.position)
    report.problems.sort(key=lambda p: (p.position is not None, p.position or 0))
    return report


def _verify_all(checks: list[tuple[PublicKey, bytes, bytes]]) -> list[bool]:
    return [key.verify(sig, data) for key, sig, data in checks]


def _check(
    entry: RawEntry,
    envelope: Envelope,
    statement: Statement,
    digest: str,
    roster: Roster,
    select: Callable[[Statement], bool] | None,
    base_of: Callable[[Statement], str] | None,
) -> Problem | tuple[VerifiedEntry, list[tuple[PublicKey, bytes, bytes]]] | None:
    def problem(reason: str, message: str) -> Problem:
        return Problem(entry.position, entry.commit, reason, message)

    if select is not None and not select(statement):
        return None
    predicate = statement.predicate
    base = base_of(statement) if base_of is not None else predicate.base
    try:
        at = roster.at(base)
    except VouchedError as exc:
        return problem("signer.base-unknown", f"cannot read the roster at {base[:12]}: {exc.message}")
    if at is None:
        return problem("signer.base-unknown", f"the base revision {base[:12]} is not in this repository")
    people, keys = at
    signer = people.by_id(predicate.signer)
    if signer is None:
        return problem("signer.unknown", f"{predicate.signer!r} is not in {people.file} at {base[:12]}")
    data = envelope.pae()
    checks: list[tuple[PublicKey, bytes, bytes]] = []
    for sig in envelope.signatures:
        listed = keys.get(sig.keyid)
        if listed is None:
            return problem(
                "signature.unlisted-key", f"key {sig.keyid} is not listed for anyone in {people.file} at {base[:12]}"
            )
        owner, key = listed
        if owner.id != signer.id:
            return problem(
                "signature.wrong-person",
                f"key {sig.keyid} is listed for {owner.id!r}, not for the signer {signer.id!r}",
            )
        checks.append((key, sig.sig, data))
    if isinstance(predicate, BreakGlass) and not _may_break_glass(signer):
        return problem(
            "break-glass.not-allowed", f"{signer.id!r} may not sign break-glass overrides (no break_glass = true)"
        )
    verified = VerifiedEntry(
        entry.position, entry.commit, envelope, statement, digest, signer, envelope.signatures[0].keyid
    )
    return verified, checks


def _may_break_glass(person: Person) -> bool:
    return person.break_glass
