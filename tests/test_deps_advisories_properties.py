"""Properties: PEP 440 evaluation agrees with packaging's specifiers; the SemVer comparator is a total order
that matches the specification; the record parser only ever accepts or rejects with a reason."""

from __future__ import annotations

import functools
import itertools
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from vouched.deps.advisories.osv import Event, MalformedRecord, Range, parse_record
from vouched.deps.advisories.ranges import Status, evaluate
from vouched.deps.advisories.versions import parse_semver, semver_key

# -- PEP 440 ----------------------------------------------------------------------------------------------

small = st.integers(min_value=0, max_value=4)


@st.composite
def pep440(draw: st.DrawFn, *, local: bool = False, messy: bool = False) -> str:
    """A PEP 440 version, sometimes spelt the non-normalised ways PEP 440 allows (when ``messy``)."""
    epoch = draw(st.sampled_from([0, 0, 0, 0, 1]))
    release = draw(st.lists(small, min_size=1, max_size=3))
    sep = draw(st.sampled_from(["", ".", "-", "_"])) if messy else ""
    text = f"{epoch}!" if epoch else ""
    if messy and draw(st.booleans()):
        text += ".".join(f"0{n}" if draw(st.booleans()) else str(n) for n in release)  # 0.12.01
    else:
        text += ".".join(map(str, release))
    pre = draw(st.sampled_from([None, "a", "b", "rc"]))
    if pre:
        spelt = {"a": ["a", "alpha"], "b": ["b", "beta"], "rc": ["rc", "c", "RC"]}[pre] if messy else [pre]
        text += f"{sep}{draw(st.sampled_from(spelt))}{draw(small)}"
    if draw(st.booleans()):
        text += f"{'-' if messy and draw(st.booleans()) else '.'}post{draw(small)}"
    if draw(st.booleans()):
        text += f".dev{draw(small)}"
    if local and draw(st.booleans()):
        text += f"+{draw(st.sampled_from(['ubuntu', 'local', 'abc']))}.{draw(small)}"
    return text


def _packaging_divergence(candidate: Version, fixed: Version) -> bool:
    """PEP 440's `<V` excludes pre-releases of V itself unless V is one; OSV's ordering does not."""
    return (
        not fixed.is_prerelease
        and candidate.is_prerelease
        and Version(candidate.base_version) == Version(fixed.base_version)
    )


def _affected(events: list[tuple[str, str]], candidate: str) -> Status:
    rng = Range("ECOSYSTEM", tuple(Event(k, v) for k, v in events))
    return evaluate("PyPI", [rng], set(), candidate).status


@settings(max_examples=250, deadline=None)
@given(pep440(), pep440(), pep440(local=True, messy=True), st.booleans())
def test_pep440_ranges_agree_with_packaging_specifiers(introduced: str, fixed: str, candidate: str, zero: bool) -> None:
    zero = zero or introduced == "0"  # `introduced: "0"` is OSV's "before every version", below 0.dev0 too
    lo, hi, cand = Version(introduced), Version(fixed), Version(candidate)
    assume(zero or lo < hi)
    assume(not _packaging_divergence(cand, hi))
    spec = SpecifierSet(f"<{hi}" if zero else f">={lo},<{hi}", prereleases=True)
    events = [("introduced", "0" if zero else introduced), ("fixed", fixed)]
    want = Status.AFFECTED if spec.contains(cand) else Status.NOT_AFFECTED
    assert _affected(events, candidate) is want
    assert _affected(list(reversed(events)), candidate) is want  # unsorted input, same answer


def _interval(lo: str, hi: str) -> SpecifierSet:
    return SpecifierSet(f"<{hi}" if lo == "0" else f">={lo},<{hi}", prereleases=True)


@settings(max_examples=150, deadline=None)
@given(st.lists(pep440(), min_size=4, max_size=4, unique=True), pep440(local=True, messy=True))
def test_pep440_two_ranges_agree_with_the_union_of_specifiers(bounds: list[str], candidate: str) -> None:
    a, b, c, d = sorted(bounds, key=Version)
    assume(len({Version(x) for x in bounds}) == 4)
    cand = Version(candidate)
    assume(not _packaging_divergence(cand, Version(b)) and not _packaging_divergence(cand, Version(d)))
    want = _interval(a, b).contains(cand) or _interval(c, d).contains(cand)
    events = [("introduced", c), ("fixed", d), ("introduced", a), ("fixed", b)]
    assert _affected(events, candidate) is (Status.AFFECTED if want else Status.NOT_AFFECTED)


@settings(max_examples=200, deadline=None)
@given(pep440(), pep440(local=True, messy=True))
def test_pep440_last_affected_agrees_with_less_equal(last: str, candidate: str) -> None:
    # PEP 440's `<=V` ignores local labels (1.0+ubuntu.1 matches <=1.0); PEP 440's ordering, which OSV uses,
    # puts 1.0+ubuntu.1 after 1.0, so `last_affected: 1.0` does not cover it, as on osv.dev.
    assume(Version(Version(candidate).public) != Version(last) or not Version(candidate).local)
    want = SpecifierSet(f"<={last}", prereleases=True).contains(Version(candidate))
    got = _affected([("introduced", "0"), ("last_affected", last)], candidate)
    assert got is (Status.AFFECTED if want else Status.NOT_AFFECTED)


@given(st.text(max_size=12))
def test_any_string_is_affected_not_affected_or_unknown_never_an_error(candidate: str) -> None:
    status = _affected([("introduced", "0"), ("fixed", "1.0")], candidate)
    valid = True
    try:
        Version(candidate)
    except ValueError:
        valid = False
    assert (status is Status.UNKNOWN) is (not valid)


# -- SemVer 2.0 -------------------------------------------------------------------------------------------

ident_num = st.integers(min_value=0, max_value=30).map(str)
ident_alnum = st.from_regex(r"[0-9A-Za-z-]*[A-Za-z-][0-9A-Za-z-]*", fullmatch=True).filter(lambda s: len(s) <= 6)


@st.composite
def semver(draw: st.DrawFn) -> str:
    core = ".".join(str(draw(st.integers(min_value=0, max_value=3))) for _ in range(3))
    pre = draw(st.lists(st.one_of(ident_num, ident_alnum, st.sampled_from(["alpha", "beta", "rc"])), max_size=3))
    build = draw(st.lists(st.from_regex(r"[0-9A-Za-z-]{1,4}", fullmatch=True), max_size=2))
    return core + ("-" + ".".join(pre) if pre else "") + ("+" + ".".join(build) if build else "")


def _reference_cmp(a: str, b: str) -> int:
    """SemVer 2.0.0 section 11, written as the specification reads, independently of the key."""
    pa, pb = parse_semver(a), parse_semver(b)
    assert pa is not None and pb is not None
    for x, y in ((pa.major, pb.major), (pa.minor, pb.minor), (pa.patch, pb.patch)):
        if x != y:
            return -1 if x < y else 1
    if not pa.prerelease or not pb.prerelease:
        return (not pa.prerelease) - (not pb.prerelease)  # a release is above its pre-releases
    for x, y in zip(pa.prerelease, pb.prerelease, strict=False):
        if x == y:
            continue
        if x.isdigit() and y.isdigit():
            return -1 if int(x) < int(y) else 1
        if x.isdigit() != y.isdigit():
            return -1 if x.isdigit() else 1  # numeric identifiers are lower than alphanumeric ones
        return -1 if x < y else 1  # ASCII order
    return (len(pa.prerelease) > len(pb.prerelease)) - (len(pa.prerelease) < len(pb.prerelease))


def _cmp(a: str, b: str) -> int:
    ka, kb = semver_key(a), semver_key(b)
    return (ka > kb) - (ka < kb)


@settings(max_examples=300)
@given(semver(), semver())
def test_semver_key_agrees_with_the_specification(a: str, b: str) -> None:
    assert _cmp(a, b) == _reference_cmp(a, b)
    assert _cmp(a, b) == -_cmp(b, a)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(semver(), min_size=3, max_size=8))
def test_semver_is_a_total_order(versions: list[str]) -> None:
    ordered = sorted(versions, key=semver_key)
    for x, y in itertools.pairwise(ordered):
        assert _cmp(x, y) <= 0
    for a in versions:
        for b in versions:
            for c in versions:
                if _cmp(a, b) <= 0 and _cmp(b, c) <= 0:
                    assert _cmp(a, c) <= 0
    assert sorted(versions, key=functools.cmp_to_key(_reference_cmp)) == sorted(
        ordered, key=functools.cmp_to_key(_reference_cmp)
    )


def test_semver_precedence_examples_from_the_specification() -> None:
    chain = [
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "2.0.0",
        "2.1.0",
        "2.1.1",
    ]
    assert sorted(chain[::-1], key=semver_key) == chain
    assert semver_key("1.0.0-alpha+001") == semver_key("1.0.0-alpha")  # build metadata is ignored
    assert semver_key("1.0.0+20130313144700") == semver_key("1.0.0+exp.sha.5114f85")


def test_semver_rejects_what_the_specification_rejects() -> None:
    for bad in ["1.0", "1", "01.0.0", "1.00.0", "1.0.0-01", "1.0.0-", "1.0.0+", "1.0.0-a..b", "v1.0.0", " 1.0.0"]:
        assert parse_semver(bad) is None, bad
    for good in ["0.0.0", "1.0.0-0A.is.legal", "1.0.0-x-y-z.--", "1.0.0+21AF26D3----117B344092BD"]:
        assert parse_semver(good) is not None, good


@given(semver())
def test_semver_round_trips(text: str) -> None:
    parsed = parse_semver(text)
    assert parsed is not None
    assert str(parsed) == text


# -- the record parser: accept, or reject with a reason ----------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)

VALID: dict[str, Any] = {
    "id": "PYSEC-0000-1",
    "modified": "2024-01-01T00:00:00Z",
    "aliases": ["CVE-0000-1"],
    "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
    "affected": [
        {
            "package": {"ecosystem": "PyPI", "name": "demo"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.0"}]}],
            "versions": ["0.9"],
        }
    ],
}

PATHS = [
    ("id",),
    ("modified",),
    ("aliases",),
    ("severity",),
    ("affected",),
    ("affected", 0),
    ("affected", 0, "package"),
    ("affected", 0, "package", "name"),
    ("affected", 0, "package", "ecosystem"),
    ("affected", 0, "ranges"),
    ("affected", 0, "ranges", 0, "type"),
    ("affected", 0, "ranges", 0, "events"),
    ("affected", 0, "ranges", 0, "events", 0),
    ("affected", 0, "ranges", 0, "events", 1, "fixed"),
    ("affected", 0, "versions"),
    ("affected", 0, "versions", 0),
    ("withdrawn",),
    ("published",),
]


@settings(max_examples=400)
@given(st.sampled_from(PATHS), json_values, st.text(max_size=10))
def test_a_mutated_record_is_accepted_or_rejected_with_a_reason(path: tuple[Any, ...], value: Any, v: str) -> None:
    record = json.loads(json.dumps(VALID))
    target = record
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    try:
        parsed = parse_record(record)
    except MalformedRecord as exc:
        problem: MalformedRecord | None = exc
    else:
        problem = None
    if problem is not None:
        assert problem.where.startswith("$")
        assert problem.reason
        return
    for affected in parsed.affected:
        evaluate(affected.ecosystem, affected.ranges, set(affected.versions), v)  # never raises


@given(json_values)
def test_arbitrary_json_is_accepted_or_rejected_with_a_reason(value: Any) -> None:
    try:
        parse_record(value)
    except MalformedRecord as exc:
        problem: MalformedRecord | None = exc
    else:
        problem = None
    assert problem is None or problem.reason


# -- never stricter than the OSV schema where it matters --------------------------------------------------

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "shared" / "data" / "schemas" / "osv-schema.json"


needs_schema = pytest.mark.skipif(not SCHEMA_FILE.is_file(), reason="the shared OSV JSON schema is not here")


@functools.cache
def osv_schema() -> Any:
    return jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))


@needs_schema
def test_the_fixture_record_is_valid_osv() -> None:
    osv_schema().validate(VALID)


# Values of the shapes the schema expects, so that many mutated records stay valid OSV.
_KEYS = ["introduced", "fixed", "last_affected", "limit", "type", "score", "name", "ecosystem", "package"]
plausible = st.one_of(
    json_values,
    st.sampled_from(["GIT", "SEMVER", "ECOSYSTEM", "PyPI", "npm", "0", "1.0", "", [], {}, [{}], None]),
    st.lists(st.text(max_size=5), max_size=3),
    st.lists(st.dictionaries(st.sampled_from(_KEYS), st.text(max_size=5), max_size=2), max_size=3),
)


@needs_schema
@settings(max_examples=300, suppress_health_check=[HealthCheck.filter_too_much])
@given(st.sampled_from(PATHS), plausible)
def test_a_record_the_schema_accepts_is_accepted(path: tuple[Any, ...], value: Any) -> None:
    record = json.loads(json.dumps(VALID))
    target = record
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    assume(osv_schema().is_valid(record))
    # Documented extra strictness: a package needs a non-empty name and ecosystem to be looked up by, an id
    # is a usable key (no whitespace), and timestamps are whole RFC 3339 date-times.
    assume(not (path[-1] in ("name", "ecosystem") and isinstance(value, str) and not value.strip()))
    assume(not (path == ("id",) and isinstance(value, str) and (not value or any(c.isspace() for c in value))))
    assume(path[-1] not in ("modified", "published", "withdrawn"))
    parse_record(record)
