"""A fast path for reading the envelopes vouched writes: canonical JSON, one signature, a head subject.

`vouched ledger verify` reads every entry, so the strict parsers' per-field Python work dominated its time.
This path accepts only envelopes in exactly the canonical form vouched writes (compact JSON, keys sorted,
one signature) holding a statement with a ``head`` subject (implementation and review sign-offs,
break-glass overrides), decodes the statement's JSON once (C scanner; duplicate keys and NaN refused),
and checks every field the strict parsers check. It never rejects:
anything it does not accept goes to the strict parsers (:func:`vouched.ledger.dsse.parse_envelope`,
:func:`vouched.ledger.statement.parse_statement`), which decide and say what is wrong. So it can make
reading faster, never more lenient: a property test holds its result equal to the strict parsers'.
"""

from __future__ import annotations

import binascii
import json
import re
from typing import Any

from vouched.ledger.dsse import _MAX_ENVELOPE, IN_TOTO_PAYLOAD_TYPE, Envelope, Signature
from vouched.ledger.predicates import (
    _COMMON,
    _DIGEST,
    _MAX_TEXT,
    _PERSON,
    _SHA,
    _TIME,
    BREAK_GLASS_V1,
    CHANGE_STAGES,
    DECISIONS,
    HEAD_SUBJECT,
    SIGN_OFF_V1,
    BreakGlass,
    SignOff,
    parse_time,
)
from vouched.ledger.statement import STATEMENT_TYPE, Statement, Subject

__all__ = ["parse_fast"]

_ENVELOPE = re.compile(
    rb'\{"payload":"([A-Za-z0-9+/]*={0,2})","payloadType":"'
    + re.escape(IN_TOTO_PAYLOAD_TYPE.encode())
    + rb'","signatures":\[\{"keyid":"([\x21\x23-\x5b\x5d-\x7e]+)","sig":"([A-Za-z0-9+/]+={0,2})"\}\]\}'
)
_STATEMENT_KEYS = frozenset({"_type", "subject", "predicateType", "predicate"})
_SIGN_OFF_KEYS = frozenset(_COMMON | {"stage", "decision", "rationale"})
_BREAK_GLASS_KEYS = frozenset(_COMMON | {"reason", "expires"})
_HEX_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise ValueError("duplicate key")  # the strict parser names it
    return out


_DECODER = json.JSONDecoder(object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
_valid_times: dict[str, bool] = {}
_subjects: dict[tuple[str, str], tuple[Subject, ...]] = {}


def _time(value: object) -> bool:
    if not isinstance(value, str):
        return False
    known = _valid_times.get(value)
    if known is None:
        known = bool(_TIME.fullmatch(value))
        if known:
            try:
                parse_time(value)
            except ValueError:
                known = False
        if len(_valid_times) > 100_000:
            _valid_times.clear()
        _valid_times[value] = known
    return known


def _match(regex: re.Pattern[str], value: object) -> bool:
    return isinstance(value, str) and regex.fullmatch(value) is not None


def parse_fast(raw: bytes) -> tuple[Envelope, Statement] | None:
    """The envelope and statement of ``raw`` if it is in vouched's canonical form and valid; else None."""
    m = _ENVELOPE.fullmatch(raw) if len(raw) <= _MAX_ENVELOPE else None
    if m is None:
        return None
    try:
        payload = binascii.a2b_base64(m.group(1), strict_mode=True)
        sig = binascii.a2b_base64(m.group(3), strict_mode=True)
        obj = _DECODER.decode(payload.decode("utf-8"))
    except (binascii.Error, ValueError, RecursionError):
        return None
    if not sig or not isinstance(obj, dict) or obj.keys() != _STATEMENT_KEYS:
        return None
    if obj["_type"] != STATEMENT_TYPE:
        return None
    subjects = obj["subject"]
    if not isinstance(subjects, list) or len(subjects) != 1:
        return None
    subject = subjects[0]
    if not isinstance(subject, dict) or subject.keys() != {"name", "digest"} or subject["name"] != HEAD_SUBJECT:
        return None
    digest = subject["digest"]
    if not isinstance(digest, dict) or digest.keys() != {"gitCommit", "gitTree"}:
        return None
    commit, tree = digest["gitCommit"], digest["gitTree"]
    if not isinstance(commit, str) or not isinstance(tree, str):
        return None
    if _HEX_SHA.fullmatch(commit) is None or _HEX_SHA.fullmatch(tree) is None:
        return None
    p = obj["predicate"]
    if not isinstance(p, dict):
        return None
    previous = p.get("previous")
    if (
        not _match(_PERSON, p.get("signer"))
        or not _time(p.get("signedAt"))
        or not _match(_SHA, p.get("base"))
        or not _match(_DIGEST, p.get("policyDigest"))
        or (previous is not None and not _match(_DIGEST, previous))
    ):
        return None
    kind = obj["predicateType"]
    predicate: SignOff | BreakGlass
    if kind == SIGN_OFF_V1:
        rationale = p.get("rationale")
        if (
            p.keys() != _SIGN_OFF_KEYS
            or p["stage"] not in CHANGE_STAGES
            or p["decision"] not in DECISIONS
            or not isinstance(rationale, str)
            or len(rationale) > _MAX_TEXT
        ):
            return None
        predicate = SignOff(
            p["stage"], p["decision"], p["signer"], p["signedAt"], p["base"], p["policyDigest"], rationale,
            previous, commit=commit, tree=tree,
        )  # fmt: skip
    elif kind == BREAK_GLASS_V1:
        reason = p.get("reason")
        if (
            p.keys() != _BREAK_GLASS_KEYS
            or not _time(p.get("expires"))
            or not isinstance(reason, str)
            or not reason.strip()
            or len(reason) > _MAX_TEXT
        ):
            return None
        predicate = BreakGlass(
            p["signer"], p["signedAt"], p["base"], p["policyDigest"], previous, reason, p["expires"], commit, tree
        )
    else:
        return None
    key = (commit, tree)
    subject_tuple = _subjects.get(key)
    if subject_tuple is None:
        if len(_subjects) > 100_000:
            _subjects.clear()
        subject_tuple = _subjects[key] = (Subject(HEAD_SUBJECT, (("gitCommit", commit), ("gitTree", tree))),)
    envelope = Envelope(payload, IN_TOTO_PAYLOAD_TYPE, (Signature(m.group(2).decode("ascii"), sig),))
    return envelope, Statement(subject_tuple, predicate)
