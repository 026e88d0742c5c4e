"""``pylock.toml`` and ``pylock.NAME.toml`` (PEP 751, lock-version 1.x): the standard lockfile.

Each ``[[packages]]`` entry comes from an index (wheels or an sdist), a VCS, a directory or an archive;
the lockfile does not say which are direct, so ``direct`` is None."""

from __future__ import annotations

import re
from typing import Any

from vouched.deps.manifests._lock import LockFile, TomlLockReader
from vouched.deps.manifests._util import pypi_name, table
from vouched.deps.manifests.model import (
    Dependency,
    ManifestError,
    ManifestRead,
    Source,
)

__all__ = ["PylockReader"]

_NAME = re.compile(r"^pylock\.([^.]+\.)?toml$")


def _hashes(entry: dict[str, Any]) -> tuple[str, ...]:
    found: list[str] = []
    candidates: list[object] = [entry.get("sdist"), entry.get("archive")]
    wheels = entry.get("wheels")
    if isinstance(wheels, list):
        candidates += wheels
    for item in candidates:
        hashes = item.get("hashes") if isinstance(item, dict) else None
        if isinstance(hashes, dict):
            found += [f"{algo}:{digest}" for algo, digest in hashes.items() if isinstance(digest, str)]
    return tuple(sorted(found))


class PylockReader(TomlLockReader):
    format = "pylock"
    ecosystem = "PyPI"
    label = "pylock"
    array_key = "packages"
    version_hint = "vouched reads PEP 751 lock-version 1.x"

    def matches(self, path: str) -> bool:
        return bool(_NAME.match(path.rsplit("/", 1)[-1]))

    def version_ok(self, version: object) -> bool:
        return isinstance(version, str) and version.split(".")[0] == "1"

    def packages(self, lock: LockFile) -> ManifestRead:
        path, lines, problems, unknown_version = lock.path, lock.lines, lock.problems, lock.unknown_version
        deps: list[Dependency] = []
        for item in lock.entries:
            entry, start = item.data, item.start
            name = pypi_name(entry["name"])
            line = lines.toml_key("name", start=start) if start else None
            version = entry.get("version")
            source: Source = "registry"
            url: str | None = None
            vcs, directory, archive = (table(entry.get(k)) for k in ("vcs", "directory", "archive"))
            if vcs is not None:
                source = "vcs"
                repo, commit = vcs.get("url") or vcs.get("path"), vcs.get("commit-id")
                url = f"{vcs.get('type', 'git')}+{repo}" + (f"@{commit}" if isinstance(commit, str) else "")
            elif directory is not None:
                source, url = "path", str(directory.get("path"))
            elif archive is not None:
                if isinstance(archive.get("url"), str):
                    source, url = "url", archive["url"]
                else:
                    source, url = "path", str(archive.get("path"))
            elif "wheels" not in entry and "sdist" not in entry:
                problems.append(
                    ManifestError("package names no wheels, sdist, vcs, directory or archive", file=path,
                                  line=line, package=name)
                )  # fmt: skip
            bad = source == "registry" and not isinstance(version, str)
            if bad:
                problems.append(ManifestError("package has no version", file=path, line=line, package=name))
            marker = entry.get("marker")
            index = entry.get("index")
            deps.append(
                Dependency(
                    "PyPI", name, str(version) if version is not None else (url or ""), path, line,
                    version=version if isinstance(version, str) else None, direct=None, source=source,
                    marker=marker if isinstance(marker, str) else None, hashes=_hashes(entry),
                    url=url, index=index if isinstance(index, str) else None,
                    unknown=unknown_version or bad,
                )
            )  # fmt: skip
        indexes = tuple(dict.fromkeys(d.index for d in deps if d.index))
        return ManifestRead(path, tuple(deps), tuple(problems), complete=not unknown_version, indexes=indexes)
