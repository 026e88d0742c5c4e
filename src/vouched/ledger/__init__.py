"""The signed ledger: who validated what, when and why, provable offline.

Records are in-toto Statements v1 (:mod:`.statement`) with vouched's predicate types (:mod:`.predicates`)
inside DSSE envelopes (:mod:`.dsse`), signed with OpenSSH Ed25519 keys from a key file or ssh-agent
(:mod:`.keys`, :mod:`.agent`), stored as a chain of commits under ``refs/vouched/ledger`` (:mod:`.store`),
verified entry by entry against the roster at each change's base revision (:mod:`.verify`), and read by the
gate (:mod:`.evidence`).
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vouched.ledger.dsse import IN_TOTO_PAYLOAD_TYPE, Envelope, Signature, pae, parse_envelope
    from vouched.ledger.errors import LedgerError, MalformedError, SigningKeyError
    from vouched.ledger.keys import FileSigner, PublicKey, Signer, fingerprint, parse_public_key
    from vouched.ledger.predicates import BREAK_GLASS_V1, SIGN_OFF_V1, BreakGlass, SignOff
    from vouched.ledger.statement import STATEMENT_TYPE, Statement, Subject, parse_statement
    from vouched.ledger.store import LEDGER_REF, GitLedger, JsonlLedger, LedgerStore

# The names below load their module on first use: `vouched check` on a repository without a ledger, and
# every command that never signs, should not pay for importing cryptography.
_LAZY = {
    "IN_TOTO_PAYLOAD_TYPE": "dsse",
    "Envelope": "dsse",
    "Signature": "dsse",
    "pae": "dsse",
    "parse_envelope": "dsse",
    "LedgerError": "errors",
    "MalformedError": "errors",
    "SigningKeyError": "errors",
    "FileSigner": "keys",
    "PublicKey": "keys",
    "Signer": "keys",
    "fingerprint": "keys",
    "parse_public_key": "keys",
    "BREAK_GLASS_V1": "predicates",
    "SIGN_OFF_V1": "predicates",
    "BreakGlass": "predicates",
    "SignOff": "predicates",
    "STATEMENT_TYPE": "statement",
    "Statement": "statement",
    "Subject": "statement",
    "parse_statement": "statement",
    "LEDGER_REF": "store",
    "GitLedger": "store",
    "JsonlLedger": "store",
    "LedgerStore": "store",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"vouched.ledger.{module}"), name)


__all__ = [
    "BREAK_GLASS_V1",
    "IN_TOTO_PAYLOAD_TYPE",
    "LEDGER_REF",
    "SIGN_OFF_V1",
    "STATEMENT_TYPE",
    "BreakGlass",
    "Envelope",
    "FileSigner",
    "GitLedger",
    "JsonlLedger",
    "LedgerError",
    "LedgerStore",
    "MalformedError",
    "PublicKey",
    "SignOff",
    "Signature",
    "Signer",
    "SigningKeyError",
    "Statement",
    "Subject",
    "fingerprint",
    "pae",
    "parse_envelope",
    "parse_public_key",
    "parse_statement",
]
