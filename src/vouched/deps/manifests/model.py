"""The values every manifest reader produces, and the one interface they share."""

from __future__ import annotations

import abc
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from vouched.errors import VouchedError

__all__ = [
    "Dependency",
    "Ecosystem",
    "IncludeResolver",
    "ManifestError",
    "ManifestRead",
    "ManifestReader",
    "Scope",
    "Source",
]

Ecosystem = Literal["PyPI", "npm"]
Source = Literal["registry", "url", "vcs", "path"]
# main: needed at run time; dev: development only; optional: an extra or npm optionalDependencies;
# group: a named group (PEP 735, Poetry); peer: npm peerDependencies; build: `[build-system] requires`
# (installed, and run, to build the project); constraint: a pip `-c` pin that
# installs nothing by itself but fixes the version when something else pulls the package in.
Scope = Literal["main", "dev", "optional", "group", "peer", "build", "constraint"]

IncludeResolver = Callable[[str], "str | None"]
"""Reads another file at the same revision as the manifest (a path from the repository root): its text,
or None when it does not exist. It may raise :class:`ManifestError` (for instance, the file is not UTF-8)."""


class ManifestError(VouchedError):
    """A manifest or lockfile that vouched cannot fully read: names the file, the line and, where one is
    affected, the dependency (which the reader then marks ``unknown``)."""

    def __init__(
        self,
        message: str,
        *,
        file: str,
        line: int | None = None,
        package: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.file = file
        self.line = line
        self.package = package
        self.problem = message
        where = file if line is None else f"{file}:{line}"
        if package:
            where += f" ({package})"
        super().__init__(f"{where}: {message}", hint=hint)

    def __repr__(self) -> str:
        return f"ManifestError({self.message!r})"


@dataclass(frozen=True, slots=True)
class Dependency:
    """One dependency as a manifest or lockfile declares it.

    ``name`` is normalised (PEP 503 for PyPI; npm names are kept as written). ``spec`` is the text as the
    file gives it (a requirement line, a version range, a lockfile's version); ``specifier`` is the PEP 440
    specifier it means, where there is one (for Poetry's ``^``/``~`` constraints, the translation);
    ``version`` is set only when the file pins one exact version. ``direct`` is None when a lockfile does
    not say whether the project asked for the package itself. ``line`` is 1-based, None when unknown.
    ``index`` is the package index or registry the file says the package comes from (None: the file does
    not say, so the ecosystem's default). ``unknown`` marks a dependency vouched could not read with
    confidence (see the read's problems).
    """

    ecosystem: Ecosystem
    name: str
    spec: str
    file: str
    line: int | None
    version: str | None = None
    specifier: str | None = None
    direct: bool | None = True
    source: Source = "registry"
    scope: Scope = "main"
    group: str | None = None
    marker: str | None = None
    extras: tuple[str, ...] = ()
    hashes: tuple[str, ...] = ()
    url: str | None = None
    index: str | None = None
    editable: bool = False
    bundled: bool = False
    unknown: bool = False

    @property
    def pinned(self) -> bool:
        return self.version is not None

    def describe(self) -> str:
        """``name==version`` (PyPI) or ``name@version`` (npm) where pinned, else the name and its spec."""
        if self.version is not None:
            return f"{self.name}=={self.version}" if self.ecosystem == "PyPI" else f"{self.name}@{self.version}"
        return f"{self.name} ({self.spec})" if self.spec and self.spec != self.name else self.name


@dataclass(frozen=True, slots=True)
class ManifestRead:
    """What one file yields: its dependencies and every problem met on the way.

    ``complete`` is False when the file as a whole could not be read (malformed, not UTF-8, an unknown
    format version): then ``dependencies`` holds only what could be salvaged, and an absent dependency
    proves nothing. ``indexes`` lists the package indexes the file points installs at (a private index
    beside the public one is where dependency confusion starts).
    """

    file: str
    dependencies: tuple[Dependency, ...] = ()
    problems: tuple[ManifestError, ...] = ()
    complete: bool = True
    indexes: tuple[str, ...] = ()  # every package index or registry the file names (pip -i, sources, ...)


class ManifestReader(abc.ABC):
    """Reads one manifest or lockfile format. Never runs installer or build code, never raises on bad
    input: every problem is returned, naming the file and line."""

    #: a short stable id for the format, e.g. ``"requirements"``, ``"package-lock"``
    format: str
    ecosystem: Ecosystem

    @abc.abstractmethod
    def matches(self, path: str) -> bool:
        """Whether ``path`` (relative to the repository root, ``/``-separated) is a file of this format."""

    @abc.abstractmethod
    def read(self, path: str, text: str, resolve_include: IncludeResolver | None = None) -> ManifestRead:
        """The dependencies ``text`` (the content of ``path``) declares, with the problems met."""
