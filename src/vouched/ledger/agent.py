"""Signing through ssh-agent (draft-miller-ssh-agent): the private key never leaves the agent.

Two requests are used: ``SSH2_AGENTC_REQUEST_IDENTITIES`` (11) lists the agent's keys, and
``SSH2_AGENTC_SIGN_REQUEST`` (13) signs bytes with one of them. Every message is a uint32 length, a type
byte and the body; strings are a uint32 length and the bytes. An Ed25519 signature comes back as
``string "ssh-ed25519" || string sig`` with a 64-byte ``sig``, the same raw signature a key file gives.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable

from vouched.ledger.errors import SigningKeyError
from vouched.ledger.keys import PublicKey, Signer

__all__ = ["AgentSigner", "agent_keys"]

REQUEST_IDENTITIES, IDENTITIES_ANSWER = 11, 12
SIGN_REQUEST, SIGN_RESPONSE = 13, 14
FAILURE = 5
_MAX_MESSAGE = 256 * 1024


def _string(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def uint32(self) -> int:
        if self.pos + 4 > len(self.data):
            raise SigningKeyError("ssh-agent sent a truncated reply")
        value = int.from_bytes(self.data[self.pos : self.pos + 4], "big")
        self.pos += 4
        return value

    def string(self) -> bytes:
        size = self.uint32()
        if self.pos + size > len(self.data):
            raise SigningKeyError("ssh-agent sent a truncated reply")
        value = self.data[self.pos : self.pos + size]
        self.pos += size
        return value


def _socket_path(sock: str | None) -> str:
    path = sock or os.environ.get("SSH_AUTH_SOCK")
    if not path:
        raise SigningKeyError(
            "no ssh-agent: SSH_AUTH_SOCK is not set",
            hint="start one (`eval $(ssh-agent)`, `ssh-add ~/.ssh/id_ed25519`) or pass --key PATH",
        )
    return path


def _request(path: str, kind: int, body: bytes = b"") -> tuple[int, _Reader]:
    message = bytes([kind]) + body
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(30)
            conn.connect(path)
            conn.sendall(len(message).to_bytes(4, "big") + message)
            header = _recv(conn, 4)
            size = int.from_bytes(header, "big")
            if not 0 < size <= _MAX_MESSAGE:
                raise SigningKeyError(f"ssh-agent sent a reply of {size} bytes")
            reply = _recv(conn, size)
    except OSError as exc:
        raise SigningKeyError(
            f"cannot talk to ssh-agent at {path}: {exc.strerror or exc}",
            hint="check SSH_AUTH_SOCK, or pass --key PATH",
        ) from None
    return reply[0], _Reader(reply[1:])


def _recv(conn: socket.socket, size: int) -> bytes:
    chunks, got = [], 0
    while got < size:
        chunk = conn.recv(size - got)
        if not chunk:
            raise SigningKeyError("ssh-agent closed the connection mid-reply")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def agent_keys(sock: str | None = None) -> list[tuple[PublicKey, str]]:
    """The Ed25519 keys the agent holds, with their comments (other key types are skipped)."""
    kind, reader = _request(_socket_path(sock), REQUEST_IDENTITIES)
    if kind != IDENTITIES_ANSWER:
        raise SigningKeyError(f"ssh-agent refused to list its keys (reply type {kind})")
    keys: list[tuple[PublicKey, str]] = []
    for _ in range(reader.uint32()):
        blob, comment = reader.string(), reader.string()
        try:
            keys.append((PublicKey(blob), comment.decode("utf-8", "replace")))
        except ValueError:
            continue  # an RSA or ECDSA key: not ours to use
    return keys


class AgentSigner(Signer):
    """Signs with a key held by ssh-agent: the one given, else the first one that ``wanted`` lists."""

    def __init__(self, wanted: Iterable[PublicKey] = (), *, sock: str | None = None) -> None:
        self._sock = _socket_path(sock)
        held = agent_keys(self._sock)
        wanted = list(wanted)
        if not held:
            raise SigningKeyError(
                "ssh-agent holds no Ed25519 key", hint="add one with `ssh-add ~/.ssh/id_ed25519`, or pass --key PATH"
            )
        if wanted:
            fingerprints = {k.fingerprint for k in wanted}
            matching = [k for k, _ in held if k.fingerprint in fingerprints]
            if not matching:
                raise SigningKeyError(
                    "none of ssh-agent's Ed25519 keys is one of the keys asked for",
                    hint="ssh-add the key listed for you in .vouched/people.toml, or pass --key PATH",
                )
            self.public_key = matching[0]
        else:
            self.public_key = held[0][0]

    def sign(self, data: bytes) -> bytes:
        body = _string(self.public_key.blob) + _string(data) + (0).to_bytes(4, "big")
        kind, reader = _request(self._sock, SIGN_REQUEST, body)
        if kind != SIGN_RESPONSE:
            raise SigningKeyError(
                f"ssh-agent refused to sign with {self.keyid}"
                + (" (it answered SSH_AGENT_FAILURE)" if kind == FAILURE else f" (reply type {kind})"),
                hint="the key may need confirming, or have been removed from the agent",
            )
        inner = _Reader(reader.string())
        algorithm, raw = inner.string(), inner.string()
        if algorithm != b"ssh-ed25519" or len(raw) != 64:
            raise SigningKeyError("ssh-agent returned a signature that is not Ed25519")
        return raw
