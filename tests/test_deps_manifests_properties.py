"""Property and fuzz tests: any input to any reader yields results or named problems, never an exception;
requirement lines built from generated parts read back as built; version order and diffs are coherent."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from packaging.markers import Marker
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from vouched.deps.manifests import READERS, Dependency, ManifestError, ManifestRead, compare_versions
from vouched.deps.manifests.diff import diff_reads
from vouched.deps.manifests.model import ManifestReader
from vouched.deps.manifests.versions import parse_semver

PATHS = {
    "requirements": "requirements.txt",
    "pyproject": "pyproject.toml",
    "poetry-lock": "poetry.lock",
    "uv-lock": "uv.lock",
    "pipfile-lock": "Pipfile.lock",
    "pylock": "pylock.toml",
    "package-json": "package.json",
    "package-lock": "package-lock.json",
}
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(reader: ManifestReader, text: str, files: dict[str, str] | None = None) -> ManifestRead:
    path = PATHS[reader.format]
    assert reader.matches(path)
    result = reader.read(path, text, (files or {}).get)
    assert isinstance(result, ManifestRead) and result.file == path
    for problem in result.problems:
        assert isinstance(problem, ManifestError)
        assert problem.file and problem.message.startswith(problem.file)
        assert problem.line is None or problem.line >= 1
    for dep in result.dependencies:
        assert isinstance(dep, Dependency) and dep.name
        assert dep.ecosystem == reader.ecosystem
        assert dep.line is None or dep.line >= 1
        hash(dep)  # frozen values, usable as keys
    if not result.complete:
        assert result.problems, "an incomplete read must say why"
    return result


# -- arbitrary text ------------------------------------------------------------------------------

FRAGMENTS = [
    "[project]", "dependencies = [", '"requests>=2",', "]", "[project.optional-dependencies]", "x = ['a']",
    "[tool.poetry.dependencies]", 'a = "^1.2"', "b = { version = '~1', optional = true }", "c = [{version='1'}]",
    "[tool.poetry.group.dev.dependencies]", "[dependency-groups]", "g = [{include-group = 'h'}]", "[[package]]",
    'name = "a"', 'version = "1.0"', "source = { registry = 'x' }", "[metadata]", 'lock-version = "2.0"',
    "version = 1", "[[packages]]", 'lock-version = "1.0"', "[packages.vcs]", "-r other.txt", "-c c.txt",
    "-e .", "a==1 --hash=sha256:00", "a @ git+https://x/y", "\\", "# c", "https://x/y.whl", "name = 5",
    "[build-system]", "requires = ['setuptools']", "dynamic = ['dependencies']", "[[package]]\nname = 1",
]  # fmt: skip


@FUZZ
@given(reader=st.sampled_from(READERS), text=st.text())
def test_arbitrary_text_never_raises(reader: ManifestReader, text: str) -> None:
    _check(reader, text)


@FUZZ
@given(
    reader=st.sampled_from(READERS),
    lines=st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=20)), max_size=25),
    files=st.dictionaries(st.sampled_from(["other.txt", "c.txt"]), st.text(max_size=40), max_size=2),
)
def test_plausible_fragments_never_raise(reader: ManifestReader, lines: list[str], files: dict[str, str]) -> None:
    _check(reader, "\n".join(lines), files)


# -- structured documents with wrong and right types -----------------------------------------------

scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=12), st.sampled_from(
    ["1.0.0", "^1.2", "==2.0", ">=1,<2", "git+https://x/y", "file:../a", "npm:b@1.0.0", "a==1", "main", "dev"]
))  # fmt: skip
values: st.SearchStrategy[Any] = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(["a", "b", "name", "version", "source", "git", "path", "url", "dev",
                                         "optional", "link", "resolved", "hashes", "groups", ""]) | st.text(max_size=6),
                        inner, max_size=4),
    ),
    max_leaves=12,
)  # fmt: skip
keys = st.sampled_from(["a", "node_modules/a", "node_modules/a/node_modules/b", "packages/w", "", "@s/p"])


def _json_doc() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {},
        optional={
            "lockfileVersion": st.sampled_from([1, 2, 3, "3", None]),
            "packages": st.dictionaries(keys, values, max_size=5) | values,
            "dependencies": st.dictionaries(keys, values, max_size=4) | values,
            "devDependencies": values,
            "peerDependencies": values,
            "_meta": st.fixed_dictionaries({}, optional={"pipfile-spec": st.sampled_from([6, 5, "6"])}),
            "default": st.dictionaries(keys, values, max_size=4) | values,
            "develop": values,
        },
    )


def _toml_value(value: Any) -> str:
    if value is None:
        return '""'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return "{ " + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"


def _toml_doc() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {},
        optional={
            "project": st.fixed_dictionaries(
                {}, optional={"dependencies": values, "optional-dependencies": values, "dynamic": values}
            )
            | values,
            "tool": st.fixed_dictionaries(
                {},
                optional={
                    "poetry": st.fixed_dictionaries(
                        {}, optional={"dependencies": values, "dev-dependencies": values, "group": values}
                    ),
                    "uv": st.fixed_dictionaries({}, optional={"dev-dependencies": values}),
                },
            ),
            "dependency-groups": values,
            "build-system": st.fixed_dictionaries({}, optional={"requires": values}),
            "package": st.lists(values, max_size=4) | values,
            "packages": st.lists(values, max_size=4) | values,
            "metadata": st.fixed_dictionaries({}, optional={"lock-version": values, "files": values}),
            "version": st.sampled_from([1, 2, "1"]),
            "lock-version": st.sampled_from(["1.0", "2.0", 1]),
        },
    )


@FUZZ
@given(reader=st.sampled_from([r for r in READERS if r.format in ("package-json", "package-lock", "pipfile-lock")]),
       doc=_json_doc())  # fmt: skip
def test_structured_json_never_raises(reader: ManifestReader, doc: dict[str, Any]) -> None:
    _check(reader, json.dumps(doc, indent=1))


@FUZZ
@given(reader=st.sampled_from([r for r in READERS if r.format in ("pyproject", "poetry-lock", "uv-lock", "pylock")]),
       doc=_toml_doc())  # fmt: skip
def test_structured_toml_never_raises(reader: ManifestReader, doc: dict[str, Any]) -> None:
    text = "\n".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in doc.items())
    _check(reader, text)


# -- requirement lines round-trip ------------------------------------------------------------------

names = st.from_regex(r"\A[A-Za-z0-9]([A-Za-z0-9._-]{0,12}[A-Za-z0-9])?\Z", fullmatch=True)
versions = st.builds(
    lambda parts, suffix: ".".join(str(p) for p in parts) + suffix,
    st.lists(st.integers(0, 30), min_size=1, max_size=4),
    st.sampled_from(["", "rc1", "a2", ".post1", ".dev3", "b1"]),
)
clauses = st.builds(lambda op, v: f"{op}{v}", st.sampled_from(["==", ">=", "<=", "<", ">", "!=", "~="]), versions)
MARKERS = [
    'python_version < "3.10"',
    "sys_platform == 'win32'",
    'extra == "s3"',
    "os_name != 'nt' and python_version >= '3.8'",
]


@FUZZ
@given(
    name=names,
    extras=st.lists(names, max_size=2, unique=True),
    spec=st.lists(clauses, max_size=3),
    marker=st.none() | st.sampled_from(MARKERS),
    hashes=st.lists(st.from_regex(r"\A[0-9a-f]{8}\Z", fullmatch=True), max_size=2),
    continued=st.booleans(),
    comment=st.booleans(),
)
def test_generated_requirement_lines_round_trip(
    name: str,
    extras: list[str],
    spec: list[str],
    marker: str | None,
    hashes: list[str],
    continued: bool,
    comment: bool,
) -> None:
    specifier = ",".join(spec)
    try:
        SpecifierSet(specifier)
    except InvalidSpecifier:
        assume(False)
    line = name + (f"[{','.join(extras)}]" if extras else "") + specifier
    if marker:
        line += f" ; {marker}"
    separator = " \\\n    " if continued else " "
    for digest in hashes:
        line += f"{separator}--hash=sha256:{digest}"
    if comment:
        line += "  # why"
    reader = next(r for r in READERS if r.format == "requirements")
    result = _check(reader, f"# header\n{line}\n")
    assert result.problems == (), [p.message for p in result.problems]
    (dep,) = result.dependencies
    assert dep.name == canonicalize_name(name) and dep.line == 2
    assert dep.specifier == str(SpecifierSet(specifier))
    assert dep.extras == tuple(sorted(extras))
    assert dep.marker == (str(Marker(marker)) if marker else None)
    assert dep.hashes == tuple(f"sha256:{d}" for d in hashes)
    clauses_read = set(SpecifierSet(specifier))  # a repeated clause is one clause
    exact = [c for c in clauses_read if c.operator == "=="]
    if len(clauses_read) == 1 and exact and not exact[0].version.endswith(".*"):
        assert dep.version is not None and Version(dep.version) == Version(exact[0].version)
    else:
        assert dep.version is None


# -- version order and diffs ----------------------------------------------------------------------

semvers = st.builds(
    lambda a, b, c, pre, build: f"{a}.{b}.{c}" + (f"-{'.'.join(pre)}" if pre else "") + (f"+{build}" if build else ""),
    st.integers(0, 3), st.integers(0, 3), st.integers(0, 3),
    st.lists(st.sampled_from(["alpha", "beta", "rc", "0", "1", "11", "2", "x-y"]), max_size=3),
    st.none() | st.sampled_from(["b1", "exp.sha.5114f85"]),
)  # fmt: skip


@FUZZ
@given(a=semvers, b=semvers, c=semvers)
def test_semver_order_is_a_total_preorder(a: str, b: str, c: str) -> None:
    assert parse_semver(a) is not None
    ab, ba = compare_versions("npm", a, b), compare_versions("npm", b, a)
    assert ab is not None and ba == -ab
    if ab <= 0 and (compare_versions("npm", b, c) or 0) <= 0:
        assert (compare_versions("npm", a, c) or 0) <= 0


deps = st.builds(
    lambda name, version, marker: Dependency("npm", name, version, "package-lock.json", 1, version=version,
                                             marker=marker),
    st.sampled_from(["a", "b", "c"]), semvers, st.none() | st.sampled_from(["m"]),
)  # fmt: skip


@FUZZ
@given(base=st.lists(deps, max_size=6), head=st.lists(deps, max_size=6))
def test_diff_accounts_for_every_entry_once(base: list[Dependency], head: list[Dependency]) -> None:
    assert diff_reads(ManifestRead("f", tuple(base)), ManifestRead("f", tuple(base))) == []
    deltas = diff_reads(ManifestRead("f", tuple(base)), ManifestRead("f", tuple(head)))
    afters = [d.after for d in deltas if d.after is not None]
    befores = [d.before for d in deltas if d.before is not None]
    # what the deltas bring in and take out is exactly the multiset difference
    assert sorted(map(repr, afters)) == sorted(map(repr, _minus(head, base)))
    assert sorted(map(repr, befores)) == sorted(map(repr, _minus(base, head)))
    for d in deltas:
        if d.kind in ("upgraded", "downgraded"):
            assert d.before is not None and d.after is not None and d.before.version and d.after.version
            order = compare_versions("npm", d.after.version, d.before.version)
            assert order == (1 if d.kind == "upgraded" else -1)


def _minus(a: list[Dependency], b: list[Dependency]) -> list[Dependency]:
    left = list(b)
    out = []
    for dep in a:
        if dep in left:
            left.remove(dep)
        else:
            out.append(dep)
    return out


# -- line lookup -----------------------------------------------------------------------------------

json_keys = st.text(st.characters(blacklist_categories=["Cs"]), max_size=6)
json_docs: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.integers() | json_keys,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(json_keys, inner, max_size=4),
    max_leaves=15,
)


@FUZZ
@given(doc=st.dictionaries(json_keys, json_docs, max_size=5), indent=st.sampled_from([None, 1, 2]))
@example(doc={"": "", ":": None}, indent=None)  # an empty value before a key ":" once read `", "` as a key
def test_indexed_json_key_lookup_matches_a_scan(doc: dict[str, Any], indent: int | None) -> None:
    from json.decoder import scanstring

    from vouched.deps.manifests._util import Lines

    text = json.dumps(doc, indent=indent, ensure_ascii=False)
    keys: list[tuple[str, int]] = []  # every object key and its line, read by json's own string scanner
    i = 0
    while (i := text.find('"', i)) != -1:
        value, end = scanstring(text, i + 1)
        if text[end:].lstrip().startswith(":"):
            keys.append((value, text.count("\n", 0, i) + 1))
        i = end
    lines = Lines(text)
    for key in doc:
        first = next(n for k, n in keys if k == key)
        assert lines.json_key(key) == first  # the first line where it is a key (not inside another string)
        assert lines.json_key(key, start=first + 1) in (None, *range(first + 1, len(text) + 2))
