"""Read what a change does to dependencies, at base and head, without running any installer or build code.

One :class:`ManifestReader` per format, all behind the same interface; :func:`read_manifest` picks the
reader for a path; :func:`diff_dependencies` reads the manifests a change touched at both revisions and
says which packages it added, upgraded, downgraded, removed or re-specified, direct and (from lockfiles)
transitive, each with its file and line. Bad input never raises: every read returns its problems
(:class:`ManifestError`, naming file and line) beside its results, and marks the affected dependencies
``unknown``.
"""

from __future__ import annotations

import logging

from vouched.deps.manifests._util import decode
from vouched.deps.manifests.model import (
    Dependency,
    Ecosystem,
    IncludeResolver,
    ManifestError,
    ManifestRead,
    ManifestReader,
    Scope,
    Source,
)
from vouched.deps.manifests.package_json import PackageJsonReader
from vouched.deps.manifests.package_lock import PackageLockReader
from vouched.deps.manifests.pipfile_lock import PipfileLockReader
from vouched.deps.manifests.poetry_lock import PoetryLockReader
from vouched.deps.manifests.pylock import PylockReader
from vouched.deps.manifests.pyproject import PyprojectReader
from vouched.deps.manifests.requirements import RequirementsReader
from vouched.deps.manifests.uv_lock import UvLockReader
from vouched.deps.manifests.versions import compare_versions

__all__ = [
    "READERS",
    "Dependency",
    "DependencyChange",
    "DependencyDelta",
    "Ecosystem",
    "IncludeResolver",
    "ManifestError",
    "ManifestRead",
    "ManifestReader",
    "Scope",
    "Source",
    "changed_paths",
    "compare_versions",
    "diff_dependencies",
    "read_manifest",
    "reader_for",
]

logger = logging.getLogger(__name__)

READERS: tuple[ManifestReader, ...] = (
    RequirementsReader(),
    PyprojectReader(),
    PoetryLockReader(),
    UvLockReader(),
    PipfileLockReader(),
    PylockReader(),
    PackageJsonReader(),
    PackageLockReader(),
)


def reader_for(path: str, readers: tuple[ManifestReader, ...] = READERS) -> ManifestReader | None:
    """The reader for ``path`` (repository-relative, ``/``-separated), None when it is no manifest."""
    return next((r for r in readers if r.matches(path)), None)


def read_manifest(
    path: str,
    data: bytes | str,
    resolve_include: IncludeResolver | None = None,
    *,
    readers: tuple[ManifestReader, ...] = READERS,
) -> ManifestRead | None:
    """Read one file's dependencies; None when no reader knows ``path``. Never raises on bad input."""
    reader = reader_for(path, readers)
    if reader is None:
        return None
    try:
        text = decode(path, data) if isinstance(data, bytes) else data
    except ManifestError as exc:
        return ManifestRead(path, problems=(exc,), complete=False)
    try:
        return reader.read(path, text, resolve_include)
    except Exception as exc:  # a bug in a reader must not pass the file as empty: fail closed
        logger.debug("reader %s failed on %s", reader.format, path, exc_info=True)
        problem = ManifestError(
            f"vouched could not read this {reader.format} file ({type(exc).__name__}: {exc})",
            file=path,
            hint="this is a bug in vouched; please report it with the file",
        )
        return ManifestRead(path, problems=(problem,), complete=False)


from vouched.deps.manifests.diff import (  # noqa: E402
    DependencyChange,
    DependencyDelta,
    changed_paths,
    diff_dependencies,
)
