"""Which published versions a range admits: node-semver ranges by hand-worked cases, PEP 440 by packaging."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.specifiers import SpecifierSet

from vouched.deps.admitted import admitted_versions, npm_range_admits

VERSIONS = ["0.0.3", "0.1.0", "0.1.5", "0.9.0", "1.0.0-beta.1", "1.0.0", "1.2.3", "1.2.4-rc.1", "1.2.9", "1.3.0",
            "2.0.0-alpha", "2.0.0", "2.1.0", "10.0.0"]  # fmt: skip


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("^1.2.3", ["1.2.3", "1.2.9", "1.3.0"]),
        ("^0.1.0", ["0.1.0", "0.1.5"]),
        ("^0.0.3", ["0.0.3"]),
        ("^0", ["0.0.3", "0.1.0", "0.1.5", "0.9.0"]),
        ("~1.2.3", ["1.2.3", "1.2.9"]),
        ("~1", ["1.0.0", "1.2.3", "1.2.9", "1.3.0"]),
        ("1.x", ["1.0.0", "1.2.3", "1.2.9", "1.3.0"]),
        ("1.2.*", ["1.2.3", "1.2.9"]),
        ("*", [v for v in VERSIONS if "-" not in v]),
        ("", [v for v in VERSIONS if "-" not in v]),
        (">=1.2.0 <2", ["1.2.3", "1.2.9", "1.3.0"]),
        (">= 1.2.0 < 2", ["1.2.3", "1.2.9", "1.3.0"]),
        ("1.0.0 - 1.2", ["1.0.0", "1.2.3", "1.2.9"]),
        ("<=1.2", ["0.0.3", "0.1.0", "0.1.5", "0.9.0", "1.0.0", "1.2.3", "1.2.9"]),
        (">1", ["2.0.0", "2.1.0", "10.0.0"]),
        ("2 || ^0.9", ["0.9.0", "2.0.0", "2.1.0"]),
        ("1.2.4-rc.1", ["1.2.4-rc.1"]),
        ("=v1.2.3", ["1.2.3"]),
        (">=1.2.4-rc.0 <1.3", ["1.2.4-rc.1", "1.2.9"]),
        ("^2.0.0-alpha", ["2.0.0-alpha", "2.0.0", "2.1.0"]),
        ("^11", []),
    ],
)
def test_npm_ranges(spec: str, expected: list[str]) -> None:
    assert list(npm_range_admits(spec, VERSIONS) or ()) == expected


@pytest.mark.parametrize(
    "spec", ["latest", "next", "git+https://github.com/a/b.git", "file:../x", "npm:foo@1", "1.2.3.4"]
)
def test_npm_specs_that_are_not_ranges(spec: str) -> None:
    assert npm_range_admits(spec, VERSIONS) is None


def test_pypi_uses_pep440() -> None:
    listed = ["1.0", "2.0", "2.5rc1", "2.9", "3.0", "not-a-version"]
    assert admitted_versions("PyPI", ">=2,<3", listed) == ("2.0", "2.9")
    assert admitted_versions("PyPI", "==2.5rc1", listed) == ("2.5rc1",)
    assert admitted_versions("PyPI", "", ["1.0", "2.0"]) == ("1.0", "2.0")
    assert admitted_versions("PyPI", ">=>2", listed) is None
    assert admitted_versions("Maven", "1", listed) is None


@settings(max_examples=150, deadline=None)
@given(st.tuples(st.integers(0, 4), st.integers(0, 4), st.integers(0, 4)), st.lists(
    st.tuples(st.integers(0, 5), st.integers(0, 5), st.integers(0, 5)), max_size=12))  # fmt: skip
def test_caret_and_tilde_by_definition(base: tuple[int, int, int], others: list[tuple[int, int, int]]) -> None:
    versions = [".".join(map(str, v)) for v in others]
    caret = set(npm_range_admits("^" + ".".join(map(str, base)), versions) or ())
    tilde = set(npm_range_admits("~" + ".".join(map(str, base)), versions) or ())
    for v, text in zip(others, versions, strict=True):
        at_least = v >= base
        if base[0] > 0:
            same = v[0] == base[0]
        elif base[1] > 0:
            same = v[:2] == base[:2]
        else:
            same = v == base
        assert (text in caret) == (at_least and same), (base, v)
        assert (text in tilde) == (at_least and v[:2] == base[:2]), (base, v)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from([">=1.0", "<2", "~=1.4", "==1.*", "!=1.5", ">1.0,<=3"]), st.lists(
    st.from_regex(r"[0-3]\.[0-9](\.[0-9])?(rc[0-9])?", fullmatch=True), max_size=10))  # fmt: skip
def test_pypi_agrees_with_packaging(spec: str, versions: list[str]) -> None:
    assert admitted_versions("PyPI", spec, versions) == tuple(SpecifierSet(spec).filter(versions))


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=30))
def test_npm_never_crashes(spec: str) -> None:
    npm_range_admits(spec, VERSIONS)
