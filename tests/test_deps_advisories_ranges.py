"""Range evaluation, hand-worked from the OSV schema's own examples and rules."""

from __future__ import annotations

import pytest

from vouched.deps.advisories.osv import Event, Range
from vouched.deps.advisories.ranges import Status, describe_range, evaluate
from vouched.deps.advisories.versions import normalise_version

SHA_A = "a" * 40
SHA_B = "b" * 40


def rng(rtype: str, *events: tuple[str, str], repo: str | None = None) -> Range:
    return Range(rtype, tuple(Event(k, v) for k, v in events), repo)


def judge(eco: str, ranges: list[Range], version: str, versions: tuple[str, ...] = ()) -> Status:
    listed = {normalise_version(eco, v) for v in versions}
    return evaluate(eco, ranges, listed, version).status


A, N, U = Status.AFFECTED, Status.NOT_AFFECTED, Status.UNKNOWN


# -- the schema's examples (https://ossf.github.io/osv-schema/#examples) ---------------------------------


@pytest.mark.parametrize(("version", "want"), [("0.0.0", A), ("0.0.1-alpha", A), ("1.0.0", A), ("999.9.9", A)])
def test_unfixed_every_version_is_affected(version: str, want: Status) -> None:
    assert judge("npm", [rng("SEMVER", ("introduced", "0"))], version) is want


@pytest.mark.parametrize(
    ("version", "want"),
    [("0.0.1", A), ("1.0.1", A), ("1.0.2-rc.1", A), ("1.0.2", N), ("1.0.3", N), ("2.0.0", N)],
)
def test_fixed_everything_before_is_affected(version: str, want: Status) -> None:
    assert judge("npm", [rng("SEMVER", ("introduced", "0"), ("fixed", "1.0.2"))], version) is want


@pytest.mark.parametrize(
    ("version", "want"),
    [
        ("0.9.9", N),
        ("1.0.0", A),
        ("1.0.1", A),
        ("1.0.2", N),
        ("2.9.9", N),
        ("3.0.0", A),
        ("3.2.4", A),
        ("3.2.5", N),
        ("4.0.0", N),
    ],
)
def test_multiple_ranges(version: str, want: Status) -> None:
    events = [("introduced", "1.0.0"), ("fixed", "1.0.2"), ("introduced", "3.0.0"), ("fixed", "3.2.5")]
    assert judge("npm", [rng("SEMVER", *events)], version) is want
    # The schema sorts the events before walking them: their order in the file does not matter.
    assert judge("npm", [rng("SEMVER", *reversed(events))], version) is want


@pytest.mark.parametrize(("version", "want"), [("1.0.1", A), ("1.0.2", A), ("1.0.3", N)])
def test_last_affected_is_inclusive(version: str, want: Status) -> None:
    assert judge("npm", [rng("SEMVER", ("introduced", "0"), ("last_affected", "1.0.2"))], version) is want


@pytest.mark.parametrize(("version", "want"), [("0.9.0", N), ("1.0.0", A), ("1.9.9", A), ("2.0.0", N), ("2.5.0", N)])
def test_limit_caps_the_range(version: str, want: Status) -> None:
    assert judge("npm", [rng("SEMVER", ("introduced", "1.0.0"), ("limit", "2.0.0"))], version) is want


def test_limit_star_is_infinity_and_several_limits_widen() -> None:
    assert judge("npm", [rng("SEMVER", ("introduced", "1.0.0"), ("limit", "*"))], "99.0.0") is A
    two = rng("SEMVER", ("introduced", "1.0.0"), ("limit", "2.0.0"), ("limit", "3.0.0"))
    assert judge("npm", [two], "2.5.0") is A
    assert judge("npm", [two], "3.0.0") is N


def test_limit_does_not_reopen_a_fixed_range() -> None:
    r = rng("SEMVER", ("introduced", "1.0.0"), ("fixed", "1.5.0"), ("limit", "2.0.0"))
    assert [judge("npm", [r], v) for v in ("1.4.0", "1.5.0", "1.9.0")] == [A, N, N]


def test_versions_list_alone() -> None:
    assert judge("PyPI", [], "0.5", versions=("0.5",)) is A
    assert judge("PyPI", [], "0.6", versions=("0.5",)) is N


def test_a_version_in_the_list_or_a_range_is_affected() -> None:
    r = rng("ECOSYSTEM", ("introduced", "1.0"), ("fixed", "1.1"))
    assert judge("PyPI", [r], "0.5", versions=("0.5",)) is A
    assert judge("PyPI", [r], "1.0.5", versions=("0.5",)) is A
    assert judge("PyPI", [r], "1.1", versions=("0.5",)) is N


def test_via_and_first_fixed() -> None:
    r = rng("ECOSYSTEM", ("introduced", "2.2"), ("fixed", "2.2.18"), ("introduced", "3.0"), ("fixed", "3.0.12"))
    ev = evaluate("PyPI", [r], {"2.2.1"}, "3.0.5")
    assert (ev.status, ev.via, ev.first_fixed) == (A, "range", "3.0.12")
    ev = evaluate("PyPI", [], {"2.2.1"}, "2.2.1")
    assert (ev.status, ev.via, ev.first_fixed) == (A, "versions", None)
    ev = evaluate("PyPI", [r], {"2.2.1"}, "2.2.1")
    assert (ev.via, ev.first_fixed) == ("range", "2.2.18")


# -- GIT ranges hold commits, never versions -------------------------------------------------------------


def test_git_only_without_versions_is_unknown_not_safe() -> None:
    git = rng("GIT", ("introduced", SHA_A), ("fixed", SHA_B), repo="https://example.org/r.git")
    ev = evaluate("PyPI", [git], set(), "1.0")
    assert ev.status is U
    assert "GIT" in ev.reason


def test_git_range_with_versions_matches_the_list_only() -> None:
    git = rng("GIT", ("introduced", "0"), ("fixed", SHA_B), repo="https://example.org/r.git")
    assert judge("PyPI", [git], "1.2.3", versions=("1.2.3",)) is A
    assert judge("PyPI", [git], "1.2.4", versions=("1.2.3",)) is N
    # A commit hash asked as a version is not in the range: the range is never compared with versions.
    assert judge("PyPI", [git], SHA_A, versions=("1.2.3",)) is N
    assert judge("PyPI", [git], "0", versions=("1.2.3",)) is N


def test_git_beside_an_ecosystem_range() -> None:
    git = rng("GIT", ("introduced", SHA_A), ("fixed", SHA_B), repo="https://example.org/r.git")
    eco = rng("ECOSYSTEM", ("introduced", "0"), ("fixed", "2.0"))
    assert judge("PyPI", [git, eco], "1.0") is A
    assert judge("PyPI", [git, eco], "2.0") is N


def test_no_versions_no_ranges_is_unknown() -> None:
    assert judge("PyPI", [], "1.0") is U


# -- PEP 440 ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "want"),
    [
        ("0.9", A),
        ("1.0.dev0", A),  # dev and pre-releases sort before the release
        ("1.0a1", A),
        ("1.0rc1", A),
        ("1.0-RC1", A),  # non-normalised spelling of 1.0rc1
        ("0.9+local.1", A),
        ("1.0", N),
        ("1.0.0", N),  # 1.0.0 == 1.0 in PEP 440
        ("1.0+local", N),  # a local version sorts after its public one
        ("1.0.post1", N),
        ("1!0.1", N),  # epoch 1 sorts after every epoch-0 version
    ],
)
def test_pep440_ordering(version: str, want: Status) -> None:
    assert judge("PyPI", [rng("ECOSYSTEM", ("introduced", "0"), ("fixed", "1.0"))], version) is want


def test_pep440_epochs_in_bounds() -> None:
    r = rng("ECOSYSTEM", ("introduced", "0"), ("fixed", "1!1.0"))
    assert judge("PyPI", [r], "2024.1") is A
    assert judge("PyPI", [r], "1!1.0") is N


def test_non_normalised_strings_match_in_ranges_and_lists() -> None:
    r = rng("ECOSYSTEM", ("introduced", "0.12.01"), ("fixed", "0.12.03"))
    assert judge("PyPI", [r], "0.12.1") is A
    assert judge("PyPI", [r], "0.12.2") is A
    assert judge("PyPI", [r], "0.12.3") is N
    assert judge("PyPI", [], "0.12.1", versions=("0.12.01",)) is A
    assert judge("PyPI", [], "0.12.01", versions=("0.12.1",)) is A


@pytest.mark.parametrize("version", ["not-a-version", "1.0-n653", "", "1..0", "latest"])
def test_an_invalid_version_is_unknown_not_unaffected(version: str) -> None:
    ev = evaluate("PyPI", [rng("ECOSYSTEM", ("introduced", "0"), ("fixed", "1.0"))], set(), version)
    assert ev.status is U
    assert "PEP 440" in ev.reason


def test_an_invalid_version_listed_verbatim_is_still_affected() -> None:
    assert judge("PyPI", [rng("ECOSYSTEM", ("introduced", "5.0"))], "1.0-n653", versions=("1.0-n653",)) is A


def test_an_invalid_bound_is_unknown() -> None:
    # PyPA PYSEC-2021-371 (binderhub) has `fixed: 0.2.0-n653`, which is not PEP 440.
    ev = evaluate("PyPI", [rng("ECOSYSTEM", ("introduced", "0"), ("fixed", "0.2.0-n653"))], set(), "0.1.0")
    assert ev.status is U
    assert "0.2.0-n653" in ev.reason


def test_ties_close_before_they_open() -> None:
    # PyPA PYSEC-2022-42972 (apache-iotdb): [0.12.2, 0.13.0) and [0.13.0, 0.14.0rc1), written unsorted.
    r = rng(
        "ECOSYSTEM",
        ("introduced", "0.13.0"),
        ("fixed", "0.14.0rc1"),
        ("introduced", "0.12.2"),
        ("fixed", "0.13.0"),
    )
    assert [judge("PyPI", [r], v) for v in ("0.12.1", "0.12.2", "0.13.0", "0.13.5", "0.14.0rc1")] == [N, A, A, A, N]


# -- ecosystems and range types ---------------------------------------------------------------------------


def test_unknown_ecosystem_ranges_are_unknown_but_lists_match() -> None:
    r = rng("ECOSYSTEM", ("introduced", "0"), ("fixed", "2.0"))
    assert judge("Maven", [r], "1.0") is U
    assert judge("Maven", [r], "1.0", versions=("1.0",)) is A


def test_semver_range_in_pypi_uses_semver() -> None:
    r = rng("SEMVER", ("introduced", "1.0.0"), ("fixed", "1.2.0"))
    assert judge("PyPI", [r], "1.1.0") is A
    assert judge("PyPI", [r], "1.1") is U  # not SemVer


def test_npm_prereleases_and_v_prefix() -> None:
    r = rng("ECOSYSTEM", ("introduced", "0"), ("fixed", "1.0.0"))
    assert judge("npm", [r], "1.0.0-beta.2") is A
    assert judge("npm", [r], "v0.9.0") is A
    assert judge("npm", [r], "1.0.0+build.5") is N
    assert judge("npm", [r], "1.0") is U


# -- text ----------------------------------------------------------------------------------------------


def test_describe_range() -> None:
    r = rng("ECOSYSTEM", ("introduced", "3.0"), ("fixed", "3.0.12"), ("introduced", "2.2"), ("fixed", "2.2.18"))
    assert describe_range("PyPI", r) == ">=2.2, <2.2.18 || >=3.0, <3.0.12"
    assert describe_range("PyPI", rng("ECOSYSTEM", ("introduced", "0"))) == "all versions"
    assert describe_range("PyPI", rng("ECOSYSTEM", ("introduced", "0"), ("last_affected", "1.2"))) == "<=1.2"
    assert describe_range("npm", rng("SEMVER", ("introduced", "1.0.0"), ("limit", "2.0.0"))) == ">=1.0.0 (limit <2.0.0)"
    git = rng("GIT", ("introduced", SHA_A), repo="https://example.org/r.git")
    assert describe_range("PyPI", git).startswith("GIT introduced aaaaaaaaaaaa")
