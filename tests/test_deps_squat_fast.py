"""The cold-start typosquat index (query-side edits, bulk forms, distance-2 pieces) against the full
deletion index it replaced (``_FullDeletionIndex``, the straightforward reference): same answers."""

from __future__ import annotations

import random
import re
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vouched.deps.popularity import PopularityList, load_popularity, normalise_for_popularity
from vouched.deps.registry.interface import Ecosystem
from vouched.deps.squat import (
    DISTANCE_2_TOP,
    LONG_NAME,
    SquatIndex,
    _FullDeletionIndex,
    load_allowlist,
)

ECOSYSTEMS: tuple[Ecosystem, ...] = ("PyPI", "npm")


def _query_side(idx: SquatIndex) -> SquatIndex:
    """Keep ``idx`` on the query side however many names it is asked about."""
    idx._query_side_limit = 10**9
    return idx


def _look_alikes(names: tuple[str, ...], count: int, seed: int) -> list[str]:
    """Typos (substitution, deletion, insertion, swap), homoglyphs, separator and affix games of popular
    names, and random names, drawn with a fixed seed."""
    rng = random.Random(seed)  # noqa: S311 (a reproducible draw, not a secret)
    letters = string.ascii_lowercase
    out: list[str] = []
    while len(out) < count:
        name = rng.choice(names[:3000])
        i = rng.randrange(max(1, len(name) - 1))
        op = rng.choice("sdiwhpax")
        if op == "s":
            name = name[:i] + rng.choice(letters) + name[i + 1 :]
        elif op == "d":
            name = name[:i] + name[i + 1 :]
        elif op == "i":
            name = name[:i] + rng.choice(letters) + name[i:]
        elif op == "w" and len(name) > 1:
            name = name[:i] + name[i + 1] + name[i] + name[i + 2 :]
        elif op == "h":
            name = name.replace("o", "0").replace("l", "1").replace("m", "rn").replace("a", "а")  # Cyrillic а
        elif op == "p":
            name = name.replace("-", "_") if "-" in name else name[:i] + "-" + name[i:]
        elif op == "a":
            name = rng.choice(["python-", "py", "node-", "js-", ""]) + name + rng.choice(["-py", "-js", "-lib", ""])
        else:
            name = "".join(rng.choice(letters) for _ in range(rng.randint(4, 16)))
        out.append(name)
    return out


@pytest.fixture(scope="module")
def references() -> dict[Ecosystem, SquatIndex]:
    return {eco: _FullDeletionIndex(load_popularity(eco), allowlist=load_allowlist()[eco]) for eco in ECOSYSTEMS}


@pytest.mark.parametrize("eco", ECOSYSTEMS)
def test_bulk_forms_match_the_per_name_functions(eco: Ecosystem, references: dict[Ecosystem, SquatIndex]) -> None:
    fast, ref = SquatIndex(load_popularity(eco)), references[eco]
    assert fast._skeleton == ref._skeleton
    assert fast._core == ref._core
    assert fast._by_plain == ref._by_plain
    assert fast._plain_of == ref._plain_of
    assert fast._deletes is None  # nothing built up front beyond the three maps


@pytest.mark.parametrize("eco", ECOSYSTEMS)
def test_query_side_answers_equal_the_full_index(eco: Ecosystem, references: dict[Ecosystem, SquatIndex]) -> None:
    """Every fifth name of the top list (the rest the benchmark checks: ``--equality``) and 600 look-alikes.
    ``SquatMatch`` equality covers target, kinds, distance, ranks, ratio and evidence."""
    pop = load_popularity(eco)
    fast = _query_side(SquatIndex(pop, allowlist=load_allowlist()[eco]))
    ref = references[eco]
    sample = list(pop.names[::5]) + _look_alikes(pop.names, 600, seed=4)
    got = [fast.check(n) for n in sample]
    want = [ref.check(n) for n in sample]
    assert fast._deletes is None  # answered from the query side throughout
    assert sum(1 for w in want if w) > 100  # the sample does reach squats of every kind
    assert {k for w in want for m in w for k in m.kinds} == {"separator", "homoglyph", "typo", "swap", "affix"}
    assert [(n, g) for n, g, w in zip(sample, got, want, strict=True) if g != w] == []


@pytest.mark.parametrize("eco", ECOSYSTEMS)
def test_query_side_equals_the_full_index_with_no_ratio_rule(eco: Ecosystem) -> None:
    """Ratio 0 and no allowlist: every candidate is verified, so nothing the ratio rule hides is missed."""
    pop = load_popularity(eco)
    fast = _query_side(SquatIndex(pop, ratio=0.0))
    ref = _FullDeletionIndex(pop, ratio=0.0)
    sample = list(pop.names[:200]) + list(pop.names[5000:5100]) + _look_alikes(pop.names, 200, seed=5)
    assert [(n, fast.check(n)) for n in sample] == [(n, ref.check(n)) for n in sample]


def test_many_queries_switch_to_the_full_index_with_the_same_answers() -> None:
    pop = load_popularity("PyPI")
    sample = _look_alikes(pop.names, 60, seed=6)
    switching = SquatIndex(pop)
    switching._query_side_limit = 10
    got = [switching.check(n) for n in sample]
    assert switching._deletes is not None
    assert got == [_query_side(SquatIndex(pop)).check(n) for n in sample]


_long_top = [n for n in load_popularity("PyPI").names[:DISTANCE_2_TOP] if len(n.replace("-", "")) >= LONG_NAME]


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(_long_top),
    st.lists(st.tuples(st.sampled_from("sdiw"), st.integers(0, 40), st.sampled_from("aeoxz-")), min_size=2, max_size=2),
)
def test_two_edits_of_a_long_top_name_are_found_as_by_the_full_index(
    name: str, edits: list[tuple[str, int, str]]
) -> None:
    """Distance-2 neighbours come from the pieces of the long top names: two edits anywhere (a swap
    straddling two pieces included) must give the reference's answer."""
    typo = name
    for op, at, ch in edits:
        i = at % max(1, len(typo) - 1)
        if op == "s":
            typo = typo[:i] + ch + typo[i + 1 :]
        elif op == "d":
            typo = typo[:i] + typo[i + 1 :]
        elif op == "i":
            typo = typo[:i] + ch + typo[i:]
        else:
            typo = typo[:i] + typo[i + 1 : i + 2] + typo[i : i + 1] + typo[i + 2 :]
    for ratio in (100.0, 0.0):
        assert _pypi_index("fast", ratio).check(typo) == _pypi_index("full", ratio).check(typo)


_INDEXES: dict[tuple[str, float], SquatIndex] = {}


def _pypi_index(kind: str, ratio: float) -> SquatIndex:
    """One PyPI index per (kind, ratio) for the whole module: the full one takes a second to build."""
    if (kind, ratio) not in _INDEXES:
        pop, allow = load_popularity("PyPI"), load_allowlist()["PyPI"] if ratio else frozenset()
        make = _FullDeletionIndex if kind == "full" else SquatIndex
        _INDEXES[kind, ratio] = _query_side(make(pop, allowlist=allow, ratio=ratio))
    return _INDEXES[kind, ratio]


_odd_names = st.text(
    alphabet=st.sampled_from([*"abcdeilmnorsvy01|-_./@ABRNV", "а", "р", "ο", "ﬁ", "ß", "\n", "İ"]),
    min_size=0,
    max_size=14,
)


@settings(max_examples=80, deadline=None)
@given(st.lists(_odd_names, min_size=1, max_size=40, unique=True), st.sampled_from(ECOSYSTEMS), st.lists(_odd_names))
def test_bulk_forms_and_answers_hold_for_any_list(names: list[str], eco: Ecosystem, queries: list[str]) -> None:
    """A list built by hand (names not normalised, non-ASCII, upper case, newlines) takes the slow path
    per name where it must: the maps and the answers are the reference's."""
    pop = PopularityList(eco, "test", tuple(names), {n: i + 1 for i, n in enumerate(names)}, {})
    fast, ref = _query_side(SquatIndex(pop, ratio=0.0)), _FullDeletionIndex(pop, ratio=0.0)
    assert (fast._skeleton, fast._core, fast._by_plain) == (ref._skeleton, ref._core, ref._by_plain)
    for q in [*queries, *names[:5]]:
        assert fast.check(q) == ref.check(q)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from([*"aAbZ09-_.", "İ", "ß", "К"]), max_size=16))
def test_pypi_normal_form_is_pep_503(name: str) -> None:
    """The early return for names with no separator run to fold gives PEP 503's answer like the loop."""
    assert normalise_for_popularity("PyPI", name) == re.sub(r"[-_.]+", "-", name.lower())
