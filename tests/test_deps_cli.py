"""`vouched deps ...` and the dependency gate in `vouched check`, as users run them: real subprocesses,
real git repositories, an advisory database imported from a small OSV fixture (and once from the PyPA
snapshot), registry answers from a loopback HTTP server. Done when: a vulnerable, yanked, nonexistent,
look-alike or deprecated dependency fails with evidence; a healthy popular one passes; stale data fails."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from test_deps_gate import osv_records
from vouched.demo import DEMO_PEOPLE, DEMO_POLICY
from vouched.git import ScratchRepo

from conftest import ALICE
from registry_replay import RegistryReplay, npm_package, pypi_project

SARIF_SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "data" / "schemas" / "sarif-schema-2.1.0.json"
PYPA = Path(__file__).resolve().parents[2] / "shared" / "data" / "pypa-advisory-database"
NOW = dt.datetime.now(dt.UTC)
OLD = dt.datetime(2023, 5, 22, tzinfo=dt.UTC)
RECENT = NOW - dt.timedelta(days=60)


def run(
    *args: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vouched", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env={**os.environ, **(env or {})},
    )


def registry_routes() -> dict[str, Any]:
    routes: dict[str, Any] = {}
    routes.update(
        pypi_project(
            "requests",
            {"2.30.0": OLD, "2.31.0": OLD + dt.timedelta(days=1), "2.32.3": RECENT},
            licence="Apache-2.0",
        )
    )
    routes.update(
        pypi_project(
            "insecure-lib",
            {"1.0.0": OLD, "1.2.0": OLD + dt.timedelta(days=30), "1.4.0": OLD + dt.timedelta(days=90), "1.5.0": RECENT},
        )
    )
    routes.update(
        pypi_project("old-thing", {"1.0": OLD, "2.0": RECENT}, yanked={"2.0": "broken wheel, use 1.0"}),
    )
    routes.update(npm_package("lodash", {"4.17.20": OLD, "4.17.21": RECENT}))
    routes.update(
        npm_package(
            "left-pad",
            {"1.2.0": OLD, "1.3.0": RECENT},
            licence="WTFPL",
            deprecated={"1.3.0": "use String.prototype.padStart()"},
        )
    )
    return routes


@pytest.fixture
def registry() -> Iterator[RegistryReplay]:
    with RegistryReplay(registry_routes(), recorded=False) as server:
        yield server


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A fresh database (data one day old) from the OSV fixture, built by `vouched deps db import`."""
    src = tmp_path / "osv"
    src.mkdir()
    for rec in osv_records(NOW - dt.timedelta(days=1)):
        (src / f"{rec['id']}.json").write_text(json.dumps(rec), encoding="utf-8")
    path = tmp_path / "advisories.sqlite3"
    result = run("deps", "db", "import", src, "--db", path)
    assert result.returncode == 0, result.stderr
    assert "imported 2 advisories (PyPI 1, npm 1) for 2 packages" in result.stdout
    return path


@pytest.fixture
def project(repo: ScratchRepo) -> ScratchRepo:
    repo.commit(
        "Adopt vouched\n\nAssisted-by: none\n",
        {
            ".vouched/policy.toml": DEMO_POLICY,
            ".vouched/people.toml": DEMO_PEOPLE,
            "requirements.txt": "requests==2.31.0\n",
            "package.json": json.dumps({"name": "app", "version": "1.0.0", "dependencies": {}}, indent=2) + "\n",
        },
    )
    repo.git("checkout", "-q", "-b", "feature")
    return repo


def audit(repo: ScratchRepo, db: Path, url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return run(
        "deps", "audit", "--repo", repo.path, "--base", "main", "--db", db, "--pypi-url", url, "--npm-url", url, *extra
    )


def findings(result: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    doc = json.loads(result.stdout)
    assert doc["schema"] == "vouched.deps-audit/1"
    return list(doc["findings"])


# -- the done-when cases ----------------------------------------------------------------------------


def test_a_healthy_popular_package_passes(project: ScratchRepo, db: Path, registry: Any) -> None:
    url = registry.url
    project.commit("upgrade", {"requirements.txt": "requests==2.32.3\n"}, author=ALICE)
    result = audit(project, db, url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("PASS")
    assert "requests==2.32.3" in result.stdout
    assert "/simple/requests/" in registry.paths and "/pypi/requests/json" in registry.paths


def test_a_vulnerable_version_fails_with_its_evidence(project: ScratchRepo, db: Path, registry: Any) -> None:
    url = registry.url
    project.commit("add", {"requirements.txt": "requests==2.31.0\ninsecure-lib>=1.1,<2\n"}, author=ALICE)
    result = audit(project, db, url, "--format", "json")
    assert result.returncode == 1, result.stderr
    vuln = [f for f in findings(result) if f["rule"] == "deps.vulnerable"]
    assert len(vuln) == 1 and vuln[0]["path"] == "requirements.txt" and vuln[0]["line"] == 2 and vuln[0]["blocking"]
    # the range admits 1.2.0, 1.4.0 and 1.5.0 (published, from the registry); two are affected
    assert "admits 2 affected version(s) of 3 judged: 1.2.0, 1.4.0" in vuln[0]["message"]
    dep = next(d for d in json.loads(result.stdout)["dependencies"] if d["name"] == "insecure-lib")
    assert dep["versions_from"] == "registry" and dep["versions_judged"] == ["1.2.0", "1.4.0", "1.5.0"]
    advisory = dep["issues"][0]["advisory"]
    assert advisory["id"] == "PYSEC-2099-1"
    assert advisory["aliases"] == ["CVE-2099-0001", "GHSA-aaaa-bbbb-cccc"]
    assert advisory["affected_range"] == ">=1.0.0, <1.5.0" and advisory["first_fixed"] == "1.5.0"


def test_a_yanked_version_fails(project: ScratchRepo, db: Path, registry: Any) -> None:
    url = registry.url
    project.commit("add", {"requirements.txt": "requests==2.31.0\nold-thing==2.0\n"}, author=ALICE)
    result = audit(project, db, url, "--format", "json")
    assert result.returncode == 1
    yanked = [f for f in findings(result) if f["rule"] == "deps.yanked"]
    assert yanked and yanked[0]["line"] == 2 and yanked[0]["blocking"]
    assert "broken wheel" in yanked[0]["message"]


def test_a_package_that_does_not_exist_and_looks_like_a_popular_one(
    project: ScratchRepo, db: Path, registry: Any
) -> None:
    url = registry.url
    project.commit("add", {"requirements.txt": "requests==2.31.0\nreqeusts==2.31.0\n"}, author=ALICE)
    result = audit(project, db, url, "--format", "json")
    assert result.returncode == 1
    rules = {f["rule"]: f for f in findings(result)}
    assert rules["deps.nonexistent"]["blocking"] and rules["deps.nonexistent"]["line"] == 2
    assert rules["deps.typosquat"]["blocking"] and "requests" in rules["deps.typosquat"]["message"]


def test_a_deprecated_npm_package_fails_and_a_healthy_one_passes(project: ScratchRepo, db: Path, registry: Any) -> None:
    url = registry.url
    deps = {"name": "app", "version": "1.0.0", "dependencies": {"lodash": "^4.17.0", "left-pad": "^1.2.0"}}
    project.commit("add", {"package.json": json.dumps(deps, indent=2) + "\n"}, author=ALICE)
    result = audit(project, db, url, "--format", "json")
    assert result.returncode == 1
    found = findings(result)
    deprecated = [f for f in found if f["rule"] == "deps.deprecated"]
    assert len(deprecated) == 1 and "left-pad" in deprecated[0]["message"] and deprecated[0]["line"] == 6
    assert "padStart" in deprecated[0]["message"]
    assert not [f for f in found if "lodash" in f["message"]]


def test_a_stale_database_fails_closed(project: ScratchRepo, tmp_path: Path, registry: Any) -> None:
    url = registry.url
    src = tmp_path / "old-osv"
    src.mkdir()
    for rec in osv_records(NOW - dt.timedelta(days=30)):
        (src / f"{rec['id']}.json").write_text(json.dumps(rec), encoding="utf-8")
    old = tmp_path / "old.sqlite3"
    assert run("deps", "db", "import", src, "--db", old).returncode == 0
    project.commit("upgrade", {"requirements.txt": "requests==2.32.3\n"}, author=ALICE)
    result = audit(project, old, url)
    assert result.returncode == 1
    assert "deps.db-stale" in result.stdout and "vouched deps db update" in result.stdout
    missing = audit(project, tmp_path / "none.sqlite3", url)
    assert missing.returncode == 1 and "deps.db-missing" in missing.stdout


def test_offline_without_a_cache_is_unknown_and_with_one_it_is_not(
    project: ScratchRepo, db: Path, registry: Any
) -> None:
    url = registry.url
    project.commit("upgrade", {"requirements.txt": "requests==2.32.3\n"}, author=ALICE)
    offline = audit(project, db, url, "--offline")
    assert offline.returncode == 1 and "deps.unknown" in offline.stdout
    assert registry.paths == []  # offline asked nothing
    assert audit(project, db, url).returncode == 0  # online: fills the cache
    again = audit(project, db, url, "--offline")
    assert again.returncode == 0, again.stdout


# -- the gate ----------------------------------------------------------------------------------------


def test_check_reports_dependency_findings_at_the_manifest_line(project: ScratchRepo, db: Path, registry: Any) -> None:
    url = registry.url
    project.commit(
        "add insecure-lib\n\nAssisted-by: none\n",
        {"requirements.txt": "requests==2.31.0\ninsecure-lib==1.2.0\n"},
        author=ALICE,
    )
    env = {"VOUCHED_PYPI_URL": url, "VOUCHED_NPM_URL": url}
    result = run("check", "--repo", project.path, "--base", "main", "--db", db, "--format", "json", env=env)
    assert result.returncode == 1
    doc = json.loads(result.stdout)
    vuln = [f for f in doc["findings"] if f["rule"] == "deps.vulnerable"]
    assert len(vuln) == 1
    assert (vuln[0]["path"], vuln[0]["line"], vuln[0]["tier"], vuln[0]["blocking"]) == (
        "requirements.txt",
        2,
        "green",
        True,
    )
    sarif = run("check", "--repo", project.path, "--base", "main", "--db", db, "--format", "sarif", env=env)
    document = json.loads(sarif.stdout)
    jsonschema.validate(document, json.loads(SARIF_SCHEMA.read_text()))
    result_rules = {r["ruleId"]: r for r in document["runs"][0]["results"]}
    region = result_rules["deps.vulnerable"]["locations"][0]["physicalLocation"]
    assert region["artifactLocation"]["uri"] == "requirements.txt" and region["region"]["startLine"] == 2


def test_check_without_dependency_changes_needs_no_database(project: ScratchRepo, tmp_path: Path) -> None:
    project.commit("docs\n\nAssisted-by: none\n", {"README.md": "# app\n"}, author=ALICE)
    result = run("check", "--repo", project.path, "--base", "main", "--db", tmp_path / "none.sqlite3", "--offline")
    assert "deps." not in result.stdout


# -- files, formats, database commands --------------------------------------------------------------


def test_audit_files_in_every_format(tmp_path: Path, db: Path, registry: Any) -> None:
    url = registry.url
    req = tmp_path / "requirements.txt"
    req.write_text("requests==2.32.3\ninsecure-lib==1.4.0\n")
    args = ("deps", "audit", req, "--db", db, "--pypi-url", url, "--npm-url", url, "--repo", tmp_path)
    text = run(*args)
    assert text.returncode == 1
    assert "BLOCK   deps.vulnerable" in text.stdout and "PYSEC-2099-1" in text.stdout
    sarif = run(*args, "--format", "sarif", "--output", tmp_path / "out.sarif")
    assert sarif.returncode == 1
    jsonschema.validate(json.loads((tmp_path / "out.sarif").read_text()), json.loads(SARIF_SCHEMA.read_text()))
    as_json = json.loads(run(*args, "--format", "json").stdout)
    assert as_json["verdict"] == "fail" and as_json["files"] == [req.as_posix()]


def test_audit_usage_errors(tmp_path: Path) -> None:
    assert run("deps", "audit").returncode == 2
    other = tmp_path / "notes.txt"
    other.write_text("x")
    bad = run("deps", "audit", other, "--repo", tmp_path)
    assert bad.returncode == 2 and "not a manifest" in bad.stderr and "Traceback" not in bad.stderr


EXPORT_HEADERS = {"Last-Modified": "Fri, 27 Nov 2026 06:00:00 GMT"}


def _zip(records: list[dict[str, Any]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for rec in records:
            info = zipfile.ZipInfo(f"{rec['id']}.json", date_time=NOW.timetuple()[:6])
            archive.writestr(info, json.dumps(rec))
    return buf.getvalue()


def test_db_update_from_a_loopback_server_then_info(tmp_path: Path) -> None:
    records = osv_records(NOW - dt.timedelta(days=1))
    routes = {
        "/PyPI/all.zip": {"body": _zip([records[0]]), "content_type": "application/zip", "headers": EXPORT_HEADERS},
        "/npm/all.zip": {"body": _zip([records[1]]), "content_type": "application/zip", "headers": EXPORT_HEADERS},
    }
    target = tmp_path / "db.sqlite3"
    with RegistryReplay(routes, recorded=False) as server:
        url = server.url
        result = run("deps", "db", "update", "--url", url, "--db", target)
    assert result.returncode == 0, result.stderr
    assert server.paths == ["/PyPI/all.zip", "/npm/all.zip"]
    assert "imported 2 advisories" in result.stdout
    info = run("deps", "db", "info", "--db", target, "--format", "json")
    doc = json.loads(info.stdout)
    assert doc["advisories"] == 2 and doc["ecosystems"] == {
        "PyPI": {"advisories": 1, "packages": 1},
        "npm": {"advisories": 1, "packages": 1},
    }
    assert doc["sources"] == [f"{url}/PyPI/all.zip", f"{url}/npm/all.zip"]
    # the server says Last-Modified 2026-11-27 06:00 UTC: the data is as old as the export
    assert doc["data_time"].startswith("2026-11-27T06:00")
    text = run("deps", "db", "info", "--db", target)
    assert "advisories 2 in force" in text.stdout and "PyPI" in text.stdout


def test_db_update_failures_exit_2_and_keep_the_old_database(tmp_path: Path, db: Path) -> None:
    before = db.read_bytes()
    with RegistryReplay(recorded=False) as server:
        missing = run("deps", "db", "update", "--url", server.url, "--db", db, "--ecosystem", "PyPI")
    assert missing.returncode == 2 and "HTTP 404" in missing.stderr and "Traceback" not in missing.stderr
    unreachable = run("deps", "db", "update", "--url", "http://127.0.0.1:9", "--db", db)
    assert unreachable.returncode == 2 and "cannot download" in unreachable.stderr
    assert "vouched deps db import" in unreachable.stderr
    assert db.read_bytes() == before


def test_db_import_and_info_errors(tmp_path: Path) -> None:
    nothing = run("deps", "db", "import", tmp_path / "nope.json", "--db", tmp_path / "x.sqlite3")
    assert nothing.returncode == 2 and "does not exist" in nothing.stderr
    info = run("deps", "db", "info", "--db", tmp_path / "x.sqlite3")
    assert info.returncode == 2 and "vouched deps db import" in info.stderr


# -- the real PyPA snapshot (slower: one import per session) ----------------------------------------


@pytest.fixture(scope="session")
def pypa_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not PYPA.is_dir():
        pytest.skip("the shared PyPA advisory snapshot is not here")
    from vouched.deps.advisories import AdvisoryDB

    path = tmp_path_factory.mktemp("pypa-db") / "advisories.sqlite3"
    AdvisoryDB.import_path(PYPA, path)
    return path


def test_django_pin_against_the_pypa_snapshot(repo: ScratchRepo, pypa_db: Path) -> None:
    from vouched.deps.gate import DepsOptions, audit_change, findings_for, tier_rules_for
    from vouched.git import Git
    from vouched.policy.model import DepsPolicy

    base = repo.commit("base", {"requirements.txt": "\n"})
    head = repo.commit("head", {"requirements.txt": "django==3.1.5\n"})
    git = Git(repo.path)
    policy = DepsPolicy(max_db_age_days=100_000)  # the snapshot is as old as it is; judge its content
    report = audit_change(git, base, head, ["requirements.txt"], policy, DepsOptions(db_path=pypa_db, registries=False))
    found = findings_for(report, policy, tier_rules_for(None), NOW.date())
    vuln = [f for f in found if f.rule == "deps.vulnerable"]
    assert any("PYSEC-2021-9" in f.message and "CVE-2021-3281" in f.message for f in vuln)
    assert all(f.path == "requirements.txt" and f.line == 1 for f in vuln)
