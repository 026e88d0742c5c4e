"""The index a ledger commit's message carries: what its envelope is about, for selection only.

Each entry commit vouched writes has a message like::

    vouched ledger entry

    Vouched-Index: 1
    Vouched-Kind: sign-off
    Vouched-Stage: review
    Vouched-Commit: <head commit>
    Vouched-Tree: <head tree>
    Vouched-Digest: sha256:<digest of the signed statement>

(``Vouched-Work-Item: "PAY-12"``, a JSON string, instead of commit and tree for requirements and design;
``Vouched-Kind: break-glass`` and no stage for an override.) `vouched check` lists the ledger with one
`git log` that reads these trailers and nothing else, and reads and verifies only the entries that may
concern the change. The index is not signed and is never evidence: an entry without one (written by an
older vouched, or by hand) is always read, an entry whose index disagrees with its envelope makes the
gate read the whole ledger, and `vouched ledger verify` reports every disagreement (``entry.index``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from vouched.ledger.predicates import BreakGlass
from vouched.ledger.statement import Statement

__all__ = ["INDEX_VERSION", "EntryIndex", "index_of", "mismatch", "parse_index"]

INDEX_VERSION = "1"
_PREFIX = "vouched-"
_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
_KINDS = ("sign-off", "break-glass")


@dataclass(frozen=True, slots=True)
class EntryIndex:
    kind: str  # sign-off | break-glass
    digest: str  # sha256:<hex> of the payload
    stage: str | None = None
    commit: str | None = None
    tree: str | None = None
    work_item: str | None = None

    def trailers(self) -> list[tuple[str, str]]:
        out = [("Vouched-Index", INDEX_VERSION), ("Vouched-Kind", self.kind)]
        if self.stage is not None:
            out.append(("Vouched-Stage", self.stage))
        if self.commit is not None:
            out.append(("Vouched-Commit", self.commit))
        if self.tree is not None:
            out.append(("Vouched-Tree", self.tree))
        if self.work_item is not None:
            out.append(("Vouched-Work-Item", json.dumps(self.work_item)))
        out.append(("Vouched-Digest", self.digest))
        return out

    def message(self) -> str:
        return "vouched ledger entry\n\n" + "".join(f"{k}: {v}\n" for k, v in self.trailers())

    def as_listed(self) -> str:
        """The trailers as :meth:`vouched.git.Git.chain_with_trailers` lists them (for a fast comparison)."""
        if self.work_item is None and self.commit is not None and self.tree is not None:
            head = "Vouched-Index\x1c1\x1dVouched-Kind\x1c" + self.kind
            if self.stage is not None:
                head += "\x1dVouched-Stage\x1c" + self.stage
            return (
                f"{head}\x1dVouched-Commit\x1c{self.commit}\x1dVouched-Tree\x1c{self.tree}"
                f"\x1dVouched-Digest\x1c{self.digest}"
            )
        return "\x1d".join(f"{k}\x1c{v}" for k, v in self.trailers())


def index_of(statement: Statement, digest: str) -> EntryIndex:
    """The index of an entry, from its (parsed) statement and payload digest."""
    p = statement.predicate
    if isinstance(p, BreakGlass):
        return EntryIndex("break-glass", digest, commit=p.commit, tree=p.tree)
    return EntryIndex("sign-off", digest, p.stage, p.commit, p.tree, p.work_item)


def parse_index(listed: str) -> tuple[EntryIndex | None, str | None]:
    """``(index, None)``; ``(None, None)`` when the message has no index; ``(None, why)`` when it is malformed.

    ``listed`` is the trailers as :meth:`vouched.git.Git.chain_with_trailers` gives them."""
    fields: dict[str, str] = {}
    if _PREFIX not in listed.lower():
        return None, None
    for line in listed.split("\x1d"):
        key, _, value = line.partition("\x1c")
        key, value = key.strip(), value.strip()
        k = key.lower()
        if not k.startswith(_PREFIX):
            continue
        if k in fields:
            return None, f"the index names {key} twice"
        fields[k] = value
    if not fields:
        return None, None
    if fields.pop("vouched-index", None) != INDEX_VERSION:
        return None, f"the index has no `Vouched-Index: {INDEX_VERSION}` line"
    kind = fields.pop("vouched-kind", "")
    digest = fields.pop("vouched-digest", "")
    if kind not in _KINDS or not _DIGEST.fullmatch(digest):
        return None, "the index lacks a valid Vouched-Kind or Vouched-Digest"
    commit, tree = fields.pop("vouched-commit", None), fields.pop("vouched-tree", None)
    if any(v is not None and not _SHA.fullmatch(v) for v in (commit, tree)):
        return None, "the index names a commit or tree that is not a full object id"
    stage = fields.pop("vouched-stage", None)
    item_text = fields.pop("vouched-work-item", None)
    item: str | None = None
    if item_text is not None:
        try:
            decoded: object = json.loads(item_text)
        except ValueError:
            decoded = None
        if not isinstance(decoded, str):
            return None, "the index's Vouched-Work-Item is not a JSON string"
        item = decoded
    if fields:
        return None, f"the index has unknown field(s): {', '.join(sorted(fields))}"
    return EntryIndex(kind, digest, stage, commit, tree, item), None


def mismatch(listed: str, statement: Statement, digest: str) -> str | None:
    """How an entry's index (its trailers as listed) disagrees with its envelope, or None when it says exactly
    what the envelope says, or when there is no index (an older vouched wrote none)."""
    truth = index_of(statement, digest)
    if listed == truth.as_listed():
        return None
    index, problem = parse_index(listed)
    if problem is not None:
        return problem
    if index is None or index == truth:
        return None
    wrong = [
        name
        for name in ("kind", "digest", "stage", "commit", "tree", "work_item")
        if getattr(index, name) != getattr(truth, name)
    ]
    return f"the commit message's index disagrees with the envelope ({', '.join(wrong)})"
