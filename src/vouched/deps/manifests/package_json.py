"""``package.json``: ``dependencies``, ``devDependencies``, ``optionalDependencies`` and
``peerDependencies``. Specs are npm ranges kept as written; an exact version is the pin; git, GitHub
shorthand, tarball URLs and local paths are told apart from the registry; ``npm:`` aliases name the
package they really fetch."""

from __future__ import annotations

from vouched.deps.manifests._util import Lines, load_json
from vouched.deps.manifests.model import (
    Dependency,
    IncludeResolver,
    ManifestError,
    ManifestRead,
    ManifestReader,
    Scope,
)
from vouched.deps.manifests.npm import npm_spec

__all__ = ["SECTIONS", "PackageJsonReader"]

SECTIONS: tuple[tuple[str, Scope], ...] = (
    ("dependencies", "main"),
    ("devDependencies", "dev"),
    ("optionalDependencies", "optional"),
    ("peerDependencies", "peer"),
)


class PackageJsonReader(ManifestReader):
    format = "package-json"
    ecosystem = "npm"

    def matches(self, path: str) -> bool:
        parts = path.split("/")
        return parts[-1] == "package.json" and "node_modules" not in parts

    def read(self, path: str, text: str, resolve_include: IncludeResolver | None = None) -> ManifestRead:
        try:
            data = load_json(path, text)
        except ManifestError as exc:
            return ManifestRead(path, problems=(exc,), complete=False)
        if not isinstance(data, dict):
            return ManifestRead(path, problems=(ManifestError("not a JSON object", file=path, line=1),), complete=False)
        lines = Lines(text)
        problems: list[ManifestError] = []
        deps: list[Dependency] = []
        for section, scope in SECTIONS:
            if section not in data:
                continue
            start = lines.json_key(section)
            entries = data[section]
            if not isinstance(entries, dict):
                problems.append(ManifestError(f"{section} must be an object", file=path, line=start))
                continue
            for key, spec in entries.items():
                line = lines.json_key(key, start=start or 1)
                if not isinstance(spec, str) or not key.strip():
                    problems.append(
                        ManifestError(f"{section} entry {key!r} has no version spec", file=path, line=line,
                                      package=key or None)
                    )  # fmt: skip
                    if key.strip():
                        deps.append(Dependency("npm", key, repr(spec), path, line, scope=scope, unknown=True))
                    continue
                name, source, version = npm_spec(key, spec)
                deps.append(
                    Dependency(
                        "npm", name, spec, path, line, version=version, source=source, scope=scope,
                        url=spec if source != "registry" else None,
                    )
                )  # fmt: skip
        return ManifestRead(path, tuple(deps), tuple(problems))
