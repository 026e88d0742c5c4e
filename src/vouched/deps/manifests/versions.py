"""Ordering versions: PEP 440 for PyPI (``packaging``), SemVer 2.0.0 for npm.

The SemVer comparison is deliberately tiny: ``MAJOR.MINOR.PATCH``, an optional pre-release (compared
identifier by identifier: numbers numerically and below alphanumerics, a shorter list first when all
else is equal, SemVer §11) and build metadata (ignored for ordering). A leading ``v`` or ``=`` is
accepted, as npm accepts it.
"""

from __future__ import annotations

import re

from packaging.version import InvalidVersion, Version

from vouched.deps.manifests.model import Ecosystem

__all__ = ["compare_versions", "parse_semver"]

_SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?"
    r"(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$",
    re.ASCII,
)

SemVer = tuple[int, int, int, tuple[str, ...]]


def parse_semver(text: str) -> SemVer | None:
    """``(major, minor, patch, pre-release identifiers)``, or None when ``text`` is not SemVer 2.0.0."""
    text = text.strip()
    if text[:1] in ("v", "="):
        text = text[1:]
    found = _SEMVER.match(text)
    if found is None:
        return None
    pre = tuple(found.group(4).split(".")) if found.group(4) else ()
    return int(found.group(1)), int(found.group(2)), int(found.group(3)), pre


def _pre_key(identifiers: tuple[str, ...]) -> tuple[tuple[int, int, str], ...]:
    return tuple((0, int(i), "") if i.isdigit() else (1, 0, i) for i in identifiers)


def _cmp_semver(a: SemVer, b: SemVer) -> int:
    if a[:3] != b[:3]:
        return -1 if a[:3] < b[:3] else 1
    if a[3] == b[3]:
        return 0
    if not a[3] or not b[3]:  # a release ranks above its pre-releases
        return 1 if not a[3] else -1
    ka, kb = _pre_key(a[3]), _pre_key(b[3])
    return -1 if ka < kb else (1 if ka > kb else 0)


def compare_versions(ecosystem: Ecosystem, a: str, b: str) -> int | None:
    """-1, 0 or 1 as ``a`` orders before, with or after ``b``; None when either is not a valid version of
    the ecosystem (then no order can be claimed)."""
    if ecosystem == "PyPI":
        try:
            va, vb = Version(a), Version(b)
        except InvalidVersion:
            return None
        return (va > vb) - (va < vb)
    sa, sb = parse_semver(a), parse_semver(b)
    if sa is None or sb is None:
        return None
    return _cmp_semver(sa, sb)
