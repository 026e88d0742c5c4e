"""The dependency gate through real git repositories: manifests at base and head, an advisory database
imported from a small OSV fixture, the policy's [deps] rules, exceptions and tiers."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vouched.deps.advisories import AdvisoryDB
from vouched.deps.gate import DepsOptions, audit_change, findings_for, tier_rules_for
from vouched.gate.findings import Finding
from vouched.git import Git, ScratchRepo
from vouched.policy import parse_policy
from vouched.policy.model import DepsPolicy

UTC = dt.UTC
NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def osv_records(modified: dt.datetime) -> list[dict[str, Any]]:
    stamp = modified.strftime("%Y-%m-%dT%H:%M:%SZ")
    return [
        {
            "id": "PYSEC-2099-1",
            "modified": stamp,
            "aliases": ["CVE-2099-0001", "GHSA-aaaa-bbbb-cccc"],
            "summary": "Remote code execution in insecure-lib's loader",
            "affected": [
                {
                    "package": {"ecosystem": "PyPI", "name": "Insecure_Lib"},
                    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "1.0.0"}, {"fixed": "1.5.0"}]}],
                    "versions": ["1.0.0", "1.2.0", "1.4.0"],
                }
            ],
        },
        {
            "id": "GHSA-npm9-0000-0001",
            "modified": stamp,
            "aliases": ["CVE-2099-0002"],
            "summary": "Prototype pollution in evil-parse",
            "affected": [
                {
                    "package": {"ecosystem": "npm", "name": "evil-parse"},
                    "ranges": [{"type": "SEMVER", "events": [{"introduced": "2.0.0"}, {"fixed": "2.3.1"}]}],
                }
            ],
        },
    ]


def build_db(folder: Path, modified: dt.datetime = NOW - dt.timedelta(days=1)) -> Path:
    src = folder / "osv"
    src.mkdir(parents=True, exist_ok=True)
    for rec in osv_records(modified):
        (src / f"{rec['id']}.json").write_text(json.dumps(rec), encoding="utf-8")
    db_path = folder / "advisories.sqlite3"
    AdvisoryDB.import_path(src, db_path, now=NOW)
    return db_path


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return build_db(tmp_path / "db")


def change(repo: ScratchRepo, base_files: dict[str, str | None], head_files: dict[str, str | None]) -> tuple[str, str]:
    base = repo.commit("base", base_files)
    head = repo.commit("head", head_files)
    return base, head


def run(
    repo: ScratchRepo,
    base: str,
    head: str,
    db_path: Path | None,
    policy: DepsPolicy | None = None,
    *,
    now: dt.datetime = NOW,
    policy_text: str | None = None,
) -> list[Finding]:
    git = Git(repo.path)
    paths = [p for f in git.diff(base, head) for p in f.paths]
    pol = parse_policy(policy_text) if policy_text else None
    deps_policy = pol.deps if pol is not None else (policy or DepsPolicy())
    opts = DepsOptions(db_path=db_path, registries=False, now=now)
    report = audit_change(git, base, head, paths, deps_policy, opts)
    return findings_for(report, deps_policy, tier_rules_for(pol), now.date())


def by_rule(findings: list[Finding], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule]


def test_a_vulnerable_pin_is_blocking_with_ids_aliases_range_and_fix(repo: ScratchRepo, db_path: Path) -> None:
    base, head = change(
        repo, {"requirements.txt": "safe-lib==1.0\n"}, {"requirements.txt": "safe-lib==1.0\ninsecure-lib==1.2.0\n"}
    )
    found = run(repo, base, head, db_path)
    vuln = by_rule(found, "deps.vulnerable")
    assert len(vuln) == 1
    f = vuln[0]
    assert f.blocking and f.path == "requirements.txt" and f.line == 2
    for text in ("PYSEC-2099-1", "CVE-2099-0001", "GHSA-aaaa-bbbb-cccc", ">=1.0.0, <1.5.0", "first fixed: 1.5.0"):
        assert text in f.message
    assert "1.5.0" in f.hint
    # the unchanged safe-lib is not audited at all; insecure-lib is also unknown to the (absent) registry
    assert all("safe-lib" not in x.message for x in found)
    assert [x.line for x in by_rule(found, "deps.unknown")] == [2]


def test_a_fixed_upgrade_is_not_vulnerable(repo: ScratchRepo, db_path: Path) -> None:
    base, head = change(
        repo, {"requirements.txt": "insecure-lib==1.2.0\n"}, {"requirements.txt": "insecure-lib==1.5.0\n"}
    )
    found = run(repo, base, head, db_path)
    assert not by_rule(found, "deps.vulnerable")
    assert "upgraded insecure-lib==1.2.0 -> insecure-lib==1.5.0" in by_rule(found, "deps.unknown")[0].message


def test_a_range_is_judged_by_the_versions_the_database_names_and_says_so(repo: ScratchRepo, db_path: Path) -> None:
    base, head = change(repo, {"requirements.txt": "\n"}, {"requirements.txt": "insecure-lib>=1.1,<2\n"})
    found = run(repo, base, head, db_path)
    vuln = by_rule(found, "deps.vulnerable")
    assert len(vuln) == 1
    assert "admits 2 affected version(s) of 3 judged: 1.2.0, 1.4.0" in vuln[0].message
    assert "judged by the 3 version(s) the advisory database names" in vuln[0].message


def test_npm_range_in_package_json(repo: ScratchRepo, db_path: Path) -> None:
    pkg = {"name": "app", "version": "1.0.0", "dependencies": {"evil-parse": "~2.3.0"}}
    base, head = change(
        repo,
        {"package.json": json.dumps({"name": "app", "version": "1.0.0"})},
        {"package.json": json.dumps(pkg, indent=2)},
    )
    found = run(repo, base, head, db_path)
    # the database names 2.0.0 and 2.3.1; ~2.3.0 admits 2.3.1 only, which is fixed
    assert not by_rule(found, "deps.vulnerable")
    pkg["dependencies"] = {"evil-parse": "^2.0.0"}
    head2 = repo.commit("wider", {"package.json": json.dumps(pkg, indent=2)})
    vuln = by_rule(run(repo, base, head2, db_path), "deps.vulnerable")
    assert len(vuln) == 1 and vuln[0].path == "package.json" and vuln[0].line == 5
    assert "GHSA-npm9-0000-0001" in vuln[0].message and "2.0.0" in vuln[0].message


def test_missing_and_corrupt_databases_block(repo: ScratchRepo, tmp_path: Path) -> None:
    base, head = change(repo, {"requirements.txt": "\n"}, {"requirements.txt": "insecure-lib==1.2.0\n"})
    missing = by_rule(run(repo, base, head, tmp_path / "nowhere.sqlite3"), "deps.db-missing")
    assert len(missing) == 1 and missing[0].blocking and "vouched deps db" in missing[0].hint
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    assert by_rule(run(repo, base, head, garbage), "deps.db-missing")[0].blocking


def test_a_stale_database_blocks_by_the_policy_limit(repo: ScratchRepo, tmp_path: Path) -> None:
    db = build_db(tmp_path / "old", modified=NOW - dt.timedelta(days=10))
    base, head = change(repo, {"requirements.txt": "\n"}, {"requirements.txt": "other==1.0\n"})
    stale = by_rule(run(repo, base, head, db), "deps.db-stale")
    assert len(stale) == 1 and stale[0].blocking and "at most 7 day(s)" in stale[0].message
    assert not by_rule(run(repo, base, head, db, DepsPolicy(max_db_age_days=30)), "deps.db-stale")


def test_no_dependency_change_needs_no_database(repo: ScratchRepo, tmp_path: Path) -> None:
    base, head = change(
        repo,
        {"requirements.txt": "a==1\n", "app.py": "x = 1\n"},
        {"app.py": "x = 2\n", "requirements.txt": "# pinned\na==1\n"},
    )
    assert run(repo, base, head, tmp_path / "nowhere.sqlite3") == []


def test_a_malformed_lockfile_names_file_and_line(repo: ScratchRepo, db_path: Path) -> None:
    base, head = change(repo, {"poetry.lock": ""}, {"poetry.lock": '[[package]]\nname = "x"\nversion = \n'})
    found = by_rule(run(repo, base, head, db_path), "deps.manifest")
    assert found and found[0].blocking and found[0].path == "poetry.lock" and found[0].line == 3


POLICY = """
version = 1
levels = ["junior", "senior"]

[[tiers]]
name = "green"
paths = ["**"]
[tiers.deps]
block = ["nonexistent"]
warn = ["vulnerable"]

[[tiers]]
name = "red"
paths = ["services/pay/**"]

[deps]
max_db_age_days = 7
{extra}
"""


def test_the_manifest_tier_decides(repo: ScratchRepo, db_path: Path) -> None:
    base, head = change(
        repo,
        {"requirements.txt": "\n", "services/pay/requirements.txt": "\n"},
        {"requirements.txt": "insecure-lib==1.2.0\n", "services/pay/requirements.txt": "insecure-lib==1.2.0\n"},
    )
    found = by_rule(run(repo, base, head, db_path, policy_text=POLICY.format(extra="")), "deps.vulnerable")
    tiers = {f.path: (f.tier, f.blocking, f.severity.value) for f in found}
    assert tiers == {
        "requirements.txt": ("green", False, "warning"),
        "services/pay/requirements.txt": ("red", True, "error"),
    }


def test_exceptions_apply_until_they_expire(repo: ScratchRepo, db_path: Path) -> None:
    base, head = change(
        repo, {"services/pay/requirements.txt": "\n"}, {"services/pay/requirements.txt": "insecure-lib==1.2.0\n"}
    )
    live = POLICY.format(
        extra='[[deps.exceptions]]\npackage = "insecure_lib"\nadvisory = "CVE-2099-0001"\n'
        'reason = "loader never used"\nexpires = 2026-12-31\n'
    )
    found = by_rule(run(repo, base, head, db_path, policy_text=live), "deps.vulnerable")
    assert len(found) == 1 and not found[0].blocking
    assert found[0].message.startswith("accepted until 2026-12-31") and "loader never used" in found[0].message
    expired = live.replace("2026-12-31", "2026-11-01")
    found2 = run(repo, base, head, db_path, policy_text=expired)
    assert by_rule(found2, "deps.vulnerable")[0].blocking
    note = by_rule(found2, "deps.exception-expired")
    assert len(note) == 1 and note[0].path == ".vouched/policy.toml" and note[0].line == 18
    other = live.replace('advisory = "CVE-2099-0001"', 'advisory = "CVE-2000-1"')
    assert by_rule(run(repo, base, head, db_path, policy_text=other), "deps.vulnerable")[0].blocking
    # an expired exception that covers nothing in the change is reported too, as a note
    stale_other = other.replace("2026-12-31", "2026-11-01")
    unused = by_rule(run(repo, base, head, db_path, policy_text=stale_other), "deps.exception-expired")
    assert len(unused) == 1 and unused[0].severity.value == "note" and "covers nothing" in unused[0].message


def test_vcs_and_path_dependencies(repo: ScratchRepo, db_path: Path) -> None:
    base, head = change(
        repo,
        {"requirements.txt": "\n"},
        {"requirements.txt": "-e ./libs/local\nthing @ git+https://example.invalid/thing.git@v1\n"},
    )
    found = run(repo, base, head, db_path)
    unknown = by_rule(found, "deps.unknown")
    assert len(unknown) == 1 and unknown[0].line == 2 and "VCS" in unknown[0].message


NAMES = [
    "requirements.txt",
    "requirements-dev.in",
    "reqs/base.txt",
    "requirements/prod.txt",
    "constraints.txt",
    "pyproject.toml",
    "poetry.lock",
    "uv.lock",
    "Pipfile.lock",
    "pylock.toml",
    "pylock.web.toml",
    "package.json",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "README.md",
    "setup.py",
    "src/app.py",
]


@settings(max_examples=200)
@given(
    st.lists(st.sampled_from(["", "a", "node_modules", "requirements", "reqs", "Sub"]), max_size=3),
    st.sampled_from(NAMES),
    st.booleans(),
)
def test_the_cheap_prefilter_never_hides_a_manifest(folders: list[str], name: str, upper: bool) -> None:
    from vouched.deps.gate import may_be_manifest
    from vouched.deps.manifests import reader_for

    path = "/".join([*(f for f in folders if f), name.upper() if upper else name])
    if reader_for(path) is not None:
        assert may_be_manifest(path)


def test_a_change_without_manifests_imports_no_reader(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from vouched.deps.gate import deps_check, may_be_manifest\n"
        "assert not may_be_manifest('src/app.py')\n"
        "print(sorted(m for m in sys.modules if m.startswith(('vouched.deps.manifests', 'vouched.deps.advisories'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
