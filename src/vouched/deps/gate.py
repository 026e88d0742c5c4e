"""The dependency gate: audit every dependency a change brings in, and turn what is found into findings.

:func:`deps_check` is a gate check (a factory closing over git and the options): it runs only when the
change touches a manifest or lockfile, reads the dependencies at the merge base and at the head
(:func:`~vouched.deps.manifests.diff_dependencies`), and audits each one the change adds, upgrades,
downgrades or re-specifies (:class:`~vouched.deps.audit.Auditor`). The tier of the manifest's path
decides which tier's ``[tiers.deps]`` rules apply: a signal the tier blocks is a blocking finding, one it
warns about a warning, any other a note.

Fail closed: a missing, corrupt or partial advisory database is a blocking ``deps.db-missing``, data older
than ``[deps] max_db_age_days`` a blocking ``deps.db-stale``, whatever the tier says; a manifest vouched
cannot read is a ``deps.manifest`` finding, blocking where the tier blocks ``unknown``.

Exceptions (``[[deps.exceptions]]``) turn a matching finding into a note that names the exception; an
expired one no longer applies and is reported itself (``deps.exception-expired``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from vouched.gate.findings import Finding, Severity
from vouched.policy.model import DepsException, DepsPolicy, DepsRules, Policy

# The advisory database, manifest readers, registries and signals are imported when a change touches a
# file that may be a manifest: `vouched check` on a change without one pays nothing for the gate.
if TYPE_CHECKING:
    from vouched.deps.advisories import AdvisoryDB
    from vouched.deps.audit import Auditor, DependencyAudit, Issue
    from vouched.deps.manifests import Dependency, ManifestError
    from vouched.deps.registry import PackageInfo
    from vouched.gate.evaluation import Evaluation
    from vouched.git import Git

__all__ = ["DepsOptions", "DepsReport", "audit_change", "audit_dependencies", "deps_check", "open_database"]

logger = logging.getLogger(__name__)

DB_HINT_IMPORT = "build it: `vouched deps db update` (online) or `vouched deps db import PATH` (an OSV export)"
DB_HINT_UPDATE = "refresh it: `vouched deps db update`, or `vouched deps db import PATH` with a newer export"
TierRules = Callable[[str], tuple[str | None, DepsRules]]  # a manifest path -> (tier name, its deps rules)


@dataclass(frozen=True, slots=True)
class DepsOptions:
    """What an audit reads besides the repository: the database, and how registries are asked.

    ``offline``: registries answer from vouched's cache only (an uncached package is unknown).
    ``registries`` False: no registry at all (the audit says versions and signals are unknown).
    ``pypi_url``/``npm_url``: a mirror's base URL (PyPI: ``BASE/simple/`` and ``BASE/pypi/``).
    """

    db_path: Path | None = None
    offline: bool = False
    registries: bool = True
    pypi_url: str | None = None
    npm_url: str | None = None
    cache_dir: Path | None = None
    now: dt.datetime | None = None


def open_database(path: Path | None, policy: DepsPolicy, now: dt.datetime) -> tuple[AdvisoryDB | None, list[Finding]]:
    """Open the advisory database and judge its age: the database (None when unusable) and the findings."""
    from vouched.deps.advisories import AdvisoryDB, AdvisoryDBError

    try:
        db = AdvisoryDB.open(path)
    except AdvisoryDBError as exc:
        return None, [
            Finding(
                "deps.db-missing",
                Severity.ERROR,
                True,
                f"no usable advisory database: {exc.message}; dependencies cannot be checked for known vulnerabilities",
                DB_HINT_IMPORT,
            )
        ]
    age = db.age(now)
    limit = dt.timedelta(days=policy.max_db_age_days)
    if age is None or age > limit:
        when = "an unknown time" if db.data_time is None else db.data_time.strftime("%Y-%m-%d %H:%M UTC")
        days = "unknown" if age is None else f"{age.total_seconds() / 86400:.1f} days"
        return db, [
            Finding(
                "deps.db-stale",
                Severity.ERROR,
                True,
                f"the advisory database at {db.path} holds data as of {when} ({days} old); the policy allows "
                f"at most {policy.max_db_age_days} day(s) ([deps] max_db_age_days)",
                DB_HINT_UPDATE,
            )
        ]
    return db, []


def make_auditor(db: AdvisoryDB | None, policy: DepsPolicy, options: DepsOptions, now: dt.datetime) -> Auditor:
    """An auditor with the registries and signals the options ask for."""
    from vouched.deps.audit import Auditor

    if not options.registries:
        return Auditor(db, policy, registry_problem="registries not asked", now=now)
    from vouched.deps.registry import NPM_URL, PYPI_JSON_URL, PYPI_SIMPLE_URL, default_registries

    simple, json_api = PYPI_SIMPLE_URL, PYPI_JSON_URL
    if options.pypi_url:
        base = options.pypi_url.rstrip("/")
        simple, json_api = f"{base}/simple/", f"{base}/pypi/"
    registries = default_registries(
        offline=options.offline,
        cache_dir=options.cache_dir,
        pypi_simple_url=simple,
        pypi_json_url=json_api,
        npm_url=options.npm_url or NPM_URL,
    )
    return Auditor(db, policy, {str(k): v for k, v in registries.items()}, signals=_signals(policy, now), now=now)


# The registry signals' ids (vouched.deps.signals), as the policy's signal names (vouched.policy.model.DEPS_SIGNALS).
SIGNAL_NAMES = {
    "deps.nonexistent": "nonexistent",
    "deps.nonexistent-version": "nonexistent",
    "deps.quarantined": "deprecated",
    "deps.suspicious-new": "suspicious-new",
    "deps.typosquat": "typosquat",
    "deps.yanked": "yanked",
    "deps.deprecated": "deprecated",
    "deps.inactive": "inactive",
    "deps.unmaintained": "unmaintained",
    "deps.registry-unknown": "unknown",
    "deps.licence-unknown": None,  # the auditor's licence check judges an unknown licence by the policy
}


def _signals(
    policy: DepsPolicy, now: dt.datetime
) -> Callable[[PackageInfo, Dependency, Sequence[str]], Iterator[Issue]]:
    """The registry signals (:func:`vouched.deps.signals.assess_dependency`) as the auditor's issues.

    Popularity lists and the typosquat index are built on first use per ecosystem, once per process.
    ``[deps] allow_neighbours`` are names never reported as typosquats; ``new_package_days`` is the
    new-package window.
    """
    from vouched.deps.audit import Issue
    from vouched.deps.signals import Thresholds, assess_dependency
    from vouched.deps.squat import default_index

    thresholds = Thresholds(new_package_days=policy.new_package_days)

    def run(info: PackageInfo, dep: Dependency, versions: Sequence[str]) -> Iterator[Issue]:
        index = default_index(dep.ecosystem)
        found = assess_dependency(
            dep,
            info,
            now=now,
            popularity=index.popularity,
            squat=index,
            thresholds=thresholds,
            trusted=policy.allow_neighbours,
        )
        for signal in found:
            name = SIGNAL_NAMES.get(signal.id, "unknown")
            if name is None:
                continue
            evidence = tuple(signal.evidence)
            if signal.id not in SIGNAL_NAMES:  # a signal this gate does not know: unknown, never dropped
                evidence += (f"signal {signal.id}",)
            yield Issue(name, signal.message, evidence)

    return run


# -- reports ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DepsReport:
    """An audit's results: per dependency, plus what concerns the whole audit (database, manifests)."""

    audits: tuple[DependencyAudit, ...]
    general: tuple[Finding, ...] = ()  # database findings
    problems: tuple[ManifestError, ...] = ()  # manifests that could not be read (at head)
    files: tuple[str, ...] = ()
    db_path: str | None = None
    db_time: dt.datetime | None = None

    @property
    def empty(self) -> bool:
        return not self.audits and not self.problems


def _matches(exc: DepsException, dep: Dependency, issue: Issue) -> bool:
    from vouched.deps.advisories.versions import normalise_name

    if exc.ecosystem is not None and exc.ecosystem != dep.ecosystem:
        return False
    if normalise_name(dep.ecosystem, exc.package) != normalise_name(dep.ecosystem, dep.name):
        return False
    if exc.signal is not None and exc.signal != issue.signal:
        return False
    return exc.advisory is None or exc.advisory.casefold() in {i.casefold() for i in issue.ids}


def findings_for(
    report: DepsReport,
    policy: DepsPolicy,
    tier_rules: TierRules,
    today: dt.date,
    policy_file: str = ".vouched/policy.toml",
) -> list[Finding]:
    """The findings of an audit, each at the manifest entry's file and line, by the tier's rules."""
    out: list[Finding] = list(report.general)
    expired_used: set[int] = set()
    for audit in report.audits:
        dep = audit.dependency
        tier, rules = tier_rules(dep.file)
        what = (
            f"{audit.change} {dep.describe()}"
            if audit.before is None
            else (f"{audit.change} {audit.before.describe()} -> {dep.describe()}")
        )
        for issue in audit.issues:
            action = rules.action(issue.signal)
            evidence = list(issue.evidence) + list(audit.notes)
            text = f"{what}: {issue.message}" + (f" [{'; '.join(evidence)}]" if evidence else "")
            hint = _hint(issue)
            live = [e for e in policy.exceptions if _matches(e, dep, issue)]
            applying = [e for e in live if not e.expired(today)]
            if applying:
                e = applying[0]
                out.append(
                    Finding(
                        f"deps.{issue.signal}",
                        Severity.NOTE,
                        False,
                        f"accepted until {e.expires} ({policy_file}:{e.line}: {e.reason}): {text}",
                        "the exception expires; fix the dependency before then",
                        path=dep.file,
                        line=dep.line,
                        tier=tier,
                    )
                )
                continue
            for e in live:
                if id(e) not in expired_used:
                    expired_used.add(id(e))
                    out.append(
                        Finding(
                            "deps.exception-expired",
                            Severity.WARNING,
                            False,
                            f"the exception for {e.describe()} expired on {e.expires} and no longer applies: "
                            f"{e.reason}",
                            "fix the dependency, or renew the exception with a new reason and date",
                            path=policy_file,
                            line=e.line,
                        )
                    )
            severity = {"block": Severity.ERROR, "warn": Severity.WARNING, "note": Severity.NOTE}[action]
            out.append(
                Finding(
                    f"deps.{issue.signal}",
                    severity,
                    action == "block",
                    text,
                    hint,
                    path=dep.file,
                    line=dep.line,
                    tier=tier,
                )
            )
    if report.audits:  # an expired exception that covered nothing here is still reported, once
        for e in policy.exceptions:
            if e.expired(today) and id(e) not in expired_used:
                out.append(
                    Finding(
                        "deps.exception-expired",
                        Severity.NOTE,
                        False,
                        f"the exception for {e.describe()} expired on {e.expires} and no longer applies "
                        f"(it covers nothing in this change): {e.reason}",
                        "remove it, or renew it with a new reason and date",
                        path=policy_file,
                        line=e.line,
                    )
                )
    for problem in report.problems:
        tier, rules = tier_rules(problem.file)
        action = rules.action("unknown")
        severity = {"block": Severity.ERROR, "warn": Severity.WARNING, "note": Severity.NOTE}[action]
        out.append(
            Finding(
                "deps.manifest",
                severity,
                action == "block",
                f"{problem.message}: the dependencies it declares are unknown",
                problem.hint or "fix the file so that it parses; vouched will not guess what it declares",
                path=problem.file,
                line=problem.line,
                tier=tier,
            )
        )
    return out


def _hint(issue: Issue) -> str:
    if issue.signal == "vulnerable" and issue.advisory is not None:
        fixed = issue.advisory.first_fixed
        return (
            f"move to {fixed} or later" if fixed else "no fixed version is released: drop or replace the dependency"
        ) + ", or accept the risk with a [[deps.exceptions]] entry (reason, expires)"
    return {
        "nonexistent": "check the name: the package does not exist on the registry (a hallucinated or mistyped name "
        "can be registered by an attacker)",
        "typosquat": "check that this is the package you meant, not a look-alike; if it is, add it to "
        "[deps] allow_neighbours",
        "suspicious-new": "check the package's source and owner before depending on it",
        "yanked": "pick a version that is not yanked",
        "deprecated": "use the replacement the maintainers name, or accept it with a [[deps.exceptions]] entry",
        "inactive": "use a maintained alternative, or accept it with a [[deps.exceptions]] entry",
        "unmaintained": "use a maintained alternative, or accept it with a [[deps.exceptions]] entry",
        "licence": "use a package under a licence the policy allows, or accept it with a [[deps.exceptions]] entry",
        "unknown": "make the answer knowable (pin a registry version, go online or warm the cache), or accept it "
        "with a [[deps.exceptions]] entry",
    }.get(issue.signal, "")


# -- auditing ----------------------------------------------------------------------------------------


def audit_dependencies(
    entries: Iterable[tuple[Dependency, str, Dependency | None]],
    policy: DepsPolicy,
    options: DepsOptions,
    *,
    problems: Sequence[ManifestError] = (),
    files: Sequence[str] = (),
) -> DepsReport:
    """Audit ``(dependency, change, before)`` entries: the database, then each dependency."""
    now = options.now or dt.datetime.now(dt.UTC)
    items = list(entries)
    db, general = (None, []) if not items else open_database(options.db_path, policy, now)
    try:
        auditor = make_auditor(db, policy, options, now)
        auditor.prefetch(dep for dep, _, _ in items)
        audits = tuple(auditor.audit(dep, change, before) for dep, change, before in items)
    finally:
        if db is not None:
            db.close()
    return DepsReport(
        audits=audits,
        general=tuple(general),
        problems=tuple(problems),
        files=tuple(files),
        db_path=str(db.path) if db is not None else None,
        db_time=db.data_time if db is not None else None,
    )


def audit_change(
    git: Git, base: str, head: str, paths: Sequence[str], policy: DepsPolicy, options: DepsOptions
) -> DepsReport:
    """Audit what the change ``base..head`` (``base`` being the merge base) does to dependencies."""
    from vouched.deps.manifests import diff_dependencies

    change = diff_dependencies(git, base, head, paths)
    entries = [(d.after, d.kind, d.before) for d in change.deltas if d.after is not None and d.kind != "removed"]
    return audit_dependencies(entries, policy, options, problems=change.head_problems, files=change.files)


# Every manifest reader reads files with one of these endings (requirements: .txt, .in; pyproject and
# pylock: .toml; poetry, uv and Pipfile locks: .lock; npm: .json). A change touching none of them touches
# no manifest, which is known without importing the readers (tests/test_deps_gate.py holds them to it).
_MANIFEST_SUFFIXES = (".txt", ".in", ".toml", ".lock", ".json")


def may_be_manifest(path: str) -> bool:
    """False only when ``path`` is certainly no manifest or lockfile (a cheap filter before the readers)."""
    return path.lower().endswith(_MANIFEST_SUFFIXES)


def tier_rules_for(policy: Policy | None) -> TierRules:
    """A manifest path's tier and its deps rules; without a policy, the defaults (no tier)."""
    if policy is None:
        return lambda _path: (None, DepsRules())

    def rules(path: str) -> tuple[str | None, DepsRules]:
        tier = policy.resolve(path).tier
        return tier.name, tier.deps

    return rules


def deps_check(git: Git, options: DepsOptions | None = None) -> Callable[[Evaluation], Iterable[Finding]]:
    """The gate check: audits the dependencies the change brings in (only when it touches a manifest)."""
    opts = options or DepsOptions()

    def check_dependencies(ev: Evaluation) -> Iterator[Finding]:
        paths = list(dict.fromkeys(p for f in ev.change.files for p in f.paths))
        if not any(may_be_manifest(p) for p in paths):
            return
        report = audit_change(git, ev.change.merge_base, ev.change.head, paths, ev.policy.deps, opts)
        if report.empty:
            return
        by_path: Mapping[str, tuple[str, DepsRules]] = {
            p: (f.match.tier.name, f.match.tier.deps) for f in ev.files for p in f.change.paths
        }
        fallback = tier_rules_for(ev.policy)

        def rules(path: str) -> tuple[str | None, DepsRules]:
            return by_path.get(path) or fallback(path)

        today = (opts.now or dt.datetime.now(dt.UTC)).date()
        yield from findings_for(report, ev.policy.deps, rules, today, ev.policy.file)

    return check_dependencies
