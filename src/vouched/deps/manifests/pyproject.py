"""``pyproject.toml``: PEP 621 ``[project]`` dependencies and extras, PEP 735 ``[dependency-groups]``,
PEP 518 ``[build-system] requires``, uv's legacy ``[tool.uv] dev-dependencies``, and Poetry's
``[tool.poetry.dependencies]``, ``dev-dependencies`` and ``group.<name>.dependencies``.

Poetry constraints are kept as written in ``spec``; ``^`` and ``~`` are translated to PEP 440 in
``specifier`` (``^1.2.3`` is ``>=1.2.3,<2``; ``~1.2`` is ``>=1.2,<1.3``); an ``||`` union has no PEP 440
form, so its ``specifier`` stays None. Dynamic dependencies (computed by the build backend) are a problem:
vouched does not run build code to learn them.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from vouched.deps.manifests._util import (
    Lines,
    exact_pin,
    load_toml,
    mark_conflicts,
    pypi_name,
    strings,
    table,
    unique,
)
from vouched.deps.manifests.model import (
    Dependency,
    IncludeResolver,
    ManifestError,
    ManifestRead,
    ManifestReader,
    Scope,
    Source,
)
from vouched.deps.manifests.requirements import parse_requirement

__all__ = ["PyprojectReader", "poetry_to_pep440"]

_OPERATOR = re.compile(r"^(~=|===|==|!=|<=|>=|<|>)\s*(.+)$")


def _bump(release: tuple[int, ...], index: int) -> str:
    return ".".join(str(n) for n in (*release[:index], release[index] + 1))


def _poetry_part(part: str) -> list[str] | None:
    part = part.strip()
    if part in ("", "*"):
        return []
    if part.startswith("^") or (part.startswith("~") and not part.startswith("~=")):
        text = part[1:].strip()
        try:
            release = Version(text).release
        except InvalidVersion:
            return None
        given = len([p for p in text.split("+")[0].split(".") if p])
        release = release[: max(1, min(given, len(release)))]
        if part.startswith("^"):
            nonzero = [i for i, n in enumerate(release) if n != 0]
            index = nonzero[0] if nonzero else len(release) - 1
        else:
            index = 1 if len(release) >= 2 else 0
        return [f">={text}", f"<{_bump(release, index)}"]
    found = _OPERATOR.match(part)
    if found:
        return [f"{found.group(1)}{found.group(2).strip()}"]
    if part.endswith(".*"):
        return [f"=={part}"]
    return [f"=={part}"]


def poetry_to_pep440(constraint: str) -> str | None:
    """The PEP 440 specifier a Poetry version constraint means, or None when it has none (an ``||``
    union) or is not a constraint at all."""
    if "||" in constraint or "|" in constraint:
        return None
    specs: list[str] = []
    for chunk in constraint.split(","):
        for part in re.split(r"\s+(?=[<>=!~^\d*])", chunk.strip()):
            translated = _poetry_part(part)
            if translated is None:
                return None
            specs += translated
    text = ",".join(specs)
    try:
        SpecifierSet(text)
    except InvalidSpecifier:
        return None
    return text


def _python_marker(constraint: str) -> str | None:
    spec = poetry_to_pep440(constraint)
    if spec is None:
        return None
    return " and ".join(f'python_version {s.operator} "{s.version}"' for s in SpecifierSet(spec)) or None


class _Reading:
    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.lines = Lines(text)
        self.deps: list[Dependency] = []
        self.problems: list[ManifestError] = []
        self.indexes: list[str] = []
        self.sources: dict[str, str] = {}  # Poetry source name -> URL

    def problem(self, message: str, line: int | None, package: str | None = None) -> None:
        self.problems.append(ManifestError(message, file=self.path, line=line, package=package))

    # -- PEP 508 lists -----------------------------------------------------------------------------

    def pep508_list(self, value: object, where: str, start: int | None, scope: Scope, group: str | None) -> None:
        if not isinstance(value, list):
            self.problem(f"{where} must be a list of requirement strings", start)
            return
        cursor = start or 1
        for item in value:
            if isinstance(item, dict) and scope == "group" and set(item) == {"include-group"}:
                continue  # PEP 735: the included group's requirements are read where it is defined
            if not isinstance(item, str):
                self.problem(f"{where} holds {type(item).__name__} {item!r}, not a requirement string", start)
                continue
            line = self.lines.toml_string(item, start=cursor)
            if line is not None:
                cursor = line
            dep, problem = parse_requirement(item, file=self.path, line=line or start, scope=scope, group=group)
            if problem is not None:
                self.problems.append(problem)
            if dep is not None:
                self.deps.append(dep)

    def pep621(self, data: dict[str, Any]) -> None:
        project = data.get("project")
        if project is None:
            return
        start = self.lines.toml_table("project")
        if not isinstance(project, dict):
            self.problem("[project] must be a table", start)
            return
        dynamic = strings(project.get("dynamic")) or []
        for key in ("dependencies", "optional-dependencies"):
            if key in dynamic:
                self.problem(
                    f"[project] {key} are dynamic: the build backend computes them, and vouched does not run "
                    "build code, so they are unknown",
                    self.lines.toml_key("dynamic", start=start or 1),
                )
        if "dependencies" in project:
            line = self.lines.toml_key("dependencies", start=start or 1)
            self.pep508_list(project["dependencies"], "[project] dependencies", line, "main", None)
        extras = project.get("optional-dependencies")
        if extras is not None:
            line = self.lines.toml_table("project", "optional-dependencies") or self.lines.toml_key(
                "optional-dependencies", start=start or 1
            )
            if not isinstance(extras, dict):
                self.problem("[project.optional-dependencies] must be a table", line)
            else:
                for extra, reqs in extras.items():
                    at = self.lines.toml_key(extra, start=line or 1)
                    self.pep508_list(reqs, f"optional-dependencies {extra}", at, "optional", extra)

    def pep735(self, data: dict[str, Any]) -> None:
        groups = data.get("dependency-groups")
        if groups is None:
            return
        start = self.lines.toml_table("dependency-groups")
        if not isinstance(groups, dict):
            self.problem("[dependency-groups] must be a table", start)
            return
        for name, reqs in groups.items():
            at = self.lines.toml_key(name, start=start or 1)
            if isinstance(reqs, list):
                for item in reqs:
                    if isinstance(item, dict) and "include-group" in item and item["include-group"] not in groups:
                        self.problem(f"group {name} includes unknown group {item['include-group']!r}", at)
            self.pep508_list(reqs, f"dependency group {name}", at, "group", name)

    def build_system(self, data: dict[str, Any]) -> None:
        build = table(data.get("build-system"))
        if build is not None and "requires" in build:
            start = self.lines.toml_table("build-system")
            line = self.lines.toml_key("requires", start=start or 1)
            self.pep508_list(build["requires"], "[build-system] requires", line, "build", None)
        uv = table(table(data.get("tool") or {}) or {})
        uv_table = table(uv.get("uv")) if uv is not None else None
        if uv_table is not None and "dev-dependencies" in uv_table:
            start = self.lines.toml_table("tool", "uv")
            line = self.lines.toml_key("dev-dependencies", start=start or 1)
            self.pep508_list(uv_table["dev-dependencies"], "[tool.uv] dev-dependencies", line, "dev", None)

    # -- Poetry ------------------------------------------------------------------------------------

    def poetry(self, data: dict[str, Any]) -> None:
        tool = table(data.get("tool"))
        poetry = table(tool.get("poetry")) if tool is not None else None
        if poetry is None:
            return
        sources = poetry.get("source")
        for source in sources if isinstance(sources, list) else []:
            if isinstance(source, dict) and isinstance(source.get("url"), str):
                self.indexes.append(source["url"])
                if isinstance(source.get("name"), str):
                    self.sources[source["name"]] = source["url"]
        sections: list[tuple[object, tuple[str, ...], Scope, str | None]] = [
            (poetry.get("dependencies"), ("tool", "poetry", "dependencies"), "main", None),
            (poetry.get("dev-dependencies"), ("tool", "poetry", "dev-dependencies"), "dev", None),
        ]
        groups = poetry.get("group")
        if isinstance(groups, dict):
            for name, group in groups.items():
                if isinstance(group, dict) and "dependencies" in group:
                    where = ("tool", "poetry", "group", name, "dependencies")
                    sections.append((group["dependencies"], where, "group", name))
        elif groups is not None:
            self.problem("[tool.poetry.group] must be a table", self.lines.toml_key("group"))
        for value, keys, scope, group in sections:
            if value is None:
                continue
            start = self.lines.toml_table(*keys)
            if not isinstance(value, dict):
                self.problem(f"[{'.'.join(keys)}] must be a table", start)
                continue
            for raw_name, spec in value.items():
                if raw_name.lower() == "python" and scope == "main":
                    continue
                line = self.lines.toml_key(raw_name, start=start or 1)
                items = spec if isinstance(spec, list) else [spec]
                for item in items:
                    self.poetry_dependency(raw_name, item, line, scope, group)

    def poetry_dependency(self, raw_name: str, spec: object, line: int | None, scope: Scope, group: str | None) -> None:
        if not raw_name.strip():
            self.problem("a dependency without a name", line)
            return
        name = pypi_name(raw_name)
        if isinstance(spec, str):
            self.deps.append(self._poetry_version(name, spec, spec, line, scope, group, None, ()))
            return
        if not isinstance(spec, dict):
            self.problem(f"dependency {raw_name} has an unreadable constraint {spec!r}", line, name)
            self.deps.append(
                Dependency("PyPI", name, repr(spec), self.path, line, scope=scope, group=group, unknown=True)
            )
            return
        raw = "{ " + ", ".join(f"{k} = {json.dumps(v, default=str)}" for k, v in spec.items()) + " }"
        markers = spec.get("markers")
        marker = markers if isinstance(markers, str) else None
        python = spec.get("python")
        if isinstance(python, str):
            translated = _python_marker(python)
            py_marker = translated or f"python {python}"
            marker = f"({marker}) and {py_marker}" if marker else py_marker
        extras = tuple(sorted(strings(spec.get("extras")) or []))
        if spec.get("optional") is True and scope == "main":
            scope = "optional"
        location: tuple[Source, str] | None = None
        if isinstance(spec.get("git"), str):
            ref = next((spec[k] for k in ("rev", "tag", "branch") if isinstance(spec.get(k), str)), None)
            location = ("vcs", f"git+{spec['git']}" + (f"@{ref}" if ref else ""))
        elif isinstance(spec.get("url"), str):
            location = ("url", spec["url"])
        elif isinstance(spec.get("path"), str):
            location = ("path", spec["path"])
        if location is not None:
            self.deps.append(
                Dependency(
                    "PyPI", name, raw, self.path, line, source=location[0], scope=scope, group=group,
                    marker=marker, extras=extras, url=location[1], editable=spec.get("develop") is True,
                )
            )  # fmt: skip
            return
        version = spec.get("version")
        if not isinstance(version, str):
            self.problem(f"dependency {raw_name} names no version, git, url or path", line, name)
            self.deps.append(Dependency("PyPI", name, raw, self.path, line, scope=scope, group=group, unknown=True))
            return
        dep = self._poetry_version(name, version, raw, line, scope, group, marker, extras)
        source = spec.get("source")
        if isinstance(source, str):
            dep = replace(dep, index=self.sources.get(source, source))
        self.deps.append(dep)

    def _poetry_version(
        self,
        name: str,
        constraint: str,
        raw: str,
        line: int | None,
        scope: Scope,
        group: str | None,
        marker: str | None,
        extras: tuple[str, ...],
    ) -> Dependency:
        specifier = poetry_to_pep440(constraint)
        unknown = False
        if specifier is None and "|" not in constraint:
            self.problem(f"cannot read version constraint {constraint!r}", line, name)
            unknown = True
        return Dependency(
            "PyPI", name, raw, self.path, line,
            version=exact_pin(specifier) if specifier else None, specifier=specifier, scope=scope, group=group,
            marker=marker, extras=extras, unknown=unknown,
        )  # fmt: skip


class PyprojectReader(ManifestReader):
    format = "pyproject"
    ecosystem = "PyPI"

    def matches(self, path: str) -> bool:
        return path.rsplit("/", 1)[-1] == "pyproject.toml"

    def read(self, path: str, text: str, resolve_include: IncludeResolver | None = None) -> ManifestRead:
        try:
            data = load_toml(path, text)
        except ManifestError as exc:
            return ManifestRead(path, problems=(exc,), complete=False)
        reading = _Reading(path, text)
        reading.pep621(data)
        reading.pep735(data)
        reading.build_system(data)
        reading.poetry(data)
        deps = mark_conflicts(reading.deps, path, reading.problems)
        uv = table((table(data.get("tool")) or {}).get("uv")) or {}
        uv_indexes = uv.get("index")
        for index in uv_indexes if isinstance(uv_indexes, list) else []:
            if isinstance(index, dict) and isinstance(index.get("url"), str):
                reading.indexes.append(index["url"])
        indexes = tuple(dict.fromkeys(reading.indexes))
        return ManifestRead(path, tuple(unique(deps)), tuple(reading.problems), indexes=indexes)
