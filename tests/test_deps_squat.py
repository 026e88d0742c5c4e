"""Typosquat detection against the shipped popular lists: true positives, true negatives, properties."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vouched.deps.popularity import load_popularity, parse_popularity
from vouched.deps.squat import (
    SquatIndex,
    check_squat,
    default_index,
    load_allowlist,
    normalise,
    osa_distance,
    skeleton,
)
from vouched.errors import InputError


@pytest.mark.parametrize(
    ("name", "target", "kind"),
    [
        ("reqeusts", "requests", "swap"),
        ("python-dateutils", "python-dateutil", "typo"),
        ("colourama", "colorama", "typo"),
        ("urllib-3", "urllib3", "separator"),
        ("URLLib_3", "urllib3", "separator"),
        ("djang0", "django", "homoglyph"),
        ("rnatplotlib", "matplotlib", "homoglyph"),
        ("requests-python", "requests", "affix"),
        ("py-requests", "requests", "affix"),
        ("dateutil", "python-dateutil", "affix"),
        ("beatifulsoup4", "beautifulsoup4", "typo"),
        ("scikit-leran", "scikit-learn", "swap"),
        ("tensorfow", "tensorflow", "typo"),
        ("sqlalchemyy", "sqlalchemy", "typo"),
        ("reqests", "requests", "typo"),
        ("nunpy", "numpy", "typo"),
        ("раndas", "pandas", "homoglyph"),  # Cyrillic 'р' and 'а'
    ],
)
def test_pypi_true_positives(name: str, target: str, kind: str) -> None:
    matches = check_squat("PyPI", name)
    hit = next((m for m in matches if m.target == target), None)
    assert hit is not None, [m.target for m in matches]
    assert kind in hit.kinds
    assert hit.name_rank is None and hit.ratio is None
    assert any("not in the top" in e for e in hit.evidence)
    assert any(f"'{target}' is #" in e for e in hit.evidence)


@pytest.mark.parametrize(
    ("name", "target"),
    [
        ("lodahs", "lodash"),
        ("expres", "express"),
        ("@types/nodee", "@types/node"),
        ("crossenv", "cross-env"),
        ("reactt", "react"),
        ("node-lodash", "lodash"),
        ("lodash-js", "lodash"),
        ("@typescript-eslint/parserr", "@typescript-eslint/parser"),
    ],
)
def test_npm_true_positives(name: str, target: str) -> None:
    matches = check_squat("npm", name)
    assert target in [m.target for m in matches]
    hit = next(m for m in matches if m.target == target)
    assert any("downloads a month" in e for e in hit.evidence)


@pytest.mark.parametrize(
    ("ecosystem", "name"),
    [
        ("PyPI", "requests"),
        ("PyPI", "Requests"),
        ("PyPI", "python_dateutil"),
        ("PyPI", "boto"),  # allowlisted: boto and boto3
        ("PyPI", "pyaml"),  # allowlisted: pyaml and pyyaml
        ("PyPI", "grequests"),
        ("PyPI", "urllib3"),
        ("PyPI", "numpy"),
        ("PyPI", "scipy"),
        ("PyPI", "six"),  # too short for edits
        ("PyPI", "a-wholly-different-and-long-name"),
        ("npm", "node-uuid"),  # allowlisted: uuid's former name
        ("npm", "ansi-styles"),
        ("npm", "@types/babel__core"),
        ("npm", "@types/babel-core"),
    ],
)
def test_true_negatives(ecosystem: str, name: str) -> None:
    assert check_squat(ecosystem, name) == ()  # type: ignore[arg-type]


def test_popular_pairs_pass_by_the_ratio_rule() -> None:
    """Popular names one edit apart are common; the ratio rule alone passes nearly all of them."""
    pop = load_popularity("PyPI")
    idx = SquatIndex(pop, allowlist=())  # no allowlist: the ratio alone
    # attrs (#27) and attr (#6760) are 250x apart: flagged without the allowlist...
    assert [m.target for m in idx.check("attr")] == ["attrs"]
    # ...but requests-oauthlib and requests-oauth, or six and sit, comparable in popularity, are not
    top = pop.names[:3000]
    flagged = [n for n in top if idx.check(n)]
    assert len(flagged) < 0.005 * len(top), flagged


def test_allowlist_silences_every_flag_over_the_top_lists() -> None:
    for eco in ("PyPI", "npm"):
        idx = default_index(eco)  # type: ignore[arg-type]
        assert [n for n in idx.popularity.names if idx.check(n)] == []


def test_policy_allowlist_hook() -> None:
    assert check_squat("PyPI", "reqeusts")
    assert check_squat("PyPI", "reqeusts", allow=[("requests", "REQEUSTS")]) == ()
    assert check_squat("PyPI", "reqeusts", trusted=["Reqeusts"]) == ()


def test_ratio_threshold_applies_between_listed_names() -> None:
    pop = parse_popularity("npm", "1\tlodash\t1000000\n2\tlodahs\t50000\n3\tloadsh\t100\n", "inline")
    idx = SquatIndex(pop, ratio=100)
    assert idx.check("lodahs") == ()  # 20x less popular: a neighbour, not a squat
    (m,) = idx.check("loadsh")
    assert m.target == "lodash" and m.ratio == pytest.approx(10000)
    assert idx.check("lodash") == ()


def test_shipped_allowlist_parses_and_documents_every_pair() -> None:
    pairs = load_allowlist()
    assert len(pairs["PyPI"]) >= 20 and len(pairs["npm"]) >= 20
    assert all(len(p) == 2 for eco in pairs.values() for p in eco)


def test_bad_allowlist_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "allow.tsv"
    path.write_text("# ok\nPyPI\trequests\treqeusts\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"allow.tsv:2"):
        load_allowlist(path)
    path.write_text("Maven\ta\tb\twhy\n", encoding="utf-8")
    with pytest.raises(InputError):
        load_allowlist(path)


def test_osa_distance_known_values() -> None:
    assert osa_distance("requests", "reqeusts") == 1
    assert osa_distance("ca", "abc") == 3  # OSA, not full Damerau
    assert osa_distance("kitten", "sitting") == 3
    assert osa_distance("kitten", "sitting", limit=1) == 2
    assert osa_distance("", "abc") == 3


def test_skeleton_folds() -> None:
    assert skeleton("PyPI", "Py_YAML") == "pyyaml"
    assert skeleton("PyPI", "rn-at") == skeleton("PyPI", "mat")
    assert skeleton("npm", "@Types/Node") == "@types/node"
    assert normalise("PyPI", "A.B__c") == "a-b-c"


# ---- properties -----------------------------------------------------------------------------------------

_names = st.text(min_size=0, max_size=40)
_pypi_like = st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9._-]{0,30}[A-Za-z0-9])?", fullmatch=True)


@settings(max_examples=150, deadline=None)
@given(_pypi_like)
def test_normalise_is_idempotent(name: str) -> None:
    once = normalise("PyPI", name)
    assert normalise("PyPI", once) == once
    assert skeleton("PyPI", skeleton("PyPI", name)) == skeleton("PyPI", name)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(load_popularity("PyPI").names))
def test_never_flags_a_name_against_itself(name: str) -> None:
    for m in check_squat("PyPI", name):
        assert m.target != normalise("PyPI", name)


@settings(max_examples=150, deadline=None)
@given(_names, st.sampled_from(["PyPI", "npm"]))
def test_never_crashes_on_arbitrary_unicode(name: str, ecosystem: str) -> None:
    for m in check_squat(ecosystem, name):  # type: ignore[arg-type]
        assert m.target != m.name
        assert m.evidence


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="abcdefgh", max_size=9), st.text(alphabet="abcdefgh", max_size=9))
def test_osa_distance_is_a_symmetric_bounded_measure(a: str, b: str) -> None:
    d = osa_distance(a, b)
    assert d == osa_distance(b, a)
    assert (d == 0) == (a == b)
    assert abs(len(a) - len(b)) <= d <= max(len(a), len(b))
    assert osa_distance(a, b, limit=1) == min(d, 2)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(load_popularity("PyPI").names[:500]), st.data())
def test_one_typo_of_a_top_name_is_found(name: str, data: st.DataObject) -> None:
    """Any single-character substitution of a top-500 name of 6+ letters that is not itself popular
    is reported as a squat of it (the index finds it without scanning the list)."""
    sk = name.replace("-", "")
    if len(sk) < 6 or not sk.isalpha():
        return
    i = data.draw(st.integers(0, len(name) - 1))
    if name[i] == "-":
        return
    ch = data.draw(st.sampled_from("qxzjk"))
    typo = name[:i] + ch + name[i + 1 :]
    if typo == name or typo in load_popularity("PyPI"):
        return
    assert name in [m.target for m in check_squat("PyPI", typo)]


@pytest.mark.parametrize("name", ["requests-lib", "lib-requests", "official-requests", "requests-official"])
def test_affix_words_that_fold_like_look_alikes_still_count(name: str) -> None:
    """`lib` and `official` hold an `i`, which look-alike folding turns into `l`: the words are folded too."""
    assert [(m.target, m.kinds) for m in check_squat("PyPI", name)] == [("requests", ("affix",))]
