"""The pattern library: strict pattern files, the starter library, the gate check and the commands.

Every check runs on a real repository: the library is committed at the base, and the change under review
adds code (AI-assisted or not) and sometimes edits the library itself, which must not change its verdict.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from vouched.demo import DEMO_PEOPLE, DEMO_POLICY
from vouched.errors import ConfigError
from vouched.gate.checks import CHECKS
from vouched.gate.engine import evaluate, judge
from vouched.gate.findings import Verdict
from vouched.git import Git, ScratchRepo
from vouched.scan.patterns import language_for, load_library, parse_pattern, run_examples
from vouched.scan.patterns_check import pattern_check

from conftest import ALICE, BOB

DOCS = Path(__file__).resolve().parents[1] / "docs" / "patterns"
STARTERS = {p.name: p.read_text() for p in sorted(DOCS.glob("*.yml"))}
CLAUDE = "Co-Authored-By: Claude <noreply@anthropic.com>\nAI-Rationale: reviewed"

SHELL = """\
id: no-shell
title: A command run through the shell
languages: [python]
status: caused-issue
tiers: [yellow, red]
rule:
  pattern: $F($$$ARGS)
  has:
    kind: argument_list
    has: {kind: keyword_argument, regex: '^shell\\s*=\\s*True$'}
why: INC-42, a hostname with a semicolon ran a command on the build host.
fix: Pass a list of arguments without shell=True.
links: [INC-42]
examples:
  match: ["subprocess.run(cmd, shell=True)"]
  no_match: ["subprocess.run(['ls', path])"]
"""

WORKED = """\
id: house-token
title: Tokens come from secrets
languages: [python]
status: worked
rule: secrets.token_urlsafe($$$A)
why: The house way since the auth rewrite.
examples:
  match: ["secrets.token_urlsafe(32)"]
"""


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vouched", *map(str, args)], capture_output=True, text=True, cwd=cwd, check=False
    )


@pytest.fixture
def shop(repo: ScratchRepo) -> ScratchRepo:
    repo.commit(
        "Adopt vouched\n\nAssisted-by: none\n",
        {
            ".vouched/policy.toml": DEMO_POLICY,
            ".vouched/people.toml": DEMO_PEOPLE,
            ".vouched/patterns/no-shell.yml": SHELL,
            ".vouched/patterns/house-token.yml": WORKED,
            "src/app/ops.py": "import subprocess\n\n\ndef ls(path):\n    return subprocess.run(['ls', path])\n",
            "docs/ops.py": "x = 1\n",
        },
    )
    repo.git("checkout", "-q", "-b", "feature")
    return repo


def verdict(repo: ScratchRepo) -> Verdict:
    git = Git(repo.path)
    return judge(evaluate(git, "main", "feature", None), (*CHECKS, pattern_check(git)))


def pattern_findings(v: Verdict) -> list[tuple[str, str | None, int | None, bool]]:
    return [(f.rule, f.path, f.line, f.blocking) for f in v.findings if f.rule.startswith("pattern.")]


# -- pattern files ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(STARTERS))
def test_every_starter_pattern_passes_its_examples(name: str) -> None:
    pattern = parse_pattern(STARTERS[name], f".vouched/patterns/{name}", ["green", "yellow", "red"])
    assert pattern.positive, "a starter pattern without a match example proves nothing"
    assert run_examples(pattern) == []


def test_starter_library_has_both_statuses_and_between_6_and_10_patterns() -> None:
    statuses = [parse_pattern(text, name).status for name, text in STARTERS.items()]
    assert 6 <= len(statuses) <= 10
    assert set(statuses) == {"caused-issue", "worked"}


def test_a_pattern_whose_example_does_not_match_is_reported() -> None:
    broken = SHELL.replace('match: ["subprocess.run(cmd, shell=True)"]', 'match: ["subprocess.run(cmd)"]')
    failures = run_examples(parse_pattern(broken, "p.yml"))
    assert len(failures) == 1 and "examples.match[0]" in failures[0] and "does not match" in failures[0]
    broken = SHELL.replace("no_match: [\"subprocess.run(['ls', path])\"]", 'no_match: ["os.popen(x, shell=True)"]')
    failures = run_examples(parse_pattern(broken, "p.yml"))
    assert len(failures) == 1 and "examples.no_match[0]" in failures[0] and "matches" in failures[0]


@pytest.mark.parametrize(
    ("edit", "line", "key", "words"),
    [
        (("status: caused-issue", "status: caused"), 4, "status", "unknown status 'caused'"),
        (("languages: [python]", "languages: [pyhton]"), 3, "languages[0]", 'did you mean "python"'),
        (("tiers: [yellow, red]", "tiers: [yellow, crimson]"), 5, "tiers[1]", "unknown tier 'crimson'"),
        (("why: INC-42", "wy: INC-42"), 11, "wy", 'did you mean "why"'),
        (("title: A command", "title:\n  - A command"), 2, "title", "must be a non-empty string"),
        (("id: no-shell", "id: No Shell"), 1, "id", "lower-case"),
        (("  pattern: $F($$$ARGS)", "  patern: $F($$$ARGS)"), 6, "rule", "unknown field `patern`"),
        (('  match: ["subprocess', '  matches: ["subprocess'), 15, "examples.matches", "unknown key"),
        (("links: [INC-42]", "links: INC-42"), 13, "links", "must be a list"),
    ],
)
def test_malformed_pattern_files_name_file_line_and_key(edit: tuple[str, str], line: int, key: str, words: str) -> None:
    assert edit[0] in SHELL
    with pytest.raises(ConfigError) as info:
        parse_pattern(SHELL.replace(edit[0], edit[1]), ".vouched/patterns/no-shell.yml", ["green", "yellow", "red"])
    problems = info.value.problems
    assert any(p.line == line and p.key == key and words in f"{p.message} {p.hint}" for p in problems), [
        (p.line, p.key, p.message) for p in problems
    ]
    assert all(p.file == ".vouched/patterns/no-shell.yml" for p in problems)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "the file is empty"),
        ("id: [unclosed\n", "not valid YAML"),
        ("- a\n- b\n", "one mapping"),
        ("a: &x [1]\nb: *x\n", "anchors and aliases"),
        ("id: a\nid: b\n", "given twice"),
        ("---\nid: a\n---\nid: b\n", "not valid YAML"),
    ],
)
def test_pattern_files_that_are_not_patterns(text: str, words: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_pattern(text, "x.yml")
    assert any(words in p.message for p in info.value.problems), info.value.diagnostics()


def test_every_missing_key_is_reported_at_once() -> None:
    with pytest.raises(ConfigError) as info:
        parse_pattern("id: x\n", "x.yml")
    messages = " | ".join(p.message for p in info.value.problems)
    for key in ("title", "languages", "status", "rule", "why", "examples"):
        assert f"no {key}" in messages


def test_non_utf8_pattern_file_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="not valid UTF-8"):
        parse_pattern(b"id: caf\xe9\n", "x.yml")


def test_language_for_knows_common_suffixes_and_nothing_else() -> None:
    assert language_for("src/a.py") == "python"
    assert language_for("web/App.TSX") == "tsx"
    assert language_for("Makefile") is None
    assert language_for("dir.py/README") is None


# -- the gate -----------------------------------------------------------------------------------------


def test_caused_issue_hit_on_an_ai_line_blocks_and_says_so(shop: ScratchRepo) -> None:
    shop.commit(
        f"ping\n\n{CLAUDE}",
        {"src/app/ops.py": "import subprocess\n\n\ndef ls(path):\n    return subprocess.run(path, shell=True)\n"},
        author=BOB,
    )
    v = verdict(shop)
    hits = [f for f in v.findings if f.rule == "pattern.caused-issue"]
    assert [(f.path, f.line, f.blocking, f.tier) for f in hits] == [("src/app/ops.py", 5, True, "yellow")]
    assert "AI-assisted (claude-code)" in hits[0].message and "INC-42" in hits[0].message
    assert hits[0].commit == shop.git("rev-parse", "HEAD").strip()
    assert "without shell=True" in hits[0].hint


def test_same_hit_by_a_human_blocks_without_the_ai_remark(shop: ScratchRepo) -> None:
    shop.commit(
        "ping\n\nAssisted-by: none",
        {"src/app/ops.py": "import subprocess\nsubprocess.run(cmd, shell=True)\n"},
        author=BOB,
    )
    hits = [f for f in verdict(shop).findings if f.rule == "pattern.caused-issue"]
    assert len(hits) == 1 and hits[0].blocking and "AI-assisted" not in hits[0].message


def test_hit_outside_the_named_tiers_warns_only(shop: ScratchRepo) -> None:
    shop.commit(f"docs\n\n{CLAUDE}", {"docs/ops.py": "subprocess.run(cmd, shell=True)\n"}, author=BOB)
    assert pattern_findings(verdict(shop)) == [("pattern.caused-issue", "docs/ops.py", 1, False)]


def test_matches_on_unchanged_lines_are_not_reported(shop: ScratchRepo) -> None:
    shop.commit("seed\n\nAssisted-by: none", {"src/app/old.py": "subprocess.run(cmd, shell=True)\n"}, author=ALICE)
    shop.git("checkout", "-q", "main")
    shop.git("merge", "-q", "--ff-only", "feature")
    shop.git("checkout", "-q", "feature")
    shop.commit(f"more\n\n{CLAUDE}", {"src/app/old.py": "subprocess.run(cmd, shell=True)\nx = 1\n"}, author=BOB)
    assert pattern_findings(verdict(shop)) == []


def test_a_multi_line_match_counts_when_any_of_its_lines_is_added(shop: ScratchRepo) -> None:
    shop.commit("seed\n\nAssisted-by: none", {"src/app/m.py": "subprocess.run(\n    cmd,\n)\n"}, author=ALICE)
    shop.git("checkout", "-q", "main")
    shop.git("merge", "-q", "--ff-only", "feature")
    shop.git("checkout", "-q", "feature")
    shop.commit(f"shell\n\n{CLAUDE}", {"src/app/m.py": "subprocess.run(\n    cmd,\n    shell=True,\n)\n"}, author=BOB)
    assert pattern_findings(verdict(shop)) == [("pattern.caused-issue", "src/app/m.py", 3, True)]


def test_ai_lines_are_told_apart_from_human_lines_in_a_mixed_change(shop: ScratchRepo) -> None:
    shop.commit("human\n\nAssisted-by: none", {"src/app/h.py": "subprocess.run(a, shell=True)\n"}, author=BOB)
    shop.commit(
        f"ai\n\n{CLAUDE}", {"src/app/h.py": "subprocess.run(a, shell=True)\nos.run(b, shell=True)\n"}, author=BOB
    )
    hits = {f.line: f for f in verdict(shop).findings if f.rule == "pattern.caused-issue"}
    assert sorted(hits) == [1, 2]
    assert "AI-assisted" not in hits[1].message
    assert "AI-assisted" in hits[2].message


def test_worked_pattern_is_a_note(shop: ScratchRepo) -> None:
    shop.commit(f"token\n\n{CLAUDE}", {"src/app/t.py": "import secrets\nt = secrets.token_urlsafe(32)\n"}, author=BOB)
    v = verdict(shop)
    notes = [f for f in v.findings if f.rule == "pattern.worked"]
    assert len(notes) == 1 and not notes[0].blocking and notes[0].severity.value == "note"
    assert "house way" in notes[0].message


def test_a_change_that_edits_the_library_is_judged_by_the_base_library(shop: ScratchRepo) -> None:
    shop.commit(
        f"relax\n\n{CLAUDE}",
        {
            ".vouched/patterns/no-shell.yml": None,
            ".vouched/patterns/mine.yml": "id: [broken\n",
            "src/app/ops.py": "subprocess.run(cmd, shell=True)\n",
        },
        author=BOB,
    )
    findings = pattern_findings(verdict(shop))
    assert ("pattern.caused-issue", "src/app/ops.py", 1, True) in findings
    assert not any(rule == "pattern.invalid" for rule, *_ in findings)  # the broken new file is not read yet


def test_a_broken_library_at_the_base_blocks(shop: ScratchRepo) -> None:
    shop.git("checkout", "-q", "main")
    shop.commit("oops\n\nAssisted-by: none", {".vouched/patterns/bad.yml": "id: x\nstatus: maybe\n"}, author=ALICE)
    shop.git("checkout", "-q", "feature")
    shop.git("merge", "-q", "main")
    shop.commit("work\n\nAssisted-by: none", {"src/app/x.py": "x = 1\n"}, author=BOB)
    invalid = [f for f in verdict(shop).findings if f.rule == "pattern.invalid"]
    assert invalid and all(f.blocking and f.path == ".vouched/patterns/bad.yml" for f in invalid)
    assert any("unknown status 'maybe'" in f.message for f in invalid)


def test_minified_and_binary_files_are_reported_not_scanned(shop: ScratchRepo) -> None:
    shop.commit(
        f"gen\n\n{CLAUDE}",
        {"src/app/gen.py": "x = [" + "1," * 12_000 + "]\n", "src/app/blob.py": b"\x00\x01subprocess"},
        author=BOB,
    )
    v = verdict(shop)
    assert [(f.rule, f.path, f.blocking) for f in v.findings if f.rule == "pattern.not-scanned"] == [
        ("pattern.not-scanned", "src/app/gen.py", False)
    ]


def test_non_utf8_and_unparsable_source_is_still_matched(shop: ScratchRepo) -> None:
    shop.commit(
        f"bad\n\n{CLAUDE}",
        {"src/app/bad.py": b"s = '\xff'\ndef broken(:\nsubprocess.run(cmd, shell=True)\n"},
        author=BOB,
    )
    assert ("pattern.caused-issue", "src/app/bad.py", 3, True) in pattern_findings(verdict(shop))


# -- the commands --------------------------------------------------------------------------------------


def test_patterns_list_and_test_on_the_working_tree_and_at_a_revision(shop: ScratchRepo) -> None:
    out = run("patterns", "list", "--repo", shop.path)
    assert out.returncode == 0, out.stderr
    assert "no-shell" in out.stdout and "yellow,red" in out.stdout and "house-token" in out.stdout
    assert "2 patterns: 1 caused-issue, 1 worked" in out.stdout
    out = run("patterns", "test", "--repo", shop.path, "--rev", "main")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "2 of 2 patterns pass" in out.stdout


def test_patterns_test_exits_1_on_a_failing_example_and_2_on_a_malformed_file(shop: ScratchRepo) -> None:
    (shop.path / ".vouched/patterns/no-shell.yml").write_text(SHELL.replace('shell=True)"]', 'shell=False)"]', 1))
    out = run("patterns", "test", "--repo", shop.path)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "FAIL  no-shell" in out.stdout and "does not match" in out.stdout
    (shop.path / ".vouched/patterns/no-shell.yml").write_text("id: x\nstatus: nope\n")
    for command in ("test", "list"):
        out = run("patterns", command, "--repo", shop.path)
        assert out.returncode == 2, out.stdout + out.stderr
        assert ".vouched/patterns/no-shell.yml:2 (status): unknown status 'nope'" in out.stderr
        assert "Traceback" not in out.stderr


def test_patterns_add_from_a_finding_writes_a_passing_skeleton_and_never_overwrites(
    shop: ScratchRepo, tmp_path: Path
) -> None:
    shop.commit(
        f"fetch\n\n{CLAUDE}",
        {"src/app/net.py": "import requests\n\n\ndef get(u):\n    return requests.get(u,\n        verify=False)\n"},
        author=BOB,
    )
    report = tmp_path / "report.json"
    out = run("check", "--repo", shop.path, "--base", "main", "--format", "json", "--output", report)
    assert out.returncode == 1
    findings = json.loads(report.read_text())["findings"]
    prompt = next(f for f in findings if f["rule"] == "review.prompt" and f["path"] == "src/app/net.py")
    added = run(
        "patterns", "add", "--repo", shop.path, "--from-finding", report,
        "--rule", "review.prompt", "--path", "src/app/net.py", "--line", str(prompt["line"]), "--id", "no-verify-off",
    )  # fmt: skip
    assert added.returncode == 0, added.stdout + added.stderr
    written = (shop.path / ".vouched/patterns/no-verify-off.yml").read_text()
    pattern = parse_pattern(written, "no-verify-off.yml")
    assert pattern.positive == ("return requests.get(u,\n        verify=False)",)
    assert run_examples(pattern) == []
    assert run("patterns", "test", "--repo", shop.path).returncode == 0
    again = run(
        "patterns", "add", "--repo", shop.path, "--from-finding", report,
        "--rule", "review.prompt", "--path", "src/app/net.py", "--line", str(prompt["line"]), "--id", "no-verify-off",
    )  # fmt: skip
    assert again.returncode == 2 and "already exists" in again.stderr
    assert (shop.path / ".vouched/patterns/no-verify-off.yml").read_text() == written
    none = run("patterns", "add", "--repo", shop.path, "--from-finding", report, "--rule", "no.such-rule")
    assert none.returncode == 2 and "0 findings" in none.stderr
    derived = run("patterns", "add", "--repo", shop.path, "--from-finding", report)  # the one finding with a line
    assert derived.returncode == 0, derived.stderr
    assert (shop.path / f".vouched/patterns/review.prompt-net-{prompt['line']}.yml").is_file()
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    assert run("patterns", "add", "--repo", shop.path, "--from-finding", bad).returncode == 2


def test_library_is_read_from_git_not_the_working_tree(shop: ScratchRepo) -> None:
    (shop.path / ".vouched/patterns/no-shell.yml").write_text("garbage: [")
    lib = load_library(Git(shop.path), "main")
    assert [p.id for p in lib.patterns] == ["house-token", "no-shell"] and not lib.problems


def test_only_yaml_files_directly_in_the_patterns_folder_are_read(shop: ScratchRepo) -> None:
    shop.git("checkout", "-q", "main")
    shop.commit(
        "more\n\nAssisted-by: none",
        {
            ".vouched/patterns/drafts/wip.yml": "not: a pattern\n",
            ".vouched/patterns/README.md": "# how we write patterns\n",
            ".vouched/patterns/extra.yaml": WORKED.replace("house-token", "house-token-2"),
        },
        author=ALICE,
    )
    lib = load_library(Git(shop.path), "main")
    assert [p.id for p in lib.patterns] == ["house-token-2", "house-token", "no-shell"] and not lib.problems
    assert load_library(Git(shop.path), "main~1").files == (
        ".vouched/patterns/house-token.yml",
        ".vouched/patterns/no-shell.yml",
    )


def test_each_hit_names_the_commit_that_wrote_its_line(shop: ScratchRepo) -> None:
    first = shop.commit(f"one\n\n{CLAUDE}", {"src/app/h.py": "subprocess.run(a, shell=True)\n"}, author=BOB)
    second = shop.commit(
        "two\n\nAssisted-by: Copilot:gpt-4o\nAI-Rationale: ok",
        {"src/app/h.py": "subprocess.run(a, shell=True)\nos.run(b, shell=True)\n"},
        author=BOB,
    )
    hits = {f.line: f for f in verdict(shop).findings if f.rule == "pattern.caused-issue"}
    assert (hits[1].commit, hits[2].commit) == (first, second)
    assert "claude-code" in hits[1].message and "copilot" in hits[2].message
