"""Every mistake at once: the policy and the roster report all their independent problems, in line order."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from test_policy import ALICE_KEY, PEOPLE, POLICY, line_of
from vouched.errors import ConfigError, ConfigErrors
from vouched.git import Git, ScratchRepo
from vouched.policy import PEOPLE_FILE, POLICY_FILE, load, load_sources, parse_people, parse_policy

# Eleven mistakes: in the top level, in each of the three tiers (several in one tier, and two of them in the
# same tier as a bad `approvals`), in [unknown_authors] and in an [[ai_markers]].
BROKEN_POLICY = textwrap.dedent(
    """\
    version = 1
    levels = ["junior", "mid", "senior"]
    colour = "blue"

    [[tiers]]
    name = "green"
    paths = ["**"]
    approvals = "one"
    min_level = "juinor"

    [[tiers]]
    name = "yellow"
    paths = ["src/**", "src/[z-a]"]
    content = ['^\\s*import (ssl']
    require_rationale = "yes"

    [[tiers]]
    name = "red"
    paths = ["src/auth/**"]
    content = ['^\\s*import (hashlib']
    approvals = -2
    stages = ["design", "reveiw"]

    [unknown_authors]
    level = "nobody"

    [[ai_markers]]
    tool = "Acme Bot"
    email = '(unclosed'
    """
)

BROKEN_POLICY_PROBLEMS = [
    ("colour =", "colour", 'unknown key "colour"'),
    ('approvals = "one"', "tiers[0].approvals", "whole number"),
    ('min_level = "juinor"', "tiers[0].min_level", 'unknown level "juinor"'),
    ("src/[z-a]", "tiers[1].paths[1]", "path pattern 'src/[z-a]' is not usable"),
    ("import (ssl", "tiers[1].content[0]", "not a valid regex"),
    ('require_rationale = "yes"', "tiers[1].require_rationale", "true or false"),
    ("import (hashlib", "tiers[2].content[0]", "not a valid regex"),
    ("approvals = -2", "tiers[2].approvals", "0 or more"),
    ("reveiw", "tiers[2].stages[1]", 'unknown stage "reveiw"'),
    ('level = "nobody"', "unknown_authors.level", 'unknown level "nobody"'),
    ('tool = "Acme Bot"', "ai_markers[0].tool", "lower-case"),
    ("(unclosed", "ai_markers[0].email", "not a valid regex"),
]

BROKEN_PEOPLE = textwrap.dedent(
    f"""\
    [people.alice]
    name = "Alice Archer"
    level = "senoir"
    emails = ["alice@bank.example"]
    github = "@alice"

    [people.bob]
    level = "mid"
    emails = ["ALICE@bank.example", "bob at bank"]
    keys = ["ssh-rsa AAAAB3NzaC1yc2E", "{ALICE_KEY}"]

    [people.carol]
    level = "junior"
    phone = "555"
    github = 7

    [people.dave]
    level = "senior"
    emails = ["Alice@Bank.Example"]
    keys = ["{ALICE_KEY} dave@laptop"]
    """
)

BROKEN_PEOPLE_PROBLEMS = [
    ('level = "senoir"', "people.alice.level", 'unknown level "senoir"'),
    ('github = "@alice"', "people.alice.github", "not a forge login"),
    ("ALICE@bank", "people.bob.emails[0]", "already listed for person 'alice'"),
    ("bob at bank", "people.bob.emails[1]", "not an email address"),
    ("ssh-rsa", "people.bob.keys[0]", "Ed25519 keys only"),
    ('phone = "555"', "people.carol.phone", 'unknown key "phone"'),
    ("github = 7", "people.carol.github", "must be a string"),
    ("Alice@Bank.Example", "people.dave.emails[0]", "already listed for person 'alice'"),
    ("dave@laptop", "people.dave.keys[0]", "already listed for person 'bob'"),
]


def errors_of(fn: object, *args: object) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        fn(*args)  # type: ignore[operator]
    return info.value


def assert_problems(err: ConfigError, text: str, expected: list[tuple[str, str, str]], file: str) -> None:
    """``err`` reports exactly ``expected`` (needle of the line, key, words of the message), in this order."""
    problems = err.problems
    got = [(p.line, p.key) for p in problems]
    want = [(line_of(text, needle), key) for needle, key, _ in expected]
    assert got == want
    for problem, (_, key, words) in zip(problems, expected, strict=True):
        assert problem.file == file
        assert words in problem.message, (key, problem.message)
        assert problem.hint, f"{key}: every problem says how to fix it"
        assert problem.message.startswith(f"{file}:{problem.line} ({key}): ")


# -- the error ------------------------------------------------------------------------------------------


def _problem(file: str, line: int | None, message: str = "bad") -> ConfigError:
    return ConfigError(message, file=file, line=line, key="k", hint="fix it")


def test_one_problem_is_the_problem_itself() -> None:
    one = _problem("a.toml", 3)
    assert ConfigError.combine([one]) is one
    assert one.problems == (one,)
    with pytest.raises(ValueError, match="at least one"):
        ConfigErrors([])


def test_several_problems_are_sorted_by_file_then_line_and_counted() -> None:
    a9, a2, b1, a2b = _problem("a", 9), _problem("a", 2), _problem("b", 1), _problem("a", 2, "second")
    err = ConfigError.combine([a9, a2, b1, a2b])
    assert isinstance(err, ConfigErrors)
    assert err.problems == (a2, a2b, a9, b1)  # same line: in the order they were found
    assert err.message == "4 problems in a and b"
    assert (err.file, err.line, err.key) == ("a", 2, "k")
    assert err.exit_code == 2
    # combining flattens: a ConfigErrors among the problems contributes its problems
    assert ConfigError.combine([err, _problem("a", 1)]).problems[0].line == 1
    assert len(ConfigError.combine([err, _problem("a", 1)]).problems) == 5


def test_diagnostics_list_every_problem_with_its_hint_then_the_count() -> None:
    err = ConfigError.combine([_problem("p.toml", 7, "second"), _problem("p.toml", 2, "first")])
    assert err.diagnostics() == (
        "error: p.toml:2 (k): first\n  hint: fix it\nerror: p.toml:7 (k): second\n  hint: fix it\n2 problems in p.toml"
    )


def test_a_single_mistake_prints_exactly_as_before() -> None:
    text = POLICY.replace("approvals = 2", "approvals = -1")
    err = errors_of(parse_policy, text)
    assert type(err) is ConfigError
    line = line_of(text, "approvals = -1")
    assert err.diagnostics() == (
        f"error: .vouched/policy.toml:{line} (tiers[2].approvals): must be 0 or more, not -1\n"
        "  hint: write approvals = 0 or more"
    )


# -- the policy -----------------------------------------------------------------------------------------


def test_every_policy_mistake_is_reported_in_line_order() -> None:
    err = errors_of(parse_policy, BROKEN_POLICY)
    assert isinstance(err, ConfigErrors)
    assert_problems(err, BROKEN_POLICY, BROKEN_POLICY_PROBLEMS, POLICY_FILE)
    assert err.message == f"{len(BROKEN_POLICY_PROBLEMS)} problems in {POLICY_FILE}"
    text = err.diagnostics()
    assert text.count("\nerror: ") + text.startswith("error: ") == len(BROKEN_POLICY_PROBLEMS)
    assert text.count("\n  hint: ") == len(BROKEN_POLICY_PROBLEMS)
    assert text.endswith(f"\n{len(BROKEN_POLICY_PROBLEMS)} problems in {POLICY_FILE}")


def test_a_bad_approvals_does_not_hide_a_bad_regex_in_the_same_tier_or_another() -> None:
    text = POLICY.replace("approvals = 2", 'approvals = "2"').replace("(hashlib|", "(hashlib|(")
    text = text.replace('paths = ["src/**"]', 'paths = ["src/**"]\ncontent = ["("]')
    err = errors_of(parse_policy, text)
    assert [p.key for p in err.problems] == ["tiers[1].content[0]", "tiers[2].content[0]", "tiers[2].approvals"]


def test_every_unknown_key_in_every_table() -> None:
    text = (
        POLICY.replace("version = 1\n", "version = 1\nextra = 1\nmore = 2\n")
        .replace('name = "green"', 'name = "green"\nzzz = 1\nyyy = 2')
        .replace('level = "none"', 'level = "none"\nwho = "x"')
    )
    err = errors_of(parse_policy, text)
    assert [p.key for p in err.problems] == [
        "extra",
        "more",
        "tiers[0].zzz",
        "tiers[0].yyy",
        "unknown_authors.who",
    ]


def test_every_stage_and_every_level_entry() -> None:
    text = POLICY.replace(
        '["requirements", "design", "implementation", "review"]', '["reveiw", "design", "design", "sign"]'
    )
    err = errors_of(parse_policy, text)
    assert [p.key for p in err.problems] == ["tiers[2].stages[0]", "tiers[2].stages[2]", "tiers[2].stages[3]"]
    text = 'version = 1\nlevels = ["a", "none", "a", " b"]\n[[tiers]]\nname = "x"\npaths = ["**"]\n'
    err = errors_of(parse_policy, text)
    assert [p.key for p in err.problems] == ["levels[1]", "levels[2]", "levels[3]"]


def test_each_tier_and_each_marker_is_checked() -> None:
    text = textwrap.dedent(
        """\
        version = 1
        levels = ["a"]

        [[tiers]]
        paths = ["**"]

        [[tiers]]
        name = "x"

        [[tiers]]
        name = "x"
        paths = ["!vendor/**"]

        [[ai_markers]]
        trailer = "Made-by: me"

        [[ai_markers]]
        tool = "ok"
        """
    )
    err = errors_of(parse_policy, text)
    assert [(p.line, p.key) for p in err.problems] == [
        (4, "tiers[0].name"),  # no name: the header's line
        (7, "tiers[1]"),  # claims no files
        (11, "tiers[2].name"),  # the same name twice
        (12, "tiers[2].paths"),  # only negations
        (14, "ai_markers[0].tool"),  # no tool: the header's line
        (15, "ai_markers[0].trailer"),  # not a trailer key
        (17, "ai_markers[1]"),  # nothing to look for
    ]
    assert "first on line 8" in err.problems[2].message


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ('paths = ["src/**"]', 'pahts = ["src/**"]', "tiers[1].pahts"),  # not also "claims no files"
        ('name = "yellow"', 'nmae = "yellow"', "tiers[1].nmae"),  # not also "has no name"
        ("levels =", "level =", "level"),  # not also "has no levels"
    ],
)
def test_a_misspelled_key_is_not_also_reported_missing(old: str, new: str, key: str) -> None:
    err = errors_of(parse_policy, POLICY.replace(old, new, 1))
    assert [p.key for p in err.problems] == [key]
    marker = POLICY + '[[ai_markers]]\ntol = "x"\nemial = "x"\n'
    assert [p.key for p in errors_of(parse_policy, marker).problems] == ["ai_markers[0].tol", "ai_markers[0].emial"]


def test_unusable_levels_leave_level_names_unchecked_but_everything_else_checked() -> None:
    text = POLICY.replace('levels = ["junior", "mid", "senior"]', 'levels = "junior"')
    text = text.replace('min_level = "senior"', 'min_level = "whatever"', 1).replace("approvals = 2", "approvals = -1")
    text = text.replace('ai_min_level = "mid"', "ai_min_level = 3")
    err = errors_of(parse_policy, text)
    # "whatever" cannot be judged without levels; a number is not a level name whatever the levels are
    assert [p.key for p in err.problems] == ["levels", "tiers[1].ai_min_level", "tiers[2].approvals"]


def test_malformed_toml_is_one_problem() -> None:
    text = BROKEN_POLICY + "oops = \n"
    err = errors_of(parse_policy, text)
    assert type(err) is ConfigError
    assert "not valid TOML" in err.message


def test_a_newer_version_is_the_only_problem_reported() -> None:
    err = errors_of(parse_policy, BROKEN_POLICY.replace("version = 1", "version = 2"))
    assert type(err) is ConfigError
    assert err.key == "version"
    # an unusable version that is not a newer one is one problem among the others
    err = errors_of(parse_policy, BROKEN_POLICY.replace("version = 1", 'version = "1"'))
    assert [p.key for p in err.problems][:2] == ["version", "colour"]


# -- the roster -----------------------------------------------------------------------------------------


def test_every_people_mistake_is_reported_in_line_order() -> None:
    err = errors_of(parse_people, BROKEN_PEOPLE, parse_policy(POLICY))
    assert isinstance(err, ConfigErrors)
    assert_problems(err, BROKEN_PEOPLE, BROKEN_PEOPLE_PROBLEMS, PEOPLE_FILE)
    assert err.message == f"{len(BROKEN_PEOPLE_PROBLEMS)} problems in {PEOPLE_FILE}"
    # the duplicates keep pointing at the first owner
    assert f"(line {line_of(BROKEN_PEOPLE, 'alice@bank.example')})" in err.problems[2].message


def test_a_person_that_is_not_a_table_does_not_stop_the_others() -> None:
    text = '[people]\nzed = "senior"\n' + PEOPLE.replace('level = "mid"', 'level = "staff"')
    err = errors_of(parse_people, text, parse_policy(POLICY))
    assert [p.key for p in err.problems] == ["people.zed", "people.bob.level"]


# -- both files -----------------------------------------------------------------------------------------


def test_load_sources_reports_both_files_policy_first(repo: ScratchRepo) -> None:
    repo.commit("bad", {POLICY_FILE: BROKEN_POLICY, PEOPLE_FILE: BROKEN_PEOPLE})
    for err in (errors_of(load_sources, Git(repo.path)), errors_of(load, Git(repo.path), "HEAD")):
        files = [p.file for p in err.problems]
        assert files == [POLICY_FILE] * len(BROKEN_POLICY_PROBLEMS) + [PEOPLE_FILE] * len(BROKEN_PEOPLE_PROBLEMS)
        assert err.message == f"{len(files)} problems in {POLICY_FILE} and {PEOPLE_FILE}"


def test_the_roster_is_checked_without_levels_when_the_policy_has_none(repo: ScratchRepo) -> None:
    policy = POLICY.replace('levels = ["junior", "mid", "senior"]\n', "")
    people = PEOPLE.replace('level = "mid"', 'level = "staff"').replace('github = "bob-b"', 'github = "@bob-b"')
    repo.commit("bad", {POLICY_FILE: policy, PEOPLE_FILE: people})
    err = errors_of(load_sources, Git(repo.path))
    # the level names in both files cannot be judged; everything else is
    assert [(p.file, p.key) for p in err.problems] == [(POLICY_FILE, "levels"), (PEOPLE_FILE, "people.bob.github")]


def test_a_missing_roster_and_a_broken_policy(repo: ScratchRepo) -> None:
    repo.commit("bad", {POLICY_FILE: POLICY.replace("approvals = 2", "approvals = -1")})
    err = errors_of(load_sources, Git(repo.path))
    assert [(p.file, p.key) for p in err.problems] == [(POLICY_FILE, "tiers[2].approvals"), (PEOPLE_FILE, None)]


def test_nothing_adopted_is_one_problem(repo: ScratchRepo) -> None:
    repo.commit("code", {"a.py": "x\n"})
    err = errors_of(load, Git(repo.path), "HEAD")
    assert type(err) is ConfigError
    assert err.file == POLICY_FILE


# -- the command line -----------------------------------------------------------------------------------


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vouched", *map(str, args)], capture_output=True, text=True, check=False
    )


def test_policy_check_lists_every_mistake_and_exits_2(repo: ScratchRepo) -> None:
    repo.commit("bad", {POLICY_FILE: BROKEN_POLICY, PEOPLE_FILE: BROKEN_PEOPLE})
    got = run("policy", "check", "--repo", repo.path)
    assert got.returncode == 2, got.stderr
    assert "Traceback" not in got.stderr
    assert got.stdout == ""
    errors = [line for line in got.stderr.splitlines() if line.startswith("error: ")]
    want = [f"error: {POLICY_FILE}:{line_of(BROKEN_POLICY, n)} ({k}): " for n, k, _ in BROKEN_POLICY_PROBLEMS]
    want += [f"error: {PEOPLE_FILE}:{line_of(BROKEN_PEOPLE, n)} ({k}): " for n, k, _ in BROKEN_PEOPLE_PROBLEMS]
    assert len(errors) == len(want)
    for line, prefix in zip(errors, want, strict=True):
        assert line.startswith(prefix), (line, prefix)
    assert got.stderr.count("\n  hint: ") == len(want)
    assert got.stderr.rstrip("\n").endswith(f"{len(want)} problems in {POLICY_FILE} and {PEOPLE_FILE}")


def test_policy_check_with_one_mistake_prints_one_error(repo: ScratchRepo) -> None:
    text = POLICY.replace("approvals = 2", "approvals = -1")
    repo.commit("bad", {POLICY_FILE: text, PEOPLE_FILE: PEOPLE})
    got = run("policy", "check", "--repo", repo.path)
    assert got.returncode == 2
    assert got.stderr == (
        f"error: {POLICY_FILE}:{line_of(text, 'approvals = -1')} (tiers[2].approvals): must be 0 or more, not -1\n"
        "  hint: write approvals = 0 or more\n"
    )
