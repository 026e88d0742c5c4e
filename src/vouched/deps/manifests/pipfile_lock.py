"""``Pipfile.lock`` (pipfile-spec 6): Pipenv's resolved packages, ``default`` and ``develop`` (and any
other category), each pinned with ``==`` and hashed. Direct or not is in the Pipfile, not the lock, so
``direct`` is None."""

from __future__ import annotations

from vouched.deps.manifests._util import Lines, exact_pin, load_json, pypi_name, strings, table
from vouched.deps.manifests.model import (
    Dependency,
    IncludeResolver,
    ManifestError,
    ManifestRead,
    ManifestReader,
    Scope,
    Source,
)

__all__ = ["PipfileLockReader"]


class PipfileLockReader(ManifestReader):
    format = "pipfile-lock"
    ecosystem = "PyPI"

    def matches(self, path: str) -> bool:
        return path.rsplit("/", 1)[-1] == "Pipfile.lock"

    def read(self, path: str, text: str, resolve_include: IncludeResolver | None = None) -> ManifestRead:
        try:
            data = load_json(path, text)
        except ManifestError as exc:
            return ManifestRead(path, problems=(exc,), complete=False)
        if not isinstance(data, dict):
            return ManifestRead(path, problems=(ManifestError("not a JSON object", file=path, line=1),), complete=False)
        lines = Lines(text)
        problems: list[ManifestError] = []
        meta = table(data.get("_meta")) or {}
        spec = meta.get("pipfile-spec")
        unknown_version = spec != 6
        if unknown_version:
            problems.append(
                ManifestError(
                    f"unknown pipfile-spec {spec!r}: its packages are marked unknown",
                    file=path,
                    line=lines.json_key("pipfile-spec") or 1,
                    hint="vouched reads pipfile-spec 6",
                )
            )
        sources = meta.get("sources")
        named = {
            s["name"]: s["url"]
            for s in (sources if isinstance(sources, list) else [])
            if isinstance(s, dict) and isinstance(s.get("name"), str) and isinstance(s.get("url"), str)
        }
        deps: list[Dependency] = []
        for category, packages in data.items():
            if category == "_meta":
                continue
            start = lines.json_key(category)
            if not isinstance(packages, dict):
                problems.append(ManifestError(f"{category!r} must be an object", file=path, line=start))
                continue
            scope: Scope = "main" if category == "default" else "dev" if category == "develop" else "group"
            group = None if scope != "group" else category
            for raw_name, entry in packages.items():
                line = lines.json_key(raw_name, start=start or 1)
                if not raw_name.strip():
                    problems.append(ManifestError(f"a package without a name in {category!r}", file=path, line=line))
                    continue
                name = pypi_name(raw_name)
                if not isinstance(entry, dict):
                    problems.append(ManifestError("entry must be an object", file=path, line=line, package=name))
                    deps.append(Dependency("PyPI", name, repr(entry), path, line, direct=None, scope=scope,
                                           group=group, unknown=True))  # fmt: skip
                    continue
                version_spec = entry.get("version")
                source: Source = "registry"
                url: str | None = None
                if isinstance(entry.get("git"), str):
                    ref = entry.get("ref")
                    source, url = "vcs", f"git+{entry['git']}" + (f"@{ref}" if isinstance(ref, str) else "")
                elif isinstance(entry.get("path"), str):
                    source, url = "path", entry["path"]
                elif isinstance(entry.get("file"), str):
                    source, url = ("path" if entry["file"].startswith("file:") else "url"), entry["file"]
                version = exact_pin(version_spec) if isinstance(version_spec, str) else None
                bad = source == "registry" and version is None
                if bad:
                    problems.append(
                        ManifestError(
                            f"registry package without an exact version ({version_spec!r})",
                            file=path,
                            line=line,
                            package=name,
                        )
                    )
                markers = entry.get("markers")
                index = entry.get("index")
                deps.append(
                    Dependency(
                        "PyPI", name, str(version_spec or url or ""), path, line, version=version,
                        specifier=version_spec if isinstance(version_spec, str) else None, direct=None,
                        source=source, scope=scope, group=group, marker=markers if isinstance(markers, str) else None,
                        extras=tuple(sorted(strings(entry.get("extras")) or [])),
                        hashes=tuple(sorted(strings(entry.get("hashes")) or [])), url=url,
                        index=named.get(index, index) if isinstance(index, str) else None,
                        editable=entry.get("editable") is True, unknown=unknown_version or bad,
                    )
                )  # fmt: skip
        indexes = tuple(dict.fromkeys(named.values()))
        return ManifestRead(path, tuple(deps), tuple(problems), complete=not unknown_version, indexes=indexes)
