"""The signed ledger: who validated what, when and why, provable offline.

Records are in-toto Statements v1 (:mod:`.statement`) with vouched's predicate types (:mod:`.predicates`)
inside DSSE envelopes (:mod:`.dsse`), signed with OpenSSH Ed25519 keys from a key file or ssh-agent
(:mod:`.keys`, :mod:`.agent`), stored as a chain of commits under ``refs/vouched/ledger`` (:mod:`.store`),
verified entry by entry against the roster at each change's base revision (:mod:`.verify`), and read by the
gate (:mod:`.evidence`).
"""

from vouched.ledger.dsse import IN_TOTO_PAYLOAD_TYPE, Envelope, Signature, pae, parse_envelope
from vouched.ledger.errors import LedgerError, MalformedError, SigningKeyError
from vouched.ledger.keys import FileSigner, PublicKey, Signer, fingerprint, parse_public_key
from vouched.ledger.predicates import BREAK_GLASS_V1, SIGN_OFF_V1, BreakGlass, SignOff
from vouched.ledger.statement import STATEMENT_TYPE, Statement, Subject, parse_statement
from vouched.ledger.store import LEDGER_REF, GitLedger, JsonlLedger, LedgerStore

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
