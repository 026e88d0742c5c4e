"""Risk signals from registry answers (replayed on loopback), popularity and look-alike names."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vouched.deps.manifests import Dependency
from vouched.deps.popularity import load_popularity
from vouched.deps.registry import (
    CachedRegistry,
    NpmRegistry,
    PackageInfo,
    PyPIRegistry,
    Registry,
    RegistryCache,
    Release,
)
from vouched.deps.signals import SIGNALS, Signal, Thresholds, assess, assess_dependency
from vouched.deps.squat import default_index

from registry_replay import RegistryReplay

NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def replay() -> Iterator[RegistryReplay]:
    with RegistryReplay() as server:
        yield server


@pytest.fixture(scope="module")
def regs(replay: RegistryReplay) -> dict[str, Registry]:
    return {
        "PyPI": PyPIRegistry(replay.simple_url, replay.json_url, timeout=0.3),
        "npm": NpmRegistry(replay.npm_url, timeout=0.3),
    }


def run(
    regs: dict[str, Registry], eco: str, name: str, version: str | None = None, spec: str = ""
) -> dict[str, Signal]:
    info = regs[eco].lookup(name)
    got = assess(
        eco,  # type: ignore[arg-type]
        name,
        version,
        spec,
        info,
        now=NOW,
        popularity=load_popularity(eco),  # type: ignore[arg-type]
        squat=default_index(eco),  # type: ignore[arg-type]
    )
    for s in got:
        assert s.id in SIGNALS and s.message and s.evidence and all(s.evidence)
    ids = [s.id for s in got]
    assert len(ids) == len(set(ids)) or "deps.typosquat" in ids
    return {s.id: s for s in got}


def test_healthy_popular_package_has_no_signal(regs: dict[str, Registry]) -> None:
    info = regs["PyPI"].lookup("requests")
    assert run(regs, "PyPI", "requests", info.latest, f"=={info.latest}") == {}
    assert run(regs, "PyPI", "requests", None, ">=2") == {}


def test_nonexistent_package_is_a_hallucination(regs: dict[str, Registry]) -> None:
    got = run(regs, "PyPI", "vouched-fixture-no-such-package")
    assert set(got) == {"deps.nonexistent"}
    assert any("404" in e for e in got["deps.nonexistent"].evidence)
    assert any("not in the top 14,985 PyPI packages" in e for e in got["deps.nonexistent"].evidence)


def test_mistyped_name_says_what_was_meant(regs: dict[str, Registry]) -> None:
    got = run(regs, "PyPI", "reqeusts")  # not recorded: the replay answers 404, as PyPI does
    assert set(got) == {"deps.nonexistent", "deps.typosquat"}
    assert "did you mean 'requests'?" in got["deps.nonexistent"].evidence
    assert got["deps.typosquat"].related == "requests"


def test_suspicious_new_package(regs: dict[str, Registry]) -> None:
    got = run(regs, "PyPI", "vouched-fixture-fresh", "0.1.0", "==0.1.0")
    assert set(got) == {"deps.suspicious-new", "deps.licence-unknown"}
    ev = got["deps.suspicious-new"].evidence
    assert ev[:3] == ("first upload 2026-11-20 (8 days ago)", "1 release", "no project URLs")
    assert "largest file 1,450 bytes" in ev
    assert "not in the top 14,985 PyPI packages" in ev


def test_suspicious_new_needs_every_condition(regs: dict[str, Registry]) -> None:
    info = regs["PyPI"].lookup("vouched-fixture-fresh")
    later = NOW + dt.timedelta(days=60)
    got = assess("PyPI", info.name, "0.1.0", "", info, now=later, popularity=load_popularity("PyPI"))
    assert "deps.suspicious-new" not in {s.id for s in got}
    wider = Thresholds(new_package_days=90)
    got = assess("PyPI", info.name, "0.1.0", "", info, now=later, thresholds=wider, popularity=load_popularity("PyPI"))
    assert "deps.suspicious-new" in {s.id for s in got}


def test_pinned_yanked_version(regs: dict[str, Registry]) -> None:
    got = run(regs, "PyPI", "attrs", "21.1.0", "==21.1.0")
    assert set(got) == {"deps.yanked"}
    assert "21.1.0 yanked: Installable but not importable on Python 3.4." in got["deps.yanked"].evidence


def test_range_is_judged_by_every_version_it_admits(regs: dict[str, Registry]) -> None:
    only_yanked = run(regs, "PyPI", "attrs", None, ">=21,<22")
    assert set(only_yanked) == {"deps.yanked"}
    assert "range '>=21,<22'" in only_yanked["deps.yanked"].evidence
    assert run(regs, "PyPI", "attrs", None, ">=21") == {}  # an installer skips the yanked one


def test_version_that_was_never_published(regs: dict[str, Registry]) -> None:
    got = run(regs, "PyPI", "requests", "9.9.9", "==9.9.9")
    assert set(got) == {"deps.nonexistent-version"}
    got = run(regs, "npm", "left-pad", None, "^7")
    assert set(got) == {"deps.nonexistent-version"}


def test_inactive_classifier(regs: dict[str, Registry]) -> None:
    got = run(regs, "PyPI", "pytest-runner")
    assert "deps.inactive" in got
    assert "classifier 'Development Status :: 7 - Inactive'" in got["deps.inactive"].evidence


def test_pep792_statuses(regs: dict[str, Registry]) -> None:
    assert "deps.quarantined" in run(regs, "PyPI", "vouched-fixture-quarantined")
    archived = run(regs, "PyPI", "vouched-fixture-archived")
    assert {"deps.inactive", "deps.unmaintained", "deps.registry-unknown"} <= set(archived)
    assert "moved to vouched-fixture-new" in archived["deps.inactive"].evidence
    assert "deps.deprecated" in run(regs, "PyPI", "vouched-fixture-deprecated")


def test_npm_deprecated_version_and_package(regs: dict[str, Registry]) -> None:
    old = run(regs, "npm", "vouched-fixture-deprecated", None, "^1.0.0")
    assert "1.0.0 deprecated: 1.x is unsafe, use 2.x" in old["deps.deprecated"].evidence
    assert "deps.unmaintained" in old
    new = run(regs, "npm", "vouched-fixture-deprecated", "2.0.0", "2.0.0")
    assert "no longer maintained" in new["deps.deprecated"].evidence[-1]


def test_unmaintained_threshold(regs: dict[str, Registry]) -> None:
    info = regs["npm"].lookup("vouched-fixture-deprecated")  # last release 2020-02-02
    ids = {s.id for s in assess("npm", info.name, "2.0.0", "", info, now=NOW)}
    assert "deps.unmaintained" in ids
    ids = {
        s.id
        for s in assess("npm", info.name, "2.0.0", "", info, now=NOW, thresholds=Thresholds(unmaintained_days=5000))
    }
    assert "deps.unmaintained" not in ids


@pytest.mark.parametrize("name", ["vouched-fixture-slow", "vouched-fixture-broken", "vouched-fixture-garbage"])
def test_registry_failure_is_unknown_never_fine(regs: dict[str, Registry], name: str) -> None:
    got = run(regs, "npm", name)
    assert set(got) == {"deps.registry-unknown"}


def test_offline_not_cached_is_unknown(regs: dict[str, Registry], tmp_path: Path) -> None:
    offline = CachedRegistry(regs["PyPI"], RegistryCache(tmp_path), offline=True)
    info = offline.lookup("requests")
    got = assess("PyPI", "requests", "2.0", "", info, now=NOW, popularity=load_popularity("PyPI"))
    assert [s.id for s in got] == ["deps.registry-unknown"]
    assert "reason: offline, not cached" in got[0].evidence


def test_cached_answer_says_how_old_it_is(regs: dict[str, Registry], tmp_path: Path) -> None:
    cached = CachedRegistry(regs["PyPI"], RegistryCache(tmp_path))
    cached.lookup("vouched-fixture-fresh")
    info = cached.lookup("vouched-fixture-fresh")
    got = assess("PyPI", info.name, None, "", info, now=info.fetched_at + dt.timedelta(days=3))  # type: ignore[operator]
    licence = next(s for s in got if s.id == "deps.licence-unknown")
    assert any("cached answer from" in e and "(3 days ago)" in e for e in licence.evidence)


def test_assess_dependency_uses_the_manifest_entry(regs: dict[str, Registry]) -> None:
    dep = Dependency("PyPI", "attrs", "attrs>=21,<22", "requirements.txt", 3, specifier=">=21,<22")
    got = assess_dependency(dep, regs["PyPI"].lookup("attrs"), now=NOW)
    assert [s.id for s in got] == ["deps.yanked"]
    pinned = Dependency("PyPI", "attrs", "attrs==21.1.0", "requirements.txt", 3, version="21.1.0")
    assert [s.id for s in assess_dependency(pinned, regs["PyPI"].lookup("attrs"), now=NOW)] == ["deps.yanked"]


def test_typosquat_of_an_existing_package_carries_registry_facts() -> None:
    info = PackageInfo(
        ecosystem="PyPI",
        name="colourama",
        registry="https://pypi.org/simple",
        exists=True,
        fetched_at=NOW,
        releases=(Release("0.0.1", NOW - dt.timedelta(days=2)),),
        first_published=NOW - dt.timedelta(days=2),
        last_published=NOW - dt.timedelta(days=2),
        project_urls=(),
        licence="MIT",
    )
    got = {s.id: s for s in assess("PyPI", "colourama", None, "", info, now=NOW, squat=default_index("PyPI"))}
    assert set(got) == {"deps.typosquat", "deps.suspicious-new"}
    assert "colourama first upload 2026-11-26 (2 days ago)" in got["deps.typosquat"].evidence
    assert "colourama has 1 release" in got["deps.typosquat"].evidence


_times = st.none() | st.datetimes(
    min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2030, 1, 1), timezones=st.just(dt.UTC)
)
_releases = st.lists(
    st.builds(
        Release,
        version=st.sampled_from(["1.0", "1.0.0", "2.0.0-rc.1", "not a version", "0.1"]),
        uploaded=_times,
        yanked=st.none() | st.booleans(),
        yanked_reason=st.none() | st.text(max_size=10),
        deprecated=st.none() | st.booleans(),
    ),
    max_size=4,
)


@settings(max_examples=150, deadline=None)
@given(
    eco=st.sampled_from(["PyPI", "npm"]),
    exists=st.none() | st.booleans(),
    releases=st.none() | _releases,
    first=_times,
    last=_times,
    urls=st.none() | st.just(()) | st.just((("Source", "https://x"),)),
    version=st.none() | st.sampled_from(["1.0", "9", "not a version"]),
    spec=st.sampled_from(["", "^1", ">=1", "~=1.0", "garbage ((", "latest"]),
)
def test_assess_never_crashes(
    eco: str,
    exists: bool | None,
    releases: tuple[Release, ...] | None,
    first: dt.datetime | None,
    last: dt.datetime | None,
    urls: tuple[tuple[str, str], ...] | None,
    version: str | None,
    spec: str,
) -> None:
    info = PackageInfo(
        ecosystem=eco,  # type: ignore[arg-type]
        name="some-package",
        registry="r",
        exists=exists,
        releases=None if releases is None else tuple(releases),
        first_published=first,
        last_published=last,
        project_urls=urls,
    )
    got = assess(eco, "some-package", version, spec, info, now=NOW)  # type: ignore[arg-type]
    ids = {s.id for s in got}
    assert ids <= set(SIGNALS)
    if exists is None:
        assert ids == {"deps.registry-unknown"}
    if exists is False:
        assert ids == {"deps.nonexistent"}
