"""``uv.lock`` (version 1): the packages uv resolved for every platform.

Workspace members (``editable`` or ``virtual`` sources) are the project itself, not dependencies; what
they list is what the project asked for, so those packages are ``direct`` and take the member's scope
(``optional-dependencies``, ``dev-dependencies`` groups). uv may lock several versions of one package
for different environments; each is its own entry.
"""

from __future__ import annotations

from typing import Any

from vouched.deps.manifests._lock import LockFile, TomlLockReader
from vouched.deps.manifests._util import pypi_name, table
from vouched.deps.manifests.model import (
    Dependency,
    ManifestError,
    ManifestRead,
    Scope,
    Source,
)

__all__ = ["UvLockReader"]


def _hashes(entry: dict[str, Any]) -> tuple[str, ...]:
    found: list[str] = []
    sdist = table(entry.get("sdist"))
    if sdist is not None and isinstance(sdist.get("hash"), str):
        found.append(sdist["hash"])
    wheels = entry.get("wheels")
    if isinstance(wheels, list):
        found += [w["hash"] for w in wheels if isinstance(w, dict) and isinstance(w.get("hash"), str)]
    return tuple(sorted(found))


def _marker(entry: dict[str, Any]) -> str | None:
    markers = entry.get("resolution-markers")
    if isinstance(markers, list) and markers and all(isinstance(m, str) for m in markers):
        return " or ".join(f"({m})" for m in markers) if len(markers) > 1 else markers[0]
    return None


def _names(value: object) -> list[str]:
    if not isinstance(value, list):
        return []
    return [pypi_name(d["name"]) for d in value if isinstance(d, dict) and isinstance(d.get("name"), str)]


class UvLockReader(TomlLockReader):
    format = "uv-lock"
    ecosystem = "PyPI"
    label = "uv.lock"
    version_key = "version"
    version_hint = "vouched reads uv.lock version 1"

    def matches(self, path: str) -> bool:
        return path.rsplit("/", 1)[-1] == "uv.lock"

    def version_ok(self, version: object) -> bool:
        return version == 1

    def packages(self, lock: LockFile) -> ManifestRead:
        path, lines, problems, unknown_version = lock.path, lock.lines, lock.problems, lock.unknown_version
        direct: dict[str, tuple[Scope, str | None]] = {}
        entries: list[tuple[dict[str, Any], int | None]] = []
        for item in lock.entries:
            entry, start = item.data, item.start
            source = table(entry.get("source")) or {}
            if "editable" in source or "virtual" in source:
                for name in _names(entry.get("dependencies")):
                    direct.setdefault(name, ("main", None))
                for table_key, scope in (("optional-dependencies", "optional"), ("dev-dependencies", "group")):
                    for group_name, members in (table(entry.get(table_key)) or {}).items():
                        for name in _names(members):
                            direct.setdefault(name, (scope, group_name))  # type: ignore[arg-type]
                continue
            entries.append((entry, start))
        deps: list[Dependency] = []
        registries: list[str] = []
        for entry, start in entries:
            name = pypi_name(entry["name"])
            line = lines.toml_key("name", start=start) if start else None
            version_text = entry.get("version")
            source = table(entry.get("source")) or {}
            kind: Source = "registry"
            url: str | None = None
            if isinstance(source.get("git"), str):
                kind, url = "vcs", f"git+{source['git']}"
            elif isinstance(source.get("url"), str):
                kind, url = "url", source["url"]
            elif isinstance(source.get("path"), str) or isinstance(source.get("directory"), str):
                kind = "path"
            elif isinstance(source.get("registry"), str):
                registries.append(source["registry"])
            else:
                problems.append(ManifestError("package has no readable source", file=path, line=line, package=name))
            bad_version = not isinstance(version_text, str) and kind == "registry"
            if bad_version:
                problems.append(ManifestError("package has no version", file=path, line=line, package=name))
            scope, group = direct.get(name, ("main", None))
            registry = source["registry"] if isinstance(source.get("registry"), str) else None
            deps.append(
                Dependency(
                    "PyPI", name, str(version_text) if version_text is not None else "", path, line,
                    version=version_text if isinstance(version_text, str) else None,
                    direct=name in direct, source=kind, scope=scope, group=group,
                    marker=_marker(entry),
                    hashes=_hashes(entry), url=url, index=registry, unknown=unknown_version or bad_version,
                )
            )  # fmt: skip
        indexes = tuple(dict.fromkeys(registries))
        return ManifestRead(path, tuple(deps), tuple(problems), complete=not unknown_version, indexes=indexes)
