"""What a package registry says about one package, and the one interface every registry backend shares.

Every field a registry does not state is ``None`` (unknown), never a default that reads as "fine": a
missing upload time is not "old", a missing licence is not "permissive", a registry that timed out does
not say the package exists. ``exists`` is three-valued: True (the registry serves it), False (the
registry answered that there is no such project: HTTP 404) and None (vouched could not tell; ``reason``
says why, for instance a timeout, a 5xx, malformed JSON, or offline mode without a cached answer).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from vouched.deps.advisories.versions import npm_key, pep440_key

__all__ = [
    "PROJECT_STATUSES",
    "Ecosystem",
    "PackageInfo",
    "ProjectStatus",
    "Registry",
    "Release",
]

Ecosystem = Literal["PyPI", "npm"]
# PEP 792 project status markers, as the simple API's ``project-status.status`` gives them.
ProjectStatus = Literal["active", "archived", "quarantined", "deprecated"]
PROJECT_STATUSES: tuple[str, ...] = ("active", "archived", "quarantined", "deprecated")


@dataclass(frozen=True, slots=True)
class Release:
    """One published version.

    ``uploaded`` is the earliest upload time of its files (PyPI) or its publish time (npm's ``time``);
    None when the registry does not say (a PyPI release with no files has none). ``yanked`` is PEP 592
    (PyPI: True when every file of the release is yanked; npm has no yanking: None). ``deprecated`` is
    npm's per-version ``deprecated`` message (False when the registry lists the version without one;
    None where the registry has no such notion, as on PyPI). ``size`` is the release's size in bytes
    where the registry gives it (PyPI: its largest file; npm: ``dist.unpackedSize``).
    """

    version: str
    uploaded: dt.datetime | None = None
    yanked: bool | None = None
    yanked_reason: str | None = None
    deprecated: bool | None = None
    deprecated_reason: str | None = None
    licence: str | None = None
    size: int | None = None


@dataclass(frozen=True, slots=True)
class PackageInfo:
    """What one registry said about one package, or why it could not say.

    ``name`` is the name asked for, normalised (PEP 503 for PyPI); ``registry`` the base URL asked, with
    any credentials removed. ``releases`` are in version order (PEP 440 or SemVer; strings that are no
    version first, as listed), so the last is the newest. ``status`` is the PEP 792 project status
    where the registry gives one. ``deprecated`` is about the whole package: npm's ``deprecated`` on the
    latest version or a ``deprecated`` PEP 792 status. ``inactive``: PyPI's ``Development Status :: 7 -
    Inactive`` classifier or an ``archived`` PEP 792 status. Both are None when the registry does not
    say. ``licence`` is the best statement found (PEP 639 ``license_expression``, then a short
    ``license`` field, then ``License ::`` classifiers; npm ``license``) and ``licence_source`` where it
    came from. ``fetched_at`` is when vouched got the answer from the registry (for a cached answer, when
    it was first fetched), ``from_cache`` whether this answer came from the disk cache.
    """

    ecosystem: Ecosystem
    name: str
    registry: str
    exists: bool | None
    reason: str | None = None
    fetched_at: dt.datetime | None = None
    from_cache: bool = False
    display_name: str | None = None
    releases: tuple[Release, ...] | None = None
    latest: str | None = None
    first_published: dt.datetime | None = None
    last_published: dt.datetime | None = None
    status: str | None = None
    status_reason: str | None = None
    deprecated: bool | None = None
    deprecated_reason: str | None = None
    inactive: bool | None = None
    licence: str | None = None
    licence_source: str | None = None
    classifiers: tuple[str, ...] | None = None
    project_urls: tuple[tuple[str, str], ...] | None = None
    summary: str | None = None

    @classmethod
    def unknown(cls, ecosystem: Ecosystem, name: str, registry: str, reason: str) -> PackageInfo:
        """An answer that says nothing but why: the registry could not be asked or answered nonsense."""
        return cls(ecosystem=ecosystem, name=name, registry=registry, exists=None, reason=reason)

    @classmethod
    def missing(
        cls, ecosystem: Ecosystem, name: str, registry: str, fetched_at: dt.datetime | None = None
    ) -> PackageInfo:
        """The registry answered that no such project exists."""
        return cls(
            ecosystem=ecosystem,
            name=name,
            registry=registry,
            exists=False,
            reason="the registry has no such project (HTTP 404)",
            fetched_at=fetched_at,
            releases=(),
        )

    @property
    def known(self) -> bool:
        """True when the registry gave an answer (the package exists or it does not)."""
        return self.exists is not None

    @property
    def release_count(self) -> int | None:
        """How many versions the registry lists, None when unknown."""
        return None if self.releases is None else len(self.releases)

    @property
    def versions(self) -> tuple[str, ...] | None:
        """Every published version string, in the order of ``releases``; None when unknown."""
        return None if self.releases is None else tuple(r.version for r in self.releases)

    def release(self, version: str) -> Release | None:
        """The release ``version`` (the exact string, else an equal version: PEP 440 equality for PyPI, so
        ``21.1`` finds ``21.1.0``; SemVer for npm), None when not listed."""
        if self.releases is None:
            return None
        for r in self.releases:
            if r.version == version:
                return r
        key = pep440_key if self.ecosystem == "PyPI" else npm_key
        want = key(version)
        if want is None:
            return None
        for r in self.releases:
            if key(r.version) == want:
                return r
        return None


@runtime_checkable
class Registry(Protocol):
    """A source of :class:`PackageInfo` for one ecosystem (a backend, or the cache in front of one).

    ``lookup`` never raises for a network or data problem: it returns ``PackageInfo.unknown`` carrying
    the reason. ``registry`` is the base URL with any credentials removed (safe to print and to key a
    cache with).
    """

    @property
    def ecosystem(self) -> Ecosystem: ...

    @property
    def registry(self) -> str: ...

    def lookup(self, name: str) -> PackageInfo: ...
