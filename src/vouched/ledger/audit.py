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
from vouched.gate.findings import Verdict
from vouched.git import Git
from vouched.ledger.predicates import BreakGlass, format_time, parse_time
from vouched.ledger.store import GitLedger, JsonlLedger
from vouched.ledger.verify import Problem, Roster, VerifiedEntry, verify_entries
from vouched.model import Change
from vouched.policy import load

__all__ = ["BUNDLE_FILES", "AuditResult", "Overdue", "export_bundle", "overdue_overrides", "verify_bundle"]

BUNDLE_FILES = ("envelopes.jsonl", "custody.csv", "summary.json")
SCHEMA = "vouched.audit/1"
_COLUMNS = (
    "commit",
    "base",
    "work_items",
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


@dataclass(frozen=True)
class Overdue:
    """A break-glass override whose retrospective review is overdue."""

    entry: VerifiedEntry
    override: BreakGlass
    due: datetime

    def to_json(self) -> dict[str, object]:
        return {
            "entry": self.entry.position,
            "ledger_commit": self.entry.commit,
            "signer": self.entry.person.id,
            "head": self.override.commit,
            "tree": self.override.tree,
            "signed_at": self.override.signed_at,
            "expires": self.override.expires,
            "due": format_time(self.due),
            "reason": self.override.reason,
        }


def _row(
    commit: str,
    base: str,
    items: tuple[str, ...],
    group: list[VerifiedEntry],
    verdict: Verdict | None = None,
) -> dict[str, str]:
    """One custody row: a change (``commit``, with its ``verdict``), or a work item's requirements and
    design sign-offs given before any change in the period named it (no commit, no verdict)."""
    return {
        "commit": commit,
        "base": base,
        "work_items": ";".join(items),
        "author": ";".join(sorted({c.commit.author.email for c in verdict.commits})) if verdict else "",
        "ai_tools": ";".join(sorted({t for c in verdict.commits for t in c.attribution.tools})) if verdict else "",
        "sign_offs": ";".join(
            f"{so.stage}:{so.decision}:{e.person.id}@{so.signed_at}"
            + (f":{so.work_item}" if so.work_item is not None else "")
            for e in group
            if (so := e.sign_off) is not None
        ),
        "approvers": ";".join(
            sorted(
                {
                    e.person.id
                    for e in group
                    if (so := e.sign_off) is not None and so.stage == "review" and so.decision == "approve"
                }
            )
        ),
        "rationale": " | ".join(so.rationale for e in group if (so := e.sign_off) is not None and so.rationale.strip()),
        "tier": (verdict.tier or "") if verdict else "",
        "verdict": ("pass" if verdict.passed else "fail") if verdict else "",
        "overrides": ";".join(
            f"{bg.signer}@{bg.signed_at}: {bg.reason}" for e in group if (bg := e.break_glass) is not None
        ),
    }


def overdue_overrides(git: Git, base: str, now: datetime) -> tuple[int, list[Overdue], tuple[Problem, ...]]:
    """Every break-glass override whose retrospective review is overdue, judged as the gate judges the next
    change to ``base``: the policy's ``retro_review_days`` and the roster at ``base``. Returns the days, the
    overdue overrides (oldest first) and the ledger problems met on the way."""
    from vouched.ledger.evidence import collect

    base_sha = git.resolve(base)
    policy, people = load(git, base_sha)
    # An empty change at the base: the gate's selection then reads every override and the reviews of
    # overridden trees (and the entries without an index), nothing else.
    empty = Change(base_sha, base_sha, base_sha, git.tree_of(base_sha), (), ())
    evidence = collect(git, empty, people, now)
    if evidence is None:
        return policy.retro_review_days, [], ()
    found = [Overdue(e, bg, due) for e, bg, due in evidence.overdue(policy.retro_review_days)]
    return policy.retro_review_days, found, evidence.problems


def export_bundle(git: Git, out: Path, since: datetime, until: datetime, tier: str | None = None) -> AuditResult:
    from vouched.gate.engine import evaluate, judge

    if out.exists() and any(out.iterdir()):
        raise UsageError(f"{out} is not empty", hint="name a new folder for the bundle")
    store = GitLedger(git)
    entries = store.entries()
    report = verify_entries(entries, _roster(git), rewrites=store.rewrites(entries))
    chosen = [e for e in report.entries if since <= parse_time(e.statement.predicate.signed_at) < until]
    by_change: dict[tuple[str, str], list[VerifiedEntry]] = {}
    by_item: dict[tuple[str, str], list[VerifiedEntry]] = {}  # requirements and design: (base, work item)
    for e in chosen:
        p = e.statement.predicate
        if p.commit is not None:
            by_change.setdefault((p.base, p.commit), []).append(e)
        elif (so := e.sign_off) is not None and so.work_item is not None:
            by_item.setdefault((so.base, so.work_item), []).append(e)
    rows = []
    kept: list[VerifiedEntry] = []
    shown: set[str] = set()  # digests of the entries some row lists
    for (base, commit), group in by_change.items():
        ev = evaluate(git, base, commit, [])
        verdict = judge(ev)
        if tier is not None and verdict.tier != tier:
            continue
        items = ev.ledger.work_items if ev.ledger is not None else ()
        # The requirements and design sign-offs of the work items the change names, whenever they were given.
        staged = [
            e
            for stage in ("requirements", "design")
            for e, so in (ev.ledger.sign_offs(stage) if ev.ledger is not None else [])
            if so.work_item in items and e.digest not in {g.digest for g in group}
        ]
        group = sorted([*group, *staged], key=lambda e: e.position)
        kept.extend(group)
        shown.update(e.digest for e in group)
        rows.append(_row(commit, base, items, group, verdict))
    if tier is None:
        for (base, item), group in by_item.items():
            rest = [e for e in group if e.digest not in shown]
            if rest:  # signed off before any change named the work item: a row of their own
                kept.extend(rest)
                shown.update(e.digest for e in rest)
                rows.append(_row("", base, (item,), rest))
    kept = list({e.digest: e for e in kept}.values())
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
    items = {so.work_item for e in report.entries if (so := e.sign_off) is not None and so.work_item}
    try:
        rows = list(csv.DictReader(io.StringIO(files["custody.csv"].decode("utf-8"))))
    except (UnicodeDecodeError, csv.Error):
        rows = []
        problems.append("custody.csv cannot be read")
    for row in rows:
        if not row.get("commit"):
            named = [i for i in (row.get("work_items") or "").split(";") if i]
            if not named or any(i not in items for i in named):
                problems.append(f"custody.csv names work item(s) {named} with no verified sign-off in the bundle")
            continue
        if row.get("commit") not in heads:
            problems.append(f"custody.csv names {row.get('commit')!s:.12} with no verified envelope in the bundle")
    return AuditResult(len(raw), len(rows), tuple(problems))
