"""Errors of the ledger: each names what was wrong, with a stable reason code a test or a report can use."""

from __future__ import annotations

from vouched.errors import InputError, VouchedError

__all__ = ["LedgerError", "MalformedError", "SigningKeyError"]


class MalformedError(InputError):
    """An envelope, statement or predicate that does not parse. ``reason`` is a stable code.

    Reason codes: ``envelope.malformed``, ``envelope.payload-type``, ``statement.malformed``,
    ``statement.type``, ``statement.predicate-type``, ``predicate.malformed``.
    """

    def __init__(self, reason: str, message: str, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.reason = reason


class SigningKeyError(VouchedError):
    """A signing key that cannot be used: missing, wrong type, wrong passphrase, agent refused."""


class LedgerError(VouchedError):
    """The ledger ref cannot be read or written (a truncated ref, a lost race we gave up on, a push refused)."""
