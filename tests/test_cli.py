"""The command line as users run it: real subprocesses, exit codes, formats, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from vouched.demo import DEMO_PEOPLE, DEMO_POLICY
from vouched.git import ScratchRepo

from conftest import ALICE, BOB, CAROL

SARIF_SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "data" / "schemas" / "sarif-schema-2.1.0.json"
CLAUDE = "Co-Authored-By: Claude <noreply@anthropic.com>"


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vouched", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )


@pytest.fixture
def shop(repo: ScratchRepo) -> ScratchRepo:
    repo.commit(
        "Adopt vouched\n\nAssisted-by: none\n",
        {
            ".vouched/policy.toml": DEMO_POLICY,
            ".vouched/people.toml": DEMO_PEOPLE,
            "docs/guide.md": "# Guide\n",
            "src/auth/login.py": "def check(a, b):\n    return a == b\n",
        },
    )
    repo.git("checkout", "-q", "-b", "feature")
    return repo


def approvals(tmp_path: Path, repo: ScratchRepo, *logins: str) -> Path:
    sha = repo.git("rev-parse", "HEAD").strip()
    path = tmp_path / "reviews.json"
    body = [{"user": {"login": lg}, "state": "APPROVED", "commit_id": sha} for lg in logins]
    path.write_text(json.dumps(body))
    return path


def test_pass_exits_0_and_fail_exits_1(shop: ScratchRepo, tmp_path: Path) -> None:
    shop.commit(f"docs\n\n{CLAUDE}", {"docs/guide.md": "# Better\n"}, author=CAROL)
    ok = run("check", "--repo", shop.path, "--base", "main", "--approvals", approvals(tmp_path, shop, "bob-baker"))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "PASS" in ok.stdout
    shop.commit(f"login\n\n{CLAUDE}", {"src/auth/login.py": "x = 1\n"}, author=CAROL)
    bad = run("check", "--repo", shop.path, "--base", "main", "--approvals", approvals(tmp_path, shop, "bob-baker"))
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "FAIL" in bad.stdout
    assert "clearance.level" in bad.stdout


def test_default_base_is_the_default_branch_and_cwd_is_the_repo(shop: ScratchRepo) -> None:
    shop.commit("docs", {"docs/guide.md": "# x\n"}, author=BOB)
    got = run("check", "--format", "json", cwd=shop.path)
    assert got.returncode == 1
    data = json.loads(got.stdout)
    assert data["base"] == shop.git("rev-parse", "main").strip()
    assert [f["rule"] for f in data["findings"] if f["blocking"]] == ["approvals.no-source"]


def test_json_follows_the_contract(shop: ScratchRepo, tmp_path: Path) -> None:
    shop.commit(f"login\n\n{CLAUDE}", {"src/auth/login.py": "x = 1\n"}, author=ALICE)
    got = run("check", "--repo", shop.path, "--base", "main", "--format", "json")
    data = json.loads(got.stdout)
    assert data["schema"] == "vouched.verdict/1"
    assert data["verdict"] == "fail"
    assert data["tier"] == "red"
    assert {"base", "head", "commits", "files", "findings"} <= set(data)
    (commit,) = data["commits"]
    assert commit["author"] == {"name": ALICE[0], "email": ALICE[1], "person": "alice"}
    assert commit["ai"]["assisted"] is True
    assert commit["ai"]["tools"] == ["claude-code"]
    assert data["files"] == [{"path": "src/auth/login.py", "tier": "red", "reason": "path src/auth/**", "status": "M"}]
    for f in data["findings"]:
        assert {"rule", "severity", "blocking", "message", "path", "line", "commit"} <= set(f)
    assert data["verdict"] == ("fail" if any(f["blocking"] for f in data["findings"]) else "pass")


def test_sarif_validates_against_the_official_schema(shop: ScratchRepo, tmp_path: Path) -> None:
    shop.commit(f"login\n\n{CLAUDE}", {"src/auth/login.py": "x = 1\n"}, author=CAROL)
    out = tmp_path / "out.sarif"
    got = run("check", "--repo", shop.path, "--base", "main", "--format", "sarif", "--output", out)
    assert got.returncode == 1
    assert "report written" in got.stderr
    sarif = json.loads(out.read_text())
    jsonschema.validate(sarif, json.loads(SARIF_SCHEMA.read_text()))
    results = sarif["runs"][0]["results"]
    assert results
    assert all(r["locations"] for r in results)


def test_markdown_report(shop: ScratchRepo) -> None:
    shop.commit("docs", {"docs/guide.md": "# x\n"}, author=BOB)
    got = run("check", "--repo", shop.path, "--base", "main", "--format", "markdown")
    assert got.returncode == 1
    assert "approvals.no-source" in got.stdout
    assert "## ❌ vouched: fail" in got.stdout


def test_text_has_no_colour_when_piped(shop: ScratchRepo) -> None:
    shop.commit("docs", {"docs/guide.md": "# x\n"}, author=BOB)
    plain = run("check", "--repo", shop.path, "--base", "main")
    assert "\x1b[" not in plain.stdout
    forced = run("check", "--repo", shop.path, "--base", "main", "--color")
    assert "\x1b[" in forced.stdout


def test_provenance_jsonl_follows_the_contract(shop: ScratchRepo) -> None:
    sha = shop.commit(f"ai\n\n{CLAUDE}", {"docs/guide.md": "# y\n"}, author=BOB)
    got = run("provenance", "--repo", shop.path, "--format", "jsonl")
    assert got.returncode == 0, got.stderr
    records = [json.loads(line) for line in got.stdout.splitlines()]
    assert records[0]["sha"] == sha
    assert records[0]["ai"] == {
        "assisted": True,
        "declared": True,
        "tools": ["claude-code"],
        "models": [],
        "evidence": ["trailer Co-Authored-By: Claude <noreply@anthropic.com>"],
    }
    assert records[1]["ai"]["assisted"] is False
    assert records[1]["ai"]["declared"] is True  # Assisted-by: none
    ranged = run("provenance", "main..feature", "--repo", shop.path, "--format", "json")
    assert [r["sha"] for r in json.loads(ranged.stdout)] == [sha]
    text = run("provenance", "--repo", shop.path)
    assert sha[:7] in text.stdout


def test_policy_check_and_tier(shop: ScratchRepo) -> None:
    got = run("policy", "check", "--repo", shop.path)
    assert got.returncode == 0, got.stderr
    assert "ok:" in got.stdout
    (shop.path / "src/app").mkdir(parents=True)
    (shop.path / "src/app/crypto.py").write_text("import hmac\n")
    tiers = run("tier", "docs/guide.md", "src/auth/login.py", "src/app/crypto.py", "--repo", shop.path)
    assert tiers.returncode == 0, tiers.stderr
    lines = tiers.stdout.splitlines()
    assert "green" in lines[0]
    assert "red" in lines[1]
    assert "src/auth/**" in lines[1]
    assert "red" in lines[2]
    assert "content" in lines[2]


def test_init_writes_a_policy_that_checks(repo: ScratchRepo) -> None:
    repo.commit("start", {"src/auth/session.py": "x\n", "src/app/main.py": "y\n", "docs/a.md": "z\n"})
    got = run("init", "--repo", repo.path)
    assert got.returncode == 0, got.stderr
    assert (repo.path / ".vouched/policy.toml").is_file()
    assert "red" in got.stdout
    assert run("policy", "check", "--repo", repo.path).returncode == 0
    again = run("init", "--repo", repo.path)
    assert again.returncode == 2
    assert "already exists" in again.stderr


@pytest.mark.parametrize(
    ("policy", "needle"),
    [
        ("version = 1\nlevels = [\n", "policy.toml:"),
        ('version = 1\nlevels = ["junior"]\nbogus = 1\n', "bogus"),
    ],
)
def test_bad_policy_at_base_is_exit_2_with_file_and_line(repo: ScratchRepo, policy: str, needle: str) -> None:
    repo.commit("bad", {".vouched/policy.toml": policy, ".vouched/people.toml": DEMO_PEOPLE})
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit("x", {"a": "a\n"})
    got = run("check", "--repo", repo.path, "--base", "main")
    assert got.returncode == 2
    assert needle in got.stderr
    assert "Traceback" not in got.stderr


def test_bad_input_is_exit_2_without_traceback(shop: ScratchRepo, tmp_path: Path) -> None:
    shop.commit("docs", {"docs/guide.md": "# x\n"}, author=BOB)
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    cases = [
        ("check", "--repo", tmp_path),  # not a repository
        ("check", "--repo", shop.path, "--base", "no-such-branch"),
        ("check", "--repo", shop.path, "--base", "main", "--approvals", bad),
        ("check", "--repo", shop.path, "--base", "main", "--approvals", tmp_path / "missing.json"),
        ("check", "--repo", shop.path, "--format", "yaml"),
        ("provenance", "--repo", shop.path, "no-such-rev"),
        ("provenance", "--repo", shop.path, "--output=x"),
    ]
    for args in cases:
        got = run(*args)
        assert got.returncode == 2, (args, got.stdout, got.stderr)
        assert "Traceback" not in got.stderr, args
        assert got.stderr.strip(), args


def test_verbose_shows_the_traceback(shop: ScratchRepo) -> None:
    got = run("-v", "check", "--repo", shop.path, "--base", "no-such-branch")
    assert got.returncode == 2
    assert "Traceback" in got.stderr


def test_shallow_clone_is_exit_2_with_the_fix(shop: ScratchRepo, tmp_path: Path) -> None:
    for i in range(3):
        shop.commit(f"c{i}", {f"docs/{i}.md": "x\n"}, author=BOB)
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", "--no-single-branch", f"file://{shop.path}", str(clone)],
        check=True,
    )
    got = run("check", "--repo", clone, "--base", "origin/main", "--head", "origin/feature")
    assert got.returncode == 2
    assert "fetch-depth: 0" in got.stderr
    prov = run("provenance", "--repo", clone)
    assert prov.returncode == 2
    assert "--unshallow" in prov.stderr


def test_nothing_in_the_repository_changes(shop: ScratchRepo, tmp_path: Path) -> None:
    shop.commit(f"login\n\n{CLAUDE}", {"src/auth/login.py": "x = 1\n"}, author=CAROL)

    def snapshot() -> dict[str, bytes]:
        return {str(p.relative_to(shop.path)): p.read_bytes() for p in sorted(shop.path.rglob("*")) if p.is_file()}

    before = snapshot()
    for fmt in ("text", "json", "sarif", "markdown"):
        run("check", "--repo", shop.path, "--base", "main", "--format", fmt)
    run("provenance", "--repo", shop.path, "--format", "jsonl")
    run("tier", "src/auth/login.py", "--repo", shop.path)
    assert snapshot() == before


def test_internal_error_is_exit_3(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from vouched import cli

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr("vouched.demo.run_demo", boom)
    assert cli._run(["demo"]) == 3
    err = capsys.readouterr().err
    assert "internal error" in err
    assert "kaboom" in err
    assert "Traceback" not in err


def test_demo_shows_a_pass_and_a_fail() -> None:
    got = run("demo", "--no-color")
    assert got.returncode == 0, got.stderr
    assert "PASS" in got.stdout
    assert "FAIL" in got.stdout
    assert "(exit code 0)" in got.stdout
    assert "(exit code 1)" in got.stdout
