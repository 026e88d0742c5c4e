"""What a change does to dependencies, read from a real git repository at base and head."""

from __future__ import annotations

import json

import pytest

from vouched.deps.manifests import DependencyChange, changed_paths, diff_dependencies
from vouched.deps.manifests.diff import diff_reads
from vouched.deps.manifests.model import Dependency, ManifestRead
from vouched.git import Git, ScratchRepo


def _lock(packages: dict[str, dict[str, object]], root_deps: dict[str, str]) -> str:
    body = {"": {"name": "app", "version": "1.0.0", "dependencies": root_deps}}
    for key, entry in packages.items():
        body[key] = {"resolved": f"https://registry.npmjs.org/x/-/x-{entry.get('version')}.tgz", **entry}
    return json.dumps({"name": "app", "lockfileVersion": 3, "requires": True, "packages": body}, indent=2) + "\n"


def _summary(change: DependencyChange) -> set[tuple[str, str, str, str | None, str | None, bool | None]]:
    return {
        (
            d.kind,
            d.file,
            d.name,
            d.before.version if d.before else None,
            d.after.version if d.after else None,
            d.dependency.direct,
        )
        for d in change.deltas
    }


def _changed_paths(git: Git, base: str, head: str) -> list[str]:
    return changed_paths(git.diff(base, head))


def test_change_adds_upgrades_downgrades_and_removes_across_pip_and_npm(repo: ScratchRepo) -> None:
    base = repo.commit(
        "base",
        {
            "requirements.txt": (
                "# app\nrequests==2.30.0\nflask==3.0.2\nsix==1.16.0\nDjango>=4.2,<5\n-r requirements/extra.txt\n"
            ),
            "requirements/extra.txt": "attrs==23.2.0\n",
            "package-lock.json": _lock(
                {
                    "node_modules/express": {"version": "4.18.2"},
                    "node_modules/debug": {"version": "2.6.9"},
                    "node_modules/lodash": {"version": "4.17.21"},
                    "node_modules/left-pad": {"version": "1.3.0"},
                },
                {"express": "^4.18.0", "lodash": "^4.17.0", "left-pad": "^1.3.0"},
            ),
            "README.md": "hello\n",
        },
    )
    head = repo.commit(
        "deps",
        {
            "requirements.txt": (
                "# app, now with a new client\nrequests==2.31.0\nflask==2.3.3\nDjango>=4.2,<6\n"
                "-r requirements/extra.txt\nhttpx==0.27.0\n"
            ),
            "requirements/extra.txt": "attrs==23.2.0\n",
            "package-lock.json": _lock(
                {
                    "node_modules/express": {"version": "4.19.2"},
                    "node_modules/debug": {"version": "2.6.9"},
                    "node_modules/express/node_modules/debug": {"version": "4.3.4"},
                    "node_modules/lodash": {"version": "4.17.20"},
                    "node_modules/axios": {"version": "1.6.8"},
                },
                {"express": "^4.18.0", "lodash": "^4.17.0", "axios": "^1.6.0"},
            ),
            "README.md": "hello again\n",
        },
    )
    git = Git(repo.path)
    change = diff_dependencies(git, base, head, _changed_paths(git, base, head))
    assert change.files == ("package-lock.json", "requirements.txt")
    assert change.base_problems == () and change.head_problems == () and change.incomplete == ()
    assert _summary(change) == {
        ("upgraded", "requirements.txt", "requests", "2.30.0", "2.31.0", True),
        ("downgraded", "requirements.txt", "flask", "3.0.2", "2.3.3", True),
        ("removed", "requirements.txt", "six", "1.16.0", None, True),
        ("changed", "requirements.txt", "django", None, None, True),
        ("added", "requirements.txt", "httpx", None, "0.27.0", True),
        ("upgraded", "package-lock.json", "express", "4.18.2", "4.19.2", True),
        ("added", "package-lock.json", "debug", None, "4.3.4", False),  # a new nested copy: transitive
        ("downgraded", "package-lock.json", "lodash", "4.17.21", "4.17.20", True),
        ("added", "package-lock.json", "axios", None, "1.6.8", True),
        ("removed", "package-lock.json", "left-pad", "1.3.0", None, True),
    }
    httpx = change.added[[d.name for d in change.added].index("httpx")]
    assert (httpx.file, httpx.line) == ("requirements.txt", 6)
    assert change.removed[[d.name for d in change.removed].index("six")].line == 4  # the line at base
    django = change.changed[0]
    assert django.before is not None and django.after is not None
    assert (django.before.specifier, django.after.specifier) == ("<5,>=4.2", "<6,>=4.2")
    assert {d.name for d in change.introduced} == {"requests", "flask", "django", "httpx", "express", "debug",
                                                   "lodash", "axios"}  # fmt: skip
    assert "upgraded requests==2.30.0 -> requests==2.31.0" in [d.describe() for d in change.deltas]


def test_only_manifests_among_the_changed_paths_are_read(repo: ScratchRepo) -> None:
    base = repo.commit("base", {"requirements.txt": "a==1\n", "package.json": '{"dependencies": {"x": "1.0.0"}}'})
    head = repo.commit("edit", {"requirements.txt": "a==2\n", "notes.txt": "n\n"})
    git = Git(repo.path)
    calls: list[tuple[str, list[str]]] = []
    original = git.read_files

    def spy(rev: str, paths: list[str]) -> dict[str, bytes | None]:  # type: ignore[override]
        calls.append((rev, list(paths)))
        return original(rev, paths)

    git.read_files = spy  # type: ignore[method-assign]
    change = diff_dependencies(git, base, head, ["requirements.txt", "notes.txt"])
    assert calls == [(base, ["requirements.txt"]), (head, ["requirements.txt"])]
    assert [(d.kind, d.name) for d in change.deltas] == [("upgraded", "a")]


def test_includes_outside_the_change_are_read_at_the_same_revision(repo: ScratchRepo) -> None:
    base = repo.commit("base", {"requirements.txt": "-r common.txt\n", "common.txt": "a==1\n"})
    mid = repo.commit("common moves", {"common.txt": "a==2\n"})
    head = repo.commit("top changes", {"requirements.txt": "-r common.txt\nb==1\n"})
    git = Git(repo.path)
    change = diff_dependencies(git, mid, head, ["requirements.txt"])
    assert [(d.kind, d.name) for d in change.deltas] == [("added", "b")]
    change = diff_dependencies(git, base, head, ["requirements.txt"])
    assert sorted((d.kind, d.name, d.file) for d in change.deltas) == [
        ("added", "b", "requirements.txt"),
        ("upgraded", "a", "common.txt"),
    ]


def test_added_and_deleted_manifests(repo: ScratchRepo) -> None:
    pipfile = json.dumps({"_meta": {"pipfile-spec": 6}, "default": {"a": {"version": "==1"}}})
    pylock = 'lock-version = "1.0"\n[[packages]]\nname = "a"\nversion = "1"\nindex = "https://pypi.org/simple"\n'
    base = repo.commit("base", {"Pipfile.lock": pipfile})
    head = repo.commit("swap", {"Pipfile.lock": None, "pylock.toml": pylock})
    git = Git(repo.path)
    change = diff_dependencies(git, base, head, _changed_paths(git, base, head))
    assert sorted((d.kind, d.file, d.name) for d in change.deltas) == [
        ("added", "pylock.toml", "a"),
        ("removed", "Pipfile.lock", "a"),
    ]


def test_a_broken_lockfile_at_head_reports_no_removals(repo: ScratchRepo) -> None:
    base = repo.commit(
        "base", {"poetry.lock": '[[package]]\nname = "a"\nversion = "1"\n[metadata]\nlock-version = "2.0"\n'}
    )
    head = repo.commit("break", {"poetry.lock": '[[package]]\nname = "a"\nversion = \n'})
    git = Git(repo.path)
    change = diff_dependencies(git, base, head, ["poetry.lock"])
    assert change.deltas == () and change.incomplete == ("poetry.lock",)
    (problem,) = change.problems
    assert (problem.file, problem.line) == ("poetry.lock", 3)


def test_a_broken_lockfile_at_base_reports_everything_at_head_as_added(repo: ScratchRepo) -> None:
    base = repo.commit("base", {"package.json": "{ nope"})
    head = repo.commit("fix", {"package.json": '{"dependencies": {"a": "^1.0.0"}}'})
    change = diff_dependencies(Git(repo.path), base, head, ["package.json"])
    assert [(d.kind, d.name) for d in change.deltas] == [("added", "a")]
    assert len(change.base_problems) == 1 and change.head_problems == ()


def test_lines_that_only_move_are_no_change(repo: ScratchRepo) -> None:
    base = repo.commit("base", {"requirements.txt": "a==1\nb==2\n"})
    head = repo.commit("reorder", {"requirements.txt": "# sorted\n\nb==2\na==1\n"})
    assert diff_dependencies(Git(repo.path), base, head, ["requirements.txt"]).deltas == ()


def _dep(version: str | None, *, spec: str = "", marker: str | None = None, name: str = "p") -> Dependency:
    return Dependency("PyPI", name, spec or f"=={version}", "r.txt", 1, version=version, marker=marker)


@pytest.mark.parametrize(
    ("before", "after", "kinds"),
    [
        ([_dep("1.0")], [_dep("1.0.0")], ["changed"]),  # equal in PEP 440 order, not as text
        ([_dep("1.0rc1")], [_dep("1.0")], ["upgraded"]),
        ([_dep("2.0")], [_dep("1!0.1")], ["upgraded"]),  # epoch
        ([_dep("banana")], [_dep("1.0")], ["changed"]),  # no order to claim
        ([_dep("1.0", marker="a"), _dep("2.0", marker="b")], [_dep("1.1", marker="a"), _dep("1.9", marker="b")],
         ["downgraded", "upgraded"]),
        ([_dep("1.0")], [_dep("1.0"), _dep("2.0", marker="m")], ["added"]),
        ([_dep(None, spec=">=1")], [_dep(None, spec=">=2")], ["changed"]),
    ],
)  # fmt: skip
def test_pairing_and_ordering(before: list[Dependency], after: list[Dependency], kinds: list[str]) -> None:
    deltas = diff_reads(ManifestRead("r.txt", tuple(before)), ManifestRead("r.txt", tuple(after)))
    assert sorted(d.kind for d in deltas) == sorted(kinds)


def test_an_include_shared_by_two_changed_manifests_is_reported_once(repo: ScratchRepo) -> None:
    files = {"requirements.txt": "-r common.txt\n", "requirements-dev.txt": "-r common.txt\n", "common.txt": "a==1\n"}
    base = repo.commit("base", files)
    files = {"requirements.txt": "-r common.txt\nb==1\n", "requirements-dev.txt": "-r common.txt\nc==1\n"}
    head = repo.commit("bump", {**files, "common.txt": "a==2\n"})
    git = Git(repo.path)
    change = diff_dependencies(git, base, head, _changed_paths(git, base, head))
    assert sorted((d.kind, d.name, d.file) for d in change.deltas) == [
        ("added", "b", "requirements.txt"),
        ("added", "c", "requirements-dev.txt"),
        ("upgraded", "a", "common.txt"),
    ]


def test_a_renamed_manifest_is_read_on_both_sides(repo: ScratchRepo) -> None:
    base = repo.commit("base", {"requirements.txt": "a==1\n" + "# padding line\n" * 20})
    head = repo.commit("move", moves={"requirements.txt": "requirements/prod.txt"})
    git = Git(repo.path)
    paths = _changed_paths(git, base, head)
    assert set(paths) == {"requirements.txt", "requirements/prod.txt"}
    change = diff_dependencies(git, base, head, paths)
    assert sorted((d.kind, d.file) for d in change.deltas) == [
        ("added", "requirements/prod.txt"),
        ("removed", "requirements.txt"),
    ]
