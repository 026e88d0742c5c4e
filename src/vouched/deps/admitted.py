"""Which published versions a manifest's range admits: a range is judged by every version it lets in.

PyPI: a PEP 440 specifier set (``packaging``), with its pre-release rule (pre-releases only when the
specifier names one, or when nothing else matches). npm: node-semver ranges (``||`` alternatives, hyphen
ranges, ``^``, ``~``, x-ranges, comparators, partial versions; a pre-release only matches a comparator
set that names a pre-release of the same major.minor.patch). Anything else (a dist-tag such as
``latest``, a URL, a git or file spec) cannot be judged: the answer is None, never "nothing".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from vouched.deps.advisories.versions import npm_key, parse_semver

__all__ = ["admitted_versions", "npm_range_admits"]

_PARTIAL = re.compile(
    r"^[v=]*\s*(\d+|[xX*])?(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$"
)
_OPS = (">=", "<=", ">", "<", "=")
Comparator = tuple[str, tuple[int, int, int, tuple[Any, ...]]]


def _key(major: int, minor: int, patch: int, pre: str | None) -> tuple[int, int, int, tuple[Any, ...]]:
    parsed = parse_semver(f"{major}.{minor}.{patch}" + (f"-{pre}" if pre else ""))
    if parsed is None:
        raise ValueError("bad version")
    return parsed.key


def _partial(text: str) -> tuple[list[int | None], str | None]:
    m = _PARTIAL.match(text.strip())
    if m is None or not text.strip():
        raise ValueError(f"not a version: {text!r}")
    parts: list[int | None] = []
    for g in m.group(1, 2, 3):
        parts.append(None if g is None or g in "xX*" else int(g))
    # 1.x.3 is 1.x: a wildcard makes every later part a wildcard
    for i in range(3):
        if parts[i] is None:
            parts[i + 1 :] = [None] * (2 - i)
            break
    return parts, m.group(4)


def _low(parts: list[int | None], pre: str | None) -> tuple[int, int, int, tuple[Any, ...]]:
    return _key(parts[0] or 0, parts[1] or 0, parts[2] or 0, pre if parts[2] is not None else None)


def _bump(parts: list[int | None]) -> tuple[int, int, int, tuple[Any, ...]] | None:
    """The first version past a partial version (1 -> 2.0.0-0, 1.2 -> 1.3.0-0); None for ``*``."""
    if parts[0] is None:
        return None
    if parts[1] is None:
        return _key(parts[0] + 1, 0, 0, "0")
    return _key(parts[0], parts[1] + 1, 0, "0")


def _comparators(token_set: str) -> list[Comparator]:
    text = token_set.strip()
    hyphen = re.split(r"\s+-\s+", text)
    if len(hyphen) == 2:
        lo, lo_pre = _partial(hyphen[0])
        hi, hi_pre = _partial(hyphen[1])
        out: list[Comparator] = [(">=", _low(lo, lo_pre))]
        if hi[2] is not None:
            out.append(("<=", _key(hi[0] or 0, hi[1] or 0, hi[2], hi_pre)))
        else:
            bumped = _bump(hi)
            if bumped is not None:
                out.append(("<", bumped))
        return out
    text = re.sub(r"(>=|<=|>|<|=|\^|~>?)\s+", r"\1", text)
    out = []
    for token in text.split():
        out.extend(_token(token))
    return out or [(">=", _key(0, 0, 0, None))]


def _token(token: str) -> list[Comparator]:
    if token.startswith("^"):
        parts, pre = _partial(token[1:])
        if parts[0] is None:
            return [(">=", _key(0, 0, 0, None))]
        low = _low(parts, pre)
        major, minor, patch = parts
        assert major is not None  # noqa: S101 - checked above
        if major != 0 or minor is None:
            high = _key(major + 1, 0, 0, "0")  # ^1.2.3 is <2.0.0, ^0 and ^0.x are <1.0.0
        elif minor != 0 or patch is None:  # ^0.2.3 is <0.3.0, ^0.0 is <0.1.0
            high = _key(0, minor + 1, 0, "0")
        else:
            high = _key(0, 0, patch + 1, "0")
        return [(">=", low), ("<", high)]
    if token.startswith("~"):
        parts, pre = _partial(token[2:] if token.startswith("~>") else token[1:])
        if parts[0] is None:
            return [(">=", _key(0, 0, 0, None))]
        high = _key(parts[0] + 1, 0, 0, "0") if parts[1] is None else _key(parts[0], parts[1] + 1, 0, "0")
        return [(">=", _low(parts, pre)), ("<", high)]
    op = next((o for o in _OPS if token.startswith(o)), "")
    parts, pre = _partial(token[len(op) :])
    if parts[0] is None:
        return [("<", _key(0, 0, 0, "0"))] if op in ("<", ">") else [(">=", _key(0, 0, 0, None))]
    if parts[2] is not None:
        return [(op or "=", _key(parts[0], parts[1] or 0, parts[2], pre))]
    bumped = _bump(parts)
    assert bumped is not None  # noqa: S101 - parts[0] is set
    low = _low(parts, None)
    if op in ("", "="):
        return [(">=", low), ("<", bumped)]
    if op == ">":  # >1 is >=2.0.0 (a release: 2.0.0-alpha is not "greater than 1")
        return [(">=", (*bumped[:3], (1,)))]
    if op == ">=":
        return [(">=", low)]
    if op == "<":
        return [("<", low)]
    return [("<", bumped)]  # <=1.2 means <1.3.0-0


def _satisfies(key: tuple[Any, ...], comps: list[Comparator]) -> bool:
    for op, bound in comps:
        if op == "=" and key != bound:
            return False
        if op == ">=" and not key >= bound:
            return False
        if op == ">" and not key > bound:
            return False
        if op == "<=" and not key <= bound:
            return False
        if op == "<" and not key < bound:
            return False
    return True


def npm_range_admits(spec: str, versions: Iterable[str]) -> tuple[str, ...] | None:
    """The versions a node-semver range admits, in the given order; None when it is not a range."""
    try:
        sets = [_comparators(part) for part in spec.split("||")]
    except ValueError:
        return None
    out: list[str] = []
    for version in versions:
        key = npm_key(version)
        if key is None:
            continue
        is_pre = bool(key[3][0] == 0)
        for comps in sets:
            if not _satisfies(key, comps):
                continue
            # a pre-release only matches a set that names a pre-release of the same major.minor.patch
            if is_pre and not any(b[3][0] == 0 and b[:3] == key[:3] for _, b in comps):
                continue
            out.append(version)
            break
    return tuple(out)


def admitted_versions(ecosystem: str, spec: str, versions: Iterable[str]) -> tuple[str, ...] | None:
    """The published ``versions`` that ``spec`` admits (order kept); None when ``spec`` cannot be judged.

    For PyPI ``spec`` is a PEP 440 specifier set (``>=2,<3``; empty admits everything); for npm a
    node-semver range."""
    listed = list(versions)
    if ecosystem == "PyPI":
        try:
            spec_set = SpecifierSet(spec.strip())
        except InvalidSpecifier:
            return None
        return tuple(spec_set.filter(listed))
    if ecosystem == "npm":
        return npm_range_admits(spec.strip() or "*", listed)
    return None
