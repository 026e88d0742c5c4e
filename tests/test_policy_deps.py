"""The policy's [deps] table and [tiers.deps] sub-tables: defaults, every mistake with its line, and
properties over generated values (a value is either taken as written or reported, never crashes)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vouched.demo import DEMO_POLICY
from vouched.errors import ConfigError
from vouched.policy import parse_policy
from vouched.policy.model import DEFAULT_DEPS_BLOCK, DEFAULT_DEPS_WARN, DEPS_SIGNALS, DepsPolicy, DepsRules

HEAD = 'version = 1\nlevels = ["junior", "senior"]\n\n[[tiers]]\nname = "green"\npaths = ["**"]\n'


def problems(text: str) -> list[ConfigError]:
    with pytest.raises(ConfigError) as info:
        parse_policy(text)
    return list(info.value.problems)


def test_existing_policies_keep_working_with_fail_closed_defaults() -> None:
    policy = parse_policy(DEMO_POLICY)
    assert policy.deps == DepsPolicy()
    assert policy.deps.max_db_age_days == 7
    for tier in policy.tiers:
        assert tier.deps == DepsRules()
        for signal in ("vulnerable", "nonexistent", "unknown"):
            assert tier.deps.action(signal) == "block"
        assert tier.deps.action("suspicious-new") == "warn"


def test_a_full_deps_table() -> None:
    text = HEAD + (
        '[tiers.deps]\nblock = ["vulnerable", "suspicious-new"]\n\n'
        "[deps]\nmax_db_age_days = 2\nnew_package_days = 14\n"
        'licence_allow = ["MIT", "Apache-2.0"]\nlicence_deny = ["AGPL-3.0-only"]\n'
        'allow_neighbours = ["requests-oauthlib"]\n\n'
        '[[deps.exceptions]]\npackage = "django"\necosystem = "PyPI"\nadvisory = "PYSEC-2021-9"\n'
        'signal = "vulnerable"\nreason = "admin is off"\nexpires = 2027-01-31\n'
    )
    policy = parse_policy(text)
    rules = policy.tiers[0].deps
    assert rules.block == ("vulnerable", "suspicious-new")
    assert rules.action("nonexistent") == "warn"  # block set, warn not: what is not blocked warns
    deps = policy.deps
    assert (deps.max_db_age_days, deps.new_package_days) == (2, 14)
    assert deps.licence_allow == ("MIT", "Apache-2.0") and deps.licence_deny == ("AGPL-3.0-only",)
    assert deps.allow_neighbours == ("requests-oauthlib",)
    (exc,) = deps.exceptions
    assert (exc.package, exc.ecosystem, exc.advisory, exc.signal) == ("django", "PyPI", "PYSEC-2021-9", "vulnerable")
    assert exc.expires == dt.date(2027, 1, 31) and exc.line == 17
    assert not exc.expired(dt.date(2027, 1, 31)) and exc.expired(dt.date(2027, 2, 1))


def test_every_mistake_is_reported_with_line_and_key() -> None:
    text = HEAD + (
        '[tiers.deps]\nblock = ["vulnerble"]\nwarn = "yanked"\nblok = 1\n\n'
        '[deps]\nmax_db_age_days = "7"\nlicence_deny = ["MIT license"]\ntyposquat_allow = []\n\n'
        '[[deps.exceptions]]\npackage = "x"\nexpires = "2026-01-01"\necosystem = "pypi"\n'
    )
    found = {(p.line, p.key): p for p in problems(text)}
    assert set(found) == {
        (8, "tiers[0].deps.block[0]"),
        (9, "tiers[0].deps.warn"),
        (10, "tiers[0].deps.blok"),
        (13, "deps.max_db_age_days"),
        (14, "deps.licence_deny[0]"),
        (15, "deps.typosquat_allow"),
        (17, "deps.exceptions[0].reason"),
        (19, "deps.exceptions[0].expires"),
        (20, "deps.exceptions[0].ecosystem"),
    }
    assert 'did you mean "vulnerable"' in (found[(8, "tiers[0].deps.block[0]")].hint or "")
    assert 'did you mean "block"' in (found[(10, "tiers[0].deps.blok")].hint or "")
    assert 'did you mean "PyPI"' in (found[(20, "deps.exceptions[0].ecosystem")].hint or "")
    assert "a TOML date" in (found[(19, "deps.exceptions[0].expires")].hint or "")


def test_a_signal_in_both_lists_and_a_licence_in_both_lists() -> None:
    tier = '[tiers.deps]\nblock = ["vulnerable"]\nwarn = ["vulnerable"]\n\n'
    text = HEAD + tier + '[deps]\nlicence_allow = ["MIT"]\nlicence_deny = ["mit"]\n'
    messages = [p.message for p in problems(text)]
    assert any("vulnerable is in both block and warn" in m for m in messages)
    assert any("mit is both allowed and denied" in m for m in messages)


def test_warn_alone_takes_a_signal_out_of_the_default_block_list() -> None:
    rules = parse_policy(HEAD + '[tiers.deps]\nwarn = ["typosquat"]\n').tiers[0].deps
    assert rules.action("typosquat") == "warn" and rules.action("vulnerable") == "block"
    assert rules.action("inactive") == "note"  # warn was set: only what it names warns


# -- properties ------------------------------------------------------------------------------------

toml_values = st.one_of(
    st.integers(-5, 400),
    st.booleans(),
    st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=8),
    st.lists(st.integers(0, 3), max_size=2),
)


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value)


@settings(max_examples=100)
@given(st.sampled_from(["max_db_age_days", "new_package_days"]), toml_values)
def test_day_counts_are_taken_or_reported(key: str, value: object) -> None:
    text = HEAD + f"[deps]\n{key} = {_toml(value)}\n"
    minimum = 1 if key == "max_db_age_days" else 0
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= minimum
    if ok:
        assert getattr(parse_policy(text).deps, key) == value
    else:
        (problem,) = problems(text)
        assert (problem.key, problem.line) == (f"deps.{key}", 8)


names = st.one_of(
    st.sampled_from(DEPS_SIGNALS), st.text(alphabet="abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=12)
)


@settings(max_examples=150)
@given(st.lists(names, max_size=5), st.one_of(st.none(), st.lists(names, max_size=5)))
def test_block_and_warn_lists(block: list[str], warn: list[str] | None) -> None:
    body = f"[tiers.deps]\nblock = {json.dumps(block)}\n" + ("" if warn is None else f"warn = {json.dumps(warn)}\n")
    valid = (
        all(n in DEPS_SIGNALS for n in block + (warn or []))
        and len(set(block)) == len(block)
        and (warn is None or len(set(warn)) == len(warn))
        and not set(block) & set(warn or [])
    )
    if not valid:
        assert all(p.key and p.key.startswith("tiers[0].deps") for p in problems(HEAD + body))
        return
    rules = parse_policy(HEAD + body).tiers[0].deps
    for signal in DEPS_SIGNALS:
        expected = (
            "block"
            if signal in block
            else "warn"
            if (signal in warn if warn is not None else signal in DEFAULT_DEPS_WARN + DEFAULT_DEPS_BLOCK)
            else "note"
        )
        assert rules.action(signal) == expected


@settings(max_examples=100)
@given(
    st.dictionaries(
        st.sampled_from(["package", "ecosystem", "advisory", "signal", "reason", "expires", "extra"]),
        st.one_of(
            toml_values,
            st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)),
            st.sampled_from(["PyPI", "npm", "vulnerable"]),
        ),
        max_size=7,
    )
)
def test_exceptions_are_taken_or_reported_never_crash(table: dict[str, object]) -> None:
    lines = [f"{k} = {v.isoformat() if isinstance(v, dt.date) else _toml(v)}" for k, v in table.items()]
    text = HEAD + "[[deps.exceptions]]\n" + "\n".join(lines) + "\n"
    complete = (
        isinstance(table.get("package"), str)
        and isinstance(table.get("reason"), str)
        and isinstance(table.get("expires"), dt.date)
    )
    if not complete:
        assert all(p.key and p.key.startswith("deps.exceptions") for p in problems(text))
        return
    try:
        policy = parse_policy(text)
    except ConfigError as err:  # a complete exception is refused only for a value the parser names
        keys = {p.key for p in err.problems}
        assert keys and all(k and k.startswith("deps.exceptions") for k in keys)
        return
    (exc,) = policy.deps.exceptions
    assert isinstance(table.get("package"), str) and isinstance(table.get("reason"), str)
    assert isinstance(table.get("expires"), dt.date) and exc.expires == table["expires"]
    assert "extra" not in table
