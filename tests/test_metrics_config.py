"""The [metrics] table of the policy: defaults, values, and mistakes reported the strict way."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vouched.errors import ConfigError
from vouched.policy import parse_policy
from vouched.policy.model import MetricsConfig

BASE = 'version = 1\nlevels = ["junior", "senior"]\n\n[[tiers]]\nname = "green"\npaths = ["**"]\n'


def test_a_policy_without_metrics_gets_the_defaults() -> None:
    assert parse_policy(BASE).metrics == MetricsConfig()


def test_every_key() -> None:
    policy = parse_policy(
        BASE
        + "\n[metrics]\n"
        + "fix_patterns = ['^\\[bug\\]']\n"
        + 'fix_trailers = ["Fixes", "Bug"]\n'
        + "issue_key_pattern = '\\bOPS-[0-9]+\\b'\n"
        + "tag_pattern = '^release-(?P<version>.+)$'\n"
        + 'version_scheme = "semver"\n'
        + 'bug_labels = ["kind/bug"]\n'
        + 'customer_labels = ["from-support"]\n'
        + "min_events = 5\n"
        + '\n[metrics.severity]\n"S-Red" = "critical"\nminor = "medium"\n'
    )
    m = policy.metrics
    assert m.fix_patterns == (r"^\[bug\]",)
    assert m.fix_trailers == ("Fixes", "Bug")
    assert m.issue_key_pattern == r"\bOPS-[0-9]+\b"
    assert m.tag_pattern == "^release-(?P<version>.+)$"
    assert m.version_scheme == "semver"
    assert m.bug_labels == ("kind/bug",) and m.customer_labels == ("from-support",)
    assert m.min_events == 5
    assert m.severity_map()["s-red"] == "critical" and m.severity_map()["minor"] == "medium"


@pytest.mark.parametrize(
    ("table", "line", "key", "message"),
    [
        ("fix_patterns = ['(']", 9, "metrics.fix_patterns[0]", "not a valid regex"),
        ("fix_patterns = '^fix'", 9, "metrics.fix_patterns", "must be a list of strings"),
        ('fix_trailers = ["Fixes:"]', 9, "metrics.fix_trailers[0]", "is not a trailer key"),
        ("tag_pattern = '[v'", 9, "metrics.tag_pattern", "not a valid regex"),
        ('version_scheme = "calver"', 9, "metrics.version_scheme", 'unknown version scheme "calver"'),
        ("min_events = 0", 9, "metrics.min_events", "must be 1 or more"),
        ('min_events = "5"', 9, "metrics.min_events", "must be a whole number"),
        ("bug_labels = [1]", 9, "metrics.bug_labels[0]", "must be a string"),
        ('tag_paterns = "x"', 9, "metrics.tag_paterns", 'unknown key "tag_paterns"'),
        ('severity = "P1"', 9, "metrics.severity", "must be a table"),
        ('[metrics.severity]\nP1 = "urgent"', 10, "metrics.severity.P1", 'unknown severity "urgent"'),
    ],
)
def test_mistakes_name_file_line_and_key(table: str, line: int, key: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_policy(BASE + "\n[metrics]\n" + table + "\n")
    err = info.value
    assert (err.file, err.line, err.key) == (".vouched/policy.toml", line, key)
    assert message in err.message


def test_a_misspelled_key_suggests_the_right_one() -> None:
    with pytest.raises(ConfigError) as info:
        parse_policy(BASE + '\n[metrics]\ntag_paterns = "x"\n')
    assert info.value.hint is not None and 'did you mean "tag_pattern"' in info.value.hint


def test_metrics_must_be_a_table() -> None:
    with pytest.raises(ConfigError, match="must be a table"):
        parse_policy("metrics = 3\n" + BASE)


def test_policies_written_before_metrics_stay_valid() -> None:
    from vouched.policy.starter import starter

    policy = parse_policy(starter(["src/app.py", "src/auth/login.py", "README.md"]).policy)
    assert policy.metrics == MetricsConfig()


_KEYS = (
    "fix_patterns",
    "fix_trailers",
    "issue_key_pattern",
    "tag_pattern",
    "version_scheme",
    "bug_labels",
    "customer_labels",
    "severity",
    "min_events",
)
_VALUES = st.one_of(
    st.integers(-3, 30),
    st.booleans(),
    st.text(max_size=12),
    st.sampled_from(["pep440", "semver", "(", "^fix:", "critical", "P1", "[v"]),
    st.lists(st.one_of(st.text(max_size=8), st.integers(0, 3), st.sampled_from(["(", "Fixes", "bug"])), max_size=3),
    st.dictionaries(st.sampled_from(["P1", "sev", "x"]), st.sampled_from(["critical", "low", "urgent", 3]), max_size=2),
)


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_toml(k)} = {_toml(v)}" for k, v in value.items()) + " }"
    # ints, and strings: JSON's escapes are TOML basic-string escapes (DEL must be escaped in TOML too)
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


@settings(max_examples=150, deadline=None)
@given(table=st.dictionaries(st.sampled_from([*_KEYS, "tag_paterns"]), _VALUES, max_size=4))
def test_fuzz_metrics_table(table: dict[str, object]) -> None:
    """Whatever the [metrics] table holds: a config, or errors that each name the file, a line and a key."""
    text = BASE + "\n[metrics]\n" + "".join(f"{k} = {_toml(v)}\n" for k, v in table.items())
    try:
        metrics = parse_policy(text).metrics
    except ConfigError as exc:
        for problem in exc.problems:
            assert problem.file == ".vouched/policy.toml" and problem.line is not None and problem.line >= 8
            assert problem.key is not None and problem.key.startswith("metrics")
    else:
        assert metrics.min_events >= 1 and metrics.version_scheme in ("pep440", "semver")
