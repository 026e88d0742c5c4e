"""npm ranges and PEP 440 specifiers: hand-worked cases from node-semver's documentation, and properties
that compare the parser with the definitions written out on version tuples."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vouched.deps.advisories.versions import parse_semver
from vouched.deps.ranges import RangeError, admitted_versions, parse_npm_range, pep440_admitted

# (range, version, admitted) straight from https://github.com/npm/node-semver#ranges
CASES = [
    ("^1.2.3", "1.2.3", True),
    ("^1.2.3", "1.9.9", True),
    ("^1.2.3", "2.0.0", False),
    ("^1.2.3", "1.2.2", False),
    ("^1.2.3", "1.3.0-beta", False),
    ("^1.2.3-beta.2", "1.2.3-beta.4", True),
    ("^1.2.3-beta.2", "1.2.4-beta.2", False),
    ("^0.2.3", "0.2.9", True),
    ("^0.2.3", "0.3.0", False),
    ("^0.0.3", "0.0.3", True),
    ("^0.0.3", "0.0.4", False),
    ("^0.0.x", "0.0.9", True),
    ("^0.0.x", "0.1.0", False),
    ("^0.x", "0.9.0", True),
    ("^0.x", "1.0.0", False),
    ("^1.x", "1.99.0", True),
    ("~1.2.3", "1.2.9", True),
    ("~1.2.3", "1.3.0", False),
    ("~1.2", "1.2.0", True),
    ("~1", "1.9.0", True),
    ("~1", "2.0.0", False),
    ("~0.2.3-beta.2", "0.2.3-beta.4", True),
    ("~0.2.3-beta.2", "0.2.4-beta.2", False),
    ("1.x", "1.0.0", True),
    ("1.2.*", "1.2.7", True),
    ("1.2.*", "1.3.0", False),
    ("*", "9.9.9", True),
    ("*", "1.0.0-rc.1", False),
    ("", "0.0.0", True),
    ("1.2.3 - 2.3.4", "2.3.4", True),
    ("1.2.3 - 2.3.4", "2.3.5", False),
    ("1.2 - 2.3.4", "1.2.0", True),
    ("1.2.3 - 2.3", "2.3.99", True),
    ("1.2.3 - 2", "2.99.0", True),
    ("1.2.3 - 2", "3.0.0", False),
    (">=1.2.7", "1.2.7", True),
    (">=1.2.7", "1.3.0-alpha", False),
    (">=1.2.7 <1.3.0", "1.2.8", True),
    (">=1.2.7 <1.3.0", "1.3.0", False),
    ("1.2.7 || >=1.2.9 <2.0.0", "1.2.8", False),
    ("1.2.7 || >=1.2.9 <2.0.0", "1.4.6", True),
    (">1", "2.0.0", True),
    (">1", "1.9.0", False),
    ("<1.2", "1.1.9", True),
    ("<1.2", "1.2.0-0", False),
    ("<=1.2", "1.2.9", True),
    ("> 1.0.0", "1.0.1", True),
    ("v1.2.3", "1.2.3", True),
    ("=1.2.3", "v1.2.3", True),
    (">1.2.3-alpha.3", "1.2.3-alpha.7", True),
    (">1.2.3-alpha.3", "3.4.5-alpha.9", False),
    (">1.2.3-alpha.3", "3.4.5", True),
]


@pytest.mark.parametrize(("text", "version", "admitted"), CASES)
def test_node_semver_documentation(text: str, version: str, admitted: bool) -> None:
    assert parse_npm_range(text).admits(version) is admitted


@pytest.mark.parametrize(
    "text",
    ["latest", "next", "git+https://github.com/a/b.git", "file:../lib", "npm:foo@^1", ">=", "1.2.3.4", "^", "~x y"],
)
def test_what_is_not_a_range_is_refused(text: str) -> None:
    with pytest.raises(RangeError):
        parse_npm_range(text)


def test_an_invalid_version_is_never_admitted() -> None:
    assert not parse_npm_range("*").admits("not-a-version")


def test_pep440_prerelease_rule_and_invalid_versions() -> None:
    published = ["0.9", "1.0", "1.5rc1", "1.9", "2.0", "junk"]
    assert pep440_admitted(">=1.0,<2", published) == ["1.0", "1.9"]
    assert pep440_admitted(">=1.5rc1,<2", published) == ["1.5rc1", "1.9"]
    assert pep440_admitted("", published) == ["0.9", "1.0", "1.9", "2.0"]
    with pytest.raises(RangeError):
        pep440_admitted(">>1", published)
    assert admitted_versions("PyPI", "~=1.0", published) == ["1.0", "1.9"]
    assert admitted_versions("npm", "^1.0.0", ["1.0.0", "2.0.0"]) == ["1.0.0"]


# -- properties against the definitions ------------------------------------------------------------

parts = st.integers(min_value=0, max_value=4)
releases = st.tuples(parts, parts, parts)
pre = st.sampled_from(["", "-0", "-alpha", "-alpha.1", "-beta.2", "-rc.1"])


def _v(t: tuple[int, int, int], p: str = "") -> str:
    return f"{t[0]}.{t[1]}.{t[2]}{p}"


@settings(max_examples=200)
@given(releases, releases)
def test_caret_is_the_left_most_non_zero_part_fixed(base: tuple[int, int, int], v: tuple[int, int, int]) -> None:
    if base[0] > 0:
        expected = base <= v < (base[0] + 1, 0, 0)
    elif base[1] > 0:
        expected = base <= v < (0, base[1] + 1, 0)
    else:
        expected = base <= v < (0, 0, base[2] + 1)
    assert parse_npm_range("^" + _v(base)).admits(_v(v)) is expected


@settings(max_examples=200)
@given(releases, releases)
def test_tilde_keeps_major_and_minor(base: tuple[int, int, int], v: tuple[int, int, int]) -> None:
    expected = base <= v < (base[0], base[1] + 1, 0)
    assert parse_npm_range("~" + _v(base)).admits(_v(v)) is expected


@settings(max_examples=200)
@given(releases, releases, releases)
def test_hyphen_is_inclusive_on_both_ends(
    low: tuple[int, int, int], high: tuple[int, int, int], v: tuple[int, int, int]
) -> None:
    rng = parse_npm_range(f"{_v(low)} - {_v(high)}")
    assert rng.admits(_v(v)) is (low <= v <= high)
    assert rng.admits(_v(v)) is parse_npm_range(f">={_v(low)} <={_v(high)}").admits(_v(v))


@settings(max_examples=200)
@given(st.sampled_from(["<", "<=", ">", ">=", "="]), releases, releases)
def test_comparators_order_releases(op: str, base: tuple[int, int, int], v: tuple[int, int, int]) -> None:
    expected = {"<": v < base, "<=": v <= base, ">": v > base, ">=": v >= base, "=": v == base}[op]
    assert parse_npm_range(f"{op}{_v(base)}").admits(_v(v)) is expected
    assert parse_npm_range(f"{op} {_v(base)}").admits(_v(v)) is expected


@settings(max_examples=200)
@given(st.integers(0, 4), st.one_of(st.none(), st.integers(0, 4)), releases)
def test_x_ranges_cover_their_release_line(major: int, minor: int | None, v: tuple[int, int, int]) -> None:
    text = f"{major}.x" if minor is None else f"{major}.{minor}.x"
    expected = v[0] == major and (minor is None or v[1] == minor)
    assert parse_npm_range(text).admits(_v(v)) is expected


@settings(max_examples=150)
@given(st.sampled_from(["^", "~", ">=", "<", ""]), releases, st.sampled_from(["^", "~", ">", "<="]), releases, releases)
def test_union_is_either(
    op1: str, a: tuple[int, int, int], op2: str, b: tuple[int, int, int], v: tuple[int, int, int]
) -> None:
    left, right = f"{op1}{_v(a)}", f"{op2}{_v(b)}"
    union = parse_npm_range(f"{left} || {right}")
    assert union.admits(_v(v)) is (parse_npm_range(left).admits(_v(v)) or parse_npm_range(right).admits(_v(v)))


@settings(max_examples=200)
@given(st.sampled_from(["^", "~", ">=", ">", "<", "<=", ""]), releases, pre, releases, pre)
def test_prereleases_only_on_the_named_release(
    op: str, base: tuple[int, int, int], bpre: str, v: tuple[int, int, int], vpre: str
) -> None:
    rng = parse_npm_range(f"{op}{_v(base, bpre)}")
    admitted = rng.admits(_v(v, vpre))
    if vpre and admitted:
        assert bpre and v == base  # a pre-release passes only where the range names one of the same release
    if vpre and bpre and v == base and op in (">=", ""):
        # the named release's own pre-releases are judged by SemVer precedence
        key_v, key_b = parse_semver(_v(v, vpre)).key, parse_semver(_v(base, bpre)).key  # type: ignore[union-attr]
        assert admitted is (key_v >= key_b if op == ">=" else key_v == key_b)


@settings(max_examples=200)
@given(st.text(max_size=30))
def test_any_text_parses_or_is_refused_cleanly(text: str) -> None:
    try:
        rng = parse_npm_range(text)
    except RangeError:
        return
    rng.admits("1.2.3")
    str(rng)
