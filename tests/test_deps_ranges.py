"""npm ranges and PEP 440 specifiers (:mod:`vouched.deps.ranges`, the one evaluator the audit and the registry
signals share): hand-worked cases from node-semver's documentation and behaviour, the pre-release rule,
refusals, and properties that compare the parser with the definitions written out on version tuples, with
node-semver's grammar, and with :mod:`packaging` for PEP 440.

The hand-worked cases of the retired second evaluator (``deps.admitted``) and of the property test that kept
the two agreeing live here too.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.specifiers import InvalidSpecifier, SpecifierSet

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
    # ``>1`` is ``>=2.0.0``: no pre-release of 2.0.0 is "greater than 1" (the two evaluators once disagreed here)
    (">1", "2.0.0-0", False),
    (">1.2", "1.3.0-0", False),
    (">1.2", "1.3.0", True),
    ("<=1.2", "1.3.0-0", False),
    # node-semver's strict grammar: a ``v`` or ``=`` prefix, spaces inside a hyphen range's ends
    ("v 1.2.3 - 2", "2.9.9", True),
    ("v 1.2.3 - 2", "1.2.2", False),
    (">==1.2.3", "1.2.3", True),
    ("1.2.x-beta", "1.2.0-beta", False),  # a pre-release after an x is dropped, as node-semver does
    ("1.x.3", "1.0.0", True),  # everything after a wildcard is a wildcard
    ("<*", "0.0.0", False),
    (">*", "1.0.0", False),
    ("<=*", "1.0.0", True),
    ("1.2.3 ||", "0.0.1", True),  # an empty alternative is ``*``
    ("1.2.3 - 2.0.0-rc.1", "2.0.0-rc.1", True),
    ("1.2.3 - 2.0.0-rc.1", "2.0.0-rc.2", False),
    # published versions are read as ``new SemVer(v)`` reads them: one optional lower-case ``v``, nothing else
    ("*", "V1.2.3", False),
    ("*", "=1.2.3", False),
    ("*", "9007199254740992.0.0", False),
    ("*", " 1.2.3 ", True),
]

# (range, what it admits of VERSIONS): whole published lists, in the order given
VERSIONS = ["0.0.3", "0.1.0", "0.1.5", "0.9.0", "1.0.0-beta.1", "1.0.0", "1.2.3", "1.2.4-rc.1", "1.2.9", "1.3.0",
            "2.0.0-alpha", "2.0.0", "2.1.0", "10.0.0"]  # fmt: skip
RELEASES = [v for v in VERSIONS if "-" not in v]
ADMITTED = [
    ("^1.2.3", ["1.2.3", "1.2.9", "1.3.0"]),
    ("^0.1.0", ["0.1.0", "0.1.5"]),
    ("^0.0.3", ["0.0.3"]),
    ("^0", ["0.0.3", "0.1.0", "0.1.5", "0.9.0"]),
    ("^0.0", ["0.0.3"]),
    ("~0", ["0.0.3", "0.1.0", "0.1.5", "0.9.0"]),
    ("~1.2.3", ["1.2.3", "1.2.9"]),
    ("~> 1.2", ["1.2.3", "1.2.9"]),
    ("^ 1.2", ["1.2.3", "1.2.9", "1.3.0"]),
    ("~1", ["1.0.0", "1.2.3", "1.2.9", "1.3.0"]),
    ("~1.2.3-beta.2", ["1.2.3", "1.2.9"]),
    ("1.x", ["1.0.0", "1.2.3", "1.2.9", "1.3.0"]),
    ("1.2.*", ["1.2.3", "1.2.9"]),
    ("*.1.2", RELEASES),
    ("x", RELEASES),
    ("*", RELEASES),
    ("", RELEASES),
    ("||", RELEASES),
    (">=1.2.0 <2", ["1.2.3", "1.2.9", "1.3.0"]),
    (">= 1.2.0 < 2", ["1.2.3", "1.2.9", "1.3.0"]),
    ("1.2.3\t<2", ["1.2.3"]),
    ("= v1", ["1.0.0", "1.2.3", "1.2.9", "1.3.0"]),
    ("1.0.0 - 1.2", ["1.0.0", "1.2.3", "1.2.9"]),
    ("<=1.2", ["0.0.3", "0.1.0", "0.1.5", "0.9.0", "1.0.0", "1.2.3", "1.2.9"]),
    ("<=v1.2.3", ["0.0.3", "0.1.0", "0.1.5", "0.9.0", "1.0.0", "1.2.3"]),
    (">1", ["2.0.0", "2.1.0", "10.0.0"]),
    (" >1 ", ["2.0.0", "2.1.0", "10.0.0"]),
    ("2 || ^0.9", ["0.9.0", "2.0.0", "2.1.0"]),
    ("1.2.4-rc.1", ["1.2.4-rc.1"]),
    ("1.0.0-beta.1", ["1.0.0-beta.1"]),
    ("1.2.3+build", ["1.2.3"]),
    ("=v1.2.3", ["1.2.3"]),
    (">=1.2.4-rc.0 <1.3", ["1.2.4-rc.1", "1.2.9"]),
    ("^2.0.0-alpha", ["2.0.0-alpha", "2.0.0", "2.1.0"]),
    ("^11", []),
]


@pytest.mark.parametrize(("text", "version", "admitted"), CASES)
def test_node_semver_documentation(text: str, version: str, admitted: bool) -> None:
    assert parse_npm_range(text).admits(version) is admitted


@pytest.mark.parametrize(("spec", "expected"), ADMITTED)
def test_published_versions_a_range_admits(spec: str, expected: list[str]) -> None:
    assert admitted_versions("npm", spec, VERSIONS) == expected


@pytest.mark.parametrize(
    "text",
    ["latest", "next", "git+https://github.com/a/b.git", "file:../lib", "npm:foo@^1", "npm:foo@1", ">=", "1.2.3.4",
     "^", "~x y", "=", "1.2.3 - ", "- 1.2", "1 - 2 - 3", "1.2.3-", "1.2.3-a..b", "1.2.3-01",
     # node-semver's strict grammar: no upper-case V, no leading zeros, build metadata only after a patch,
     # no space inside a version, numbers up to 2**53 - 1
     "V1.2.3", "01.2.3", "1.2+build", "v 1.2.3", "99999999999999999999", "1.2.9007199254740992", "x" * 1025],
)  # fmt: skip
def test_what_is_not_a_range_is_refused(text: str) -> None:
    with pytest.raises(RangeError):
        parse_npm_range(text)
    with pytest.raises(RangeError):
        admitted_versions("npm", text, VERSIONS)


def test_the_largest_safe_integer_is_a_version_part() -> None:
    assert parse_npm_range("1.2.9007199254740991").admits("1.2.9007199254740991")


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


def test_pypi_specifiers_and_unknown_ecosystems() -> None:
    listed = ["1.0", "2.0", "2.5rc1", "2.9", "3.0", "not-a-version"]
    assert admitted_versions("PyPI", ">=2,<3", listed) == ["2.0", "2.9"]
    assert admitted_versions("PyPI", "==2.5rc1", listed) == ["2.5rc1"]
    assert admitted_versions("PyPI", "", ["1.0", "2.0"]) == ["1.0", "2.0"]
    assert admitted_versions("PyPI", " >=2 , <3 ", listed) == ["2.0", "2.9"]
    assert admitted_versions("PyPI", "<2", ["1.0", "1.0.0", "2.0"]) == ["1.0", "1.0.0"]  # both spellings kept
    assert admitted_versions("PyPI", ">=3.1", ["3.2rc1"]) == ["3.2rc1"]  # only pre-releases: they count
    with pytest.raises(RangeError, match="PEP 440"):
        admitted_versions("PyPI", ">=>2", listed)
    with pytest.raises(RangeError, match="Maven"):  # never read with another ecosystem's rules
        admitted_versions("Maven", "1", listed)


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


# -- node-semver's grammar: everything it generates is a range ---------------------------------------

g_part = st.integers(0, 3).map(str)
g_wild = st.sampled_from(["x", "X", "*"])
g_pre = st.sampled_from(["", "-0", "-alpha", "-beta.1"])


@st.composite
def g_partial(draw: st.DrawFn) -> str:
    n = draw(st.integers(1, 3))
    parts = [draw(st.one_of(g_part, g_wild)) if i == n - 1 else draw(g_part) for i in range(n)]
    text = draw(st.sampled_from(["", "v", "="])) + ".".join(parts)
    if n == 3 and parts[2] not in ("x", "X", "*"):
        text += draw(g_pre) + draw(st.sampled_from(["", "+build.1"]))
    return text


@st.composite
def g_comparator_set(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        return f"{draw(g_partial())} - {draw(g_partial())}"
    ops = st.sampled_from(["", "=", "<", "<=", ">", ">=", "^", "~", "~>"])
    space = st.sampled_from(["", " "])
    return " ".join(f"{draw(ops)}{draw(space)}{draw(g_partial())}" for _ in range(draw(st.integers(1, 3))))


g_ranges = st.lists(g_comparator_set(), min_size=1, max_size=3).map(" || ".join)
g_versions = st.tuples(g_part, g_part, g_part, g_pre).map(lambda t: f"{t[0]}.{t[1]}.{t[2]}{t[3]}")


@settings(max_examples=150)
@given(g_ranges, st.lists(g_versions, min_size=1, max_size=6))
def test_the_grammar_parses_and_a_union_is_its_alternatives(spec: str, published: list[str]) -> None:
    rng = parse_npm_range(spec)  # never a RangeError: node-semver accepts all of these
    alternatives = [parse_npm_range(part) for part in spec.split("||")]
    for v in published:
        assert rng.admits(v) is any(a.admits(v) for a in alternatives), (spec, v)
    assert admitted_versions("npm", spec, published) == [v for v in published if rng.admits(v)]


# -- totality: any text is a range or a RangeError, never another exception --------------------------

range_like = st.text(alphabet="0123456789.xX*vV=<>^~|- +abrc\t", max_size=30)


@settings(max_examples=200)
@given(st.one_of(st.text(max_size=30), range_like))
def test_any_text_parses_or_is_refused_cleanly(text: str) -> None:
    try:
        rng = parse_npm_range(text)
    except RangeError:
        return
    rng.admits("1.2.3")
    rng.admits(text)
    str(rng)
    assert admitted_versions("npm", text, VERSIONS) == [v for v in VERSIONS if rng.admits(v)]


@settings(max_examples=150)
@given(st.one_of(st.text(max_size=20), st.text(alphabet="0123456789.,<>=!~*abrcpost ", max_size=20)))
def test_any_text_is_a_pep440_specifier_or_refused_cleanly(text: str) -> None:
    try:
        found = admitted_versions("PyPI", text, ["1.0", "2.0rc1", "junk"])
    except RangeError:
        with pytest.raises(InvalidSpecifier):
            SpecifierSet(text)
        return
    assert set(found) <= {"1.0", "2.0rc1"}


# -- PEP 440: packaging's answer, invalid versions left out -----------------------------------------

pep_version = st.from_regex(r"[0-3]\.[0-9](\.[0-9])?((a|b|rc)[0-9]|\.post1|\.dev0)?", fullmatch=True)
pep_clause = st.one_of(
    st.tuples(st.sampled_from(["==", "!=", ">=", "<=", ">", "<", "~=", "==="]), pep_version).map("".join),
    st.from_regex(r"(==|!=)[0-3](\.[0-9])?\.\*", fullmatch=True),
)


@settings(max_examples=150)
@given(st.lists(pep_clause, max_size=2).map(",".join), st.lists(pep_version, max_size=10))
def test_pypi_agrees_with_packaging(spec: str, versions: list[str]) -> None:
    try:
        expected = list(SpecifierSet(spec).filter(versions))
    except InvalidSpecifier:
        with pytest.raises(RangeError):
            admitted_versions("PyPI", spec, versions)
        return
    assert admitted_versions("PyPI", spec, versions) == expected
    assert admitted_versions("PyPI", spec, [*versions, "not-a-version"]) == expected
