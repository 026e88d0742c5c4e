"""Audit bundles: the evidence for changes signed in a period, in a folder an auditor can check offline.

A bundle holds ``envelopes.jsonl`` (every verified ledger entry signed in the period, as stored),
``custody.csv`` (one row a change: commit, author, AI tools, tier, stage sign-offs with signer and time,
approvers, rationale, verdict, overrides) and ``summary.json`` (the period, the ledger tip it was cut
from, counts, and the SHA-256 of the other two files). ``verify_bundle`` re-checks a bundle with nothing
but the bundle and the repository: the file digests, every envelope's signature against the roster at
its base revision, and that every envelope is one the repository's ledger holds.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from vouched.errors import InputError, UsageError
from vouched.git import Git
from vouched.ledger.predicates import parse_time
from vouched.ledger.store import GitLedger, JsonlLedger
from vouched.ledger.verify import Problem, Roster, VerifiedEntry, verify_entries
from vouched.policy import load

__all__ = ["BUNDLE_FILES", "AuditResult", "export_bundle", "verify_bundle"]

BUNDLE_FILES = ("envelopes.jsonl", "custody.csv", "summary.json")
SCHEMA = "vouched.audit/1"
_COLUMNS = (
    "commit",
    "base",
    "author",
    "ai_tools",
    "tier",
    "sign_offs",
    "approvers",
    "rationale",
    "verdict",
    "overrides",
)


@dataclass(frozen=True)
class AuditResult:
    entries: int
    changes: int
    problems: tuple[Problem | str, ...]


def _roster(git: Git) -> Roster:
    return Roster(lambda base: load(git, base)[1] if git.ref_exists(f"{base}^{{commit}}") else None)


def export_bundle(git: Git, out: Path, since: datetime, until: datetime, tier: str | None = None) -> AuditResult:
    from vouched.gate.engine import evaluate, judge

    if out.exists() and any(out.iterdir()):
        raise UsageError(f"{out} is not empty", hint="name a new folder for the bundle")
    store = GitLedger(git)
    entries = store.entries()
    report = verify_entries(entries, _roster(git), rewrites=store.rewrites(entries))
    chosen = [e for e in report.entries if since <= parse_time(e.statement.predicate.signed_at) < until]
    by_change: dict[tuple[str, str], list[VerifiedEntry]] = {}
    for e in chosen:
        p = e.statement.predicate
        commit = p.commit
        if commit is not None:
            by_change.setdefault((p.base, commit), []).append(e)
    rows = []
    kept: list[VerifiedEntry] = []
    for (base, commit), group in by_change.items():
        verdict = judge(evaluate(git, base, commit, []))
        if tier is not None and verdict.tier != tier:
            continue
        kept.extend(group)
        sign_offs = [
            f"{so.stage}:{so.decision}:{e.person.id}@{so.signed_at}" for e in group if (so := e.sign_off) is not None
        ]
        rows.append(
            {
                "commit": commit,
                "base": base,
                "author": ";".join(sorted({c.commit.author.email for c in verdict.commits})),
                "ai_tools": ";".join(sorted({t for c in verdict.commits for t in c.attribution.tools})),
                "tier": verdict.tier or "",
                "sign_offs": ";".join(sign_offs),
                "approvers": ";".join(
                    sorted(
                        {
                            e.person.id
                            for e in group
                            if (so := e.sign_off) is not None and so.stage == "review" and so.decision == "approve"
                        }
                    )
                ),
                "rationale": " | ".join(
                    so.rationale for e in group if (so := e.sign_off) is not None and so.rationale.strip()
                ),
                "verdict": "pass" if verdict.passed else "fail",
                "overrides": ";".join(
                    f"{bg.signer}@{bg.signed_at}: {bg.reason}" for e in group if (bg := e.break_glass) is not None
                ),
            }
        )
    kept.sort(key=lambda e: e.position)
    envelopes = b"".join(e.envelope.to_bytes() + b"\n" for e in kept)
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    custody = text.getvalue().encode()
    summary = {
        "schema": SCHEMA,
        "since": since.isoformat(),
        "until": until.isoformat(),
        "tier": tier,
        "ledger_tip": store.tip(),
        "entries": len(kept),
        "changes": len(rows),
        "ledger_problems": [p.to_json() for p in report.problems],
        "sha256": {
            "envelopes.jsonl": hashlib.sha256(envelopes).hexdigest(),
            "custody.csv": hashlib.sha256(custody).hexdigest(),
        },
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "envelopes.jsonl").write_bytes(envelopes)
    (out / "custody.csv").write_bytes(custody)
    (out / "summary.json").write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return AuditResult(len(kept), len(rows), tuple(report.problems))


def verify_bundle(git: Git, bundle: Path) -> AuditResult:
    """Every problem with a bundle: a file edited, an envelope forged, altered, or not in the ledger."""
    files: dict[str, bytes] = {}
    for name in BUNDLE_FILES:
        try:
            files[name] = (bundle / name).read_bytes()
        except OSError as exc:
            raise InputError(
                f"{bundle / name}: {exc.strerror or exc}", hint="pass the folder audit export wrote"
            ) from None
    try:
        summary = json.loads(files["summary.json"])
        digests = summary["sha256"]
    except (ValueError, KeyError, TypeError):
        raise InputError(f"{bundle / 'summary.json'} is not a vouched audit summary") from None
    problems: list[Problem | str] = []
    for name in ("envelopes.jsonl", "custody.csv"):
        if hashlib.sha256(files[name]).hexdigest() != digests.get(name):
            problems.append(f"{name} does not match the digest in summary.json: it was edited")
    raw = JsonlLedger(files["envelopes.jsonl"]).entries()
    report = verify_entries(raw, _roster(git))
    problems.extend(p for p in report.problems if p.reason not in ("entry.missing-link", "entry.out-of-order"))
    held = {e.raw for e in GitLedger(git).entries()}
    for e in raw:
        if e.raw not in held:
            problems.append(f"envelope {e.position} is not in this repository's ledger ({GitLedger(git).ref})")
    heads = {e.statement.predicate.commit for e in report.entries}
    try:
        rows = list(csv.DictReader(io.StringIO(files["custody.csv"].decode("utf-8"))))
    except (UnicodeDecodeError, csv.Error):
        rows = []
        problems.append("custody.csv cannot be read")
    for row in rows:
        if row.get("commit") not in heads:
            problems.append(f"custody.csv names {row.get('commit')!s:.12} with no verified envelope in the bundle")
    return AuditResult(len(raw), len(rows), tuple(problems))
