"""What a change does to dependencies: the manifests it touched, read at base and at head, compared.

Only the changed files that a reader knows are read, with one ``read_files`` call per revision (plus
one per level of ``-r``/``-c`` includes that point outside the changed files). Within each file the
entries for one package are compared as multisets, ignoring line numbers: an entry that only moved is
no change; a version that went up is an upgrade (PEP 440 order for PyPI, SemVer for npm), down a
downgrade; any other difference (the range, the marker, the source, the scope) is a changed spec.
A file vouched could not fully read at head reports no removals, since an absence there proves nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from operator import attrgetter
from typing import Literal

from vouched.deps.manifests import READERS, ManifestReader, read_manifest, reader_for
from vouched.deps.manifests._util import decode
from vouched.deps.manifests.model import Dependency, Ecosystem, ManifestError, ManifestRead
from vouched.deps.manifests.versions import compare_versions
from vouched.git import Git
from vouched.model import FileChange

__all__ = ["DeltaKind", "DependencyChange", "DependencyDelta", "changed_paths", "diff_dependencies", "diff_reads"]

DeltaKind = Literal["added", "upgraded", "downgraded", "removed", "changed"]
_MAX_INCLUDE_ROUNDS = 20
# Two entries are the same when every field but the line is: an entry that only moved is no change.
_SAME = attrgetter(*(f.name for f in fields(Dependency) if f.name != "line"))


@dataclass(frozen=True, slots=True)
class DependencyDelta:
    """One package entry that differs between base and head (``before`` None: added; ``after`` None:
    removed)."""

    kind: DeltaKind
    before: Dependency | None
    after: Dependency | None

    @property
    def dependency(self) -> Dependency:
        """The entry as it stands at head, or as it stood at base when removed."""
        found = self.after or self.before
        assert found is not None  # noqa: S101 - construction guarantees one side
        return found

    @property
    def ecosystem(self) -> Ecosystem:
        return self.dependency.ecosystem

    @property
    def name(self) -> str:
        return self.dependency.name

    @property
    def file(self) -> str:
        return self.dependency.file

    @property
    def line(self) -> int | None:
        return self.dependency.line

    def describe(self) -> str:
        if self.before is not None and self.after is not None:
            return f"{self.kind} {self.before.describe()} -> {self.after.describe()}"
        return f"{self.kind} {self.dependency.describe()}"


@dataclass(frozen=True, slots=True)
class DependencyChange:
    base: str
    head: str
    files: tuple[str, ...] = ()
    deltas: tuple[DependencyDelta, ...] = ()
    base_problems: tuple[ManifestError, ...] = ()
    head_problems: tuple[ManifestError, ...] = ()
    incomplete: tuple[str, ...] = ()  # files not fully readable at head: removals there are not known

    def _kind(self, kind: DeltaKind) -> tuple[DependencyDelta, ...]:
        return tuple(d for d in self.deltas if d.kind == kind)

    @property
    def added(self) -> tuple[DependencyDelta, ...]:
        return self._kind("added")

    @property
    def upgraded(self) -> tuple[DependencyDelta, ...]:
        return self._kind("upgraded")

    @property
    def downgraded(self) -> tuple[DependencyDelta, ...]:
        return self._kind("downgraded")

    @property
    def removed(self) -> tuple[DependencyDelta, ...]:
        return self._kind("removed")

    @property
    def changed(self) -> tuple[DependencyDelta, ...]:
        return self._kind("changed")

    @property
    def problems(self) -> tuple[ManifestError, ...]:
        """What could not be read at head (the change's own state), then at base."""
        return self.head_problems + self.base_problems

    @property
    def introduced(self) -> tuple[Dependency, ...]:
        """Every entry at head that the change brought in or moved (added, upgraded, downgraded,
        changed): what an audit must look at."""
        return tuple(d.after for d in self.deltas if d.after is not None)


def _read_at(git: Git, rev: str, paths: Sequence[str], readers: tuple[ManifestReader, ...]) -> dict[str, ManifestRead]:
    blobs: dict[str, bytes | None] = dict(git.read_files(rev, list(paths))) if paths else {}
    reads: dict[str, ManifestRead] = {}
    for _ in range(_MAX_INCLUDE_ROUNDS):
        missing: set[str] = set()

        def resolve(target: str, _missing: set[str] = missing) -> str | None:
            if target not in blobs:
                _missing.add(target)
                return None
            data = blobs[target]
            return None if data is None else decode(target, data)

        for path in paths:
            data = blobs.get(path)
            if data is None:
                reads[path] = ManifestRead(path)
                continue
            found = read_manifest(path, data, resolve, readers=readers)
            reads[path] = found if found is not None else ManifestRead(path)
        if not missing:
            break
        blobs.update(git.read_files(rev, sorted(missing)))
    return reads


def _pair_key(dep: Dependency) -> tuple[object, ...]:
    return (dep.scope, dep.group, dep.marker, dep.source)


def _delta(before: Dependency, after: Dependency) -> DependencyDelta:
    if before.version is not None and after.version is not None and before.version != after.version:
        order = compare_versions(after.ecosystem, after.version, before.version)
        if order is not None and order > 0:
            return DependencyDelta("upgraded", before, after)
        if order is not None and order < 0:
            return DependencyDelta("downgraded", before, after)
    return DependencyDelta("changed", before, after)


def _diff_entries(base: list[Dependency], head: list[Dependency], *, removals: bool) -> list[DependencyDelta]:
    base_keys, head_keys = [_SAME(d) for d in base], [_SAME(d) for d in head]
    remaining = Counter(head_keys)
    gone: list[Dependency] = []
    for dep, key in zip(base, base_keys, strict=True):
        if remaining[key]:
            remaining[key] -= 1
        else:
            gone.append(dep)
    left = Counter(base_keys)
    new: list[Dependency] = []
    for dep, key in zip(head, head_keys, strict=True):
        if left[key]:
            left[key] -= 1
        else:
            new.append(dep)
    deltas: list[DependencyDelta] = []
    # pair like with like first (same scope, group, marker, source), then whatever is left, in order
    for same in (True, False):
        for after in list(new):
            match = next((b for b in gone if not same or _pair_key(b) == _pair_key(after)), None)
            if match is not None:
                gone.remove(match)
                new.remove(after)
                deltas.append(_delta(match, after))
    deltas += [DependencyDelta("added", None, d) for d in new]
    if removals:
        deltas += [DependencyDelta("removed", d, None) for d in gone]
    return deltas


def diff_reads(base: ManifestRead, head: ManifestRead) -> list[DependencyDelta]:
    """The deltas between two reads of the same file."""
    groups: dict[tuple[str, str], tuple[list[Dependency], list[Dependency]]] = {}
    for dep in base.dependencies:
        groups.setdefault((dep.ecosystem, dep.name), ([], []))[0].append(dep)
    for dep in head.dependencies:
        groups.setdefault((dep.ecosystem, dep.name), ([], []))[1].append(dep)
    deltas: list[DependencyDelta] = []
    for before, after in groups.values():
        deltas += _diff_entries(before, after, removals=head.complete)
    return deltas


def changed_paths(files: Iterable[FileChange]) -> list[str]:
    """Every path a change's files touch, both sides of a rename: what :func:`diff_dependencies` takes."""
    return list(dict.fromkeys(p for f in files for p in (f.path, f.old_path) if p))


def diff_dependencies(
    git: Git,
    base: str,
    head: str,
    paths: Sequence[str],
    *,
    readers: tuple[ManifestReader, ...] = READERS,
) -> DependencyChange:
    """What the change from ``base`` to ``head`` does to dependencies, reading only the manifests among
    ``paths`` (the files the change touched; pass both sides of a rename)."""
    manifests = sorted({p for p in paths if reader_for(p, readers) is not None})
    before = _read_at(git, base, manifests, readers)
    after = _read_at(git, head, manifests, readers)
    deltas: list[DependencyDelta] = []
    for path in manifests:
        deltas += diff_reads(before[path], after[path])
    # a file included by two changed manifests is read twice: report each of its deltas once
    deltas = list(dict.fromkeys(deltas))
    deltas.sort(key=lambda d: (d.file, d.line or 0, d.name, d.kind))
    return DependencyChange(
        base=base,
        head=head,
        files=tuple(manifests),
        deltas=tuple(deltas),
        base_problems=tuple(p for path in manifests for p in before[path].problems),
        head_problems=tuple(p for path in manifests for p in after[path].problems),
        incomplete=tuple(path for path in manifests if not after[path].complete),
    )
