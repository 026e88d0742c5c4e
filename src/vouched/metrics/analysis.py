"""From a repository's history, an issue export and the releases to the report: the whole pipeline.

:func:`analyse` takes the ingested commits (:class:`~vouched.metrics.history.CommitStat`, oldest first),
decides which are fixes (:mod:`vouched.metrics.linking`), asks SZZ (:func:`~vouched.metrics.szz.find_introducers`)
which commits introduced what they fixed, assigns releases and tiers, and computes the statistics
(:mod:`vouched.metrics.stats`). Everything it leaves out is counted in :attr:`Report.skipped`.

What is measured
----------------
* **Commits measured:** the non-merge commits committed in the window (``--since``/``--until``, committer
  date); merges are counted as skipped (their lines are counted in the commits they merge).
* **Fixes:** every non-merge fix committed at or after ``--since`` up to the ingested tip, so that bugs
  introduced inside the window and fixed after it are found.
* **Bugs** (tracker bugs: time to resolution, severity, customer reports): the imported issues that are bugs
  and were reported inside the window. A bug's provenance comes from the commits SZZ found for the fixes
  linked to it (all AI-assisted: ai; all human: human; both: mixed; none found: unknown); its release is
  the first release that shipped one of those commits.
* **Prior defects** of a commit: the fix commits before it (in history order) that touched any of the
  files it touches, following renames.
* **Tier** of a commit: the riskiest tier, in the policy at HEAD, of the paths it touches.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from vouched.metrics.incidents.model import Bug, ImportResult
from vouched.metrics.linking import FixLink, Linker
from vouched.metrics.releases import UNRELEASED, ReleasePlan, assign_by_tags, release_at
from vouched.metrics.stats import BugRecord, ChangeRecord, Statistics, bug_provenance, compute
from vouched.policy.model import MetricsConfig

if TYPE_CHECKING:
    from vouched.git import Git
    from vouched.metrics.history import CommitStat
    from vouched.metrics.szz import SzzResult
    from vouched.policy.model import Policy

__all__ = ["SCHEMA", "Report", "analyse"]

log = logging.getLogger(__name__)

SCHEMA = "vouched.report/1"
Szz = Callable[[Sequence[Any]], "SzzResult"]


@dataclass(frozen=True)
class Report:
    """Everything ``vouched report`` shows, in every format."""

    head: str
    since: int | None
    until: int | None
    as_of: int
    stats: Statistics
    releases: ReleasePlan
    fixes: dict[str, int]  # how fixes were recognised -> count
    bug_introducing_commits: int
    issues: ImportResult | None
    skipped: dict[str, Any] = field(default_factory=dict)
    commits_measured: int = 0
    bugs_measured: int = 0
    min_events: int = 10


def _tier_of(policy: Policy | None) -> Callable[[Iterable[str]], str | None]:
    if policy is None:
        return lambda paths: None
    cache: dict[str, tuple[int, str]] = {}

    def tier(paths: Iterable[str]) -> str | None:
        best: tuple[int, str] | None = None
        for path in paths:
            found = cache.get(path)
            if found is None:
                t = policy.resolve(path).tier
                found = cache[path] = (t.rank, t.name)
            if best is None or found[0] > best[0]:
                best = found
        return best[1] if best else None

    return tier


def analyse(
    git: Git,
    history: Iterable[CommitStat],
    *,
    config: MetricsConfig,
    szz: Szz,
    as_of: int,
    issues: ImportResult | None = None,
    releases: ReleasePlan | None = None,
    policy: Policy | None = None,
    since: int | None = None,
    until: int | None = None,
    head: str | None = None,
) -> Report:
    """The report over ``history`` (every ingested commit, parents before children, read once: a
    generator from the history store will do). ``szz`` runs SZZ on a list of
    :class:`~vouched.metrics.szz.Fix` (the CLI binds the repository, ignore-revs and limits)."""
    from vouched.metrics.szz import Fix

    bugs: tuple[Bug, ...] = issues.bugs if issues is not None else ()
    linker = Linker(config, bugs)
    plan = releases or ReleasePlan(())
    owner = assign_by_tags(git, plan) if plan.source == "tags" and plan.releases else {}

    def in_window(at: int) -> bool:
        return (since is None or at >= since) and (until is None or at < until)

    # One pass over the history, in bounded memory per commit: fixes, prior defects, tiers, releases.
    # Only a compact record of each measured commit is kept; messages and file lists are not.
    tier_of = _tier_of(policy)
    links: dict[str, FixLink] = {}
    fix_times: dict[str, int] = {}
    facts: dict[str, tuple[bool, str]] = {}  # every commit: (AI-assisted, release), for bugs' provenance
    defects: dict[str, int] = {}
    changes: list[ChangeRecord] = []
    merges = 0
    last = ""
    for c in history:
        last = c.sha
        link = linker.link(c.sha, c.parents, c.subject, c.message, c.trailers)
        if plan.source == "file":
            release = release_at(plan.releases, c.committed_at) or UNRELEASED
        else:
            release = owner.get(c.sha, UNRELEASED)
        facts[c.sha] = (c.ai, release)
        prior = sum(defects.get(f.old_path or f.path, 0) for f in c.files)
        for f in c.files:
            if f.old_path and f.old_path in defects:
                defects[f.path] = defects.get(f.path, 0) + defects.pop(f.old_path)
        if link is not None:
            links[c.sha] = link
            fix_times[c.sha] = c.committed_at
            for f in c.files:
                defects[f.path] = defects.get(f.path, 0) + 1
        if not in_window(c.committed_at):
            continue
        if c.is_merge:
            merges += 1
            continue
        changes.append(
            ChangeRecord(
                sha=c.sha,
                at=c.committed_at,
                ai=c.ai,
                lines=c.changed_lines,
                files=c.files_touched,
                prior_defects=prior,
                release=release,
                tier=tier_of(f.path for f in c.files),
                tools=c.tools,
            )
        )

    # SZZ for the fixes from the start of the window on (bugs introduced in it may be fixed after it).
    fixes = [
        Fix(sha, link.reported_at, link.bug_ids[0] if link.bug_ids else None)
        for sha, link in links.items()
        if since is None or fix_times[sha] >= since
    ]
    result = szz(fixes) if fixes else None
    introduced: Counter[str] = Counter()
    if result is not None:
        for fix in fixes:
            for sha in result.candidates(fix.sha):
                introduced[sha] += 1
    changes = [replace(ch, introduced=introduced[ch.sha]) if introduced[ch.sha] else ch for ch in changes]

    # 4. tracker bugs
    fixes_of: dict[str, list[str]] = {}
    for sha, link in links.items():
        for bug_id in link.bug_ids:
            fixes_of.setdefault(bug_id, []).append(sha)
    order = {r.name: i for i, r in enumerate(plan.releases)}
    records: list[BugRecord] = []
    for bug in bugs:
        if not bug.is_bug or not in_window(bug.created_at):
            continue
        shas: set[str] = set()
        for fix_sha in fixes_of.get(bug.id, []):
            if result is not None:
                shas |= result.candidates(fix_sha)
        known = [facts[s] for s in sorted(shas) if s in facts]
        rels = sorted({release for _, release in known}, key=lambda r: order.get(r, len(order)))
        records.append(
            BugRecord(
                id=bug.id,
                created_at=bug.created_at,
                resolved_at=bug.resolved_at,
                severity=bug.severity,
                customer=bug.customer,
                provenance=bug_provenance([ai for ai, _ in known]),
                release=rels[0] if rels else None,
                title=bug.title,
            )
        )

    release_order = [r.name for r in plan.releases] + [UNRELEASED]
    stats = compute(changes, records, as_of=as_of, release_order=release_order, min_events=config.min_events)
    skipped: dict[str, Any] = {
        "merge_commits": merges,
        "tags": [{"tag": t, "reason": why} for t, why in plan.skipped_tags],
        "issue_rows": [{"where": s.where, "reason": s.reason} for s in (issues.skipped if issues else ())],
        "unknown_columns": list(issues.unknown_columns) if issues else [],
        "issues_not_bugs": sum(1 for b in bugs if not b.is_bug),
        "bugs_outside_window": sum(1 for b in bugs if b.is_bug and not in_window(b.created_at)),
        "unknown_issue_references": sorted(linker.unknown_refs),
        "szz_fixes": dict(Counter(why for _, why in result.skipped)) if result else {},
        "szz_candidates_dropped": dict(Counter(why for _, _, why in result.dropped)) if result else {},
        "commits_without_changed_lines": stats.rate_ratio.excluded_commits,
    }
    return Report(
        head=head or last,
        since=since,
        until=until,
        as_of=as_of,
        stats=stats,
        releases=plan,
        fixes=dict(Counter(links[f.sha].how for f in fixes)),
        bug_introducing_commits=sum(1 for ch in changes if ch.introduced),
        issues=issues,
        skipped=skipped,
        commits_measured=len(changes),
        bugs_measured=len(records),
        min_events=config.min_events,
    )
