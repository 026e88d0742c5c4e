"""Making a sign-off or a break-glass override for a change, signing it, and appending it to the ledger."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from vouched import policy as policy_mod
from vouched.errors import UsageError
from vouched.git import Git
from vouched.ledger.dsse import IN_TOTO_PAYLOAD_TYPE, Envelope, Signature, pae
from vouched.ledger.errors import SigningKeyError
from vouched.ledger.keys import Signer, parse_public_key
from vouched.ledger.predicates import CHANGE_STAGES, DECISIONS, STAGES, BreakGlass, SignOff, format_time
from vouched.ledger.statement import Statement, Subject, parse_statement, payload_digest
from vouched.ledger.store import GitLedger
from vouched.model import Change
from vouched.policy import People, Person

__all__ = ["Signed", "open_signer", "sign_break_glass", "sign_off", "work_items"]


@dataclass(frozen=True, slots=True)
class Signed:
    envelope: Envelope
    statement: Statement
    commit: str  # the ledger entry's commit
    person: Person


def work_items(change: Change) -> list[str]:
    """The work items the change's commits name in ``Refs:`` trailers, in order, each once."""
    found: dict[str, None] = {}
    for commit in change.commits:
        for value in commit.trailer_values("refs"):
            for item in value.replace(",", " ").split():
                found.setdefault(item, None)
    return list(found)


def _signer_person(people: People, signer: Signer, base: str) -> Person:
    for person in people.persons:
        for line in person.keys:
            try:
                if parse_public_key(line).fingerprint == signer.keyid:
                    return person
            except ValueError:
                continue
    raise SigningKeyError(
        f"key {signer.keyid} is not listed for anyone in {people.file} at {base[:12]}: "
        "a sign-off with it would not count",
        hint="add the .pub line to your `keys` in .vouched/people.toml, in a change of its own, and land it first",
    )


def _previous(store: GitLedger) -> str | None:
    raw = store.tip_entry()
    if raw is None:
        return None
    from vouched.ledger.dsse import parse_envelope

    try:
        return payload_digest(parse_envelope(raw).payload)
    except Exception:  # a broken tip: link to nothing rather than refuse to sign; verify reports it
        return None


def _envelope(statement: Statement, signer: Signer) -> Envelope:
    payload = statement.to_bytes()
    parse_statement(payload)  # what we sign must read back
    sig = signer.sign(pae(IN_TOTO_PAYLOAD_TYPE, payload))
    return Envelope(payload, IN_TOTO_PAYLOAD_TYPE, (Signature(signer.keyid, sig),))


def sign_off(
    git: Git,
    signer: Signer,
    *,
    base: str,
    head: str,
    stage: str,
    decision: str,
    rationale: str = "",
    work_item: str | None = None,
    document: str | None = None,
    now: datetime | None = None,
) -> Signed:
    """Sign ``stage`` of the change ``base...head`` and append it; the key must be on the base roster."""
    if stage not in STAGES:
        raise UsageError(f"unknown stage {stage!r}", hint=f"the stages are: {', '.join(STAGES)}")
    if decision not in DECISIONS:
        raise UsageError(f"unknown decision {decision!r}", hint=f"the decisions are: {', '.join(DECISIONS)}")
    change = git.load_change(base, head)
    policy, people = policy_mod.load(git, change.base)
    person = _signer_person(people, signer, change.base)
    store = GitLedger(git)
    when = format_time(now or datetime.now(UTC))
    common = (stage, decision, person.id, when, change.base, policy.digest, rationale, _previous(store))
    if stage in CHANGE_STAGES:
        if work_item is not None or document is not None:
            raise UsageError(f"a {stage} sign-off is bound to the head commit: --work-item and --document do not apply")
        predicate = SignOff(*common, commit=change.head, tree=change.head_tree)
    else:
        items = work_items(change)
        item = work_item or (items[0] if len(items) == 1 else None)
        if item is None:
            raise UsageError(
                f"a {stage} sign-off names the work item it covers",
                hint="pass --work-item ID, or add a `Refs: ID` trailer to the change's commits"
                + (f" (found several: {', '.join(items)})" if items else ""),
            )
        if document is None:
            raise UsageError(
                f"a {stage} sign-off covers a document", hint="pass --document PATH (in the repository at HEAD)"
            )
        content = git.read_files(change.head, [document]).get(document)
        if content is None:
            raise UsageError(f"{document} is not in the repository at {head}", hint="commit the document first")
        digest = hashlib.sha256(content).hexdigest()
        predicate = SignOff(*common, work_item=item, document_digest=digest, document=document)
    subjects = tuple(Subject(s["name"], tuple(sorted(s["digest"].items()))) for s in predicate.subjects())
    statement = Statement(subjects, predicate)
    envelope = _envelope(statement, signer)
    commit = store.append(envelope.to_bytes())
    return Signed(envelope, statement, commit, person)


def sign_break_glass(
    git: Git,
    signer: Signer,
    *,
    base: str,
    head: str,
    reason: str,
    hours: float,
    now: datetime | None = None,
) -> Signed:
    """Sign an emergency override of the change ``base...head``, valid for ``hours``, and append it."""
    if not reason.strip():
        raise UsageError("a break-glass override needs a reason", hint="pass --reason TEXT (the incident, the outage)")
    if not 0 < hours <= 24 * 7:
        raise UsageError("--expires-in must be between a few minutes and 168 hours")
    change = git.load_change(base, head)
    policy, people = policy_mod.load(git, change.base)
    person = _signer_person(people, signer, change.base)
    if not person.break_glass:
        raise SigningKeyError(
            f"{person.id} may not sign break-glass overrides",
            hint=f"only people with `break_glass = true` in {people.file} at the base revision may",
        )
    store = GitLedger(git)
    start = now or datetime.now(UTC)
    predicate = BreakGlass(
        signer=person.id,
        signed_at=format_time(start),
        base=change.base,
        policy_digest=policy.digest,
        previous=_previous(store),
        reason=reason,
        expires=format_time(start + timedelta(hours=hours)),
        commit=change.head,
        tree=change.head_tree,
    )
    subjects = tuple(Subject(s["name"], tuple(sorted(s["digest"].items()))) for s in predicate.subjects())
    statement = Statement(subjects, predicate)
    envelope = _envelope(statement, signer)
    commit = store.append(envelope.to_bytes())
    return Signed(envelope, statement, commit, person)


def open_signer(key: str | None, listed: list[str], passphrase: Callable[[], str | None]) -> Signer:
    """The signer a command asked for: ``key`` a private key file, or a ``.pub`` file naming an agent key;
    without ``key``, ssh-agent (a key of it that ``listed`` names), else ``~/.ssh/id_ed25519``."""
    from vouched.ledger.agent import AgentSigner
    from vouched.ledger.keys import FileSigner

    wanted = []
    for line in listed:
        try:
            wanted.append(parse_public_key(line))
        except ValueError:
            continue
    if key is not None:
        path = Path(key).expanduser()
        if path.suffix == ".pub":
            try:
                return AgentSigner([parse_public_key(path.read_text(encoding="utf-8"))])
            except (OSError, ValueError) as exc:
                raise SigningKeyError(f"cannot use {path} to pick an ssh-agent key: {exc}") from None
        return FileSigner(path, passphrase)
    if os.environ.get("SSH_AUTH_SOCK"):
        return AgentSigner(wanted)
    default = Path("~/.ssh/id_ed25519").expanduser()
    if default.exists():
        return FileSigner(default, passphrase)
    raise SigningKeyError(
        "no key to sign with: no --key, no ssh-agent (SSH_AUTH_SOCK) and no ~/.ssh/id_ed25519",
        hint="pass --key ~/.ssh/id_ed25519, or load your key into ssh-agent",
    )
