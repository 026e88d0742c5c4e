"""``poetry.lock`` (lock-version 1.x and 2.x): every package Poetry resolved, pinned, with its hashes.

The lockfile does not say which packages the project asked for itself, so ``direct`` is None; lock 2.x
``groups`` (or 1.x ``category``) gives the scope. A lock-version vouched does not know is a problem and
its packages are marked unknown.
"""

from __future__ import annotations

from typing import Any

from vouched.deps.manifests._lock import LockFile, TomlLockReader
from vouched.deps.manifests._util import pypi_name, strings, table
from vouched.deps.manifests.model import (
    Dependency,
    ManifestError,
    ManifestRead,
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


class PoetryLockReader(TomlLockReader):
    format = "poetry-lock"
    ecosystem = "PyPI"
    label = "poetry.lock"
    version_table = "metadata"
    version_hint = "vouched reads lock-version 1.x and 2.x"

    def matches(self, path: str) -> bool:
        return path.rsplit("/", 1)[-1] == "poetry.lock"

    def version_ok(self, version: object) -> bool:
        return isinstance(version, str) and version.split(".")[0] in _KNOWN_MAJORS

    def packages(self, lock: LockFile) -> ManifestRead:
        path, problems, unknown_version = lock.path, lock.problems, lock.unknown_version
        metadata = table(lock.data.get("metadata")) or {}
        deps: list[Dependency] = []
        indexes: list[str] = []
        for item in lock.entries:
            entry, start = item.data, item.start
            name = pypi_name(entry["name"])
            line = lock.lines.toml_key("name", start=start) if start else None
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
