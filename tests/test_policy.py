"""The policy and the roster: strict parsing with file, line and key; tier resolution; loading from git."""

from __future__ import annotations

import base64
import hashlib
import re
import struct
import textwrap

import pytest

from vouched.errors import ConfigError
from vouched.git import Git, ScratchRepo
from vouched.model import AddedLine
from vouched.policy import (
    PEOPLE_FILE,
    POLICY_FILE,
    STAGES,
    People,
    Policy,
    load,
    load_sources,
    markers_at,
    parse_people,
    parse_policy,
)
from vouched.policy._locate import Locator
from vouched.policy.parse import ssh_key_problem

POLICY = textwrap.dedent(
    """\
    version = 1

    # Clearance levels, least to most trusted.
    levels = ["junior", "mid", "senior"]

    [[tiers]]
    name = "green"
    paths = ["**"]                 # the catch-all
    min_level = "junior"
    ai_min_level = "junior"
    approvals = 1
    approver_min_level = "junior"

    [[tiers]]
    name = "yellow"
    paths = ["src/**"]
    min_level = "junior"
    ai_min_level = "mid"
    approvals = 1
    approver_min_level = "mid"
    require_rationale = true

    [[tiers]]
    name = "red"
    paths = ["src/payments/**", "src/auth/**", "migrations/**", ".vouched/**"]
    content = ['^\\s*import (hashlib|hmac|ssl|secrets)\\b']
    min_level = "senior"
    ai_min_level = "senior"
    ai_allowed = true
    approvals = 2
    approver_min_level = "senior"
    require_rationale = true
    require_declaration = true
    stages = ["requirements", "design", "implementation", "review"]

    [unknown_authors]
    level = "none"
    """
)


def _key(seed: int) -> str:
    blob = struct.pack(">I", 11) + b"ssh-ed25519" + struct.pack(">I", 32) + bytes((seed + i) % 256 for i in range(32))
    return "ssh-ed25519 " + base64.b64encode(blob).decode()


ALICE_KEY = _key(1)
BOB_KEY = _key(2)

PEOPLE = textwrap.dedent(
    f"""\
    [people.alice]
    name = "Alice Archer"
    level = "senior"
    emails = ["alice@bank.example", "Alice.Archer@Bank.Example"]
    github = "alice-archer"
    keys = ["{ALICE_KEY} alice@laptop"]

    [people.bob]
    name = "Bob Baker"
    level = "mid"
    emails = ["bob@bank.example"]
    github = "bob-b"
    keys = ["{BOB_KEY}"]

    [people.carol]
    level = "junior"
    emails = ["carol@bank.example"]
    """
)


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the ``occurrence``-th line containing ``needle``."""
    hits = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    return hits[occurrence - 1]


def policy_error(text: str | bytes) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        parse_policy(text)
    err = info.value
    assert err.file == POLICY_FILE
    assert err.hint, "every configuration error says how to fix it"
    return err


def people_error(text: str | bytes, policy: Policy | None = None) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        parse_people(text, policy or parse_policy(POLICY))
    err = info.value
    assert err.file == PEOPLE_FILE
    assert err.hint
    return err


def assert_at(err: ConfigError, line: int, key: str | None) -> None:
    assert err.line == line, err.message
    assert err.key == key, err.message
    assert err.message.startswith(f"{err.file}:{line}")
    if key:
        assert f"({key})" in err.message


# -- a valid policy -----------------------------------------------------------------------------------


def test_contract_example_parses_with_every_value() -> None:
    policy = parse_policy(POLICY)
    assert policy.version == 1
    assert policy.levels == ("junior", "mid", "senior")
    assert [t.name for t in policy.tiers] == ["green", "yellow", "red"]
    assert [t.rank for t in policy.tiers] == [0, 1, 2]
    assert policy.unknown_author_level is None
    assert policy.markers == ()
    assert policy.file == POLICY_FILE
    red = policy.tier("red")
    assert red is policy.riskiest
    assert red.paths == ("src/payments/**", "src/auth/**", "migrations/**", ".vouched/**")
    assert red.content == (r"^\s*import (hashlib|hmac|ssl|secrets)\b",)
    assert (red.min_level, red.ai_min_level, red.approver_min_level) == ("senior", "senior", "senior")
    assert red.ai_allowed and red.require_rationale and red.require_declaration
    assert red.approvals == 2
    assert red.stages == STAGES
    yellow = policy.tier("yellow")
    assert yellow.require_rationale and not yellow.require_declaration
    with pytest.raises(KeyError):
        policy.tier("purple")


def test_defaults_are_the_contract_defaults() -> None:
    policy = parse_policy('version = 1\nlevels = ["a", "b"]\n[[tiers]]\nname = "only"\npaths = ["**"]\n')
    t = policy.tier("only")
    assert (t.min_level, t.ai_min_level, t.approver_min_level) == ("a", "a", "a")
    assert t.ai_allowed is True
    assert t.approvals == 0
    assert t.require_rationale is False and t.require_declaration is False
    assert t.stages == () and t.content == ()
    assert policy.unknown_author_level is None


def test_unknown_authors_may_name_a_level() -> None:
    policy = parse_policy(POLICY.replace('level = "none"', 'level = "junior"'))
    assert policy.unknown_author_level == "junior"
    assert parse_policy(POLICY.replace('level = "none"\n', "")).unknown_author_level is None


def test_rank_orders_levels_and_none_is_below_all() -> None:
    policy = parse_policy(POLICY)
    assert [policy.rank(lv) for lv in ("junior", "mid", "senior")] == [0, 1, 2]
    assert policy.rank(None) == -1
    assert policy.rank("none") == -1
    with pytest.raises(ValueError, match="not a level"):
        policy.rank("admiral")


def test_digest_is_sha256_of_the_file_bytes() -> None:
    raw = POLICY.encode()
    assert parse_policy(raw).digest == "sha256:" + hashlib.sha256(raw).hexdigest()
    assert parse_policy(POLICY).digest == parse_policy(raw).digest


def test_a_byte_order_mark_is_accepted() -> None:
    assert parse_policy(b"\xef\xbb\xbf" + POLICY.encode()).levels == ("junior", "mid", "senior")


def test_inline_tables_and_dotted_keys_are_toml_too() -> None:
    text = (
        'version = 1\nlevels = ["a"]\ntiers = [\n  {name = "x", paths = ["**"]},\n'
        '  {name = "y", content = ["^x"]},\n]\n'
    )
    policy = parse_policy(text)
    assert [t.name for t in policy.tiers] == ["x", "y"]


# -- malformed TOML -----------------------------------------------------------------------------------


def test_malformed_toml_names_line_column_and_key() -> None:
    text = POLICY.replace("approvals = 2", "approvals = yes")
    err = policy_error(text)
    assert_at(err, line_of(text, "approvals = yes"), "approvals")
    assert "not valid TOML" in err.message
    assert "column 13" in err.message


def test_unterminated_string_at_end_of_document() -> None:
    text = 'version = 1\nlevels = ["a"]\nname = "oops'
    err = policy_error(text)
    assert err.line == 3
    assert "Unterminated string" in err.message


def test_duplicate_key_points_at_the_second_one() -> None:
    text = POLICY.replace("approvals = 2\n", "approvals = 2\napprovals = 3\n")
    err = policy_error(text)
    assert_at(err, line_of(text, "approvals = 3"), "tiers[2].approvals")
    assert "only once" in (err.hint or "")


def test_double_quoted_regex_with_backslash_suggests_single_quotes() -> None:
    text = POLICY.replace("content = ['^\\s*import", 'content = ["^\\s*import').replace("\\b']", '\\b"]')
    err = policy_error(text)
    assert err.line == line_of(text, "content = [")
    assert "single quotes" in (err.hint or "")


def test_not_utf8() -> None:
    raw = POLICY.encode().replace(b'name = "yellow"', b'name = "yell\xffow"')
    err = policy_error(raw)
    assert err.line == line_of(POLICY, 'name = "yellow"')
    assert "UTF-8" in err.message


def test_deep_nesting_is_a_config_error() -> None:
    err = policy_error("x = " + "[" * 5000 + "]" * 5000)
    assert "TOML" in err.message


# -- unknown keys -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "key", "suggestion"),
    [
        ("version = 1\n", "version = 1\ntier = []\n", "tier", "tiers"),
        ("approvals = 2", "approvls = 2", "tiers[2].approvls", "approvals"),
        (
            "require_rationale = true\n\n[[tiers]]",
            "require_rational = true\n\n[[tiers]]",
            "tiers[1].require_rational",
            "require_rationale",
        ),
        ('level = "none"', 'levle = "none"', "unknown_authors.levle", "level"),
    ],
)
def test_unknown_keys_suggest_the_closest(old: str, new: str, key: str, suggestion: str) -> None:
    assert old in POLICY
    text = POLICY.replace(old, new, 1)
    err = policy_error(text)
    assert_at(err, line_of(text, key.rsplit(".", 1)[-1] + " ="), key)
    assert f'did you mean "{suggestion}"' in (err.hint or "")


def test_unknown_key_without_a_close_match_lists_the_valid_keys() -> None:
    text = POLICY.replace('name = "green"', 'name = "green"\nzzz = 1')
    err = policy_error(text)
    assert_at(err, line_of(text, "zzz"), "tiers[0].zzz")
    assert "did you mean" not in (err.hint or "")
    assert "approver_min_level" in (err.hint or "")


def test_unknown_key_in_an_inline_tier() -> None:
    text = (
        'version = 1\nlevels = ["a"]\ntiers = [\n  {name = "x", paths = ["**"]},\n  {name = "y", pahts = ["a"]},\n]\n'
    )
    err = policy_error(text)
    assert_at(err, 5, "tiers[1].pahts")
    assert '"paths"' in (err.hint or "")


# -- wrong types --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "key", "words"),
    [
        ("approvals = 2", 'approvals = "2"', "tiers[2].approvals", "whole number"),
        ("approvals = 2", "approvals = 2.5", "tiers[2].approvals", "whole number"),
        ("approvals = 2", "approvals = true", "tiers[2].approvals", "whole number"),
        ("ai_allowed = true", 'ai_allowed = "yes"', "tiers[2].ai_allowed", "true or false"),
        (
            "require_rationale = true\n\n[[tiers]]",
            "require_rationale = 1\n\n[[tiers]]",
            "tiers[1].require_rationale",
            "true or false",
        ),
        ('paths = ["src/**"]', 'paths = "src/**"', "tiers[1].paths", "list of strings"),
        ('paths = ["src/**"]', 'paths = ["src/**", 3]', "tiers[1].paths[1]", "must be a string"),
        ("content = ['^", "content = '^", "tiers[2].content", "list of strings"),
        ('min_level = "senior"', "min_level = 3", "tiers[2].min_level", "level name"),
        ('stages = ["requirements"', 'stages = [1, "requirements"', "tiers[2].stages[0]", "must be a string"),
        ('name = "red"', "name = 7", "tiers[2].name", "must be a string"),
        ('name = "red"', 'name = ""', "tiers[2].name", "empty"),
        ('levels = ["junior", "mid", "senior"]', 'levels = "junior"', "levels", "list of strings"),
        ("version = 1", 'version = "1"', "version", "unsupported policy version"),
        ("version = 1", "version = 2", "version", "reads version 1"),
    ],
)
def test_wrong_types(old: str, new: str, key: str, words: str) -> None:
    assert old in POLICY
    text = POLICY.replace(old, new, 1)
    if old.startswith("content"):
        text = text.replace("\\b']", "\\b'")
    err = policy_error(text)
    assert_at(err, line_of(text, new.split("\n")[0]), key)
    assert words in err.message


def test_tiers_must_be_an_array_of_tables() -> None:
    text = 'version = 1\nlevels = ["a"]\n\n[tiers]\nname = "x"\n'
    err = policy_error(text)
    assert_at(err, 4, "tiers")
    assert "[[tiers]]" in err.message


def test_unknown_authors_must_be_a_table() -> None:
    text = POLICY.replace('[unknown_authors]\nlevel = "none"', 'unknown_authors = "none"')
    # a bare key after [[tiers]] would belong to the tier; put it at the top instead
    text = 'unknown_authors = "none"\n' + POLICY.replace('[unknown_authors]\nlevel = "none"\n', "")
    err = policy_error(text)
    assert_at(err, 1, "unknown_authors")


def test_negative_approvals() -> None:
    text = POLICY.replace("approvals = 2", "approvals = -1")
    err = policy_error(text)
    assert_at(err, line_of(text, "approvals = -1"), "tiers[2].approvals")
    assert "0 or more" in err.message


# -- levels -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ('min_level = "senior"', 'min_level = "seniour"', "tiers[2].min_level"),
        ('ai_min_level = "mid"', 'ai_min_level = "middle"', "tiers[1].ai_min_level"),
        ('approver_min_level = "junior"', 'approver_min_level = "jr"', "tiers[0].approver_min_level"),
        ('level = "none"', 'level = "nobody"', "unknown_authors.level"),
        ('min_level = "senior"', 'min_level = "none"', "tiers[2].min_level"),
    ],
)
def test_unknown_levels(old: str, new: str, key: str) -> None:
    text = POLICY.replace(old, new, 1)
    err = policy_error(text)
    assert_at(err, line_of(text, new), key)
    assert "unknown level" in err.message
    assert "junior, mid, senior" in (err.hint or "")


def test_unknown_level_suggests_the_closest() -> None:
    err = policy_error(POLICY.replace('min_level = "senior"', 'min_level = "seniour"', 1))
    assert 'did you mean "senior"' in (err.hint or "")


@pytest.mark.parametrize(
    ("levels", "index", "words"),
    [
        ("[]", None, "at least one level"),
        ('["a", "b", "a"]', 2, "listed twice"),
        ('["a", "none"]', 1, "reserved"),
        ('["a", " b"]', 1, "spaces"),
    ],
)
def test_bad_levels(levels: str, index: int | None, words: str) -> None:
    text = f'version = 1\n\nlevels = {levels}\n[[tiers]]\nname = "x"\npaths = ["**"]\n'
    err = policy_error(text)
    assert_at(err, 3, "levels" if index is None else f"levels[{index}]")
    assert words in err.message


def test_levels_on_several_lines_point_at_the_bad_one() -> None:
    text = 'version = 1\nlevels = [\n  "a",\n  "b",\n  "a",\n]\n[[tiers]]\nname = "x"\npaths = ["**"]\n'
    assert_at(policy_error(text), 5, "levels[2]")


@pytest.mark.parametrize(
    ("text", "line", "key"),
    [
        ('levels = ["a"]\n[[tiers]]\nname = "x"\npaths = ["**"]\n', 1, "version"),
        ('version = 1\n[[tiers]]\nname = "x"\npaths = ["**"]\n', 1, "levels"),
        ('version = 1\nlevels = ["a"]\n', 1, "tiers"),
        ('version = 1\nlevels = ["a"]\ntiers = []\n', 3, "tiers"),
        ('version = 1\nlevels = ["a"]\n\n[[tiers]]\npaths = ["**"]\n', 4, "tiers[0].name"),
    ],
)
def test_missing_required_keys(text: str, line: int, key: str) -> None:
    assert_at(policy_error(text), line, key)


# -- tiers --------------------------------------------------------------------------------------------


def test_duplicate_tier_names() -> None:
    text = POLICY.replace('name = "yellow"', 'name = "green"')
    err = policy_error(text)
    assert_at(err, line_of(text, 'name = "green"', 2), "tiers[1].name")
    first = line_of(text, 'name = "green"')
    assert f"line {first}" in err.message


def test_tier_with_no_paths_and_no_content() -> None:
    text = POLICY.replace('paths = ["src/**"]\n', "")
    err = policy_error(text)
    assert_at(err, line_of(text, "[[tiers]]", 2), "tiers[1]")
    assert "no paths and no content" in err.message
    text = POLICY.replace('paths = ["src/**"]', "paths = []")
    assert_at(policy_error(text), line_of(text, "paths = []"), "tiers[1].paths")


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        ("[z-a]", "invalid [...]"),
        ("src/[abc", "range"),
        ("#comment", "comment"),
        ("", "blank"),
        ("   ", "blank"),
        ("/", "matches nothing"),
        ("foo\\\\", "Invalid git pattern"),
    ],
)
def test_invalid_globs(pattern: str, words: str) -> None:
    text = POLICY.replace('"migrations/**"', f'"{pattern}"')
    err = policy_error(text)
    assert_at(err, line_of(text, "src/payments/**"), "tiers[2].paths[2]")
    assert words in err.message


def test_a_tier_of_only_negations_claims_nothing() -> None:
    text = POLICY.replace('paths = ["src/**"]', 'paths = ["!src/vendor/**"]')
    err = policy_error(text)
    assert_at(err, line_of(text, "!src/vendor"), "tiers[1].paths")


def test_invalid_regex_says_the_regex_error() -> None:
    text = POLICY.replace("(hashlib|", "(hashlib|(")
    err = policy_error(text)
    assert_at(err, line_of(text, "content = "), "tiers[2].content[0]")
    assert "missing ), unterminated subpattern" in err.message
    assert "position" in err.message


@pytest.mark.parametrize(
    ("stages", "index", "words"),
    [('["design", "reveiw"]', 1, "unknown stage"), ('["design", "design"]', 1, "listed twice")],
)
def test_bad_stages(stages: str, index: int, words: str) -> None:
    text = POLICY.replace('stages = ["requirements", "design", "implementation", "review"]', f"stages = {stages}")
    err = policy_error(text)
    assert_at(err, line_of(text, "stages ="), f"tiers[2].stages[{index}]")
    assert words in err.message
    if "unknown" in words:
        assert 'did you mean "review"' in (err.hint or "")


def test_stages_in_any_order() -> None:
    text = POLICY.replace('["requirements", "design", "implementation", "review"]', '["review", "design"]')
    assert parse_policy(text).riskiest.stages == ("review", "design")


# -- ai markers (extension) -----------------------------------------------------------------------------


def test_ai_markers_become_provenance_markers() -> None:
    from vouched.provenance import Marker

    text = POLICY + textwrap.dedent(
        """
        [[ai_markers]]
        tool = "acme-bot"
        trailer = "Generated-by"
        email = '^acme-bot@ci\\.example$'

        [[ai_markers]]
        tool = "inhouse"
        name = '^LLM '
        message = '\\[llm\\]'
        """
    )
    markers = parse_policy(text).markers
    assert len(markers) == 2
    assert all(isinstance(m, Marker) for m in markers)
    first, second = markers
    assert (first.tool, first.trailer) == ("acme-bot", "Generated-by")
    assert first.email is not None and first.email.search("acme-bot@ci.example")
    assert first.name is None and first.message is None
    assert second.name is not None and second.name.search("LLM Bot")
    assert second.message is not None and second.message.search("fix [llm] thing")


@pytest.mark.parametrize(
    ("body", "bad_line", "key", "words"),
    [
        ('trailer = "X"', 1, "ai_markers[0].tool", "no tool"),  # the header: there is no tool line
        ('tool = "x"', 1, "ai_markers[0]", "nothing to look for"),
        ('tool = "x"\ntrailer = "Generated-by: acme"', 3, "ai_markers[0].trailer", "not a trailer key"),
        ("tool = \"x\"\nemail = '(unclosed'", 3, "ai_markers[0].email", "not a valid regex"),
        ('tool = "Acme Bot"\nname = "x"', 2, "ai_markers[0].tool", "lower-case"),
        ('tool = "x"\nemial = "x"', 3, "ai_markers[0].emial", "unknown key"),
    ],
)
def test_bad_ai_markers(body: str, bad_line: int, key: str, words: str) -> None:
    text = POLICY + "[[ai_markers]]\n" + body + "\n"
    base = POLICY.count("\n")
    err = policy_error(text)
    assert_at(err, base + bad_line, key)
    assert words in err.message


# -- resolve ------------------------------------------------------------------------------------------


@pytest.fixture
def policy() -> Policy:
    return parse_policy(POLICY)


def test_catch_all(policy: Policy) -> None:
    match = policy.resolve("README.md")
    assert (match.tier.name, match.reason) == ("green", "path **")


def test_riskiest_tier_wins(policy: Policy) -> None:
    assert policy.resolve("src/app.py").tier.name == "yellow"
    match = policy.resolve("src/auth/login.py")
    assert (match.tier.name, match.reason) == ("red", "path src/auth/**")
    assert policy.resolve("migrations/0001_init.sql").reason == "path migrations/**"


def test_content_rule_on_an_added_line(policy: Policy) -> None:
    lines = [(1, "def f():"), (3, "    import hashlib"), (9, "import ssl")]
    match = policy.resolve("src/app.py", lines)
    assert match.tier.name == "red"
    assert match.reason == "content '^\\s*import (hashlib|hmac|ssl|secrets)\\b' on line 3"
    # git's AddedLine values work too, and a generator is read once
    match = policy.resolve("docs/x.py", (AddedLine(n, t) for n, t in lines))
    assert match.tier.name == "red"
    assert policy.resolve("src/app.py", [(1, "print('import hashlib')")]).tier.name == "yellow"


def test_rename_from_green_into_red_is_red(policy: Policy) -> None:
    match = policy.resolve_change(["docs/notes.md", "src/auth/notes.md"])
    assert (match.tier.name, match.reason) == ("red", "path src/auth/**")
    back = policy.resolve_change(["src/auth/session.py", "docs/session.py"])
    assert back.tier.name == "red"
    assert "src/auth/session.py" in back.reason and "old name" in back.reason
    assert policy.resolve_change(["README.md"]).tier.name == "green"
    with pytest.raises(ValueError, match="at least one path"):
        policy.resolve_change([])


def test_policy_edits_are_riskiest_even_if_no_tier_says_so() -> None:
    text = POLICY.replace(', ".vouched/**"', "")
    policy = parse_policy(text)
    for path in (".vouched/policy.toml", ".vouched/people.toml", ".vouched"):
        match = policy.resolve(path)
        assert match.tier.name == "red"
        assert match.reason == "edits .vouched/ (the policy itself)"
    assert policy.resolve(".vouchedx/a").tier.name == "green"
    # when the riskiest tier names it itself, its own pattern is the reason
    assert parse_policy(POLICY).resolve(".vouched/policy.toml").reason == "path .vouched/**"


def test_unmatched_path_is_riskiest_with_reason() -> None:
    policy = parse_policy(POLICY.replace('paths = ["**"]', 'paths = ["docs/**"]'))
    match = policy.resolve("Makefile")
    assert match.tier.name == "red"
    assert match.reason == "no tier claims this path: treated as the riskiest"


def test_negation_takes_paths_back_out_of_a_tier() -> None:
    policy = parse_policy(POLICY.replace('paths = ["src/**"]', 'paths = ["src/**", "!src/vendor/**"]'))
    assert policy.resolve("src/app.py").tier.name == "yellow"
    assert policy.resolve("src/vendor/lib.py").tier.name == "green"


def test_gitignore_semantics(policy: Policy) -> None:
    p = parse_policy(POLICY.replace('paths = ["src/**"]', 'paths = ["*.tf", "/setup.py", "build/"]'))
    assert p.resolve("deploy/main.tf").tier.name == "yellow"
    assert p.resolve("setup.py").tier.name == "yellow"
    assert p.resolve("pkg/setup.py").tier.name == "green"
    assert p.resolve("a/build/x.o").tier.name == "yellow"
    assert p.resolve("build").tier.name == "green"  # a file named build is not the directory


def test_non_utf8_path_does_not_crash(policy: Policy) -> None:
    weird = b"src/auth/caf\xe9.py".decode("utf-8", "surrogateescape")
    assert policy.resolve(weird).tier.name == "red"
    green = b"docs/\xff\xfe.md".decode("utf-8", "surrogateescape")
    assert policy.resolve(green).tier.name == "green"
    back = policy.resolve_change([weird, "docs/x.md"])
    assert back.tier.name == "red"
    back.reason.encode("utf-8")  # the reason is printable


# -- people ---------------------------------------------------------------------------------------------


def test_people_parse_and_look_up_case_insensitively() -> None:
    people = parse_people(PEOPLE, parse_policy(POLICY))
    assert isinstance(people, People)
    assert [p.id for p in people.persons] == ["alice", "bob", "carol"]
    alice = people.by_email("ALICE@bank.example")
    assert alice is not None and alice.name == "Alice Archer" and alice.level == "senior"
    assert people.by_email("alice.archer@bank.example") is alice
    assert alice.keys == (f"{ALICE_KEY} alice@laptop",)
    assert people.by_github("Alice-Archer") is alice
    assert people.by_github("@bob-b") is not None
    assert people.by_email("nobody@bank.example") is None
    assert people.by_github("nobody") is None
    carol = people.by_id("carol")
    assert carol is not None and carol.name == "carol" and carol.github is None and carol.keys == ()


def test_empty_roster_is_valid() -> None:
    assert parse_people("", parse_policy(POLICY)).persons == ()
    assert parse_people("# nobody yet\n", parse_policy(POLICY)).persons == ()


def test_person_missing_level() -> None:
    text = PEOPLE.replace('level = "junior"\n', "")
    err = people_error(text)
    assert_at(err, line_of(text, "[people.carol]"), "people.carol.level")
    assert "no level" in err.message


def test_person_unknown_level() -> None:
    text = PEOPLE.replace('level = "mid"', 'level = "staff"')
    err = people_error(text)
    assert_at(err, line_of(text, '"staff"'), "people.bob.level")
    assert "junior, mid, senior" in (err.hint or "")


def test_person_levels_come_from_the_policy() -> None:
    policy = parse_policy(
        POLICY.replace('"junior", "mid", "senior"', '"l1", "l2"')
        .replace('"junior"', '"l1"')
        .replace('"mid"', '"l2"')
        .replace('"senior"', '"l2"')
    )
    with pytest.raises(ConfigError) as info:
        parse_people(PEOPLE, policy)
    # every person's level is wrong against this policy: all three are reported, in line order
    problems = info.value.problems
    assert [p.key for p in problems] == ["people.alice.level", "people.bob.level", "people.carol.level"]
    assert_at(problems[0], line_of(PEOPLE, 'level = "senior"'), "people.alice.level")
    assert all("l1, l2" in (p.hint or "") for p in problems)


def test_email_listed_for_two_people() -> None:
    text = PEOPLE.replace('emails = ["carol@bank.example"]', 'emails = ["carol@bank.example", "BOB@bank.example"]')
    err = people_error(text)
    assert_at(err, line_of(text, "BOB@bank"), "people.carol.emails[1]")
    assert "'bob'" in err.message
    assert f"line {line_of(text, 'bob@bank.example')}" in err.message


def test_github_login_twice() -> None:
    text = PEOPLE.replace('emails = ["carol@bank.example"]', 'emails = ["carol@bank.example"]\ngithub = "Alice-Archer"')
    err = people_error(text)
    assert_at(err, line_of(text, '"Alice-Archer"'), "people.carol.github")
    assert "already listed" in err.message


def test_same_key_for_two_people() -> None:
    text = PEOPLE.replace(f'keys = ["{BOB_KEY}"]', f'keys = ["{ALICE_KEY} stolen"]')
    err = people_error(text)
    assert_at(err, line_of(text, "stolen"), "people.bob.keys[0]")


def test_non_string_keys() -> None:
    text = PEOPLE.replace(f'keys = ["{BOB_KEY}"]', "keys = [42]")
    err = people_error(text)
    assert_at(err, line_of(text, "keys = [42]"), "people.bob.keys[0]")
    assert "must be a string" in err.message
    text = PEOPLE.replace(f'keys = ["{BOB_KEY}"]', f'keys = "{BOB_KEY}"')
    assert_at(people_error(text), line_of(text, f'keys = "{BOB_KEY}"'), "people.bob.keys")


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("ssh-ed25519", "expected"),
        ("ssh-ed25519 not*base64", "not valid base64"),
        ("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ", "Ed25519 keys only"),
        ("AAAAC3NzaC1lZDI1NTE5AAAAI alice", "not the key type"),
        (
            "ssh-ed25519 " + base64.b64encode(b"\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20abc").decode(),
            "truncated",
        ),
        ("ssh-ed25519 " + base64.b64encode(b"\x00\x00\x00\x07ssh-rsa").decode(), "not an Ed25519 public key"),
        ("-----BEGIN OPENSSH PRIVATE KEY----- b3BlbnNzaC1rZXktdjEAAAAA", "PRIVATE"),
    ],
)
def test_bad_ssh_keys(key: str, words: str) -> None:
    text = PEOPLE.replace(f'keys = ["{BOB_KEY}"]', f'keys = ["{key}"]')
    err = people_error(text)
    assert_at(err, line_of(text, f'keys = ["{key}"]'), "people.bob.keys[0]")
    assert words in err.message
    assert "ssh-keygen -t ed25519" in (err.hint or "")


def test_ssh_key_problem_accepts_a_real_shape() -> None:
    assert ssh_key_problem(ALICE_KEY) is None
    assert ssh_key_problem(ALICE_KEY + " a comment with spaces") is None


@pytest.mark.parametrize(
    ("old", "new", "key", "words"),
    [
        ('name = "Bob Baker"', 'nmae = "Bob Baker"', "people.bob.nmae", 'did you mean "name"'),
        (
            'emails = ["bob@bank.example"]',
            'emails = "bob@bank.example"',
            "people.bob.emails",
            "list of strings",
        ),
        ('emails = ["bob@bank.example"]', 'emails = ["Bob Baker"]', "people.bob.emails[0]", "not an email"),
        (
            'emails = ["bob@bank.example"]',
            'emails = ["<bob@bank.example>"]',
            "people.bob.emails[0]",
            "not an email",
        ),
        ('github = "bob-b"', 'github = "@bob-b"', "people.bob.github", "not a forge login"),
        ('github = "bob-b"', "github = 1", "people.bob.github", "must be a string"),
        ('level = "mid"', "level = 2", "people.bob.level", "level name"),
        ('level = "mid"', 'level = "none"', "people.bob.level", "unknown level"),
    ],
)
def test_bad_person_entries(old: str, new: str, key: str, words: str) -> None:
    text = PEOPLE.replace(old, new)
    err = people_error(text)
    assert_at(err, line_of(text, new), key)
    assert words in (err.message + (err.hint or ""))


def test_people_file_shape_errors() -> None:
    err = people_error('[persons.alice]\nlevel = "mid"\n')
    assert_at(err, 1, "persons")
    assert "[people.<id>]" in (err.hint or "")
    err = people_error('people = "alice"\n')
    assert_at(err, 1, "people")
    err = people_error('[people]\nalice = "senior"\n')
    assert_at(err, 2, "people.alice")
    err = people_error('[people.alice\nlevel = "mid"\n')
    assert err.line == 1 and "not valid TOML" in err.message


# -- the locator ---------------------------------------------------------------------------------------


def test_locator_finds_keys_in_array_of_tables_and_falls_back_to_headers() -> None:
    text = textwrap.dedent(
        '''\
        a = 1
        [[t]]
        x = 1
        [[t]]
        "quoted key" = """multi
        [[t]]
        line"""
        y.z = [
          1,  # comment with ] and "
          'two',
        ]
        [[t]]
        [t.sub]
        w = {p = 1, q = [1, 2]}
        d = 1979-05-27 07:32:00Z
        e = 2
        '''
    )
    loc = Locator(text)
    assert loc.line(["a"]) == 1
    assert loc.line(["t", 0, "x"]) == 3
    assert loc.line(["t", 1, "quoted key"]) == 5
    assert loc.line(["t", 1, "y", "z"]) == 8
    assert loc.line(["t", 1, "y", "z", 0]) == 9
    assert loc.line(["t", 1, "y", "z", 1]) == 10
    assert loc.line(["t", 2]) == 12
    assert loc.line(["t", 2, "sub"]) == 13
    assert loc.line(["t", 2, "sub", "w", "q"]) == 14
    assert loc.line(["t", 2, "sub", "e"]) == 16
    assert loc.line(["t", 1, "missing"]) == 4  # falls back to the table header
    assert loc.exact(["t", 1, "missing"]) is None
    assert loc.line(["nothing"]) is None


# -- loading from git ----------------------------------------------------------------------------------


def test_load_reads_both_files_at_the_revision(repo: ScratchRepo) -> None:
    first = repo.commit("policy", {".vouched/policy.toml": POLICY, ".vouched/people.toml": PEOPLE})
    repo.commit("lower the bar", {".vouched/policy.toml": POLICY.replace("approvals = 2", "approvals = 0")})
    git = Git(repo.path)
    old_policy, people = load(git, first)
    assert old_policy.riskiest.approvals == 2
    assert people.by_email("bob@bank.example") is not None
    assert old_policy.digest == "sha256:" + hashlib.sha256(POLICY.encode()).hexdigest()
    new_policy, _ = load(git, "HEAD")
    assert new_policy.riskiest.approvals == 0


def test_load_reads_with_one_git_call(repo: ScratchRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    repo.commit("policy", {".vouched/policy.toml": POLICY, ".vouched/people.toml": PEOPLE})
    git = Git(repo.path)
    calls: list[tuple[str, list[str]]] = []
    real = git.read_files

    def spy(rev: str, paths: list[str]) -> dict[str, bytes | None]:
        calls.append((rev, list(paths)))
        return real(rev, paths)

    monkeypatch.setattr(git, "read_files", spy)
    load(git, "HEAD")
    assert calls == [("HEAD", [POLICY_FILE, PEOPLE_FILE])]


def test_load_without_a_policy(repo: ScratchRepo) -> None:
    repo.commit("code", {"src/app.py": "print(1)\n"})
    with pytest.raises(ConfigError) as info:
        load(Git(repo.path), "HEAD")
    assert info.value.file == POLICY_FILE
    assert info.value.hint == "run `vouched init`, review and commit .vouched/"


def test_load_without_people_fails_closed(repo: ScratchRepo) -> None:
    repo.commit("policy only", {".vouched/policy.toml": POLICY})
    with pytest.raises(ConfigError) as info:
        load(Git(repo.path), "HEAD")
    assert info.value.file == PEOPLE_FILE
    assert info.value.hint


def test_load_reports_a_broken_people_file_with_its_line(repo: ScratchRepo) -> None:
    broken = PEOPLE.replace('level = "mid"', 'level = "staff"')
    repo.commit("policy", {".vouched/policy.toml": POLICY, ".vouched/people.toml": broken})
    with pytest.raises(ConfigError) as info:
        load(Git(repo.path), "HEAD")
    assert info.value.file == PEOPLE_FILE
    assert info.value.line == line_of(broken, '"staff"')
    assert re.search(r"people\.toml:\d+ \(people\.bob\.level\)", info.value.message)


def test_load_sources_reads_the_working_tree_or_a_revision(repo: ScratchRepo) -> None:
    repo.commit("policy", {".vouched/policy.toml": POLICY, ".vouched/people.toml": PEOPLE})
    repo.write(".vouched/policy.toml", POLICY.replace("approvals = 2", "approvals = 5"))
    git = Git(repo.path)
    worktree, people = load_sources(git)
    assert worktree.riskiest.approvals == 5
    assert len(people.persons) == 3
    committed, _ = load_sources(git, "HEAD")
    assert committed.riskiest.approvals == 2
    (repo.path / ".vouched/people.toml").unlink()
    with pytest.raises(ConfigError) as info:
        load_sources(git)
    assert info.value.file == PEOPLE_FILE
    assert info.value.hint == "run `vouched init`, review and commit .vouched/"


def test_markers_at_a_revision(repo: ScratchRepo) -> None:
    first = repo.commit("code", {"src/app.py": "x\n"})
    marked = POLICY + '\n[[ai_markers]]\ntool = "acme-bot"\ntrailer = "Generated-by"\n'
    repo.commit("policy", {".vouched/policy.toml": marked, ".vouched/people.toml": PEOPLE})
    git = Git(repo.path)
    assert markers_at(git, first) == ()
    (marker,) = markers_at(git, "HEAD")
    assert (marker.tool, marker.trailer) == ("acme-bot", "Generated-by")
