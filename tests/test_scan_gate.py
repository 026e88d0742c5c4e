"""The scan as part of the gate, on real repositories: changed lines only, secrets redacted, fail closed.

Credentials in this file are built by concatenation at run time, so the file itself carries none.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vouched.errors import ConfigError, GitError, VouchedError
from vouched.gate.checks import CHECKS
from vouched.gate.engine import evaluate, judge
from vouched.gate.findings import Finding, Verdict
from vouched.git import Git, ScratchRepo
from vouched.policy import parse_policy
from vouched.scan.bandit import BanditScanner
from vouched.scan.check import scan_check
from vouched.scan.interface import Scanner
from vouched.scan.ruff import RuffScanner

from conftest import ALICE

SARIF_SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "data" / "schemas" / "sarif-schema-2.1.0.json"
CLAUDE = "Co-Authored-By: Claude <noreply@anthropic.com>"
TOKEN = "ghp_" + "Zq8Xw7Vu6Ts5Rq4Po3Nm2Lk1Jh0Gf9Ed8Cb7A"
POLICY = """\
version = 1
levels = ["junior", "senior"]

[[tiers]]
name = "green"
paths = ["**"]
[tiers.scan]
scanners = []

[[tiers]]
name = "yellow"
paths = ["src/**"]
[tiers.scan]
scanners = ["ruff", "bandit"]
block_severity = "medium"
"""
PEOPLE = """\
[people.alice]
name = "Alice Archer"
level = "senior"
emails = ["alice@bank.example"]
"""
OLD_CODE = """\
import subprocess


def legacy(cmd):
    return subprocess.call(cmd, shell=True)
"""


@pytest.fixture
def shop(repo: ScratchRepo) -> ScratchRepo:
    repo.commit(
        "Adopt vouched\n\nAssisted-by: none\n",
        {".vouched/policy.toml": POLICY, ".vouched/people.toml": PEOPLE, "src/app/legacy.py": OLD_CODE},
    )
    repo.git("checkout", "-q", "-b", "feature")
    return repo


def verdict(repo: ScratchRepo, scanners: dict[str, Scanner] | None = None) -> Verdict:
    git = Git(repo.path)
    return judge(evaluate(git, "main", "feature"), (*CHECKS, scan_check(git, scanners)))


def scan_findings(v: Verdict) -> list[Finding]:
    return [f for f in v.findings if f.rule.startswith("scan.")]


def test_vulnerable_ai_lines_fail_with_the_line_the_cwe_and_the_assistant(shop: ScratchRepo) -> None:
    code = OLD_CODE + (  # noqa: S608 - the vulnerable code under test
        "\n\ndef find(db, name):\n"
        "    return db.execute(\"SELECT * FROM users WHERE name = '%s'\" % name)\n"
        "\n\ndef run(cmd):\n"
        "    return subprocess.run(cmd, shell=True)\n"
    )
    sha = shop.commit(f"Add lookups\n\n{CLAUDE}", {"src/app/legacy.py": code}, author=ALICE)
    v = verdict(shop)
    assert not v.passed
    found = {(f.rule, f.path, f.line, f.blocking) for f in scan_findings(v)}
    assert found == {
        ("scan.finding", "src/app/legacy.py", 9, True),  # SQL built from input
        ("scan.finding", "src/app/legacy.py", 13, True),  # shell=True
    }  # line 5, the legacy shell=True outside the change, is not reported
    shell = next(f for f in v.findings if f.line == 13)
    assert "CWE-78" in shell.message and "ruff S602" in shell.message and "bandit B602" in shell.message
    assert "an AI assistant wrote this line (claude-code" in shell.message and shell.commit == sha
    assert "without shell=True" in shell.hint
    sql = next(f for f in v.findings if f.line == 9)
    assert "CWE-89" in sql.message and "parameterised query" in sql.hint


def test_a_clean_change_passes_and_low_findings_only_warn(shop: ScratchRepo) -> None:
    shop.commit(
        "Add helper\n\nAssisted-by: none\n", {"src/app/util.py": "import subprocess\n\n\ndef two():\n    return 2\n"}
    )
    v = verdict(shop)
    assert v.passed, [f.message for f in v.blocking]
    lows = scan_findings(v)
    assert lows and all(not f.blocking and f.severity.value == "warning" for f in lows)  # import subprocess: low
    assert all("an AI assistant" not in f.message for f in lows)


def test_the_scan_reads_head_not_the_working_tree(shop: ScratchRepo) -> None:
    shop.commit("Add helper\n\nAssisted-by: none\n", {"src/app/util.py": "def two():\n    return 2\n"})
    (shop.path / "src/app/util.py").write_text("import os\nos.system(input())\n")  # uncommitted
    assert not scan_findings(verdict(shop))


def test_secret_blocks_in_every_tier_and_is_never_printed(shop: ScratchRepo) -> None:
    shop.commit(f"Docs\n\n{CLAUDE}", {"docs/setup.md": f"# Setup\n\nexport GITHUB_TOKEN={TOKEN}\n"}, author=ALICE)
    v = verdict(shop)
    (secret,) = [f for f in v.findings if f.rule == "scan.secret"]
    assert secret.blocking and secret.path == "docs/setup.md" and secret.line == 3 and secret.tier == "green"
    assert TOKEN not in secret.message and f"ghp_… ({len(TOKEN)} chars)" in secret.message
    assert "an AI assistant wrote this line" in secret.message


def test_scanner_messages_do_not_repeat_a_hardcoded_password(shop: ScratchRepo) -> None:
    shop.commit("Config\n\nAssisted-by: none\n", {"src/app/db.py": 'def connect(password="hunter2"):\n    pass\n'})
    flagged = [f for f in verdict(shop).findings if f.rule == "scan.finding" and "CWE-259" in f.message]
    assert flagged and all("hunter2" not in f.message for f in flagged)


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "markdown"])
def test_no_output_format_contains_the_secret(shop: ScratchRepo, fmt: str) -> None:
    shop.commit("Config\n\nAssisted-by: none\n", {"src/app/settings.py": f'GITHUB_TOKEN = "{TOKEN}"\n'})
    out = subprocess.run(
        [sys.executable, "-m", "vouched", "check", "--repo", str(shop.path), "--base", "main", "--format", fmt],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 1, out.stderr
    assert "scan.secret" in out.stdout
    assert TOKEN not in out.stdout and TOKEN not in out.stderr
    assert TOKEN[4:20] not in out.stdout  # not even a good part of it
    if fmt == "sarif":
        doc = json.loads(out.stdout)
        jsonschema.validate(doc, json.loads(SARIF_SCHEMA.read_text()))
        (result,) = [r for r in doc["runs"][0]["results"] if r["ruleId"] == "scan.secret"]
        region = result["locations"][0]["physicalLocation"]
        assert region["artifactLocation"]["uri"] == "src/app/settings.py" and region["region"]["startLine"] == 1


def test_a_missing_required_scanner_blocks(shop: ScratchRepo, tmp_path: Path) -> None:
    shop.commit("Add helper\n\nAssisted-by: none\n", {"src/app/util.py": "def two():\n    return 2\n"})
    v = verdict(shop, {"ruff": RuffScanner(binary=str(tmp_path / "nowhere")), "bandit": BanditScanner()})
    (missing,) = [f for f in v.findings if f.rule == "scan.scanner-missing"]
    assert missing.blocking and "ruff" in missing.message and missing.tier == "yellow"


def test_an_uninstalled_bandit_blocks(shop: ScratchRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    shop.commit("Add helper\n\nAssisted-by: none\n", {"src/app/util.py": "def two():\n    return 2\n"})
    monkeypatch.setitem(sys.modules, "bandit", None)
    v = verdict(shop)
    assert {f.rule for f in v.blocking} == {"scan.scanner-missing"}
    assert "bandit" in v.blocking[0].message


def test_a_crashing_scanner_blocks(shop: ScratchRepo, tmp_path: Path) -> None:
    shop.commit("Add helper\n\nAssisted-by: none\n", {"src/app/util.py": "def two():\n    return 2\n"})
    crash = tmp_path / "ruff"
    crash.write_text("#!/bin/sh\nexit 101\n")
    crash.chmod(0o755)
    v = verdict(shop, {"ruff": RuffScanner(binary=str(crash)), "bandit": BanditScanner()})
    assert [f.rule for f in v.blocking] == ["scan.scanner-failed"]


def test_a_scanner_a_tier_does_not_require_is_not_needed(shop: ScratchRepo, tmp_path: Path) -> None:
    shop.commit("Docs\n\nAssisted-by: none\n", {"docs/a.py": "import os\nos.system(input())\n"})
    v = verdict(shop, {"ruff": RuffScanner(binary=str(tmp_path / "nowhere"))})
    assert v.passed and not scan_findings(v)  # green requires no scanner


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"def f(:\n    pass\n", "does not parse"),
        (b"s = '\xe9t\xe9'\n", "not UTF-8"),
        (b"x = 1\0\n", "binary"),
        (b"x = [" + b"1, " * 1000 + b"]\n", "minified"),
    ],
)
def test_an_unreadable_file_in_a_scanned_tier_blocks(shop: ScratchRepo, content: bytes, why: str) -> None:
    shop.commit("Add\n\nAssisted-by: none\n", {"src/app/odd.py": content})
    v = verdict(shop)
    blocking = [f for f in v.blocking if f.rule == "scan.not-scanned"]
    assert blocking and all(f.path == "src/app/odd.py" for f in blocking)
    assert any(why in f.message for f in blocking), [f.message for f in blocking]


def test_a_binary_file_is_a_note_for_secrets_outside_scanned_tiers(shop: ScratchRepo) -> None:
    shop.commit("Logo\n\nAssisted-by: none\n", {"docs/logo.png": b"\x89PNG\r\n\x1a\n\0\0\0"})
    v = verdict(shop)
    assert v.passed
    (note,) = scan_findings(v)
    assert (note.rule, note.severity.value, note.path) == ("scan.not-scanned", "note", "docs/logo.png")


def test_context_lines_widen_what_counts_as_changed(shop: ScratchRepo) -> None:
    base = (
        "import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(\n        cmd,\n        shell=True,\n    )\n"
    )
    shop.git("checkout", "-q", "main")
    shop.commit("Add run\n\nAssisted-by: none\n", {"src/app/run.py": base})
    shop.git("checkout", "-q", "feature")
    shop.git("merge", "-q", "main")
    shop.commit("Tweak\n\nAssisted-by: none\n", {"src/app/run.py": base + "\n\nX = 1\n"})
    assert not [f for f in scan_findings(verdict(shop)) if f.rule == "scan.finding"]


def test_blame_names_the_commit_of_each_line(shop: ScratchRepo) -> None:
    first = shop.commit("One\n\nAssisted-by: none\n", {"src/a.py": "a = 1\nb = 2\n"})
    second = shop.commit("Two\n\nAssisted-by: none\n", {"src/a.py": "a = 1\nb = 3\nc = 4\n"})
    git = Git(shop.path)
    base = git.merge_base("main", "feature") or ""
    head = git.resolve("feature")
    assert git.blame_lines(base, head, "src/a.py", [1, 2, 3]) == {1: first, 2: second, 3: second}
    assert git.blame_lines(base, head, "src/app/legacy.py", [1]) == {}  # older than the change
    with pytest.raises(GitError):  # only full ids: nothing that could read as an option reaches git
        git.blame_lines(base, "feature", "src/a.py", [1])


# -- policy ----------------------------------------------------------------------------------------

TIER = 'version = 1\nlevels = ["a"]\n[[tiers]]\nname = "t"\npaths = ["**"]\n'


def test_scan_settings_defaults_and_values() -> None:
    default = parse_policy(TIER).tiers[0].scan
    assert (default.scanners, default.block_severity, default.context_lines) == (("ruff",), "medium", 0)
    custom = parse_policy(TIER + '[tiers.scan]\nscanners = []\nblock_severity = "high"\ncontext_lines = 3\n')
    assert custom.tiers[0].scan.scanners == () and custom.tiers[0].scan.context_lines == 3


@pytest.mark.parametrize(
    ("text", "line", "key", "words"),
    [
        ('[tiers.scan]\nscanners = ["rufff"]\n', 7, "tiers[0].scan.scanners[0]", 'did you mean "ruff"'),
        ('[tiers.scan]\nscanners = ["ruff", "ruff"]\n', 7, "tiers[0].scan.scanners[1]", "listed twice"),
        ('[tiers.scan]\nscanners = "ruff"\n', 7, "tiers[0].scan.scanners", "a list even for one entry"),
        ('[tiers.scan]\nblock_severity = "severe"\n', 7, "tiers[0].scan.block_severity", "low, medium, high"),
        ("[tiers.scan]\nblock_severity = 2\n", 7, "tiers[0].scan.block_severity", "must be a string"),
        ("[tiers.scan]\ncontext_lines = -1\n", 7, "tiers[0].scan.context_lines", "0 or more"),
        ("[tiers.scan]\ncontext_lines = 51\n", 7, "tiers[0].scan.context_lines", "50 or less"),
        ("[tiers.scan]\nscaners = []\n", 7, "tiers[0].scan.scaners", 'did you mean "scanners"'),
        ("scan = true\n", 6, "tiers[0].scan", "must be a table"),
    ],
)
def test_bad_scan_settings_name_file_line_and_key(text: str, line: int, key: str, words: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_policy(TIER + text)
    err = info.value
    assert (err.file, err.line, err.key) == (".vouched/policy.toml", line, key)
    assert words in err.diagnostics()


def test_every_scan_rule_is_catalogued() -> None:
    import re

    from vouched.gate.rules import RULES
    from vouched.scan import check

    used = set(re.findall(r'"(scan\.[a-z-]+)"', Path(check.__file__).read_text()))
    assert used == {r for r in RULES if r.startswith("scan.")}


FAKE_SEMGREP = """#!/bin/sh
# A stand-in for semgrep: when its rules say "team-rule", reports line 1 of every file after "--".
config=""; prev=""; files=""; seen=""
for a in "$@"; do
  [ "$prev" = "--config" ] && config="$a"
  [ -n "$seen" ] && files="$files $a"
  [ "$a" = "--" ] && seen=1
  prev="$a"
done
sep=""
printf '{"results": ['
if grep -q team-rule "$config"/*; then
  for f in $files; do
    printf '%s{"check_id": "team-rule", "path": "%s", "start": {"line": 1}, "end": {"line": 1},' "$sep" "$f"
    printf ' "extra": {"message": "team rule", "severity": "ERROR", "metadata": {"cwe": ["CWE-89: SQL"]}}}'
    sep=","
  done
fi
printf '], "errors": []}\\n'
"""


def test_semgrep_uses_the_base_revisions_rules_only(
    repo: ScratchRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "semgrep").write_text(FAKE_SEMGREP)
    (bin_dir / "semgrep").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    policy = POLICY.replace('scanners = ["ruff", "bandit"]', 'scanners = ["semgrep"]')
    repo.commit("Adopt\n\nAssisted-by: none\n", {".vouched/policy.toml": policy, ".vouched/people.toml": PEOPLE})
    repo.git("checkout", "-q", "-b", "feature")
    # The change brings its own rules: they must not be used.
    repo.commit("Add\n\nAssisted-by: none\n", {"src/a.py": "x = 1\n", ".vouched/semgrep/r.yml": "team-rule\n"})
    (missing,) = [f for f in verdict(repo).findings if f.rule.startswith("scan.")]
    assert missing.rule == "scan.scanner-missing" and "no Semgrep rule files" in missing.message
    repo.git("checkout", "-q", "main")
    repo.commit("Rules\n\nAssisted-by: none\n", {".vouched/semgrep/r.yml": "team-rule\n"})
    repo.git("checkout", "-q", "feature")
    repo.commit("More\n\nAssisted-by: none\n", {"src/b.py": "y = 2\n"})
    found = [f for f in verdict(repo).findings if f.rule == "scan.finding"]
    assert {(f.path, f.line) for f in found} >= {("src/a.py", 1), ("src/b.py", 1)}
    assert all("semgrep team-rule" in f.message and f.blocking for f in found)


def test_vouched_scan_command(shop: ScratchRepo) -> None:
    shop.commit("Run\n\nAssisted-by: none\n", {"src/app/run.py": "import os\n\n\ndef go(c):\n    os.system(c)\n"})
    out = subprocess.run(
        [sys.executable, "-m", "vouched", "scan", "--repo", str(shop.path), "--base", "main", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 1, out.stderr
    doc = json.loads(out.stdout)
    assert {f["rule"] for f in doc["findings"]} == {"scan.finding"}
    assert any(f["line"] == 5 and "CWE-78" in f["message"] for f in doc["findings"])


def test_two_commits_on_one_file_each_line_names_its_own_writer(shop: ScratchRepo) -> None:
    human = OLD_CODE + "\n\ndef a(c):\n    return subprocess.run(c, shell=True)\n"
    first = shop.commit("Human\n\nAssisted-by: none\n", {"src/app/legacy.py": human})
    ai = human + "\n\ndef b(c):\n    return subprocess.run(c, shell=True)\n"
    second = shop.commit(f"AI\n\n{CLAUDE}", {"src/app/legacy.py": ai})
    found = {f.line: f for f in verdict(shop).findings if f.rule == "scan.finding" and f.blocking}
    assert set(found) == {9, 13}
    assert found[9].commit == first and "AI assistant" not in found[9].message
    assert found[13].commit == second and "an AI assistant wrote this line (claude-code" in found[13].message


SCAN_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-5, max_value=80),
    st.sampled_from(["ruff", "bandit", "semgrep", "medium", "high", "low", "critical", "rufff", ""]),
    st.lists(st.sampled_from(["ruff", "bandit", "semgrep", "rufff", "x"]), max_size=4),
)


@given(st.dictionaries(st.sampled_from(["scanners", "block_severity", "context_lines", "extra"]), SCAN_VALUES))
@settings(max_examples=150, deadline=None)
def test_any_scan_table_parses_or_says_where_it_is_wrong(table: dict[str, object]) -> None:
    import tomllib

    lines = [f"{k} = {json.dumps(v)}" for k, v in table.items() if v is not None]
    text = TIER + "[tiers.scan]\n" + "\n".join(lines) + "\n"
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return
    try:
        scan = parse_policy(text).tiers[0].scan
    except VouchedError as err:
        problem = err
    else:
        problem = None
    if problem is not None:
        assert problem.exit_code == 2 and ".vouched/policy.toml:" in problem.diagnostics()
        return
    assert set(scan.scanners) <= {"ruff", "bandit", "semgrep"}
    assert scan.block_severity in ("low", "medium", "high", "critical") and 0 <= scan.context_lines <= 50


def test_assert_is_a_finding_in_code_but_not_in_tests(shop: ScratchRepo) -> None:
    body = "def check(x):\n    assert x > 0\n    return x\n"
    shop.commit(
        f"Checks\n\n{CLAUDE}\n",
        {"src/app/check.py": body, "src/tests/test_check.py": body, "src/app/check_test.py": body},
    )
    asserts = {(f.path, f.line) for f in scan_findings(verdict(shop)) if "S101" in f.message or "B101" in f.message}
    assert asserts == {("src/app/check.py", 2)}  # tests check with assert; code must not rely on it


def test_ruff_password_rules_name_the_variable_and_never_quote_a_value(shop: ScratchRepo) -> None:
    shop.commit(f"Login\n\n{CLAUDE}\n", {"src/app/login.py": 'api_token = "hunter22hunter22"\n'})
    found = [f for f in scan_findings(verdict(shop)) if "CWE-259" in f.message]
    assert found, "the hard-coded password is flagged"
    assert all("hunter22" not in f.message for f in found)
    ruff_only = judge(
        evaluate(Git(shop.path), "main", "feature"), (*CHECKS, scan_check(Git(shop.path), {"ruff": RuffScanner()}))
    )
    assert any("assigned to: api_token" in f.message for f in ruff_only.findings)
