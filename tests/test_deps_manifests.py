"""Manifest and lockfile readers: every format on a realistic, hand-written fixture, and bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from vouched.deps.manifests import (
    READERS,
    Dependency,
    ManifestError,
    ManifestRead,
    compare_versions,
    read_manifest,
    reader_for,
)
from vouched.deps.manifests.npm import npm_spec
from vouched.deps.manifests.pyproject import poetry_to_pep440
from vouched.errors import VouchedError

FIXTURES = Path(__file__).parent / "fixtures" / "manifests"


def _resolver(root: Path = FIXTURES):  # type: ignore[no-untyped-def]
    def resolve(path: str) -> str | None:
        target = root / path
        return target.read_text() if target.is_file() else None

    return resolve


def read(fixture: str, as_path: str | None = None) -> ManifestRead:
    found = read_manifest(as_path or fixture, (FIXTURES / fixture).read_bytes(), _resolver())
    assert found is not None
    return found


def by_name(result: ManifestRead) -> dict[str, Dependency]:
    return {d.name: d for d in result.dependencies}


@pytest.mark.parametrize(
    ("path", "fmt"),
    [
        ("requirements.txt", "requirements"),
        ("requirements-dev.txt", "requirements"),
        ("requirements/prod.txt", "requirements"),
        ("ci/dev-requirements.in", "requirements"),
        ("constraints.txt", "requirements"),
        ("pyproject.toml", "pyproject"),
        ("sub/pkg/pyproject.toml", "pyproject"),
        ("poetry.lock", "poetry-lock"),
        ("uv.lock", "uv-lock"),
        ("Pipfile.lock", "pipfile-lock"),
        ("pylock.toml", "pylock"),
        ("pylock.dev.toml", "pylock"),
        ("web/package.json", "package-json"),
        ("package-lock.json", "package-lock"),
        ("npm-shrinkwrap.json", "package-lock"),
    ],
)
def test_each_format_is_recognised_by_its_path(path: str, fmt: str) -> None:
    reader = reader_for(path)
    assert reader is not None and reader.format == fmt


@pytest.mark.parametrize(
    "path", ["README.txt", "setup.py", "Pipfile", "node_modules/x/package.json", "docs/notes.txt", "pylock.a.b.toml"]
)
def test_other_files_are_not_manifests(path: str) -> None:
    assert reader_for(path) is None
    assert read_manifest(path, b"anything") is None


# -- requirements ----------------------------------------------------------------------------------


def test_requirements_includes_markers_hashes_urls_and_editables() -> None:
    result = read("requirements.txt")
    assert result.problems == () and result.complete
    deps = by_name(result)
    assert set(deps) == {
        "urllib3", "certifi", "idna", "requests", "django", "importlib-metadata", "my-internal-lib",
        "wheelhouse-pkg", "./tools/devkit",
    }  # fmt: skip
    # -r include: read at the same revision, relative to the including file, its own file and line
    assert (deps["urllib3"].file, deps["urllib3"].line, deps["urllib3"].version) == (
        "requirements/base.txt",
        2,
        "2.2.1",
    )
    # -c constraint: pins without asking for the package
    assert deps["idna"].scope == "constraint" and deps["idna"].file == "constraints.txt"
    requests = deps["requests"]
    assert requests.line == 6  # the first physical line of a continued logical line
    assert requests.version == "2.31.0" and requests.extras == ("socks",)
    assert requests.marker == 'python_version >= "3.8"'
    assert requests.hashes == (
        "sha256:58cd2187c01e70e6e26505bca751777aa9f2ee0b7f4300988b709f44e013003f",
        "sha256:942c5a758f98d790eaed1a29cb6eefc7ffb0d1cf7af05c3d2791656dbd6ad1e1",
    )
    assert deps["django"].version is None and deps["django"].specifier == "<5.0,>=4.2"
    assert deps["django"].spec == "Django>=4.2,<5.0"  # the comment is gone, the raw spec kept
    assert deps["importlib-metadata"].marker == 'python_version < "3.10"'
    internal = deps["my-internal-lib"]
    assert internal.source == "vcs" and internal.url == "git+https://git.example.com/team/internal.git@v1.4.0"
    assert deps["wheelhouse-pkg"].source == "url"
    devkit = deps["./tools/devkit"]
    assert devkit.editable and devkit.source == "path"


def test_requirements_bare_urls_vcs_egg_and_wheel_names() -> None:
    text = (
        "-e git+https://github.com/org/tool.git@v2#egg=Cool_Tool[cli]\n"
        "https://files.example/pkgs/Baz_Q-2.0-py3-none-any.whl\n"
        "git+https://github.com/org/anon.git\n"
        "--editable=./src/local\n"
        "pkg@https://example.com/pkg.tar.gz\n"
    )
    result = read_manifest("requirements.txt", text)
    assert result is not None
    deps = by_name(result)
    tool = deps["cool-tool"]
    assert (tool.source, tool.editable, tool.extras) == ("vcs", True, ("cli",))
    assert deps["baz-q"].version == "2.0" and deps["baz-q"].source == "url"
    assert deps["pkg"].source == "url"
    anon = deps["git+https://github.com/org/anon.git"]
    assert anon.unknown and anon.source == "vcs"  # a VCS URL that does not say which package: flagged
    assert [p.line for p in result.problems] == [3]
    assert "cannot tell which package" in result.problems[0].message
    assert deps["./src/local"].editable


def test_requirements_comments_and_continuations_follow_pip() -> None:
    text = (
        "# comment \\\nalpha==1 # trailing\nbeta \\\n  >=2 \\\n  ,<3\nurl-frag @ https://x.example/a.whl#sha256=abc\n"
    )
    result = read_manifest("requirements.txt", text)
    assert result is not None and result.problems == ()
    deps = by_name(result)
    assert deps["alpha"].version == "1" and deps["alpha"].line == 2
    assert deps["beta"].specifier == "<3,>=2" and deps["beta"].line == 3
    assert deps["url-frag"].url == "https://x.example/a.whl#sha256=abc"


def test_requirements_conflicting_pins_are_named_and_marked_unknown() -> None:
    text = "flask==2.0\nFlask==2.1\nnumpy==1.21; python_version<'3.8'\nnumpy==1.26; python_version>='3.8'\n"
    result = read_manifest("requirements.txt", text)
    assert result is not None
    (problem,) = result.problems
    assert isinstance(problem, ManifestError) and isinstance(problem, VouchedError)
    assert (problem.file, problem.line, problem.package) == ("requirements.txt", 2, "flask")
    assert "2.0, 2.1" in problem.message
    assert [d.unknown for d in result.dependencies if d.name == "flask"] == [True, True]
    assert not any(d.unknown for d in result.dependencies if d.name == "numpy")  # distinct markers


def test_requirements_conflict_between_requirement_and_constraint() -> None:
    files = {"c.txt": "urllib3==1.26.0\n"}
    result = read_manifest("requirements.txt", "-c c.txt\nurllib3==2.2.1\n", files.get)
    assert result is not None
    assert [p.package for p in result.problems] == ["urllib3"]


@pytest.mark.parametrize(
    ("text", "files", "expected"),
    [
        ("-r missing.txt\n", {}, "does not exist"),
        ("-r ../../etc/passwd\n", {}, "outside the repository"),
        ("-r /etc/passwd\n", {}, "outside the repository"),
        ("-r https://evil.example/r.txt\n", {}, "remote"),
        ("-r ./requirements.txt\n", {}, "loops back"),
        ("-r\n", {}, "needs a file name"),
        ("--frobnicate\n", {}, "unknown option --frobnicate"),
        ("requests==2 --hash=nocolon\n", {}, "--hash needs"),
        ("requests==2 --bogus\n", {}, "unknown option --bogus"),
        ('-r "unclosed\n', {}, "cannot split options"),
        ("requests>>>2\n", {}, "invalid requirement"),
    ],
)
def test_requirements_problems_name_file_and_line(text: str, files: dict[str, str], expected: str) -> None:
    result = read_manifest("requirements.txt", "ok==1\n" + text, files.get)
    assert result is not None
    assert result.problems, "a problem must be reported"
    assert any(expected in p.message for p in result.problems), [p.message for p in result.problems]
    assert all(p.file == "requirements.txt" and p.line == 2 for p in result.problems if expected in p.message)
    assert by_name(result)["ok"].version == "1"  # the rest of the file is still read


def test_requirements_include_loop_is_named_where_it_closes() -> None:
    files = {"a.txt": "x==1\n-r requirements.txt\n"}
    result = read_manifest("requirements.txt", "-r a.txt\n", files.get)
    assert result is not None
    assert [(p.file, p.line) for p in result.problems] == [("a.txt", 2)]
    assert [(d.name, d.file) for d in result.dependencies] == [("x", "a.txt")]


def test_requirements_include_without_a_resolver_is_a_problem_not_a_drop() -> None:
    result = read_manifest("requirements.txt", "-r base.txt\n")
    assert result is not None and "not read" in result.problems[0].message


def test_include_that_is_not_utf8_is_a_problem() -> None:
    def resolve(path: str) -> str | None:
        raise ManifestError("not UTF-8", file=path, line=3)

    result = read_manifest("requirements.txt", "-r bad.txt\nok==1\n", resolve)
    assert result is not None
    assert [(p.file, p.line) for p in result.problems] == [("bad.txt", 3), ("requirements.txt", 1)]


# -- pyproject -------------------------------------------------------------------------------------


def test_pyproject_pep621_extras_pep735_groups_and_build_requires() -> None:
    result = read("pyproject.toml")
    assert result.problems == ()
    deps = {(d.name, d.scope, d.group): d for d in result.dependencies}
    assert deps["pydantic", "main", None].version == "2.6.4"
    assert deps["pydantic", "main", None].line == 11
    assert deps["sqlalchemy", "main", None].extras == ("asyncio",)
    assert deps["tomli", "main", None].marker == 'python_version < "3.11"'
    assert deps["redis", "optional", "redis"].line == 17
    assert deps["sphinx", "optional", "docs"].version == "7.2.6"
    assert deps["ruff", "group", "lint"].version == "0.3.4"
    assert ("pytest", "group", "test") in deps and ("hypothesis", "group", "test") in deps
    assert deps["setuptools", "build", None].specifier == ">=68"
    assert all(d.direct for d in result.dependencies)


def test_poetry_dependencies_groups_and_constraints() -> None:
    result = read("poetry-pyproject.toml", "pyproject.toml")
    assert result.problems == ()
    deps = {(d.name, d.marker): d for d in result.dependencies}
    assert "python" not in {d.name for d in result.dependencies}
    requests = deps["requests", None]
    assert (requests.spec, requests.specifier, requests.line) == ("^2.31", ">=2.31,<3", 9)
    assert deps["attrs", None].specifier == ">=23.1,<23.2"
    crypto = deps["cryptography", None]
    assert crypto.specifier == ">=0.9.1,<0.10" and crypto.extras == ("ssh",)
    assert deps["boto3", None].scope == "optional" and deps["boto3", None].version == "1.34.50"
    assert deps["numpy", 'python_version >= "3.9"'].specifier == ">=1.26,<2"
    assert deps["numpy", 'python_version < "3.9"'].version == "1.24.4"
    sdk = deps["internal-sdk", None]
    assert sdk.source == "vcs" and sdk.url == "git+https://git.example.com/sdk.git@v2.0.0"
    assert deps["local-utils", None].source == "path" and deps["local-utils", None].editable
    legacy = deps["legacy", None]
    assert legacy.specifier is None and legacy.spec == "^0.0.3 || ^0.1" and not legacy.unknown  # kept raw
    assert (deps["pytest", None].scope, deps["pytest", None].group) == ("group", "dev")
    assert deps["black", None].version == "24.2.0"
    assert (deps["mkdocs", None].group, deps["mkdocs", None].specifier) == ("docs", "")


@pytest.mark.parametrize(
    ("constraint", "expected"),
    [
        ("^1.2.3", ">=1.2.3,<2"),
        ("^1.2", ">=1.2,<2"),
        ("^1", ">=1,<2"),
        ("^0.2.3", ">=0.2.3,<0.3"),
        ("^0.0.3", ">=0.0.3,<0.0.4"),
        ("^0.0", ">=0.0,<0.1"),
        ("^0", ">=0,<1"),
        ("~1.2.3", ">=1.2.3,<1.3"),
        ("~1.2", ">=1.2,<1.3"),
        ("~1", ">=1,<2"),
        ("~=1.4", "~=1.4"),
        ("*", ""),
        ("1.2.3", "==1.2.3"),
        ("1.2.*", "==1.2.*"),
        (">=1.2,<2.0", ">=1.2,<2.0"),
        (">=1.2 <2.0", ">=1.2,<2.0"),
        ("^1.2 || ^2.0", None),
        ("^banana", None),
    ],
)
def test_poetry_constraints_translate_to_pep440(constraint: str, expected: str | None) -> None:
    assert poetry_to_pep440(constraint) == expected


def test_poetry_bad_entries_are_problems_and_unknown() -> None:
    text = '[tool.poetry.dependencies]\npython = "^3.10"\nodd = 5\nnover = { optional = true }\nbad = "^banana"\n'
    result = read_manifest("pyproject.toml", text)
    assert result is not None
    assert [(p.line, p.package) for p in result.problems] == [(3, "odd"), (4, "nover"), (5, "bad")]
    assert all(d.unknown for d in result.dependencies)


def test_pyproject_dynamic_dependencies_are_unknown_not_empty() -> None:
    text = '[project]\nname = "x"\nversion = "1"\ndynamic = ["dependencies"]\n'
    result = read_manifest("pyproject.toml", text)
    assert result is not None
    (problem,) = result.problems
    assert problem.line == 4 and "dynamic" in problem.message


def test_pyproject_wrong_types_and_unknown_include_group() -> None:
    text = (
        "[project]\ndependencies = 'requests'\n[project.optional-dependencies]\nx = [1]\n"
        "[dependency-groups]\ndev = [{include-group = 'nope'}]\n"
    )
    result = read_manifest("pyproject.toml", text)
    assert result is not None
    messages = [p.message for p in result.problems]
    assert any("must be a list" in m for m in messages)
    assert any("not a requirement string" in m for m in messages)
    assert any("unknown group 'nope'" in m for m in messages)


# -- lockfiles -------------------------------------------------------------------------------------


def test_poetry_lock() -> None:
    result = read("poetry.lock")
    assert result.problems == () and result.complete
    deps = by_name(result)
    assert deps["requests"].version == "2.31.0" and deps["requests"].line == 15  # "Requests" normalised
    assert deps["certifi"].hashes[0].startswith("sha256:0569")
    assert (deps["pytest"].scope, deps["pytest"].group) == ("group", "dev")
    assert deps["internal-sdk"].source == "vcs" and deps["internal-sdk"].url is not None
    assert "0d5e1f2a" in deps["internal-sdk"].url
    assert all(d.direct is None for d in result.dependencies)  # a lockfile does not say


def test_poetry_lock_1_1_hashes_from_metadata_files() -> None:
    text = (
        '[[package]]\nname = "six"\nversion = "1.16.0"\ncategory = "dev"\noptional = false\n'
        'python-versions = "*"\n\n[metadata]\nlock-version = "1.1"\n'
        '[metadata.files]\nsix = [{file = "six.whl", hash = "sha256:abc"}]\n'
    )
    result = read_manifest("poetry.lock", text)
    assert result is not None and result.problems == ()
    (six,) = result.dependencies
    assert (six.scope, six.hashes, six.line) == ("dev", ("sha256:abc",), 2)


def test_uv_lock_direct_from_the_project_and_sources() -> None:
    result = read("uv.lock")
    assert result.problems == ()
    deps = by_name(result)
    assert "demo-app" not in deps  # the project itself is not a dependency
    assert deps["anyio"].direct is True and deps["anyio"].line == 6 and len(deps["anyio"].hashes) == 2
    assert deps["idna"].direct is False and deps["idna"].version == "3.6"
    assert (deps["pytest"].direct, deps["pytest"].group) == (True, "dev")
    assert deps["sniffio"].source == "vcs"


def test_pipfile_lock() -> None:
    result = read("Pipfile.lock")
    assert result.problems == ()
    deps = by_name(result)
    assert deps["flask"].version == "3.0.2" and deps["flask"].marker == "python_version >= '3.8'"
    assert deps["flask"].line == 19
    assert deps["pytest"].scope == "dev"
    tools = deps["internal-tools"]
    assert tools.source == "vcs" and tools.editable and tools.version is None


def test_pylock() -> None:
    result = read("pylock.toml")
    assert result.problems == ()
    deps = by_name(result)
    assert deps["attrs"].version == "25.1.0" and len(deps["attrs"].hashes) == 2 and deps["attrs"].line == 10
    assert deps["cattrs"].marker == "python_version >= '3.9'"
    tools = deps["numpy-tools"]
    assert tools.source == "vcs" and tools.version is None
    assert tools.url == "git+https://github.com/example/numpy-tools.git@1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d"


# -- npm -------------------------------------------------------------------------------------------


def test_package_json_sections_and_spec_kinds() -> None:
    result = read("package.json")
    assert result.problems == ()
    deps = by_name(result)
    assert deps["express"].spec == "^4.18.2" and deps["express"].version is None and deps["express"].line == 6
    assert deps["lodash"].version == "4.17.21"
    assert "left-pad" not in deps and deps["@fixed/left-pad"].version == "1.3.0"  # the alias's real package
    assert deps["internal-lib"].source == "vcs"
    assert deps["tiny-helper"].source == "vcs"  # GitHub shorthand
    assert deps["shared-config"].source == "path"
    assert deps["jest"].scope == "dev" and deps["typescript"].version == "5.4.2"
    assert deps["fsevents"].scope == "optional" and deps["react"].scope == "peer"


def test_package_lock_v3_nested_link_and_bundled() -> None:
    result = read("package-lock.v3.json", "package-lock.json")
    assert result.problems == () and result.complete
    debug = sorted((d.version, d.direct, d.scope, d.line) for d in result.dependencies if d.name == "debug")
    assert debug == [("2.6.9", False, "main", 28), ("4.3.4", False, "dev", 38)]  # nested copy under jest
    deps = by_name(result)
    assert deps["express"].direct and deps["express"].hashes[0].startswith("sha512-")
    assert deps["jest"].direct and deps["jest"].scope == "dev"
    assert deps["qs"].direct is False
    assert deps["@company/ui-kit"].direct  # declared by a workspace
    assert deps["@company/ui-kit"].source == "registry"  # a private registry's tarball layout
    assert deps["tiny-bundled"].bundled
    assert deps["widgets"].source == "path" and deps["widgets"].version is None
    assert deps["fsevents"].scope == "optional"
    assert deps["some-fork"].source == "vcs"
    assert "checkout-web" not in deps


def test_package_lock_v2_reads_packages_not_the_legacy_tree() -> None:
    result = read("package-lock.v2.json", "package-lock.json")
    assert result.problems == ()
    assert sorted((d.name, d.version, d.direct) for d in result.dependencies) == [
        ("ansi-styles", "4.3.0", False),
        ("chalk", "4.1.2", True),
    ]


def test_package_lock_v1_is_a_named_problem() -> None:
    result = read("package-lock.v1.json", "package-lock.json")
    assert not result.complete and result.dependencies == ()
    (problem,) = result.problems
    assert problem.line == 4 and "lockfileVersion 1" in problem.message and problem.hint


@pytest.mark.parametrize(
    ("name", "spec", "expected"),
    [
        ("a", "^1.2.3", ("a", "registry", None)),
        ("a", "1.2.3", ("a", "registry", "1.2.3")),
        ("a", "=1.2.3", ("a", "registry", "1.2.3")),
        ("a", "v1.2.3-beta.1", ("a", "registry", "1.2.3-beta.1")),
        ("a", "latest", ("a", "registry", None)),
        ("a", "npm:@scope/b@2.0.0", ("@scope/b", "registry", "2.0.0")),
        ("a", "npm:b", ("b", "registry", None)),
        ("a", "https://x.example/a.tgz", ("a", "url", None)),
        ("a", "git+ssh://git@github.com/u/a.git", ("a", "vcs", None)),
        ("a", "github:u/a", ("a", "vcs", None)),
        ("a", "u/a#semver:^1", ("a", "vcs", None)),
        ("a", "file:../a", ("a", "path", None)),
        ("a", "workspace:*", ("a", "path", None)),
        ("a", "1.x || >=2.5.0", ("a", "registry", None)),
    ],
)
def test_npm_specs(name: str, spec: str, expected: tuple[str, str, str | None]) -> None:
    assert npm_spec(name, spec) == expected


# -- bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "text", "line"),
    [
        ("pyproject.toml", '[project]\ndependencies = ["a",\nname = \n', 3),
        ("poetry.lock", '[[package]]\nname = "a"\nversion = 1.0.0\n', 3),
        ("uv.lock", "version = 1\n[[package]\n", 2),
        ("pylock.toml", 'lock-version = "1.0"\n\n[packages\n', 3),
        ("package.json", '{\n  "dependencies": {\n    "a": "1",\n  }\n}\n', 4),
        ("package-lock.json", '{\n  "lockfileVersion": 3,\n  "packages": {\n', 4),
        ("Pipfile.lock", "{\n\n  oops\n}", 3),
    ],
)
def test_malformed_files_name_the_line(path: str, text: str, line: int) -> None:
    result = read_manifest(path, text)
    assert result is not None and not result.complete and result.dependencies == ()
    (problem,) = result.problems
    assert problem.file == path and problem.line == line
    assert problem.message.startswith(f"{path}:{line}: malformed")


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("poetry.lock", '[[package]]\nname = "a"\nversion = "1"\n[metadata]\nlock-version = "9.0"\n'),
        ("uv.lock", 'version = 7\n[[package]]\nname = "a"\nversion = "1"\nsource = { registry = "x" }\n'),
        ("pylock.toml", 'lock-version = "2.0"\n[[packages]]\nname = "a"\nversion = "1"\n'),
        ("Pipfile.lock", '{"_meta": {"pipfile-spec": 99}, "default": {"a": {"version": "==1"}}}'),
    ],
)
def test_unknown_lockfile_versions_mark_every_package_unknown(path: str, text: str) -> None:
    result = read_manifest(path, text)
    assert result is not None and not result.complete
    assert result.problems and "unknown" in result.problems[0].message
    assert [(d.name, d.unknown) for d in result.dependencies] == [("a", True)]


def test_non_utf8_names_the_line() -> None:
    result = read_manifest("requirements.txt", b"ok==1\nbad\xff==2\n")
    assert result is not None and not result.complete
    (problem,) = result.problems
    assert problem.line == 2 and "not UTF-8" in problem.message


def test_utf8_bom_is_accepted() -> None:
    result = read_manifest("package.json", '\ufeff{"dependencies": {"a": "1.0.0"}}'.encode())
    assert result is not None and result.problems == () and result.dependencies[0].version == "1.0.0"


def test_json_that_is_not_an_object() -> None:
    for path in ("package.json", "package-lock.json", "Pipfile.lock"):
        result = read_manifest(path, "[1, 2]")
        assert result is not None and not result.complete and result.problems


def test_lockfile_entries_with_wrong_types() -> None:
    lock = '{"lockfileVersion": 3, "packages": {"": {}, "node_modules/a": 5, "node_modules/b": {}}}'
    result = read_manifest("package-lock.json", lock)
    assert result is not None
    assert sorted((d.name, d.unknown) for d in result.dependencies) == [("a", True), ("b", True)]
    assert len(result.problems) == 2
    result = read_manifest("package.json", '{"dependencies": {"a": 1}, "devDependencies": []}')
    assert result is not None and len(result.problems) == 2
    assert [(d.name, d.unknown) for d in result.dependencies] == [("a", True)]


def test_a_reader_bug_fails_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    reader = reader_for("package.json")
    assert reader is not None

    def boom(*_: object) -> ManifestRead:
        raise KeyError("x")

    monkeypatch.setattr(type(reader), "read", boom)
    result = read_manifest("package.json", "{}")
    assert result is not None and not result.complete
    assert "could not read" in result.problems[0].message


def test_every_reader_has_a_format_and_ecosystem() -> None:
    assert len({r.format for r in READERS}) == len(READERS)
    assert {r.ecosystem for r in READERS} == {"PyPI", "npm"}


# -- version order ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("1.0.0", "1.0.1", -1),
        ("1.10.0", "1.9.0", 1),
        ("1.0.0-alpha", "1.0.0", -1),
        ("1.0.0-alpha", "1.0.0-alpha.1", -1),
        ("1.0.0-alpha.1", "1.0.0-alpha.beta", -1),
        ("1.0.0-alpha.beta", "1.0.0-beta", -1),
        ("1.0.0-beta.2", "1.0.0-beta.11", -1),
        ("1.0.0-beta.11", "1.0.0-rc.1", -1),
        ("1.0.0+build.1", "1.0.0+build.2", 0),
        ("v2.0.0", "2.0.0", 0),
        ("1.0", "1.0.0", None),
        ("01.0.0", "1.0.0", None),
    ],
)
def test_semver_order(a: str, b: str, expected: int | None) -> None:
    assert compare_versions("npm", a, b) == expected
    if expected is not None:
        assert compare_versions("npm", b, a) == -expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("1.0", "1.0.0", 0),
        ("1.0rc1", "1.0", -1),
        ("1.0.post1", "1.0", 1),
        ("1!0.1", "2.0", 1),
        ("0.12.01", "0.12.1", 0),
        ("1.0.dev0", "1.0a1", -1),
        ("not a version", "1.0", None),
    ],
)
def test_pep440_order(a: str, b: str, expected: int | None) -> None:
    assert compare_versions("PyPI", a, b) == expected


# -- package indexes -------------------------------------------------------------------------------


def test_indexes_the_files_name_are_reported() -> None:
    text = "-i https://pypi.org/simple\n--extra-index-url https://pkgs.corp.example/simple\n-f ./wheels\na==1\n"
    result = read_manifest("requirements.txt", text)
    assert result is not None and result.problems == ()
    assert result.indexes == ("https://pypi.org/simple", "https://pkgs.corp.example/simple", "./wheels")
    assert read("requirements.txt").indexes == ("https://pypi.org/simple",)

    uv = read("uv.lock")
    assert uv.indexes == ("https://pypi.org/simple",) and by_name(uv)["anyio"].index == "https://pypi.org/simple"
    assert by_name(uv)["sniffio"].index is None

    pipfile = read("Pipfile.lock")
    assert pipfile.indexes == ("https://pypi.org/simple",)
    assert by_name(pipfile)["flask"].index == "https://pypi.org/simple"  # the source named "pypi"
    assert by_name(pipfile)["werkzeug"].index is None

    assert by_name(read("pylock.toml"))["attrs"].index == "https://pypi.org/simple"

    npm = read("package-lock.v3.json", "package-lock.json")
    assert set(npm.indexes) == {"https://registry.npmjs.org", "https://npm.company.example"}
    assert by_name(npm)["@company/ui-kit"].index == "https://npm.company.example"
    assert by_name(npm)["some-fork"].index is None


def test_poetry_lock_legacy_source_is_an_index() -> None:
    text = (
        '[[package]]\nname = "corp-lib"\nversion = "1.0"\n[package.source]\ntype = "legacy"\n'
        'url = "https://pkgs.corp.example/simple"\nreference = "corp"\n\n[metadata]\nlock-version = "2.0"\n'
    )
    result = read_manifest("poetry.lock", text)
    assert result is not None and result.problems == ()
    (lib,) = result.dependencies
    assert (lib.source, lib.index, lib.url) == ("registry", "https://pkgs.corp.example/simple", None)
    assert result.indexes == ("https://pkgs.corp.example/simple",)


def test_pyproject_poetry_and_uv_sources_are_indexes() -> None:
    text = (
        '[tool.poetry.dependencies]\ncorp-lib = { version = "^1.0", source = "corp" }\nrequests = "^2"\n\n'
        '[[tool.poetry.source]]\nname = "corp"\nurl = "https://pkgs.corp.example/simple"\npriority = "supplemental"\n\n'
        '[[tool.uv.index]]\nname = "mirror"\nurl = "https://mirror.example/simple"\n'
    )
    result = read_manifest("pyproject.toml", text)
    assert result is not None and result.problems == ()
    assert result.indexes == ("https://pkgs.corp.example/simple", "https://mirror.example/simple")
    deps = by_name(result)
    assert deps["corp-lib"].index == "https://pkgs.corp.example/simple" and deps["requests"].index is None
