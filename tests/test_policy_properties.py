"""Property tests: parsing fails only with ConfigError, listing every problem in line order; valid policies
round-trip; independent mistakes are all reported; starters parse."""

from __future__ import annotations

import json
import string
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from test_policy import ALICE_KEY, PEOPLE, POLICY, line_of
from vouched.errors import ConfigError, ConfigErrors
from vouched.policy import STAGES, Policy, parse_people, parse_policy, starter
from vouched.policy._locate import Locator
from vouched.policy.model import compile_path_pattern

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BASE_POLICY = parse_policy(POLICY)


def _only_config_errors(fn: Any, *args: Any) -> None:
    caught: ConfigError | None = None
    try:
        fn(*args)
    except ConfigError as err:
        caught = err
    if caught is not None:
        problems = caught.problems
        assert problems and all(type(p) is ConfigError for p in problems)  # flat: no nesting
        assert (len(problems) == 1) == (type(caught) is ConfigError)
        assert problems[0] is caught or isinstance(caught, ConfigErrors)
        for problem in problems:
            assert problem.file == caught.file  # one file at a time
            assert problem.line is None or problem.line >= 1
            assert problem.hint
        lines = [p.line or 0 for p in problems]
        assert lines == sorted(lines)
        text = caught.diagnostics()
        text.encode("utf-8")  # printable
        assert text.count("error: ") >= len(problems)
        if len(problems) > 1:
            assert text.endswith(f"\n{len(problems)} problems in {caught.file}")


# -- arbitrary input ------------------------------------------------------------------------------------


@SETTINGS
@given(st.text())
def test_arbitrary_text_policy(text: str) -> None:
    _only_config_errors(parse_policy, text)


@SETTINGS
@given(st.binary())
def test_arbitrary_bytes_policy(raw: bytes) -> None:
    _only_config_errors(parse_policy, raw)


@SETTINGS
@given(st.text())
def test_arbitrary_text_people(text: str) -> None:
    _only_config_errors(parse_people, text, BASE_POLICY)


@SETTINGS
@given(st.binary())
def test_arbitrary_bytes_people(raw: bytes) -> None:
    _only_config_errors(parse_people, raw, BASE_POLICY)


def _mutations(base: str) -> st.SearchStrategy[str]:
    """The base file with a few characters deleted, replaced or inserted: near-valid input."""
    alphabet = st.sampled_from([*string.printable, '"', "'", "=", "\n", "é", "[", "]"])

    @st.composite
    def mutate(draw: st.DrawFn) -> str:
        text = base
        for _ in range(draw(st.integers(1, 4))):
            i = draw(st.integers(0, len(text)))
            j = min(len(text), i + draw(st.integers(0, 8)))
            text = text[:i] + draw(st.text(alphabet, max_size=3).map("".join)) + text[j:]
        return text

    return mutate()


@SETTINGS
@given(_mutations(POLICY))
def test_mutated_policy(text: str) -> None:
    _only_config_errors(parse_policy, text)


@SETTINGS
@given(_mutations(PEOPLE))
def test_mutated_people(text: str) -> None:
    _only_config_errors(parse_people, text, BASE_POLICY)


@SETTINGS
@given(st.text())
def test_locator_never_raises(text: str) -> None:
    Locator(text).line(["a", 0, "b"])


# -- independent mistakes are all reported -------------------------------------------------------------------

# Each replacement makes exactly one mistake on its own line, unrelated to the others: (old, new, key).
_POLICY_MISTAKES = [
    ('paths = ["**"]', 'paths = ["[z-a]"]', "tiers[0].paths[0]"),
    ('approver_min_level = "junior"', 'approver_min_levl = "junior"', "tiers[0].approver_min_levl"),
    ('ai_min_level = "mid"', 'ai_min_level = "middle"', "tiers[1].ai_min_level"),
    ("require_rationale = true\n\n[[tiers]]", "require_rationale = 1\n\n[[tiers]]", "tiers[1].require_rationale"),
    ("(hashlib|", "(hashlib|(", "tiers[2].content[0]"),
    ("ai_allowed = true", 'ai_allowed = "true"', "tiers[2].ai_allowed"),
    ("approvals = 2", "approvals = -2", "tiers[2].approvals"),
    ('"design", "implementation"', '"design", "implementaton"', "tiers[2].stages[2]"),
    ('level = "none"', 'level = "nobody"', "unknown_authors.level"),
]
_PEOPLE_MISTAKES = [
    ('level = "senior"', 'level = "seniour"', "people.alice.level"),
    (f"{ALICE_KEY} alice@laptop", "ssh-rsa AAAAB3NzaC1yc2E", "people.alice.keys[0]"),
    ('name = "Bob Baker"', 'nmae = "Bob Baker"', "people.bob.nmae"),
    ('emails = ["bob@bank.example"]', 'emails = ["alice@bank.example"]', "people.bob.emails[0]"),
    ('github = "bob-b"', 'github = "@bob-b"', "people.bob.github"),
    ('emails = ["carol@bank.example"]', 'emails = ["carol at bank"]', "people.carol.emails[0]"),
]


def _apply(base: str, mistakes: list[tuple[str, str, str]]) -> tuple[str, list[tuple[int, str]]]:
    text = base
    for old, new, _ in mistakes:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    want = sorted((line_of(text, new.split("\n")[0]), key) for _, new, key in mistakes)
    return text, want


def _reported(fn: Any, *args: Any) -> list[tuple[int, str]]:
    try:
        fn(*args)
    except ConfigError as err:
        return [(p.line or 0, p.key or "") for p in err.problems]
    return []


@SETTINGS
@given(st.lists(st.sampled_from(_POLICY_MISTAKES), unique=True))
def test_independent_policy_mistakes_are_all_reported(mistakes: list[tuple[str, str, str]]) -> None:
    text, want = _apply(POLICY, mistakes)
    assert _reported(parse_policy, text) == want


@SETTINGS
@given(st.lists(st.sampled_from(_PEOPLE_MISTAKES), unique=True))
def test_independent_people_mistakes_are_all_reported(mistakes: list[tuple[str, str, str]]) -> None:
    text, want = _apply(PEOPLE, mistakes)
    assert _reported(parse_people, text, BASE_POLICY) == want


# -- valid policies round-trip ---------------------------------------------------------------------------

_NAME = st.text(string.ascii_letters + string.digits + "-_ é", min_size=1, max_size=12).filter(
    lambda s: s.strip() == s and s != "none"
)
_GLOB = st.lists(
    st.sampled_from(["src", "lib", "**", "*.py", "auth", "docs", "a b", "x[ab]y", "é"]),
    min_size=1,
    max_size=4,
).map("/".join)
_REGEX = st.sampled_from([r"^\s*import (ssl|hmac)\b", r"password\s*=", r"TODO", r"[A-Z]{3,}", r"'quoted'"])


@st.composite
def _policies(draw: st.DrawFn) -> dict[str, Any]:
    levels = draw(st.lists(_NAME, min_size=1, max_size=4, unique=True))
    names = draw(st.lists(_NAME, min_size=1, max_size=4, unique=True))
    tiers = []
    for name in names:
        paths = draw(st.lists(_GLOB, max_size=3))
        content = draw(st.lists(_REGEX, max_size=2, min_size=0 if paths else 1))
        tier: dict[str, Any] = {"name": name, "paths": paths, "content": content}
        for key in ("min_level", "ai_min_level", "approver_min_level"):
            if draw(st.booleans()):
                tier[key] = draw(st.sampled_from(levels))
        for key in ("ai_allowed", "require_rationale", "require_declaration"):
            if draw(st.booleans()):
                tier[key] = draw(st.booleans())
        if draw(st.booleans()):
            tier["approvals"] = draw(st.integers(0, 5))
        if draw(st.booleans()):
            tier["stages"] = draw(st.permutations(STAGES).flatmap(lambda p: st.integers(0, 4).map(lambda n: p[:n])))
        tiers.append(tier)
    policy: dict[str, Any] = {"version": 1, "levels": levels, "tiers": tiers}
    if draw(st.booleans()):
        policy["unknown_authors"] = {"level": draw(st.sampled_from([*levels, "none"]))}
    return policy


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return f"'{value}'" if "'" not in value else json.dumps(value, ensure_ascii=False)
    return "[" + ", ".join(_toml_value(v) for v in value) + "]"


def _render(policy: dict[str, Any], *, inline: bool) -> str:
    lines = [f"version = {policy['version']}", f"levels = {_toml_value(policy['levels'])}"]
    if inline:
        rows = ["{" + ", ".join(f"{k} = {_toml_value(v)}" for k, v in tier.items()) + "}" for tier in policy["tiers"]]
        lines.append("tiers = [\n  " + ",\n  ".join(rows) + ",\n]")
    for tier in [] if inline else policy["tiers"]:
        lines.append("\n[[tiers]]  # a comment")
        lines += [f"{k} = {_toml_value(v)}" for k, v in tier.items()]
    if "unknown_authors" in policy:
        lines.append(f"\n[unknown_authors]\nlevel = {_toml_value(policy['unknown_authors']['level'])}")
    return "\n".join(lines) + "\n"


def _check_round_trip(spec: dict[str, Any], parsed: Policy) -> None:
    levels = spec["levels"]
    assert parsed.levels == tuple(levels)
    assert [t.name for t in parsed.tiers] == [t["name"] for t in spec["tiers"]]
    for rank, (tier, want) in enumerate(zip(parsed.tiers, spec["tiers"], strict=True)):
        assert tier.rank == rank
        assert tier.paths == tuple(want["paths"])
        assert tier.content == tuple(want["content"])
        assert tier.min_level == want.get("min_level", levels[0])
        assert tier.ai_min_level == want.get("ai_min_level", levels[0])
        assert tier.approver_min_level == want.get("approver_min_level", levels[0])
        assert tier.ai_allowed == want.get("ai_allowed", True)
        assert tier.require_rationale == want.get("require_rationale", False)
        assert tier.require_declaration == want.get("require_declaration", False)
        assert tier.approvals == want.get("approvals", 0)
        assert tier.stages == tuple(want.get("stages", ()))
    unknown = spec.get("unknown_authors", {}).get("level", "none")
    assert parsed.unknown_author_level == (None if unknown == "none" else unknown)


@SETTINGS
@given(_policies(), st.booleans())
def test_valid_policies_round_trip(spec: dict[str, Any], inline: bool) -> None:
    _check_round_trip(spec, parse_policy(_render(spec, inline=inline)))


@SETTINGS
@given(_policies(), st.text(string.ascii_lowercase + "/._é", max_size=30))
def test_resolve_is_total(spec: dict[str, Any], path: str) -> None:
    policy = parse_policy(_render(spec, inline=False))
    match = policy.resolve(path, [(1, path)])
    assert match.tier in policy.tiers and match.reason
    if path == ".vouched" or path.startswith(".vouched/"):
        assert match.tier is policy.riskiest


# -- starter output ---------------------------------------------------------------------------------------

_SEGMENT = st.one_of(
    st.sampled_from(
        [
            "src",
            "auth",
            "login.py",
            "migrations",
            "docs",
            "tests",
            "Dockerfile",
            "main.tf",
            ".github",
            "workflows",
            "billing.go",
            "a.py",
            "README.md",
            "k8s",
            "x[1]",
            "!x",
            "#x",
            "sp ace ",
            "é",
        ]
    ),
    st.text(min_size=1, max_size=6).filter(lambda s: "/" not in s),
)
_PATHS = st.lists(st.lists(_SEGMENT, min_size=1, max_size=4).map("/".join), max_size=25)


@SETTINGS
@given(st.one_of(_PATHS, st.lists(st.text(), max_size=10)), st.lists(st.tuples(st.text(), st.text()), max_size=4))
def test_starter_always_parses(paths: list[str], authors: list[tuple[str, str]]) -> None:
    proposal = starter(paths, authors)
    policy = parse_policy(proposal.policy)
    parse_people(proposal.people, policy)
    assert policy.resolve(".vouched/policy.toml").tier is policy.riskiest
    for tier in policy.tiers[1:]:
        for pattern in tier.paths:
            if pattern != ".vouched/**":
                rule = compile_path_pattern(pattern)
                assert any(rule.regex.match(p) for p in paths), pattern
