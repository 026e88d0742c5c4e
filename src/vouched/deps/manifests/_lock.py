"""What every TOML lockfile reader shares: load the file, check its format version, walk its package array.

``poetry.lock``, ``uv.lock`` and ``pylock.toml`` differ in what a package entry says, not in how the file
is laid out: a version key that says which format it is (an unknown one marks every package unknown rather
than guessing), and an array of tables, one a package, each needing a name. A subclass says where the
version lives and which values it reads, then turns the named entries into dependencies.
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

from vouched.deps.manifests._util import Lines, load_toml, table
from vouched.deps.manifests.model import IncludeResolver, ManifestError, ManifestRead, ManifestReader

__all__ = ["LockEntry", "LockFile", "TomlLockReader"]


@dataclass(frozen=True, slots=True)
class LockEntry:
    """One package table of the array, with a non-empty ``name``; ``start`` is its header's line."""

    data: dict[str, Any]
    start: int | None


@dataclass(slots=True)
class LockFile:
    """A lockfile being read: its parsed data, a line finder, and the problems found so far."""

    path: str
    data: dict[str, Any]
    lines: Lines
    unknown_version: bool
    entries: list[LockEntry] = field(default_factory=list)
    problems: list[ManifestError] = field(default_factory=list)


class TomlLockReader(ManifestReader):
    array_key: ClassVar[str] = "package"
    version_key: ClassVar[str] = "lock-version"
    version_table: ClassVar[str | None] = None  # the table holding version_key (None: the top level)
    label: ClassVar[str]  # the file as users name it in messages, e.g. "poetry.lock"
    version_hint: ClassVar[str]

    @abstractmethod
    def version_ok(self, version: object) -> bool:
        """Whether this reader knows the format version the file declares."""

    def read(self, path: str, text: str, resolve_include: IncludeResolver | None = None) -> ManifestRead:
        try:
            data = load_toml(path, text)
        except ManifestError as exc:
            return ManifestRead(path, problems=(exc,), complete=False)
        lines = Lines(text)
        holder = data if self.version_table is None else (table(data.get(self.version_table)) or {})
        version = holder.get(self.version_key)
        lock = LockFile(path, data, lines, unknown_version=not self.version_ok(version))
        if lock.unknown_version:
            within = (lines.toml_table(self.version_table) or 1) if self.version_table else 1
            lock.problems.append(
                ManifestError(
                    f"unknown {self.label} {self.version_key} {version!r}: its packages are marked unknown",
                    file=path,
                    line=lines.toml_key(self.version_key, start=within),
                    hint=self.version_hint,
                )
            )
        packages = data.get(self.array_key, [])
        if not isinstance(packages, list):
            lock.problems.append(ManifestError(f"`{self.array_key}` must be an array of tables", file=path, line=1))
            return ManifestRead(path, problems=tuple(lock.problems), complete=False)
        cursor = 1
        for entry in packages:
            start = lines.toml_table(self.array_key, array=True, start=cursor)
            cursor = (start or cursor) + 1
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"].strip():
                lock.problems.append(
                    ManifestError(f"a [[{self.array_key}]] entry without a name", file=path, line=start)
                )
                continue
            lock.entries.append(LockEntry(entry, start))
        return self.packages(lock)

    @abstractmethod
    def packages(self, lock: LockFile) -> ManifestRead:
        """Turn the named entries into dependencies (append any further problems to ``lock.problems``)."""
