#!/usr/bin/env python3
"""Benchmark the signed ledger: verifying 100,000 envelopes, and appending one sign-off.

Usage (from the repository root, with the environment vouched is installed in)::

    .venv/bin/python benchmarks/bench_ledger.py [--entries 100000] [--runs 3] [--appends 20] [--json FILE]

It builds a repository in a temporary folder with a policy, a roster of 20 people with Ed25519 keys
(generated with ``cryptography``), and a ledger of ``--entries`` signed review sign-offs written with one
``git fast-import`` (the ledger format vouched writes: one commit per envelope, ``envelope.json``).

Then, alternating in each round so a noisy machine slows both alike:

a. the raw rate: ``Ed25519PublicKey.verify`` of the same envelopes' PAE bytes and signatures, in a loop
   (the physical limit: no git, no JSON, no base64);
b. vouched: read every entry from ``refs/vouched/ledger`` through ``vouched.git.Git``, parse envelope and
   statement strictly, check links and duplicates, resolve the roster and verify every signature,
   exactly what ``vouched ledger verify`` does.

The goal is b's rate >= 70% of a's. Then ``--appends`` times ``GitLedger.append`` of one sign-off on the
full ledger, and the whole ``sign_off`` (change, roster, sign, append): goal < 200 ms median. Times are
reported as medians; the script never asserts on time.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from vouched.demo import DEMO_POLICY
from vouched.git import Git, ScratchRepo
from vouched.ledger import GitLedger, parse_envelope, parse_public_key
from vouched.ledger.dsse import IN_TOTO_PAYLOAD_TYPE, Envelope, Signature, pae
from vouched.ledger.index import index_of
from vouched.ledger.keys import FileSigner
from vouched.ledger.lookup import cache_path
from vouched.ledger.predicates import SignOff
from vouched.ledger.sign import sign_off
from vouched.ledger.statement import Statement, Subject, payload_digest
from vouched.ledger.verify import Roster, verify_ledger
from vouched.policy import load

GOAL_RATIO = 0.70
GOAL_APPEND_MS = 200.0
GOAL_CHECK_RATIO = 2.0
GOAL_CHECK_S = 1.0
PEOPLE = 20


def _keys(n: int) -> list[Ed25519PrivateKey]:
    return [Ed25519PrivateKey.generate() for _ in range(n)]


def _line(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()


def build(path: Path, entries: int) -> tuple[ScratchRepo, list[Ed25519PrivateKey], list[tuple[bytes, bytes, int]]]:
    repo = ScratchRepo(path, branch="main")
    keys = _keys(PEOPLE)
    people = "".join(
        f'[people.p{i}]\nname = "P {i}"\nlevel = "senior"\nemails = ["p{i}@bank.example"]\n'
        f'keys = ["{_line(k)} p{i}@laptop"]\n\n'
        for i, k in enumerate(keys)
    )
    base = repo.commit("policy", {".vouched/policy.toml": DEMO_POLICY, ".vouched/people.toml": people})
    repo.git("checkout", "-q", "-b", "feature")
    head = repo.commit("work\n\nAssisted-by: none", {"src/auth/x.py": "x = 1\n"}, author=("P 0", "p0@bank.example"))
    tree = repo.git("rev-parse", "HEAD^{tree}").strip()
    digest = load(Git(repo.path), base)[0].digest
    stream = bytearray()
    raw_pairs: list[tuple[bytes, bytes, int]] = []
    previous: str | None = None
    for i in range(entries):
        signer = i % PEOPLE
        predicate = SignOff(
            "review", "approve", f"p{signer}", "2026-01-02T03:04:05Z", base, digest, f"entry {i}", previous,
            commit=head, tree=tree,
        )  # fmt: skip
        statement = Statement((Subject("head", (("gitCommit", head), ("gitTree", tree))),), predicate)
        payload = statement.to_bytes()
        data = pae(IN_TOTO_PAYLOAD_TYPE, payload)
        sig = keys[signer].sign(data)
        keyid = parse_public_key(_line(keys[signer])).fingerprint
        raw = Envelope(payload, IN_TOTO_PAYLOAD_TYPE, (Signature(keyid, sig),)).to_bytes()
        raw_pairs.append((data, sig, signer))
        previous = payload_digest(payload)
        mark = i + 1
        stream += b"blob\nmark :%d\ndata %d\n%b\n" % (2 * mark, len(raw), raw)
        msg = index_of(statement, previous).message().encode()  # the index vouched writes
        stream += b"commit refs/vouched/ledger\nmark :%d\n" % (2 * mark + 1)
        stream += b"committer vouched ledger <ledger@vouched.invalid> %d +0000\n" % (1_767_225_600 + i)
        stream += b"data %d\n%b" % (len(msg), msg)
        if i:
            stream += b"from :%d\n" % (2 * i + 1)
        stream += b"M 100644 :%d envelope.json\n\n" % (2 * mark)
    repo.git("fast-import", "--quiet", input=bytes(stream))
    return repo, keys, raw_pairs


def build_check(path: Path, entries: int, keys: list[Ed25519PrivateKey]) -> tuple[ScratchRepo, ScratchRepo]:
    """A repository with a change, and a ledger of ``entries`` sign-offs: all but the last five about
    other changes (five entries each, as vouched writes them, index trailers included), the last five
    the change's own stages and reviews. Plus a copy without the ledger: the same check with no ledger."""
    repo = ScratchRepo(path, branch="main")
    people = "".join(
        f'[people.p{i}]\nname = "P {i}"\nlevel = "senior"\nemails = ["p{i}@bank.example"]\n'
        f'keys = ["{_line(k)} p{i}@laptop"]\n\n'
        for i, k in enumerate(keys)
    )
    base = repo.commit("policy", {".vouched/policy.toml": DEMO_POLICY, ".vouched/people.toml": people})
    repo.git("checkout", "-q", "-b", "feature")
    head = repo.commit(
        "work\n\nAssisted-by: none", {"src/orders/total.py": "x = 1\n"}, author=("P 0", "p0@bank.example")
    )
    tree = repo.git("rev-parse", "HEAD^{tree}").strip()
    digest = load(Git(repo.path), base)[0].digest
    keyids = [parse_public_key(_line(k)).fingerprint for k in keys]
    stream = bytearray()
    previous: str | None = None
    for i in range(entries):
        signer = 1 + i % (PEOPLE - 1)
        if i >= entries - 5:
            commit, subject_tree = head, tree  # the change's own sign-offs
        else:
            commit = hashlib.sha1(b"commit %d" % (i // 5), usedforsecurity=False).hexdigest()
            subject_tree = hashlib.sha1(b"tree %d" % (i // 5), usedforsecurity=False).hexdigest()
        predicate = SignOff(
            "review", "approve", f"p{signer}", "2026-01-02T03:04:05Z", base, digest, f"entry {i}", previous,
            commit=commit, tree=subject_tree,
        )  # fmt: skip
        statement = Statement((Subject("head", (("gitCommit", commit), ("gitTree", subject_tree))),), predicate)
        payload = statement.to_bytes()
        sig = keys[signer].sign(pae(IN_TOTO_PAYLOAD_TYPE, payload))
        raw = Envelope(payload, IN_TOTO_PAYLOAD_TYPE, (Signature(keyids[signer], sig),)).to_bytes()
        previous = payload_digest(payload)
        msg = index_of(statement, previous).message().encode()
        mark = i + 1
        stream += b"blob\nmark :%d\ndata %d\n%b\n" % (2 * mark, len(raw), raw)
        stream += b"commit refs/vouched/ledger\nmark :%d\n" % (2 * mark + 1)
        stream += b"committer vouched ledger <ledger@vouched.invalid> %d +0000\n" % (1_767_225_600 + i)
        stream += b"data %d\n%b" % (len(msg), msg)
        if i:
            stream += b"from :%d\n" % (2 * i + 1)
        stream += b"M 100644 :%d envelope.json\n\n" % (2 * mark)
    repo.git("fast-import", "--quiet", input=bytes(stream))
    repo.git("repack", "-adq")
    bare = ScratchRepo(path.parent / (path.name + "-no-ledger"), branch="scratch")
    bare.git("fetch", "-q", str(repo.path), "main:main", "feature:feature")
    bare.git("checkout", "-q", "feature")
    bare.git("repack", "-adq")
    return repo, bare


def check_time(vouched: list[str], repo: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run(
        [*vouched, "check", "--repo", str(repo), "--base", "main", "--head", "feature", "--format", "json"],
        capture_output=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"vouched check failed: {proc.stderr.decode()[-500:]}")
    return elapsed


def raw_verify(keys: list[Ed25519PrivateKey], pairs: list[tuple[bytes, bytes, int]]) -> float:
    publics = [k.public_key() for k in keys]
    start = time.perf_counter()
    for data, sig, signer in pairs:
        publics[signer].verify(sig, data)
    return time.perf_counter() - start


def vouched_verify(path: Path, expected: int) -> float:
    start = time.perf_counter()
    git = Git(path)
    roster = Roster(lambda base: load(git, base)[1])
    report = verify_ledger(GitLedger(git), roster)  # exactly what `vouched ledger verify` runs
    elapsed = time.perf_counter() - start
    if not report.ok or len(report.entries) != expected:
        raise SystemExit(f"verify failed: {report.problems[:3]} ({len(report.entries)} of {expected})")
    return elapsed


def _vouched() -> list[str]:
    exe = Path(sys.executable).with_name("vouched")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "vouched"]


def bench_verify(tmp: Path, args: argparse.Namespace, result: dict[str, Any]) -> None:
    t0 = time.perf_counter()
    repo, keys, pairs = build(tmp / "repo", args.entries)
    print(f"built a ledger of {args.entries:,} entries in {time.perf_counter() - t0:.1f} s", flush=True)
    raw_times, our_times = [], []
    for run in range(args.runs):
        raw_times.append(raw_verify(keys, pairs))
        our_times.append(vouched_verify(repo.path, args.entries))
        print(f"round {run + 1}: raw {raw_times[-1]:.2f} s, vouched {our_times[-1]:.2f} s", flush=True)
    raw_rate = args.entries / statistics.median(raw_times)
    our_rate = args.entries / statistics.median(our_times)
    ratio = our_rate / raw_rate
    # Appends on the full ledger: the store alone, and the whole sign-off.
    key_path = tmp / "id_p1"
    key_path.write_bytes(
        keys[1].private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()
        )
    )
    signer = FileSigner(key_path)
    store = GitLedger(Git(repo.path))
    template = parse_envelope(repo.git("cat-file", "blob", "refs/vouched/ledger:envelope.json").encode())
    append_ms, sign_ms = [], []
    for i in range(args.appends):
        payload = template.payload.replace(b'"rationale":"', b'"rationale":"append %d ' % i)
        env = Envelope(
            payload,
            IN_TOTO_PAYLOAD_TYPE,
            (Signature(signer.keyid, signer.sign(pae(IN_TOTO_PAYLOAD_TYPE, payload))),),
        )
        start = time.perf_counter()
        store.append(env.to_bytes())
        append_ms.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        sign_off(
            Git(repo.path), signer, base="main", head="feature", stage="review", decision="approve",
            rationale=f"bench {i}", now=datetime.now(UTC),
        )  # fmt: skip
        sign_ms.append((time.perf_counter() - start) * 1000)
    result.update(
        {
            "raw_verify_median_s": statistics.median(raw_times),
            "vouched_verify_median_s": statistics.median(our_times),
            "raw_rate_per_s": raw_rate,
            "vouched_rate_per_s": our_rate,
            "ratio": ratio,
            "append_median_ms": statistics.median(append_ms),
            "sign_off_median_ms": statistics.median(sign_ms),
        }
    )
    print()
    print(f"raw Ed25519 verify:   {raw_rate:>10,.0f} /s  (median of {args.runs})")
    print(
        f"vouched ledger verify:{our_rate:>10,.0f} /s  = {ratio:.0%} of raw  (goal >= {GOAL_RATIO:.0%}: "
        f"{'met' if ratio >= GOAL_RATIO else 'NOT met'})"
    )
    print(
        f"append one entry:     {result['append_median_ms']:>10.1f} ms median  (goal < {GOAL_APPEND_MS:.0f} ms: "
        f"{'met' if result['append_median_ms'] < GOAL_APPEND_MS else 'NOT met'})"
    )
    print(f"vouched sign (whole): {result['sign_off_median_ms']:>10.1f} ms median")


def bench_check(tmp: Path, args: argparse.Namespace, result: dict[str, Any]) -> None:
    t0 = time.perf_counter()
    repo, bare = build_check(tmp / "check", args.entries, _keys(PEOPLE))
    print(f"built a change and a ledger of {args.entries:,} entries in {time.perf_counter() - t0:.1f} s", flush=True)
    vouched = _vouched()
    check_time(vouched, repo.path)  # warm the page cache for both
    check_time(vouched, bare.path)
    cache = cache_path(Git(repo.path))
    with_ledger, without, cold = [], [], []
    for run in range(args.runs):
        without.append(check_time(vouched, bare.path))
        with_ledger.append(check_time(vouched, repo.path))
        cache.unlink()  # as on a fresh clone: the lookup table is listed and written first
        cold.append(check_time(vouched, repo.path))
        print(
            f"round {run + 1}: check without a ledger {without[-1]:.2f} s, with {with_ledger[-1]:.2f} s, "
            f"with and no lookup table yet {cold[-1]:.2f} s",
            flush=True,
        )
    ours, base, first = statistics.median(with_ledger), statistics.median(without), statistics.median(cold)
    result.update(
        {
            "check_no_ledger_median_s": base,
            "check_ledger_median_s": ours,
            "check_ratio": ours / base,
            "check_ledger_first_median_s": first,
        }
    )
    print()
    print(f"vouched check, no ledger:            {base:>6.2f} s  (median of {args.runs})")
    print(
        f"vouched check, {args.entries:,}-entry ledger: {ours:>6.2f} s  = {ours / base:.2f}x  "
        f"(goal <= {GOAL_CHECK_RATIO:.0f}x and < {GOAL_CHECK_S:.0f} s: "
        f"{'met' if ours / base <= GOAL_CHECK_RATIO and ours < GOAL_CHECK_S else 'NOT met'})"
    )
    print(f"the first check, building the lookup table: {first:.2f} s = {first / base:.2f}x")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--appends", type=int, default=20)
    parser.add_argument(
        "--part", choices=["all", "verify", "check"], default="all", help="verify and append, check, or both"
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="vouched-bench-ledger-"))
    result: dict[str, Any] = {
        "entries": args.entries,
        "runs": args.runs,
        "machine": f"{platform.machine()} {os.cpu_count()} cpu, Python {platform.python_version()}",
    }
    try:
        if args.part in ("all", "verify"):
            bench_verify(tmp, args, result)
        if args.part in ("all", "check"):
            bench_check(tmp, args, result)
        if args.json:
            args.json.write_text(json.dumps(result, indent=2) + "\n")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
