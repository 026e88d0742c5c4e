"""Risk signals about one dependency, from what its registry says, how popular it is and what it looks like.

:func:`assess` turns a dependency (ecosystem, name, pinned version or None, the spec as written), the
registry's :class:`PackageInfo`, the popular list and the thresholds into :class:`Signal` values. Each
signal has a stable id, a one-line message and evidence: the facts that made it fire, in words a
reviewer can check ("first upload 2026-11-20 (8 days ago)", "1 release", "no project URLs", "not in the
top 14,985 PyPI packages"). Which signals block and which warn is the policy's business, not this
module's. Unknown is never fine: a registry that could not answer gives ``deps.registry-unknown``, and a
condition the registry did not state counts against the package where it is one of the reasons to
suspect it (the evidence then says "unknown").

Signal ids:

- ``deps.nonexistent``: the registry has no such package (a hallucinated name, or one not yet squatted).
- ``deps.nonexistent-version``: the package exists but the pinned version, or any version the range
  admits, does not.
- ``deps.quarantined``: the index quarantined the project (PEP 792), typically as suspected malware.
- ``deps.suspicious-new``: first published within the new-package window, fewer releases than the
  minimum, no project URLs, not among the popular packages.
- ``deps.typosquat``: the name looks like a far more popular package's name (``squat.py``).
- ``deps.yanked``: the pinned version is yanked (PEP 592), or every version the range admits is.
- ``deps.deprecated``: npm's ``deprecated`` on the version (or the newest one the range admits), or a
  ``deprecated`` PEP 792 project status.
- ``deps.inactive``: PyPI's ``Development Status :: 7 - Inactive`` classifier, or an ``archived`` project.
- ``deps.unmaintained``: the last release is older than the unmaintained threshold.
- ``deps.licence-unknown``: the registry states no licence.
- ``deps.registry-unknown``: the registry could not answer (timeout, error, garbage, offline and not
  cached) or answered only in part.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vouched.deps.popularity import PopularityList
from vouched.deps.ranges import RangeError, admitted_versions
from vouched.deps.registry.interface import Ecosystem, PackageInfo, Release
from vouched.deps.squat import SquatIndex, SquatMatch

if TYPE_CHECKING:
    from vouched.deps.manifests.model import Dependency

__all__ = [
    "SIGNALS",
    "Signal",
    "Thresholds",
    "assess",
    "assess_dependency",
]

logger = logging.getLogger(__name__)

SIGNALS: dict[str, str] = {
    "deps.nonexistent": "the package does not exist on its registry",
    "deps.nonexistent-version": "the version asked for was never published",
    "deps.quarantined": "the registry quarantined the project (PEP 792)",
    "deps.suspicious-new": "a brand-new, tiny, unpopular package with no project links",
    "deps.typosquat": "the name imitates a far more popular package",
    "deps.yanked": "the version is yanked (PEP 592)",
    "deps.deprecated": "the package or version is deprecated",
    "deps.inactive": "the project is marked inactive or archived",
    "deps.unmaintained": "no release for longer than the unmaintained threshold",
    "deps.licence-unknown": "the registry states no licence",
    "deps.registry-unknown": "the registry could not say (timeout, error, offline)",
}


@dataclass(frozen=True, slots=True)
class Thresholds:
    """``new_package_days``: a package first published this recently is new; ``min_releases``: fewer
    releases than this is "single-release"; ``unmaintained_days``: no release for longer is unmaintained."""

    new_package_days: int = 30
    min_releases: int = 2
    unmaintained_days: int = 730


@dataclass(frozen=True, slots=True)
class Signal:
    """One risk signal about one dependency. ``related`` names another package where one is involved
    (the popular package a typosquat imitates)."""

    id: str
    ecosystem: Ecosystem
    name: str
    version: str | None
    message: str
    evidence: tuple[str, ...]
    related: str | None = None


def _day(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).date().isoformat()


def _ago(when: dt.datetime, now: dt.datetime) -> str:
    seconds = (now - when).total_seconds()
    if seconds < -86400:
        return "in the future"
    days = max(0, int(seconds // 86400))
    return "today" if days == 0 else f"{days} day{'s' if days != 1 else ''} ago"


def _releases(n: int) -> str:
    return f"{n} release{'s' if n != 1 else ''}"


def _source(info: PackageInfo, now: dt.datetime) -> str:
    where = info.registry or info.ecosystem
    if info.from_cache and info.fetched_at is not None:
        fetched = info.fetched_at.isoformat(timespec="seconds")
        return f"{where}, cached answer from {fetched} ({_ago(info.fetched_at, now)})"
    return where


def _judged(
    ecosystem: Ecosystem, version: str | None, spec: str, info: PackageInfo
) -> tuple[list[Release] | None, str]:
    """The releases the dependency may install, and how that was decided (for the evidence)."""
    if info.releases is None:
        return None, "the registry did not list versions"
    if version is not None:
        found = info.release(version)
        return ([found] if found is not None else []), f"pinned {version}"
    try:
        wanted = set(admitted_versions(ecosystem, spec, [r.version for r in info.releases]))
    except RangeError as exc:
        return None, f"range {spec!r} cannot be evaluated: {exc}"
    return [r for r in info.releases if r.version in wanted], f"range {spec!r}"


def assess(
    ecosystem: Ecosystem,
    name: str,
    version: str | None,
    spec: str,
    info: PackageInfo,
    *,
    now: dt.datetime,
    popularity: PopularityList | None = None,
    squat: SquatIndex | None = None,
    thresholds: Thresholds = Thresholds(),
    squat_allow: tuple[tuple[str, str], ...] = (),
    trusted: tuple[str, ...] = (),
) -> tuple[Signal, ...]:
    """Every risk signal for one dependency (see the module docstring for the ids).

    ``version`` is the pinned version (None for a range); ``spec`` the range as written (a PEP 440
    specifier for PyPI, a node-semver range for npm), used when there is no pin. ``popularity`` and
    ``squat`` are for the ecosystem (None: skip those checks); ``squat_allow`` adds legitimate neighbour
    pairs and ``trusted`` names never reported as squats (a policy's allowlist). ``now`` must be aware.
    """
    emit = _Collector(ecosystem, name, version)

    source = _source(info, now)
    top = f"the top {len(popularity):,} {ecosystem} packages" if popularity is not None else None
    rank = popularity.rank(name) if popularity is not None else None
    popular_text = None if popularity is None else (f"#{rank:,} of {top}" if rank is not None else f"not in {top}")

    matches: tuple[SquatMatch, ...] = ()
    if squat is not None:
        matches = squat.check(name, allow=squat_allow, trusted=trusted)

    if info.exists is None:
        emit(
            "deps.registry-unknown",
            f"{ecosystem} registry could not say whether {name} exists: {info.reason or 'no answer'}",
            [f"registry: {source}", f"reason: {info.reason or 'no answer'}"],
        )
    elif info.exists is False:
        evidence = [f"registry: {source}", info.reason or "the registry has no such project"]
        if matches:
            evidence.append("did you mean " + " or ".join(repr(m.target) for m in matches[:3]) + "?")
        if popular_text:
            evidence.append(popular_text)
        emit("deps.nonexistent", f"{name} does not exist on {ecosystem}: a hallucinated or mistyped name?", evidence)
    else:
        if info.reason:
            emit(
                "deps.registry-unknown",
                f"{ecosystem} registry answered only in part for {name}: {info.reason}",
                [f"registry: {source}", f"reason: {info.reason}"],
            )
        _existing(emit, ecosystem, name, version, spec, info, now, thresholds, popular_text, rank, source)

    for m in matches:
        evidence = list(m.evidence)
        if info.exists and info.first_published is not None:
            evidence.append(f"{name} first upload {_day(info.first_published)} ({_ago(info.first_published, now)})")
        if info.exists and info.release_count is not None:
            evidence.append(f"{name} has {_releases(info.release_count)}")
        emit(
            "deps.typosquat",
            f"{name} looks like the popular {m.target}: a probable typosquat ({', '.join(m.kinds)})",
            evidence,
            related=m.target,
        )
    return tuple(emit.signals)


class _Collector:
    """Gathers the signals for one dependency."""

    def __init__(self, ecosystem: Ecosystem, name: str, version: str | None) -> None:
        self.ecosystem, self.name, self.version = ecosystem, name, version
        self.signals: list[Signal] = []

    def __call__(self, sid: str, message: str, evidence: list[str], related: str | None = None) -> None:
        assert sid in SIGNALS, sid  # noqa: S101 - every id is documented
        self.signals.append(Signal(sid, self.ecosystem, self.name, self.version, message, tuple(evidence), related))

    def has(self, sid: str) -> bool:
        return any(s.id == sid for s in self.signals)


def _existing(
    emit: _Collector,
    ecosystem: Ecosystem,
    name: str,
    version: str | None,
    spec: str,
    info: PackageInfo,
    now: dt.datetime,
    thresholds: Thresholds,
    popular_text: str | None,
    rank: int | None,
    source: str,
) -> None:
    """The signals for a package the registry serves."""
    if info.status == "quarantined":
        emit(
            "deps.quarantined",
            f"{name} is quarantined on {ecosystem}",
            [
                f"project status: quarantined (PEP 792){': ' + info.status_reason if info.status_reason else ''}",
                f"registry: {source}",
            ],
        )

    # Hallucination squatting: new, single-release, no links, not popular. Unknown counts as suspicious.
    new: bool | None = None
    if info.first_published is not None:
        new = (now - info.first_published).days < thresholds.new_package_days
    few = None if info.release_count is None else info.release_count < thresholds.min_releases
    no_urls = None if info.project_urls is None else not info.project_urls
    unpopular = rank is None
    if unpopular and new is not False and few is not False and no_urls is not False:
        evidence = [
            f"first upload {_day(info.first_published)} ({_ago(info.first_published, now)})"
            if info.first_published is not None
            else "first upload: unknown",
            _releases(info.release_count) if info.release_count is not None else "number of releases: unknown",
            "no project URLs" if no_urls else "project URLs: unknown",
        ]
        sizes = [r.size for r in info.releases or () if r.size is not None]
        if sizes:
            evidence.append(f"largest file {max(sizes):,} bytes")
        if popular_text:
            evidence.append(popular_text)
        evidence.append(
            f"thresholds: new within {thresholds.new_package_days} days, fewer than {thresholds.min_releases} releases"
        )
        emit(
            "deps.suspicious-new",
            f"{name} is brand new, single-release, unlinked and unknown: possibly slopsquatted",
            evidence,
        )

    judged, how = _judged(ecosystem, version, spec, info)
    if judged is not None and not judged and info.releases is not None:
        listed = info.versions or ()
        newest = listed[-1] if listed else "none"
        emit(
            "deps.nonexistent-version",
            f"{name}: no published version matches {how}",
            [how, f"{_releases(len(listed))} published, newest {newest}", f"registry: {source}"],
        )
    elif judged:
        yanked = [r for r in judged if r.yanked]
        if yanked and len(yanked) == len(judged):
            first = yanked[-1]
            evidence = [
                how,
                f"{first.version} yanked"
                + (f": {first.yanked_reason}" if first.yanked_reason else " (no reason given)"),
            ]
            if len(yanked) > 1:
                evidence.append(f"every admitted version is yanked: {', '.join(r.version for r in yanked[:10])}")
            emit("deps.yanked", f"{name} {first.version} is yanked", evidence)
        live = [r for r in judged if not r.yanked] or judged
        chosen = live[-1]  # what an installer picks: the newest admitted, yanked ones last
        if chosen.deprecated:
            emit(
                "deps.deprecated",
                f"{name} {chosen.version} is deprecated",
                [how, f"{chosen.version} deprecated: {chosen.deprecated_reason or '(no message)'}"],
            )
    if info.deprecated and not emit.has("deps.deprecated"):
        emit(
            "deps.deprecated",
            f"{name} is deprecated",
            [info.deprecated_reason or "the registry marks the package deprecated"],
        )
    if info.inactive:
        why = (
            "project status: archived (PEP 792)"
            if info.status == "archived"
            else "classifier 'Development Status :: 7 - Inactive'"
        )
        emit(
            "deps.inactive",
            f"{name} is marked inactive by its maintainers",
            [why] + ([info.status_reason] if info.status_reason else []),
        )
    if info.last_published is not None:
        age = (now - info.last_published).days
        if age > thresholds.unmaintained_days:
            emit(
                "deps.unmaintained",
                f"{name} has had no release for {age:,} days",
                [
                    f"last release {_day(info.last_published)} ({_ago(info.last_published, now)})",
                    f"threshold: {thresholds.unmaintained_days} days",
                ],
            )
    if info.licence is None:
        emit(
            "deps.licence-unknown",
            f"{name} states no licence on {ecosystem}",
            [
                "no license_expression, license field or License classifier"
                if ecosystem == "PyPI"
                else "no license field",
                f"registry: {source}",
            ],
        )


def assess_dependency(
    dep: Dependency,
    info: PackageInfo,
    *,
    now: dt.datetime,
    popularity: PopularityList | None = None,
    squat: SquatIndex | None = None,
    thresholds: Thresholds = Thresholds(),
    squat_allow: tuple[tuple[str, str], ...] = (),
    trusted: tuple[str, ...] = (),
) -> tuple[Signal, ...]:
    """:func:`assess` for a manifest :class:`Dependency` (its pin, else its PEP 440 specifier or spec)."""
    spec = dep.specifier if dep.ecosystem == "PyPI" and dep.specifier is not None else dep.spec
    return assess(
        dep.ecosystem,
        dep.name,
        dep.version,
        spec,
        info,
        now=now,
        popularity=popularity,
        squat=squat,
        thresholds=thresholds,
        squat_allow=squat_allow,
        trusted=trusted,
    )
