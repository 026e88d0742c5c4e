"""``poetry.lock`` (lock-version 1.x and 2.x): every package Poetry resolved, pinned, with its hashes.

The lockfile does not say which packages the project asked for itself, so ``direct`` is None; lock 2.x
``groups`` (or 1.x ``category``) gives the scope. A lock-version vouched does not know is a problem and
its packages are marked unknown.
"""

from __future__ import annotations

from typing import Any

from vouched.deps.manifests._util import Lines, load_toml, pypi_name, strings, table
from vouched.deps.manifests.model import (
    Dependency,
    IncludeResolver,
    ManifestError,
    ManifestRead,
    ManifestReader,
    Scope,
    Source,
)

__all__ = ["PoetryLockReader"]

_KNOWN_MAJORS = ("1", "2")


def _scope(entry: dict[str, Any]) -> tuple[Scope, str | None]:
    groups = strings(entry.get("groups"))
    if groups is not None:
        if "main" in groups or not groups:
            return "main", None
        return "group", ",".join(sorted(groups))
    category = entry.get("category")
    if category == "dev":
        return "dev", None
    return ("optional", None) if entry.get("optional") is True else ("main", None)


class PoetryLockReader(ManifestReader):
    format = "poetry-lock"
    ecosystem = "PyPI"

    def matches(self, path: str) -> bool:
        return path.rsplit("/", 1)[-1] == "poetry.lock"

    def read(self, path: str, text: str, resolve_include: IncludeResolver | None = None) -> ManifestRead:
        try:
            data = load_toml(path, text)
        except ManifestError as exc:
            return ManifestRead(path, problems=(exc,), complete=False)
        lines = Lines(text)
        problems: list[ManifestError] = []
        metadata = table(data.get("metadata")) or {}
        lock_version = metadata.get("lock-version")
        unknown_version = not (isinstance(lock_version, str) and lock_version.split(".")[0] in _KNOWN_MAJORS)
        if unknown_version:
            problems.append(
                ManifestError(
                    f"unknown poetry.lock lock-version {lock_version!r}: its packages are marked unknown",
                    file=path,
                    line=lines.toml_key("lock-version", start=lines.toml_table("metadata") or 1),
                    hint="vouched reads lock-version 1.x and 2.x",
                )
            )
        packages = data.get("package", [])
        if not isinstance(packages, list):
            problems.append(ManifestError("`package` must be an array of tables", file=path, line=1))
            return ManifestRead(path, problems=tuple(problems), complete=False)
        deps: list[Dependency] = []
        indexes: list[str] = []
        cursor = 1
        for entry in packages:
            start = lines.toml_table("package", array=True, start=cursor)
            cursor = (start or cursor) + 1
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"].strip():
                problems.append(ManifestError("a [[package]] without a name", file=path, line=start))
                continue
            name = pypi_name(entry["name"])
            line = lines.toml_key("name", start=start or 1) if start else None
            version = entry.get("version")
            bad_version = not isinstance(version, str) or not version
            if bad_version:
                problems.append(ManifestError("package has no version", file=path, line=line, package=name))
            source: Source = "registry"
            url: str | None = None
            index: str | None = None
            src = table(entry.get("source"))
            if src is not None:
                kind, url = src.get("type"), src.get("url") if isinstance(src.get("url"), str) else None
                if kind == "git":
                    ref = src.get("resolved_reference") or src.get("reference")
                    source, url = "vcs", f"git+{url}" + (f"@{ref}" if isinstance(ref, str) else "")
                elif kind in ("directory", "file"):
                    source = "path"
                elif kind == "url":
                    source = "url"
                elif kind == "legacy" and url is not None:
                    index, url = url, None
                    indexes.append(index)
                elif kind not in ("legacy", "pypi", None):
                    problems.append(ManifestError(f"unknown source type {kind!r}", file=path, line=line, package=name))
            files = entry.get("files")
            hashes: list[str] = []
            if isinstance(files, list):
                hashes = [f["hash"] for f in files if isinstance(f, dict) and isinstance(f.get("hash"), str)]
            else:  # lock-version 1.1 keeps them in [metadata.files]
                legacy = table(metadata.get("files")) or {}
                listed = legacy.get(entry["name"]) or legacy.get(name)
                if isinstance(listed, list):
                    hashes = [f["hash"] for f in listed if isinstance(f, dict) and isinstance(f.get("hash"), str)]
            scope, group = _scope(entry)
            markers = entry.get("markers")
            deps.append(
                Dependency(
                    "PyPI", name, str(version), path, line,
                    version=version if isinstance(version, str) and version else None,
                    direct=None, source=source, scope=scope, group=group,
                    marker=markers if isinstance(markers, str) else None,
                    hashes=tuple(sorted(hashes)), url=url, index=index, unknown=unknown_version or bad_version,
                )
            )  # fmt: skip
        return ManifestRead(
            path, tuple(deps), tuple(problems), complete=not unknown_version, indexes=tuple(dict.fromkeys(indexes))
        )
