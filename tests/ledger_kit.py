"""Helpers for ledger tests: real Ed25519 keys, a repository whose red tier needs every stage."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from vouched.demo import DEMO_POLICY
from vouched.git import Git, ScratchRepo
from vouched.ledger import FileSigner, pae, parse_public_key

STAGED_POLICY = DEMO_POLICY.replace(
    "require_declaration = true",
    'require_declaration = true\nstages = ["requirements", "design", "implementation", "review"]',
)


@dataclass
class Key:
    private: Ed25519PrivateKey
    path: Path
    line: str

    @property
    def keyid(self) -> str:
        return parse_public_key(self.line).fingerprint

    def signer(self) -> FileSigner:
        return FileSigner(self.path)


def make_key(directory: Path, name: str, passphrase: bytes | None = None) -> Key:
    private = Ed25519PrivateKey.generate()
    encryption = serialization.BestAvailableEncryption(passphrase) if passphrase else serialization.NoEncryption()
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, encryption)
    path = directory / f"id_{name}"
    path.write_bytes(pem)
    path.chmod(0o600)
    line = private.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    text = line.decode() + f" {name}@laptop"
    (directory / f"id_{name}.pub").write_text(text + "\n")
    return Key(private, path, text)


def people_toml(keys: dict[str, list[Key]], break_glass: tuple[str, ...] = ("alice",)) -> str:
    levels = {"alice": "senior", "bob": "mid", "carol": "junior", "dave": "senior", "erin": "senior"}
    out = []
    for pid, level in levels.items():
        out.append(f"[people.{pid}]")
        out.append(f'name = "{pid.title()}"')
        out.append(f'level = "{level}"')
        out.append(f'emails = ["{pid}@bank.example"]')
        out.append(f'github = "{pid}-gh"')
        out.append("keys = " + json.dumps([k.line for k in keys.get(pid, [])]))
        if pid in break_glass:
            out.append("break_glass = true")
        out.append("")
    return "\n".join(out)


def who(pid: str) -> tuple[str, str]:
    return (pid.title(), f"{pid}@bank.example")


def raw_envelope(statement: dict[str, object], key: Key, *, keyid: str | None = None) -> bytes:
    payload = json.dumps(statement, sort_keys=True, separators=(",", ":")).encode()
    sig = key.private.sign(pae("application/vnd.in-toto+json", payload))
    envelope = {
        "payload": base64.b64encode(payload).decode(),
        "payloadType": "application/vnd.in-toto+json",
        "signatures": [{"keyid": keyid or key.keyid, "sig": base64.b64encode(sig).decode()}],
    }
    return json.dumps(envelope, sort_keys=True, separators=(",", ":")).encode()


def append_raw(repo: ScratchRepo, raw: bytes, *, files: dict[str, bytes] | None = None) -> str:
    """Append bytes to the ledger with bare plumbing, bypassing every check (an attacker's append)."""
    git = Git(repo.path)
    entries = files if files is not None else {"envelope.json": raw}
    tree = git.make_tree([(name, git.hash_blob(data)) for name, data in entries.items()])
    old = git.read_ref("refs/vouched/ledger")
    commit = repo.git("commit-tree", tree, *(["-p", old] if old else []), "-m", "entry").strip()
    repo.git("update-ref", "refs/vouched/ledger", commit)
    return commit


def rebuild(repo: ScratchRepo, raws: list[bytes]) -> str:
    """Rewrite the whole ledger to hold exactly ``raws`` (an attacker with write access to the ref)."""
    git = Git(repo.path)
    parent: str | None = None
    for raw in raws:
        tree = git.make_tree([("envelope.json", git.hash_blob(raw))])
        parent = repo.git("commit-tree", tree, *(["-p", parent] if parent else []), "-m", "entry").strip()
    assert parent is not None
    repo.git("update-ref", "refs/vouched/ledger", parent)
    return parent
