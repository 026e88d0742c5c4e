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
