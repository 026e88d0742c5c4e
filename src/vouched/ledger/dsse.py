"""DSSE envelopes (https://github.com/secure-systems-lab/dsse, protocol v1.0).

An envelope carries a payload, its type, and signatures over the pre-authentication encoding (PAE) of the
two, so a signature can never be lifted onto a payload of another type::

    PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body

where ``LEN`` is the length in bytes as ASCII decimal without leading zeros, and ``SP`` one space.

Parsing is strict: the JSON must be one object with exactly ``payload``, ``payloadType`` and
``signatures``; each signature exactly ``keyid`` and ``sig``; base64 in its standard alphabet with padding;
no duplicate keys. Anything else is a :class:`MalformedError` that says what is wrong.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from vouched.ledger.errors import MalformedError

__all__ = ["IN_TOTO_PAYLOAD_TYPE", "Envelope", "Signature", "pae", "parse_envelope", "strict_json"]

IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json"
_MAX_ENVELOPE = 1 << 20  # 1 MiB: a sign-off is a few hundred bytes; anything this big is not ours


def pae(payload_type: str, payload: bytes) -> bytes:
    """The DSSE v1 pre-authentication encoding of a payload and its type: the bytes that are signed."""
    kind = payload_type.encode("utf-8")
    return b"DSSEv1 %d %b %d %b" % (len(kind), kind, len(payload), payload)


@dataclass(frozen=True, slots=True)
class Signature:
    keyid: str
    sig: bytes


@dataclass(frozen=True, slots=True)
class Envelope:
    payload: bytes
    payload_type: str
    signatures: tuple[Signature, ...]

    def pae(self) -> bytes:
        return pae(self.payload_type, self.payload)

    def to_json(self) -> dict[str, Any]:
        return {
            "payload": base64.b64encode(self.payload).decode("ascii"),
            "payloadType": self.payload_type,
            "signatures": [{"keyid": s.keyid, "sig": base64.b64encode(s.sig).decode("ascii")} for s in self.signatures],
        }

    def to_bytes(self) -> bytes:
        """The canonical serialisation vouched writes: compact JSON, keys sorted, one line, no newline."""
        return json.dumps(self.to_json(), sort_keys=True, separators=(",", ":")).encode("ascii")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def strict_json(raw: bytes | str, reason: str, what: str) -> Any:
    """Parse JSON that must be UTF-8, free of duplicate keys and of NaN/Infinity."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except UnicodeDecodeError:
        raise MalformedError(reason, f"{what} is not UTF-8") from None
    except RecursionError:
        raise MalformedError(reason, f"{what} is nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError is a ValueError
        raise MalformedError(reason, f"{what} is not valid JSON: {exc}") from None


def _b64(value: object, reason: str, what: str) -> bytes:
    if not isinstance(value, str):
        raise MalformedError(reason, f"{what} must be a base64 string")
    try:
        return base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise MalformedError(reason, f"{what} is not standard base64") from None


def _exact_keys(obj: dict[str, Any], keys: set[str], what: str) -> None:
    extra = sorted(set(obj) - keys)
    if extra:
        raise MalformedError("envelope.malformed", f"{what} has unknown field(s): {', '.join(extra)}")
    missing = sorted(keys - set(obj))
    if missing:
        raise MalformedError("envelope.malformed", f"{what} lacks field(s): {', '.join(missing)}")


def parse_envelope(raw: bytes | str, *, payload_type: str | None = IN_TOTO_PAYLOAD_TYPE) -> Envelope:
    """Parse one DSSE envelope strictly; ``payload_type`` (None: any) is the type it must carry."""
    if len(raw) > _MAX_ENVELOPE:
        raise MalformedError("envelope.malformed", f"the envelope is larger than {_MAX_ENVELOPE} bytes")
    obj = strict_json(raw, "envelope.malformed", "the envelope")
    if not isinstance(obj, dict):
        raise MalformedError("envelope.malformed", "the envelope is not a JSON object")
    _exact_keys(obj, {"payload", "payloadType", "signatures"}, "the envelope")
    kind = obj["payloadType"]
    if not isinstance(kind, str) or not kind:
        raise MalformedError("envelope.malformed", "payloadType must be a non-empty string")
    if payload_type is not None and kind != payload_type:
        raise MalformedError(
            "envelope.payload-type", f"payloadType is {json.dumps(kind)[:80]}, expected {payload_type}"
        )
    payload = _b64(obj["payload"], "envelope.malformed", "payload")
    sigs = obj["signatures"]
    if not isinstance(sigs, list) or not sigs:
        raise MalformedError("envelope.malformed", "signatures must be a non-empty list")
    signatures: list[Signature] = []
    for i, entry in enumerate(sigs):
        what = f"signature {i + 1}"
        if not isinstance(entry, dict):
            raise MalformedError("envelope.malformed", f"{what} is not an object")
        _exact_keys(entry, {"keyid", "sig"}, what)
        keyid = entry["keyid"]
        if not isinstance(keyid, str) or not keyid:
            raise MalformedError("envelope.malformed", f"{what} has no keyid")
        sig = _b64(entry["sig"], "envelope.malformed", f"{what}'s sig")
        if not sig:
            raise MalformedError("envelope.malformed", f"{what} is empty")
        signatures.append(Signature(keyid, sig))
    return Envelope(payload, kind, tuple(signatures))
