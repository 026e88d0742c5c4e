"""Is a version affected? The OSV schema's evaluation, exactly, with "unknown" kept apart from "no".

The algorithm is the schema's ``IsVulnerable`` (https://ossf.github.io/osv-schema/#evaluation): a version
is affected when it equals an entry of ``versions`` or lies in one of the ``ranges``; within a range that
the version is below some ``limit`` of (or that has none: an implicit ``limit: "*"``), the events are
sorted and walked, ``introduced`` (``v >= introduced``, ``"0"`` before everything) opening, ``fixed``
(``v >= fixed``) and ``last_affected`` (``v > last_affected``) closing.

Where the schema leaves a choice, vouched takes the one that fails closed and says so:

- **Ties.** The schema sorts the events but does not say where a ``fixed`` and an ``introduced`` of the
  same version go. Closing events sort first: a range written as two adjacent intervals (PyPA's
  PYSEC-2022-42972 for apache-iotdb: ``[0.12.2, 0.13.0)`` and ``[0.13.0, 0.14.0rc1)``) then covers 0.13.0,
  which it plainly means; the other order would leave 0.13.0 out.
- **Unknown.** A version that is not a version in the range's ordering (an invalid PEP 440 string, a
  non-SemVer npm version), a bound that is not one, an ``ECOSYSTEM`` range of an ecosystem vouched cannot
  order, and an affected package with neither versions nor an orderable range (``GIT`` ranges alone) all
  give ``unknown``, never ``not affected``. A match in the ``versions`` list is certain whatever else is
  unknown.
- **GIT ranges** hold commit hashes: they are never compared with version numbers. The schema asks for a
  ``versions`` list beside them, and that list is what is matched.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from .osv import Event, Range
from .versions import normalise_version, ordering_for

__all__ = ["Evaluation", "Status", "describe_range", "evaluate"]


class Status(enum.Enum):
    AFFECTED = "affected"
    NOT_AFFECTED = "not_affected"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Evaluation:
    status: Status
    via: str | None  # "versions" or "range" when affected
    first_fixed: str | None  # the lowest fixed version above the one evaluated, if any
    reason: str  # why unknown (empty otherwise)


_CLOSING_FIRST = {"fixed": 0, "last_affected": 0, "limit": 0, "introduced": 1}


def _sorted_events(events: Sequence[Event], keyed: Sequence[Any]) -> list[tuple[Event, Any]]:
    """Events in the schema's order: ``introduced: "0"`` first, then by version, closing events first on ties."""
    pairs = list(zip(events, keyed, strict=True))
    pairs.sort(key=lambda p: (0,) if p[1] is None else (1, p[1], _CLOSING_FIRST[p[0].kind]))
    return pairs


def _is_zero(event: Event) -> bool:
    return event.kind == "introduced" and event.value == "0"


def _is_infinite(event: Event) -> bool:
    return event.kind == "limit" and "*" in event.value


def _key_events(rng: Range, order: Any, scheme: str) -> tuple[list[Any], str | None]:
    """Each event's sort key (``None`` for ``introduced: "0"`` and ``limit: "*"``), or why one has none."""
    keys: list[Any] = []
    for event in rng.events:
        if _is_zero(event) or _is_infinite(event):
            keys.append(None)
            continue
        key = order(event.value)
        if key is None:
            return [], f"the range's {event.kind} version {event.value!r} is not a valid {scheme} version"
        keys.append(key)
    return keys, None


def _in_range(rng: Range, keys: list[Any], v: Any) -> bool:
    limits = [k for e, k in zip(rng.events, keys, strict=True) if e.kind == "limit"]
    if limits and not any(k is None or v < k for k in limits):
        return False
    vulnerable = False
    for event, key in _sorted_events(rng.events, keys):
        if event.kind == "introduced" and (key is None or v >= key):
            vulnerable = True
        elif event.kind == "fixed" and v >= key:  # noqa: SIM114 (the schema's pseudocode, branch for branch)
            vulnerable = False
        elif event.kind == "last_affected" and v > key:
            vulnerable = False
    return vulnerable


def _first_fixed(ecosystem: str, ranges: Sequence[Range], version: str) -> str | None:
    best: tuple[Any, str] | None = None
    for rng in ranges:
        order = ordering_for(ecosystem, rng.type)
        v = None if order is None else order(version)
        if order is None or v is None:
            continue
        for event in rng.events:
            if event.kind != "fixed":
                continue
            key = order(event.value)
            if key is not None and key > v and (best is None or key < best[0]):
                best = (key, event.value)
    return None if best is None else best[1]


def evaluate(
    ecosystem: str,
    ranges: Sequence[Range],
    versions_normalised: Collection[str],
    version: str,
) -> Evaluation:
    """Whether ``version`` of a package is affected by one ``affected[]`` entry.

    ``versions_normalised`` is the entry's ``versions`` list spelt by :func:`normalise_version`, so that
    ``0.12.01`` matches ``0.12.1`` on PyPI.
    """
    unknown: list[str] = []
    hit: Range | None = None
    for rng in ranges:
        if rng.type == "GIT":
            continue
        order = ordering_for(ecosystem, rng.type)
        if order is None:
            unknown.append(f"vouched cannot order {rng.type} versions of the {ecosystem} ecosystem")
            continue
        v = order(version)
        if v is None:
            unknown.append(f"{version!r} is not a valid {_scheme(ecosystem, rng.type)} version")
            continue
        keys, problem = _key_events(rng, order, _scheme(ecosystem, rng.type))
        if problem is not None:
            unknown.append(problem)
            continue
        if _in_range(rng, keys, v):
            hit = rng
            break
    if hit is not None:
        return Evaluation(Status.AFFECTED, "range", _first_fixed(ecosystem, [hit], version), "")
    if normalise_version(ecosystem, version) in versions_normalised:
        return Evaluation(Status.AFFECTED, "versions", _first_fixed(ecosystem, ranges, version), "")
    if unknown:
        return Evaluation(Status.UNKNOWN, None, None, "; ".join(dict.fromkeys(unknown)))
    if not versions_normalised and all(r.type == "GIT" for r in ranges):
        what = "only GIT commit ranges" if ranges else "no affected versions or ranges"
        return Evaluation(Status.UNKNOWN, None, None, f"the advisory gives {what}, no version list to match")
    return Evaluation(Status.NOT_AFFECTED, None, None, "")


def _scheme(ecosystem: str, range_type: str) -> str:
    if range_type == "ECOSYSTEM" and ecosystem.split(":", 1)[0] == "PyPI":
        return "PEP 440"
    if range_type == "ECOSYSTEM" and ecosystem.split(":", 1)[0] == "npm":
        return "npm (SemVer)"
    return "SemVer 2.0"


def describe_range(ecosystem: str, rng: Range) -> str:
    """A range as a person reads it: ``>=2.2, <2.2.18 || >=3.0, <3.0.12``; GIT ranges as commits."""
    if rng.type == "GIT":
        return "GIT " + ", ".join(f"{e.kind} {e.value[:12]}" for e in rng.events) + f" in {rng.repo}"
    order = ordering_for(ecosystem, rng.type)
    keys, problem = _key_events(rng, order, "") if order is not None else ([], "unordered")
    if problem is not None:
        return ", ".join(f"{e.kind} {e.value}" for e in rng.events)
    parts: list[str] = []
    lower: str | None = None
    open_ = False
    for event, _key in _sorted_events(rng.events, keys):
        if event.kind == "introduced" and not open_:
            open_, lower = True, (None if _is_zero(event) else event.value)
        elif event.kind in ("fixed", "last_affected") and open_:
            upper = f"<{event.value}" if event.kind == "fixed" else f"<={event.value}"
            parts.append(upper if lower is None else f">={lower}, {upper}")
            open_ = False
    if open_:
        parts.append("all versions" if lower is None else f">={lower}")
    limits = [e.value for e in rng.events if e.kind == "limit" and not _is_infinite(e)]
    text = " || ".join(parts) if parts else "no versions"
    return text + (f" (limit <{', <'.join(limits)})" if limits else "")
