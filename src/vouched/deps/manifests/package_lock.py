"""``package-lock.json`` and ``npm-shrinkwrap.json``, lockfileVersion 2 and 3: the ``packages`` map.

Keys are install locations: ``""`` is the project, ``node_modules/a`` a top-level package,
``node_modules/a/node_modules/b`` a nested copy (another version of ``b`` that ``a`` needs),
``packages/x`` a workspace. The project's and workspaces' own declarations make a top-level package
``direct``; everything else is transitive. ``link`` entries point into the repository (source path);
``inBundle`` entries ship inside their parent's tarball (``bundled``). lockfileVersion 1 predates the
``packages`` map: it is reported, and nothing is guessed from it.
"""

from __future__ import annotations

from typing import Any

from vouched.deps.manifests._util import Lines, load_json, table
from vouched.deps.manifests.model import (
    Dependency,
    IncludeResolver,
    ManifestError,
    ManifestRead,
    ManifestReader,
    Scope,
    Source,
)
from vouched.deps.manifests.npm import registry_of, tarball_source
from vouched.deps.manifests.package_json import SECTIONS

__all__ = ["PackageLockReader"]

_MARKER = "node_modules/"


def _declared(entry: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    for section, _ in SECTIONS:
        listed = entry.get(section)
        if isinstance(listed, dict):
            names.update(k for k in listed if isinstance(k, str))
    return names


def _scope(entry: dict[str, Any]) -> Scope:
    if entry.get("dev") is True or entry.get("devOptional") is True:
        return "dev"
    if entry.get("optional") is True:
        return "optional"
    if entry.get("peer") is True:
        return "peer"
    return "main"


class PackageLockReader(ManifestReader):
    format = "package-lock"
    ecosystem = "npm"

    def matches(self, path: str) -> bool:
        parts = path.split("/")
        return parts[-1] in ("package-lock.json", "npm-shrinkwrap.json") and "node_modules" not in parts

    def read(self, path: str, text: str, resolve_include: IncludeResolver | None = None) -> ManifestRead:
        try:
            data = load_json(path, text)
        except ManifestError as exc:
            return ManifestRead(path, problems=(exc,), complete=False)
        if not isinstance(data, dict):
            return ManifestRead(path, problems=(ManifestError("not a JSON object", file=path, line=1),), complete=False)
        lines = Lines(text)
        version = data.get("lockfileVersion")
        packages = table(data.get("packages"))
        if version not in (2, 3) or packages is None:
            why = (
                f"lockfileVersion {version!r} is not one vouched reads (2 or 3)"
                if version not in (2, 3)
                else "no `packages` map"
            )
            problem = ManifestError(
                f"{why}: its packages are unknown",
                file=path,
                line=lines.json_key("lockfileVersion") or 1,
                hint="regenerate the lockfile with npm 7 or newer (`npm install --package-lock-only`)",
            )
            return ManifestRead(path, problems=(problem,), complete=False)
        problems: list[ManifestError] = []
        direct: set[str] = set()
        for key, entry in packages.items():
            if isinstance(entry, dict) and _MARKER not in f"/{key}" and not entry.get("link"):
                direct |= _declared(entry)  # the project itself ("") or a workspace
        deps: list[Dependency] = []
        start = lines.json_key("packages") or 1
        for key, entry in packages.items():
            if key == "" or (_MARKER not in f"/{key}" and isinstance(entry, dict) and not entry.get("link")):
                continue
            line = lines.json_key(key, start=start)
            installed = key.rsplit(_MARKER, 1)[-1]
            if not installed.strip():
                problems.append(ManifestError(f"entry {key!r} names no package", file=path, line=line))
                continue
            if not isinstance(entry, dict):
                problems.append(ManifestError("entry must be an object", file=path, line=line, package=installed))
                deps.append(Dependency("npm", installed, repr(entry), path, line, direct=None, unknown=True))
                continue
            name = entry["name"] if isinstance(entry.get("name"), str) and entry["name"] else installed
            resolved = entry.get("resolved")
            version = entry.get("version")
            source: Source
            if entry.get("link") is True:
                source = "path"
            elif isinstance(resolved, str):
                source = tarball_source(resolved)
            else:
                source = "registry"
            bad = source == "registry" and not isinstance(version, str)
            if bad:
                problems.append(ManifestError("package has no version", file=path, line=line, package=name))
            integrity = entry.get("integrity")
            top_level = key == f"{_MARKER}{installed}"
            deps.append(
                Dependency(
                    "npm", name, str(version) if isinstance(version, str) else str(resolved or ""), path, line,
                    version=version if isinstance(version, str) and version else None,
                    direct=top_level and installed in direct, source=source, scope=_scope(entry),
                    hashes=tuple(sorted(integrity.split())) if isinstance(integrity, str) else (),
                    url=resolved if isinstance(resolved, str) else None,
                    index=registry_of(resolved, name) if isinstance(resolved, str) and source == "registry" else None,
                    bundled=entry.get("inBundle") is True, unknown=bad,
                )
            )  # fmt: skip
        indexes = tuple(dict.fromkeys(d.index for d in deps if d.index))
        return ManifestRead(path, tuple(deps), tuple(problems), indexes=indexes)
