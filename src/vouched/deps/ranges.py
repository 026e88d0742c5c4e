"""Which published versions a manifest's version range admits: npm ranges and PEP 440 specifiers.

A dependency written as a range (``^1.2.3``, ``>=2.0,<3``) is not one version: the gate judges it by
every published version it admits, since any of them may be the one installed. This is vouched's one
range evaluator: the advisory audit (:mod:`vouched.deps.audit`) and the registry signals
(:mod:`vouched.deps.signals`: yanked, deprecated) both ask it, so an advisory and a yank are always judged
over the same versions. PEP 440 specifiers are
:mod:`packaging`'s (with its pre-release rule: pre-releases are admitted only when the specifier names
one, or when nothing else is published). npm ranges are parsed here, following node-semver's grammar
(https://github.com/npm/node-semver#ranges, ``includePrerelease`` off):

- a range is comparator sets joined by ``||``; a set is comparators separated by spaces, all of which
  must hold; an empty range, ``*``, ``x`` and ``X`` admit every release;
- comparators ``<``, ``<=``, ``>``, ``>=``, ``=`` (or none) before a version, with optional spaces
  between operator and version, and a leading ``v`` or ``=`` on the version (lower-case ``v`` only, and
  numbers without leading zeros, at most 2**53 - 1, as node-semver's strict grammar has it: ``V1``,
  ``01.2.3`` and ``1.2+build`` are not ranges);
- X-ranges ``1.x``, ``1.2.*``, and partial versions ``1``, ``1.2`` (``1.2`` means ``>=1.2.0 <1.3.0-0``;
  ``>1.2`` means ``>=1.3.0``; ``<=1.2`` means ``<1.3.0-0``; ``<1.2`` means ``<1.2.0-0``);
- tilde: ``~1.2.3`` is ``>=1.2.3 <1.3.0-0``, ``~1.2`` the same from 1.2.0, ``~1`` is ``>=1.0.0 <2.0.0-0``;
- caret: the left-most non-zero part may not change: ``^1.2.3`` is ``>=1.2.3 <2.0.0-0``, ``^0.2.3`` is
  ``>=0.2.3 <0.3.0-0``, ``^0.0.3`` is ``>=0.0.3 <0.0.4-0``, ``^0.0`` and ``^0.0.x`` are ``<0.1.0-0``,
  ``^0.x`` is ``<1.0.0-0``;
- hyphen ranges ``1.2.3 - 2.3.4`` are ``>=1.2.3 <=2.3.4``; a partial upper end takes its whole x-range
  (``1.2.3 - 2.3`` is ``<2.4.0-0``), a partial lower end fills zeros;
- a pre-release version (``1.3.0-beta.1``) is admitted only if it satisfies the set *and* some
  comparator of the set names a pre-release of the same ``major.minor.patch``: ``^1.2.3-beta.2`` admits
  ``1.2.3-beta.4`` but not ``1.3.0-beta``.

A published version is read as node-semver reads one (strict SemVer 2.0.0, one optional leading ``v``);
one it cannot read is admitted by no range.

Anything else (a dist-tag such as ``latest``, a URL, ``file:``, ``git+``, ``npm:`` aliases, junk) is not
a range: :func:`parse_npm_range` raises :class:`RangeError`, and the caller reports the dependency as
unknown, never as matching nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from vouched.deps.advisories.versions import SemVer, parse_semver

__all__ = [
    "Comparator",
    "NpmRange",
    "RangeError",
    "admitted_versions",
    "parse_npm_range",
    "pep440_admitted",
]

Op = Literal["<", "<=", ">", ">=", "="]


class RangeError(ValueError):
    """A version range that vouched cannot read: the dependency's versions are unknown."""


@dataclass(frozen=True, slots=True)
class Comparator:
    op: Op
    version: SemVer

    def test(self, key: tuple[Any, ...]) -> bool:
        own = self.version.key
        if self.op == "<":
            return bool(key < own)
        if self.op == "<=":
            return bool(key <= own)
        if self.op == ">":
            return bool(key > own)
        if self.op == ">=":
            return bool(key >= own)
        return bool(key == own)

    def __str__(self) -> str:
        return f"{'' if self.op == '=' else self.op}{self.version}"


@dataclass(frozen=True, slots=True)
class NpmRange:
    """A parsed npm range: a union (``||``) of comparator sets; an empty set admits every release."""

    text: str
    sets: tuple[tuple[Comparator, ...], ...]

    def admits(self, version: str) -> bool:
        """Whether ``version`` (SemVer, a leading ``v`` tolerated) satisfies the range; an invalid version
        satisfies nothing (the caller counts it as unknown)."""
        parsed = _published(version)
        if parsed is None:
            return False
        return any(_test_set(s, parsed) for s in self.sets)

    def __str__(self) -> str:
        return " || ".join(" ".join(str(c) for c in s) or "*" for s in self.sets)


# node-semver's Number.MAX_SAFE_INTEGER: a larger major, minor or patch makes the version invalid
_MAX_SAFE = 2**53 - 1


def _published(version: str) -> SemVer | None:
    """A published version as node-semver's ``new SemVer(v)`` reads it: trimmed, one optional ``v``."""
    text = version.strip()
    parsed = parse_semver(text[1:] if text[:1] == "v" else text)
    if parsed is None or max(parsed.major, parsed.minor, parsed.patch) > _MAX_SAFE:
        return None
    return parsed


def _test_set(comparators: tuple[Comparator, ...], version: SemVer) -> bool:
    key = version.key
    if not all(c.test(key) for c in comparators):
        return False
    if not version.prerelease:
        return True
    # node-semver: a pre-release passes only where the set names a pre-release of the same release.
    return any(
        c.version.prerelease
        and (c.version.major, c.version.minor, c.version.patch) == (version.major, version.minor, version.patch)
        for c in comparators
    )


_IDENT = r"(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)"
_XR = r"(?:0|[1-9]\d*|[xX*])"
_PRE = rf"{_IDENT}(?:\.{_IDENT})*"


def _xrange_pattern(g: str) -> str:
    """node-semver's XRANGEPLAIN; ``g`` prefixes the group names (empty: no groups), so that the hyphen
    range can hold two of them."""

    def group(name: str, body: str) -> str:
        return f"(?P<{g}{name}>{body})" if g else f"(?:{body})"

    return (
        rf"[v=\s]*{group('major', _XR)}"
        rf"(?:\.{group('minor', _XR)}"
        rf"(?:\.{group('patch', _XR)}"
        rf"(?:-{group('pre', _PRE)})?"
        r"(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?"
        r")?)?"
    )


_PARTIAL = re.compile(rf"^{_xrange_pattern('_')}\Z", re.ASCII)
_HYPHEN = re.compile(rf"^\s*(?P<low>{_xrange_pattern('')})\s+-\s+(?P<high>{_xrange_pattern('')})\s*\Z", re.ASCII)
_OP = re.compile(r"(<=|>=|<|>|=|~>|~|\^)\s*")


@dataclass(frozen=True, slots=True)
class _Partial:
    major: int | None
    minor: int | None
    patch: int | None
    pre: tuple[str, ...]

    def full(self) -> SemVer:
        return SemVer(self.major or 0, self.minor or 0, self.patch or 0, self.pre, ())


def _num(text: str | None, whole: str) -> int | None:
    if text is None or text in ("x", "X", "*"):
        return None
    if len(text) > 16 or int(text) > _MAX_SAFE:
        raise RangeError(f"{whole!r} is not an npm version range ({text} is larger than 2**53 - 1)")
    return int(text)


def _partial(text: str, whole: str) -> _Partial:
    m = _PARTIAL.match(text)
    if m is None:
        raise RangeError(f"{whole!r} is not an npm version range ({text!r} is not a version)")
    major, minor, patch = (_num(m.group(f"_{k}"), whole) for k in ("major", "minor", "patch"))
    # once a part is a wildcard, the parts after it are too (``1.x.3`` means ``1.x``)
    if major is None:
        minor = patch = None
    if minor is None:
        patch = None
    pre = tuple(m.group("_pre").split(".")) if m.group("_pre") and patch is not None else ()
    return _Partial(major, minor, patch, pre)


def _v(major: int, minor: int, patch: int, pre: tuple[str, ...] = ()) -> SemVer:
    return SemVer(major, minor, patch, pre, ())


def _upper_zero(major: int, minor: int, patch: int) -> SemVer:
    """``X.Y.Z-0``: the lowest version of the release, below all its pre-releases."""
    return _v(major, minor, patch, ("0",))


def _xrange(op: str, p: _Partial) -> list[Comparator]:
    if p.major is None:
        return [Comparator("<", _v(0, 0, 0, ("0",)))] if op in ("<", ">") else []
    if p.patch is not None:
        return [Comparator("=" if op == "" else op, p.full())]  # type: ignore[arg-type]
    major, minor = p.major, p.minor
    if op in ("", "="):
        low = _v(major, minor or 0, 0)
        high = _upper_zero(major + 1, 0, 0) if minor is None else _upper_zero(major, minor + 1, 0)
        return [Comparator(">=", low), Comparator("<", high)]
    if op == ">":
        return [Comparator(">=", _v(major + 1, 0, 0) if minor is None else _v(major, minor + 1, 0))]
    if op == ">=":
        return [Comparator(">=", _v(major, minor or 0, 0))]
    if op == "<":
        return [Comparator("<", _upper_zero(major, minor or 0, 0))]
    # "<="
    high = _upper_zero(major + 1, 0, 0) if minor is None else _upper_zero(major, minor + 1, 0)
    return [Comparator("<", high)]


def _tilde(p: _Partial) -> list[Comparator]:
    if p.major is None:
        return []
    if p.minor is None:
        return [Comparator(">=", _v(p.major, 0, 0)), Comparator("<", _upper_zero(p.major + 1, 0, 0))]
    return [Comparator(">=", p.full()), Comparator("<", _upper_zero(p.major, p.minor + 1, 0))]


def _caret(p: _Partial) -> list[Comparator]:
    if p.major is None:
        return []
    low = p.full()
    if p.minor is None:
        return [Comparator(">=", low), Comparator("<", _upper_zero(p.major + 1, 0, 0))]
    if p.major > 0:
        high = _upper_zero(p.major + 1, 0, 0)
    elif p.patch is None or p.minor > 0:
        high = _upper_zero(0, p.minor + 1, 0)
    else:
        high = _upper_zero(0, 0, p.patch + 1)
    return [Comparator(">=", low), Comparator("<", high)]


def _hyphen(low: _Partial, high: _Partial) -> list[Comparator]:
    out: list[Comparator] = []
    if low.major is not None:
        out.append(Comparator(">=", low.full()))
    if high.major is None:
        pass
    elif high.patch is not None:
        out.append(Comparator("<=", high.full()))
    elif high.minor is None:
        out.append(Comparator("<", _upper_zero(high.major + 1, 0, 0)))
    else:
        out.append(Comparator("<", _upper_zero(high.major, high.minor + 1, 0)))
    return out


def _comparator_set(text: str, whole: str) -> tuple[Comparator, ...]:
    hyphen = _HYPHEN.match(text)
    if hyphen is not None:
        return tuple(_hyphen(_partial(hyphen["low"], whole), _partial(hyphen["high"], whole)))
    # join an operator to its version ("> = 1.2" is not allowed, ">= 1.2" is)
    tokens = _OP.sub(lambda m: m.group(1), text).split()
    out: list[Comparator] = []
    for token in tokens:
        m = _OP.match(token)
        op = m.group(1) if m else ""
        rest = token[m.end() :] if m else token
        if not rest:
            raise RangeError(f"{whole!r} is not an npm version range ({op!r} has no version)")
        p = _partial(rest, whole)
        if op in ("~", "~>"):
            out += _tilde(p)
        elif op == "^":
            out += _caret(p)
        else:
            out += _xrange(op, p)
    return tuple(out)


@lru_cache(maxsize=4096)
def parse_npm_range(text: str) -> NpmRange:
    """Parse an npm version range; :class:`RangeError` when ``text`` is none (a tag, a URL, junk)."""
    if len(text) > 1024:
        raise RangeError("a version range longer than 1024 characters is not read")
    sets = tuple(_comparator_set(part.strip(), text) for part in text.split("||"))
    return NpmRange(text, sets)


def pep440_admitted(specifier: str, versions: Iterable[str]) -> list[str]:
    """The versions a PEP 440 specifier admits, by :mod:`packaging`'s rules (pre-releases included only
    when the specifier names one or nothing else matches); invalid versions are left out.
    :class:`RangeError` when the specifier is not one."""
    try:
        spec = SpecifierSet(specifier)
    except InvalidSpecifier as exc:
        raise RangeError(f"{specifier!r} is not a PEP 440 specifier: {exc}") from None
    parsed: list[tuple[Version, str]] = []
    for text in versions:
        try:
            parsed.append((Version(text), text))
        except InvalidVersion:
            continue
    keep = set(spec.filter(v for v, _ in parsed))
    return [text for v, text in parsed if v in keep]


def admitted_versions(ecosystem: str, spec: str, versions: Iterable[str]) -> list[str]:
    """The published ``versions`` a manifest's ``spec`` admits, in their given order.

    For npm ``spec`` is the range as written (``^1.2.0``); for PyPI, a PEP 440 specifier (``>=2,<3``, or
    empty for any version). :class:`RangeError` when ``spec`` is not a range in that ecosystem, or the
    ecosystem is one vouched has no range grammar for (never a guess with another ecosystem's rules).
    """
    if ecosystem == "npm":
        rng = parse_npm_range(spec)
        return [v for v in versions if rng.admits(v)]
    if ecosystem == "PyPI":
        return pep440_admitted(spec, versions)
    raise RangeError(f"vouched cannot read version ranges of the {ecosystem!r} ecosystem")
