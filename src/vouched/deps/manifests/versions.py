"""Ordering versions in a dependency diff: PEP 440 for PyPI, SemVer 2.0.0 for npm.

The orderings themselves are the advisory database's (:mod:`vouched.deps.advisories.versions`), so an
upgrade and an advisory range never disagree about which version comes first.
"""

from __future__ import annotations

from vouched.deps.advisories.versions import npm_key, parse_semver, pep440_key
from vouched.deps.manifests.model import Ecosystem

__all__ = ["compare_versions", "parse_semver"]


def compare_versions(ecosystem: Ecosystem, a: str, b: str) -> int | None:
    """-1, 0 or 1 as ``a`` orders before, with or after ``b``; None when either is not a valid version of
    the ecosystem (then no order can be claimed)."""
    key = pep440_key if ecosystem == "PyPI" else npm_key
    ka, kb = key(a.strip()), key(b.strip())
    if ka is None or kb is None:
        return None
    return int(ka > kb) - int(ka < kb)
