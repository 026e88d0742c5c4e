"""The dependency gate against recorded registry answers (tests/registry_replay.py): real PyPI and npm
documents, and registries that fail (5xx, garbage, wrong shapes) which must leave a dependency unknown
and blocking, never passed."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from test_deps_gate import osv_records
from vouched.deps.advisories import AdvisoryDB
from vouched.deps.gate import DepsOptions, audit_change, findings_for, tier_rules_for
from vouched.gate.findings import Finding
from vouched.git import Git, ScratchRepo
from vouched.policy.model import DepsPolicy

from registry_replay import RegistryReplay

NOW = dt.datetime.now(dt.UTC)


@pytest.fixture(scope="module")
def replay() -> Iterator[RegistryReplay]:
    with RegistryReplay() as server:
        yield server


@pytest.fixture
def db(tmp_path: Path) -> Path:
    src = tmp_path / "osv"
    src.mkdir()
    for rec in osv_records(NOW - dt.timedelta(days=1)):
        (src / f"{rec['id']}.json").write_text(json.dumps(rec), encoding="utf-8")
    path = tmp_path / "db.sqlite3"
    AdvisoryDB.import_path(src, path)
    return path


def audit(
    repo: ScratchRepo, files: dict[str, str | None], replay: RegistryReplay, db: Path, policy: DepsPolicy | None = None
) -> list[Finding]:
    base = repo.commit("base", {"requirements.txt": "\n", "package.json": '{"name": "app"}\n'})
    head = repo.commit("head", files)
    pol = policy or DepsPolicy()
    opts = DepsOptions(db_path=db, pypi_url=replay.url, npm_url=replay.npm_url, cache_dir=repo.path.parent / "cache")
    git = Git(repo.path)
    report = audit_change(git, base, head, [p for f in git.diff(base, head) for p in f.paths], pol, opts)
    return findings_for(report, pol, tier_rules_for(None), NOW.date())


def test_a_recorded_healthy_popular_package_has_no_registry_findings(
    repo: ScratchRepo, replay: RegistryReplay, db: Path
) -> None:
    found = audit(repo, {"requirements.txt": "requests==2.34.2\n"}, replay, db)
    assert not [f for f in found if f.blocking], [f.message for f in found]


def test_a_range_is_judged_by_the_recorded_published_versions(
    repo: ScratchRepo, replay: RegistryReplay, db: Path
) -> None:
    found = audit(repo, {"requirements.txt": "requests>=2.34,<3\n"}, replay, db)
    assert not [f for f in found if f.blocking]


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("vouched-fixture-broken", "500"),
        ("vouched-fixture-garbage", ""),
        ("vouched-fixture-shape", ""),
    ],
)
def test_a_registry_that_fails_leaves_the_dependency_unknown_and_blocking(
    repo: ScratchRepo, replay: RegistryReplay, db: Path, name: str, why: str
) -> None:
    found = audit(repo, {"requirements.txt": f"{name}==1.0\n"}, replay, db)
    unknown = [f for f in found if f.rule == "deps.unknown"]
    assert unknown and all(f.blocking and f.path == "requirements.txt" and f.line == 1 for f in unknown)
    assert why in " ".join(f.message for f in unknown)
    assert not [f for f in found if f.rule == "deps.nonexistent"]


def test_recorded_404_is_nonexistent(repo: ScratchRepo, replay: RegistryReplay, db: Path) -> None:
    found = audit(repo, {"requirements.txt": "vouched-fixture-no-such-package==1.0\n"}, replay, db)
    assert [f.rule for f in found if f.blocking] == ["deps.nonexistent"]


def test_a_deprecated_npm_package(repo: ScratchRepo, replay: RegistryReplay, db: Path) -> None:
    pkg = {"name": "app", "dependencies": {"vouched-fixture-deprecated": "^2.0.0"}}
    found = audit(repo, {"package.json": json.dumps(pkg, indent=2) + "\n"}, replay, db)
    deprecated = [f for f in found if f.rule == "deps.deprecated"]
    assert deprecated and deprecated[0].blocking and deprecated[0].path == "package.json" and deprecated[0].line == 4


def test_a_licence_policy(repo: ScratchRepo, replay: RegistryReplay, db: Path) -> None:
    deny = DepsPolicy(licence_deny=("Apache-2.0",))
    found = audit(repo, {"requirements.txt": "requests==2.34.2\n"}, replay, db, deny)
    licence = [f for f in found if f.rule == "deps.licence"]
    assert licence and licence[0].blocking and "Apache-2.0" in licence[0].message
    allow = DepsPolicy(licence_allow=("Apache-2.0", "MIT"))
    assert not [
        f
        for f in audit(repo, {"requirements.txt": "requests==2.34.1\n"}, replay, db, allow)
        if f.rule == "deps.licence"
    ]


def _lock(packages: dict[str, dict[str, str]]) -> str:
    doc = {"name": "app", "lockfileVersion": 3, "requires": True, "packages": {"": {"name": "app"}, **packages}}
    return json.dumps(doc, indent=2) + "\n"


def test_a_package_from_a_private_registry_is_unknown_and_a_public_namesake_is_named(
    repo: ScratchRepo, replay: RegistryReplay, db: Path
) -> None:
    lock = _lock(
        {
            "node_modules/left-pad": {
                "version": "1.3.0",
                "resolved": "https://npm.internal.example/left-pad/-/left-pad-1.3.0.tgz",
            },
            "node_modules/vouched-fixture-no-such-package": {
                "version": "1.0.0",
                "resolved": "https://registry.npmjs.org/vouched-fixture-no-such-package/-/x-1.0.0.tgz",
            },
        }
    )
    found = audit(repo, {"package-lock.json": lock}, replay, db)
    private = [f for f in found if "npm.internal.example" in f.message]
    assert len(private) == 1 and private[0].rule == "deps.unknown" and private[0].blocking
    assert "dependency confusion" in private[0].message
    assert not [f for f in found if f.rule == "deps.deprecated" and "left-pad" in f.message]
    # the public registry is asked about what comes from it
    assert [f.rule for f in found if "vouched-fixture-no-such-package" in f.message] == ["deps.nonexistent"]


@pytest.mark.parametrize("spec", ["latest", "V1.3.0", "1.2+build"])
def test_an_npm_spec_that_is_not_a_range_is_unknown_and_blocking_with_the_reason(
    repo: ScratchRepo, replay: RegistryReplay, db: Path, spec: str
) -> None:
    # one evaluator (deps.ranges) for the audit and the signals: it refuses what node-semver refuses, and the
    # refusal reaches the reviewer as an unknown, never as "admits nothing" or as silence
    manifest = json.dumps({"name": "app", "dependencies": {"left-pad": spec}}) + "\n"
    found = audit(repo, {"package.json": manifest}, replay, db)
    unknown = [f for f in found if f.blocking and "is not an npm version range" in f.message + f.hint]
    assert unknown, [(f.rule, f.message, f.hint) for f in found]
    assert not [f for f in found if f.rule == "deps.nonexistent-version"]
