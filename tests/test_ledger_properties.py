"""Property tests of the envelope and statement parsers: any input is parsed or named, never a crash."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from vouched.ledger import Envelope, MalformedError, Signature, parse_envelope, parse_statement
from vouched.ledger.dsse import pae
from vouched.ledger.predicates import SignOff
from vouched.ledger.statement import Statement, Subject

REASONS = {
    "envelope.malformed",
    "envelope.payload-type",
    "statement.malformed",
    "statement.type",
    "statement.predicate-type",
    "predicate.malformed",
}


def _reason(parse: Callable[[bytes], object], raw: bytes) -> str | None:
    """The reason code of the MalformedError ``parse`` raises, None if it parses; anything else escapes."""
    try:
        parse(raw)
    except MalformedError as exc:
        return exc.reason
    return None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)
hexes = st.text("0123456789abcdef", min_size=40, max_size=40)


@settings(max_examples=300)
@given(st.binary(max_size=300))
def test_any_bytes_are_an_envelope_or_a_named_error(raw: bytes) -> None:
    assert _reason(parse_envelope, raw) in REASONS | {None}


@settings(max_examples=300)
@given(json_values)
def test_any_json_is_an_envelope_or_a_named_error(value: Any) -> None:
    assert _reason(parse_envelope, json.dumps(value).encode()) in REASONS | {None}


@settings(max_examples=300)
@given(
    st.dictionaries(
        st.sampled_from(["_type", "subject", "predicateType", "predicate", "extra"]), json_values, max_size=5
    )
)
def test_any_statement_object_is_parsed_or_named(value: dict[str, Any]) -> None:
    assert _reason(parse_statement, json.dumps(value).encode()) in REASONS | {None}


@given(st.binary(max_size=200), st.text(min_size=1, max_size=40), st.binary(min_size=1, max_size=80))
def test_envelopes_round_trip(payload: bytes, kind: str, sig: bytes) -> None:
    envelope = Envelope(payload, kind, (Signature("SHA256:x", sig),))
    assert parse_envelope(envelope.to_bytes(), payload_type=None) == envelope
    assert envelope.pae().startswith(b"DSSEv1 %d " % len(kind.encode()))


@given(
    st.sampled_from(["implementation", "review"]),
    st.sampled_from(["approve", "reject", "needs-work"]),
    st.text(max_size=200),
    hexes,
    hexes,
    hexes,
)
def test_sign_offs_round_trip(stage: str, decision: str, rationale: str, base: str, head: str, tree: str) -> None:
    so = SignOff(
        stage, decision, "alice", "2026-01-02T03:04:05Z", base, "sha256:" + "a" * 64, rationale, None,
        commit=head, tree=tree,
    )  # fmt: skip
    statement = Statement((Subject("head", (("gitCommit", head), ("gitTree", tree))),), so)
    assert parse_statement(statement.to_bytes()) == statement


@given(st.binary(max_size=100), st.integers(0, 99))
def test_one_changed_payload_byte_changes_the_signed_bytes(payload: bytes, index: int) -> None:
    if not payload:
        return
    i = index % len(payload)
    altered = payload[:i] + bytes([payload[i] ^ 1]) + payload[i + 1 :]
    assert pae("t", payload) != pae("t", altered)


def test_a_payload_type_cannot_be_swapped() -> None:
    raw = json.dumps(
        {
            "payload": base64.b64encode(b"{}").decode(),
            "payloadType": "text/plain",
            "signatures": [{"keyid": "k", "sig": "AA=="}],
        }
    ).encode()
    assert _reason(parse_envelope, raw) == "envelope.payload-type"


# -- the fast path of `ledger verify` is never more lenient than the strict parsers -------------------------

_VALID_SIGN_OFF: dict[str, Any] = {
    "_type": "https://in-toto.io/Statement/v1",
    "subject": [{"name": "head", "digest": {"gitCommit": "a" * 40, "gitTree": "b" * 40}}],
    "predicateType": "https://vouched.dev/attestation/sign-off/v1",
    "predicate": {
        "stage": "review",
        "decision": "approve",
        "signer": "alice",
        "signedAt": "2026-01-02T03:04:05Z",
        "base": "c" * 40,
        "policyDigest": "sha256:" + "d" * 64,
        "rationale": "ok",
        "previous": None,
    },
}
_VALID_BREAK_GLASS: dict[str, Any] = {
    **_VALID_SIGN_OFF,
    "predicateType": "https://vouched.dev/attestation/break-glass/v1",
    "predicate": {
        "signer": "alice",
        "signedAt": "2026-01-02T03:04:05Z",
        "base": "c" * 40,
        "policyDigest": "sha256:" + "d" * 64,
        "previous": "sha256:" + "e" * 64,
        "reason": "INC-1",
        "expires": "2026-01-02T09:04:05Z",
    },
}


def _canonical_envelope(payload: bytes, keyid: str = "SHA256:abc") -> bytes:
    return Envelope(payload, "application/vnd.in-toto+json", (Signature(keyid, b"\x01" * 64),)).to_bytes()


def _same_as_strict(raw: bytes) -> None:
    from vouched.ledger.fast import parse_fast

    fast = parse_fast(raw)
    try:
        envelope = parse_envelope(raw)
        strict = (envelope, parse_statement(envelope.payload))
    except MalformedError:
        assert fast is None
        return
    assert fast is None or fast == strict


field_values = json_values | st.sampled_from(
    ["review", "implementation", "design", "approve", "maybe", "2026-02-30T00:00:00Z", "2026-01-02T03:04:05Z",
     "c" * 40, "C" * 40, "c" * 64, "sha256:" + "d" * 64, "", " ", "x" * 20_001, "head", None]
)  # fmt: skip


@settings(max_examples=500)
@given(
    st.sampled_from([_VALID_SIGN_OFF, _VALID_BREAK_GLASS]),
    st.sampled_from(["top", "predicate", "subject", "digest"]),
    st.text(max_size=12) | st.sampled_from(["stage", "decision", "signer", "signedAt", "base", "previous",
                                             "reason", "expires", "rationale", "document", "gitCommit",
                                             "gitTree", "name", "_type", "subject", "predicateType"]),
    field_values,
    st.booleans(),
)  # fmt: skip
def test_the_fast_path_accepts_only_what_the_strict_parsers_accept(
    base: dict[str, Any], where: str, key: str, value: Any, delete: bool
) -> None:
    statement = json.loads(json.dumps(base))
    target = {
        "top": statement,
        "predicate": statement["predicate"],
        "subject": statement["subject"][0],
        "digest": statement["subject"][0]["digest"],
    }[where]
    if delete:
        target.pop(key, None)
    else:
        target[key] = value
    payload = json.dumps(statement, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    _same_as_strict(_canonical_envelope(payload))
    _same_as_strict(_canonical_envelope(json.dumps(statement).encode()))  # not compact: still the same verdict


def test_the_fast_path_accepts_vouched_envelopes_and_refuses_duplicate_keys() -> None:
    from vouched.ledger.fast import parse_fast

    for valid in (_VALID_SIGN_OFF, _VALID_BREAK_GLASS):
        payload = json.dumps(valid, sort_keys=True, separators=(",", ":")).encode()
        raw = _canonical_envelope(payload)
        assert parse_fast(raw) is not None
        _same_as_strict(raw)
    payload = json.dumps(_VALID_SIGN_OFF, sort_keys=True, separators=(",", ":")).encode()
    doubled = payload.replace(b'"_type":', b'"_type":"x","_type":', 1)
    assert parse_fast(_canonical_envelope(doubled)) is None
    _same_as_strict(_canonical_envelope(doubled))
    two_signatures = json.loads(_canonical_envelope(payload))
    two_signatures["signatures"] *= 2
    raw = json.dumps(two_signatures, sort_keys=True, separators=(",", ":")).encode()
    assert parse_fast(raw) is None
    _same_as_strict(raw)


@settings(max_examples=300)
@given(st.sampled_from([_VALID_SIGN_OFF, _VALID_BREAK_GLASS]), st.integers(0, 10_000), st.binary(max_size=3))
def test_the_fast_path_and_the_strict_parsers_agree_on_edited_bytes(
    base: dict[str, Any], where: int, insert: bytes
) -> None:
    payload = json.dumps(base, sort_keys=True, separators=(",", ":")).encode()
    for data, wrap in ((payload, True), (_canonical_envelope(payload), False)):
        i = where % (len(data) + 1)
        edited = data[:i] + insert + data[i + 1 :]
        _same_as_strict(_canonical_envelope(edited) if wrap else edited)
