"""in-toto Statement v1 (https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md).

A statement says something (the predicate, of a named type) about one or more subjects, each named and
identified by digests::

    {"_type": "https://in-toto.io/Statement/v1",
     "subject": [{"name": "head", "digest": {"gitCommit": "<sha>", "gitTree": "<sha>"}}],
     "predicateType": "https://vouched.dev/attestation/sign-off/v1",
     "predicate": {...}}

Parsing is strict: exactly those four fields; a subject is exactly ``name`` and ``digest``; digests are
lower-case hex under an algorithm name; the predicate type must be one vouched knows, and the predicate
must parse as that type (:mod:`vouched.ledger.predicates`).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from vouched.ledger.dsse import strict_json
from vouched.ledger.errors import MalformedError
from vouched.ledger.predicates import PREDICATES, Predicate, parse_predicate

__all__ = ["STATEMENT_TYPE", "Statement", "Subject", "parse_statement", "payload_digest"]

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
_ALGORITHMS = {"sha256": 64, "sha512": 128, "sha1": 40, "gitCommit": (40, 64), "gitTree": (40, 64)}
_HEX = re.compile(r"[0-9a-f]+")


@dataclass(frozen=True, slots=True)
class Subject:
    name: str
    digest: tuple[tuple[str, str], ...]  # (algorithm, hex), sorted by algorithm

    def get(self, algorithm: str) -> str | None:
        for alg, value in self.digest:
            if alg == algorithm:
                return value
        return None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "digest": dict(self.digest)}


@dataclass(frozen=True, slots=True)
class Statement:
    subjects: tuple[Subject, ...]
    predicate: Predicate

    @property
    def predicate_type(self) -> str:
        return self.predicate.TYPE

    def to_json(self) -> dict[str, Any]:
        return {
            "_type": STATEMENT_TYPE,
            "subject": [s.to_json() for s in self.subjects],
            "predicateType": self.predicate.TYPE,
            "predicate": self.predicate.to_json(),
        }

    def to_bytes(self) -> bytes:
        """The canonical payload vouched signs: compact JSON, keys sorted, UTF-8."""
        return json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def payload_digest(payload: bytes) -> str:
    """An entry's identity: ``sha256:<hex>`` of the statement bytes that were signed."""
    return "sha256:" + hashlib.sha256(payload).hexdigest()


def _fail(message: str, reason: str = "statement.malformed") -> MalformedError:
    return MalformedError(reason, message)


def _subject(obj: object, index: int) -> Subject:
    what = f"subject {index + 1}"
    if not isinstance(obj, dict):
        raise _fail(f"{what} is not an object")
    extra = sorted(set(obj) - {"name", "digest"})
    if extra:
        raise _fail(f"{what} has unknown field(s): {', '.join(extra)}")
    name, digest = obj.get("name"), obj.get("digest")
    if not isinstance(name, str) or not name or len(name) > 1024:
        raise _fail(f"{what} needs a name (a non-empty string)")
    if not isinstance(digest, dict) or not digest:
        raise _fail(f"{what} needs a digest object")
    pairs: list[tuple[str, str]] = []
    for alg, value in digest.items():
        sizes = _ALGORITHMS.get(alg)
        if sizes is None:
            raise _fail(f"{what} has an unknown digest algorithm {json.dumps(alg)[:40]}")
        allowed = sizes if isinstance(sizes, tuple) else (sizes,)
        if not isinstance(value, str) or len(value) not in allowed or not _HEX.fullmatch(value):
            raise _fail(f"{what}'s {alg} digest is not {' or '.join(map(str, allowed))} lower-case hex digits")
        pairs.append((alg, value))
    return Subject(name, tuple(sorted(pairs)))


def parse_statement(payload: bytes) -> Statement:
    """Parse a DSSE payload as an in-toto Statement v1 with a vouched predicate, strictly."""
    obj = strict_json(payload, "statement.malformed", "the statement")
    if not isinstance(obj, dict):
        raise _fail("the statement is not a JSON object")
    extra = sorted(set(obj) - {"_type", "subject", "predicateType", "predicate"})
    if extra:
        raise _fail(f"the statement has unknown field(s): {', '.join(extra)}")
    if obj.get("_type") != STATEMENT_TYPE:
        raise _fail(f"_type is {json.dumps(obj.get('_type'))[:80]}, expected {STATEMENT_TYPE}", "statement.type")
    kind = obj.get("predicateType")
    if not isinstance(kind, str) or kind not in PREDICATES:
        raise _fail(
            f"predicateType {json.dumps(kind)[:100]} is not one vouched knows: {', '.join(sorted(PREDICATES))}",
            "statement.predicate-type",
        )
    subjects = obj.get("subject")
    if not isinstance(subjects, list) or not subjects:
        raise _fail("subject must be a non-empty list")
    parsed = tuple(_subject(s, i) for i, s in enumerate(subjects))
    if "predicate" not in obj:
        raise _fail("the statement has no predicate")
    predicate = parse_predicate(kind, obj["predicate"], parsed)
    return Statement(parsed, predicate)
