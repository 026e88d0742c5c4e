"""The seam every approval source plugs into (forge exports now, signed ledger sign-offs later)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vouched.policy import People, Person

__all__ = ["Approval", "ApprovalSource"]


@dataclass(frozen=True, slots=True)
class Approval:
    """A reviewer's standing decision on a change, as one source reports it.

    ``commit`` is the commit the reviewer looked at; an approval counts only for that exact head.
    ``signed`` says whether the approval is a verified signature (ledger) or a forge's word (unsigned).
    """

    reviewer: str  # the source's identity for the reviewer: a forge login, or a key's owner
    approved: bool
    commit: str | None
    submitted_at: str
    source: str
    signed: bool = False
    state: str = ""
    tree: str | None = None  # the tree approved, when the source binds approvals to trees (the ledger)


class ApprovalSource(ABC):
    """Something that can say who approved what."""

    name: str

    @abstractmethod
    def approvals(self) -> list[Approval]:
        """Each reviewer's latest decision that still stands."""

    @abstractmethod
    def person(self, approval: Approval, people: People) -> Person | None:
        """The roster person behind an approval from this source, or None if nobody on it."""
