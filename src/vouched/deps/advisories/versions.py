"""Version orderings the advisory ranges are evaluated in: PEP 440 for PyPI, SemVer 2.0 for npm.

Every ordering turns a version string into a sort key, or ``None`` when the string is not a version
in that scheme. ``None`` means *unknown*: a caller must never read it as "not affected".

- PEP 440 (``packaging.version``): epochs, pre/post/dev releases, local versions, and non-normalised
  spellings (``0.12.01`` is ``0.12.1``, ``1.0-RC1`` is ``1.0rc1``).
- SemVer 2.0.0 (written here, section 11 of https://semver.org): numeric major.minor.patch, then a
  release sorts after every pre-release of it, pre-release identifiers compare one by one (numeric ones
  numerically and below alphanumeric ones, alphanumeric ones in ASCII order, a longer list wins when
  all before are equal); build metadata is ignored.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from packaging.version import InvalidVersion, Version

__all__ = [
    "SemVer",
    "normalise_name",
    "ordering_for",
    "parse_semver",
    "pep440_key",
    "semver_key",
]

# A sort key: only ever compared with keys of the same ordering.
Key = Any
Ordering = Callable[[str], Key | None]

_SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$",
    re.ASCII,
)


class SemVer:
    """A parsed SemVer 2.0.0 version; ``key`` orders by precedence (build metadata ignored)."""

    __slots__ = ("build", "key", "major", "minor", "patch", "prerelease")

    def __init__(self, major: int, minor: int, patch: int, prerelease: tuple[str, ...], build: tuple[str, ...]):
        self.major, self.minor, self.patch = major, minor, patch
        self.prerelease, self.build = prerelease, build
        # A release sorts after all of its pre-releases: (1,) > (0, ...).
        pre: tuple[Any, ...] = (
            (1,) if not prerelease else (0, tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in prerelease))
        )
        self.key: tuple[Any, ...] = (major, minor, patch, pre)

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            text += "-" + ".".join(self.prerelease)
        if self.build:
            text += "+" + ".".join(self.build)
        return text

    def __repr__(self) -> str:
        return f"SemVer({str(self)!r})"


@lru_cache(maxsize=65536)
def parse_semver(text: str) -> SemVer | None:
    """Parse a strict SemVer 2.0.0 string (no leading ``v``); ``None`` when it is not one."""
    m = _SEMVER.match(text)
    if m is None:
        return None
    pre = tuple(m.group(4).split(".")) if m.group(4) else ()
    build = tuple(m.group(5).split(".")) if m.group(5) else ()
    return SemVer(int(m.group(1)), int(m.group(2)), int(m.group(3)), pre, build)


def semver_key(text: str) -> Key | None:
    """Precedence key of a strict SemVer 2.0.0 version, or ``None``."""
    parsed = parse_semver(text)
    return None if parsed is None else parsed.key


def npm_key(text: str) -> Key | None:
    """npm's ordering: SemVer 2.0, tolerating the leading ``v`` or ``=`` that npm itself strips."""
    return semver_key(text[1:] if text[:1] in ("v", "=") else text)


@lru_cache(maxsize=65536)
def pep440_key(text: str) -> Key | None:
    """A PEP 440 version (normalising its spelling), or ``None`` when the string is not one."""
    try:
        return Version(text)
    except InvalidVersion:
        return None


def ordering_for(ecosystem: str, range_type: str) -> Ordering | None:
    """How versions of ``range_type`` ranges in ``ecosystem`` are ordered; ``None``: vouched cannot order them.

    ``SEMVER`` ranges are SemVer 2.0 whatever the ecosystem; ``ECOSYSTEM`` ranges use the ecosystem's own
    rules, which vouched knows for PyPI and npm. ``GIT`` ranges are commits, never versions.
    """
    if range_type == "SEMVER":
        return npm_key if _base(ecosystem) == "npm" else semver_key
    if range_type == "ECOSYSTEM":
        base = _base(ecosystem)
        if base == "PyPI":
            return pep440_key
        if base == "npm":
            return npm_key
    return None


@lru_cache(maxsize=65536)
def normalise_version(ecosystem: str, version: str) -> str:
    """The spelling two equal versions share, for matching a ``versions`` list: PEP 440 normal form for PyPI."""
    if _base(ecosystem) == "PyPI":
        parsed = pep440_key(version)
        return version if parsed is None else str(parsed)
    if _base(ecosystem) == "npm":
        parsed_sv = parse_semver(version[1:] if version[:1] in ("v", "=") else version)
        return version if parsed_sv is None else str(parsed_sv)
    return version


_PEP503 = re.compile(r"[-_.]+")


def normalise_name(ecosystem: str, name: str) -> str:
    """The name a package is indexed and looked up under: PEP 503 for PyPI, as written elsewhere (npm too)."""
    if _base(ecosystem) == "PyPI":
        return _PEP503.sub("-", name).lower()
    return name


_CANONICAL = {"pypi": "PyPI", "npm": "npm"}


def canonical_ecosystem(ecosystem: str) -> str:
    """``pypi``/``PYPI`` -> ``PyPI``, ``NPM`` -> ``npm``; any other ecosystem stays as written."""
    return _CANONICAL.get(ecosystem.lower(), ecosystem)


def _base(ecosystem: str) -> str:
    """The ecosystem without an OSV suffix (``Debian:11`` -> ``Debian``)."""
    return ecosystem.split(":", 1)[0]
