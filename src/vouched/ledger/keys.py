"""OpenSSH Ed25519 keys: the public keys on the roster, and signing with a private key file.

A key is named by its fingerprint exactly as ``ssh-keygen -l`` prints it: ``SHA256:`` and the unpadded
base64 of the SHA-256 of the key blob. That fingerprint is the DSSE ``keyid``.

The private key is read from its file only to sign, held in memory for the one command, and never
written, logged or put in an error message. A passphrase-protected key asks for its passphrase through
the callback the caller gives (the CLI reads ``VOUCHED_KEY_PASSPHRASE`` or prompts).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from vouched.ledger.errors import SigningKeyError

__all__ = ["FileSigner", "PublicKey", "Signer", "fingerprint", "parse_public_key"]

_TYPE = b"ssh-ed25519"


def fingerprint(blob: bytes) -> str:
    """``SHA256:<base64, no padding>`` of an SSH public key blob, as ``ssh-keygen -l`` prints it."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode("ascii").rstrip("=")


def _ssh_string(data: bytes, pos: int) -> tuple[bytes, int]:
    if pos + 4 > len(data):
        raise ValueError("truncated")
    size = int.from_bytes(data[pos : pos + 4], "big")
    end = pos + 4 + size
    if end > len(data):
        raise ValueError("truncated")
    return data[pos + 4 : end], end


@dataclass(frozen=True)
class PublicKey:
    """An Ed25519 public key: its SSH blob, its fingerprint, and a verifier."""

    blob: bytes
    fingerprint: str = field(init=False)
    _key: Ed25519PublicKey = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        kind, pos = _ssh_string(self.blob, 0)
        raw, end = _ssh_string(self.blob, pos)
        if kind != _TYPE or len(raw) != 32 or end != len(self.blob):
            raise ValueError("not an ssh-ed25519 public key")
        object.__setattr__(self, "fingerprint", fingerprint(self.blob))
        object.__setattr__(self, "_key", Ed25519PublicKey.from_public_bytes(raw))

    @property
    def line(self) -> str:
        return "ssh-ed25519 " + base64.b64encode(self.blob).decode("ascii")

    def verify(self, signature: bytes, data: bytes) -> bool:
        try:
            self._key.verify(signature, data)
        except InvalidSignature:
            return False
        return True


def parse_public_key(line: str) -> PublicKey:
    """A key from its OpenSSH line, ``ssh-ed25519 AAAA... [comment]``; ValueError if it is not one."""
    parts = line.split()
    if len(parts) < 2 or parts[0] != "ssh-ed25519":
        raise ValueError("expected 'ssh-ed25519 <base64> [comment]'")
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the key is not valid base64") from None
    return PublicKey(blob)


class Signer(ABC):
    """Something that signs with one Ed25519 key: a key file or an ssh-agent."""

    public_key: PublicKey

    @property
    def keyid(self) -> str:
        return self.public_key.fingerprint

    @abstractmethod
    def sign(self, data: bytes) -> bytes:
        """The raw 64-byte Ed25519 signature of ``data``."""


class FileSigner(Signer):
    """Signs with an OpenSSH private key file (``ssh-keygen -t ed25519``), encrypted or not."""

    def __init__(self, path: str | Path, passphrase: Callable[[], str | None] = lambda: None) -> None:
        self.path = Path(path)
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            raise SigningKeyError(f"key file {self.path} does not exist", hint=_KEY_HINT) from None
        except OSError as exc:
            raise SigningKeyError(f"cannot read key file {self.path}: {exc.strerror or exc}") from None
        if data.lstrip().startswith(b"ssh-ed25519 "):
            raise SigningKeyError(
                f"{self.path} is a public key: signing needs the private key file",
                hint="pass the file without .pub (e.g. --key ~/.ssh/id_ed25519), or load the key into ssh-agent",
            )
        self._key = self._load(data, passphrase)
        raw = self._key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        self.public_key = parse_public_key(raw.decode("ascii"))

    def _load(self, data: bytes, passphrase: Callable[[], str | None]) -> Ed25519PrivateKey:
        where = str(self.path)
        try:
            try:
                key = serialization.load_ssh_private_key(data, password=None)
            except TypeError:  # encrypted: "Password was not given but private key is encrypted"
                secret = passphrase()
                if not secret:
                    raise SigningKeyError(
                        f"{where} is protected by a passphrase and none was given",
                        hint="set VOUCHED_KEY_PASSPHRASE, run in a terminal to be asked, or use ssh-agent",
                    ) from None
                key = serialization.load_ssh_private_key(data, password=secret.encode("utf-8"))
        except SigningKeyError:
            raise
        except ValueError as exc:
            # Never echo the file: say only what kind of problem it is. A wrong passphrase decrypts to
            # garbage, which cryptography reports as a broken checksum.
            text = str(exc).lower()
            if secret_used(data) and ("checksum" in text or "incorrect" in text or "password" in text):
                why = "wrong passphrase"
            else:
                why = "not an OpenSSH private key (expected -----BEGIN OPENSSH PRIVATE KEY-----)"
            raise SigningKeyError(f"cannot load {where}: {why}", hint=_KEY_HINT) from None
        except UnsupportedAlgorithm as exc:
            if "bcrypt" in str(exc):
                raise SigningKeyError(
                    f"cannot decrypt {where}: the bcrypt package is missing", hint="pip install bcrypt"
                ) from None
            raise SigningKeyError(f"cannot load {where}: unsupported key format", hint=_KEY_HINT) from None
        except TypeError:
            raise SigningKeyError(f"cannot load {where}: unsupported key format", hint=_KEY_HINT) from None
        if not isinstance(key, Ed25519PrivateKey):
            raise SigningKeyError(f"{where} is not an Ed25519 key: vouched signs with Ed25519 only", hint=_KEY_HINT)
        return key

    def sign(self, data: bytes) -> bytes:
        return self._key.sign(data)


def secret_used(data: bytes) -> bool:
    """Whether an OpenSSH private key file is encrypted (its cipher name is not "none")."""
    try:
        body = base64.b64decode(b"".join(data.strip().splitlines()[1:-1]))
    except (binascii.Error, ValueError):
        return False
    magic = b"openssh-key-v1\0"
    if not body.startswith(magic):
        return False
    try:
        cipher, _ = _ssh_string(body, len(magic))
    except ValueError:
        return False
    return cipher != b"none"


_KEY_HINT = "make one with `ssh-keygen -t ed25519` and list its .pub line under your keys in .vouched/people.toml"
