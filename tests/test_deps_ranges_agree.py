"""Two npm range evaluators ship today: the gate's (``vouched.deps.ranges``, used for advisories) and the
registry signals' (``vouched.deps.admitted``, used for yanked/deprecated). Until one replaces the other
they must agree, or an advisory and a yank would be judged over different versions: generated ranges
from node-semver's grammar, generated versions, the same answer."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from vouched.deps.admitted import npm_range_admits
from vouched.deps.ranges import parse_npm_range

part = st.integers(0, 3).map(str)
wild = st.sampled_from(["x", "*"])
pre = st.sampled_from(["", "-0", "-alpha", "-beta.1"])


@st.composite
def partial(draw: st.DrawFn) -> str:
    n = draw(st.integers(1, 3))
    parts = [draw(st.one_of(part, wild)) if i == n - 1 else draw(part) for i in range(n)]
    text = ".".join(parts)
    if n == 3 and parts[2] not in ("x", "*"):
        text += draw(pre)
    return text


@st.composite
def comparator_set(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        return f"{draw(partial())} - {draw(partial())}"
    ops = st.sampled_from(["", "=", "<", "<=", ">", ">=", "^", "~"])
    return " ".join(f"{draw(ops)}{draw(partial())}" for _ in range(draw(st.integers(1, 2))))


ranges = st.lists(comparator_set(), min_size=1, max_size=2).map(" || ".join)
versions = st.tuples(part, part, part, pre).map(lambda t: f"{t[0]}.{t[1]}.{t[2]}{t[3]}")


@settings(max_examples=150)
@given(ranges, st.lists(versions, min_size=1, max_size=6))
def test_both_evaluators_admit_the_same_versions(spec: str, published: list[str]) -> None:
    ours = [v for v in published if parse_npm_range(spec).admits(v)]
    theirs = npm_range_admits(spec, published)
    assert theirs is not None
    assert ours == list(theirs), spec


def test_greater_than_a_partial_version_excludes_the_next_releases_prereleases() -> None:
    # node-semver's `>1` is `>=2.0.0`: no pre-release of 2.0.0 is "greater than 1" (the two once disagreed here)
    assert not parse_npm_range(">1").admits("2.0.0-0")
    assert npm_range_admits(">1", ["2.0.0-0", "2.0.0"]) == ("2.0.0",)
