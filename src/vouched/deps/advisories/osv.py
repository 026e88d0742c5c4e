"""OSV records: the fields vouched relies on, validated strictly, as frozen values.

Only the fields that decide whether a version is affected, or that a finding shows, are read; every
other field is ignored, as the OSV schema allows. Where a field is present it must have the type the
schema gives it: a record that breaks that is rejected as a whole with the JSON path and the reason
(:class:`MalformedRecord`), never half-read. The rules enforced are the schema's own
(https://ossf.github.io/osv-schema/): ``id`` and ``modified`` required; RFC 3339 timestamps; every
``affected[].package`` has an ``ecosystem`` and a ``name``; a range's ``type`` is ``GIT``, ``SEMVER``
or ``ECOSYSTEM``; each event holds exactly one of ``introduced``, ``fixed``, ``last_affected``,
``limit``; a range has at least one ``introduced`` event and never both ``fixed`` and
``last_affected``; a ``GIT`` range names its ``repo``; versions are strings.

YAML sources are read with PyYAML's safe loader, which turns an unquoted ``2024-01-03T22:31:36Z`` into a
``datetime`` and an unquoted ``0.5`` into a float. Timestamps are accepted either way; a version that
YAML read as a number is rejected (``1.10`` would silently become ``1.1``): quote it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "EVENT_KINDS",
    "RANGE_TYPES",
    "Affected",
    "Event",
    "MalformedRecord",
    "OsvRecord",
    "Range",
    "Severity",
    "parse_record",
    "parse_timestamp",
]

EVENT_KINDS = ("introduced", "fixed", "last_affected", "limit")
RANGE_TYPES = ("GIT", "SEMVER", "ECOSYSTEM")

_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$",
    re.ASCII,
)
_ID = re.compile(r"^[^\s\x00-\x1f]{1,256}$")  # the schema gives a prefix; vouched needs a usable key


class MalformedRecord(ValueError):
    """A record breaks the OSV schema where vouched relies on it; ``where`` is a JSON path."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}")
        self.where = where
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Severity:
    type: str  # CVSS_V2, CVSS_V3, CVSS_V4, Ubuntu, ...
    score: str  # for CVSS: the vector string


@dataclass(frozen=True, slots=True)
class Event:
    kind: str  # one of EVENT_KINDS
    value: str


@dataclass(frozen=True, slots=True)
class Range:
    type: str  # one of RANGE_TYPES
    events: tuple[Event, ...]
    repo: str | None = None


@dataclass(frozen=True, slots=True)
class Affected:
    ecosystem: str
    name: str
    ranges: tuple[Range, ...]
    versions: tuple[str, ...]
    severity: tuple[Severity, ...]


@dataclass(frozen=True, slots=True)
class OsvRecord:
    id: str
    modified: dt.datetime
    published: dt.datetime | None
    withdrawn: dt.datetime | None
    aliases: tuple[str, ...]
    summary: str
    details: str
    severity: tuple[Severity, ...]
    affected: tuple[Affected, ...]


def parse_timestamp(value: object, where: str) -> dt.datetime:
    """An RFC 3339 timestamp (or a YAML-parsed datetime) as an aware UTC datetime."""
    if isinstance(value, dt.datetime):
        # YAML timestamps without an offset are UTC (YAML 1.1 timestamp type).
        return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
    if not isinstance(value, str):
        raise MalformedRecord(where, f"expected an RFC 3339 timestamp string, got {_kind(value)}")
    m = _RFC3339.match(value)
    if m is None:
        raise MalformedRecord(where, f"{value[:60]!r} is not an RFC 3339 timestamp (e.g. 2024-01-31T12:00:00Z)")
    frac = (m.group(7) or "")[1:7].ljust(6, "0") if m.group(7) else "0"
    zone = m.group(8)
    tz = (
        dt.UTC
        if zone in ("Z", "z")
        else dt.timezone((1 if zone[0] == "+" else -1) * dt.timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6])))
    )
    try:
        parsed = dt.datetime(
            int(m.group(1)),
            int(m.group(2)),
            int(m.group(3)),
            int(m.group(4)),
            int(m.group(5)),
            min(int(m.group(6)), 59),  # a leap second is the last second of its minute
            int(frac),
            tzinfo=tz,
        )
    except ValueError as exc:
        raise MalformedRecord(where, f"{value!r} is not a valid date and time: {exc}") from None
    return parsed.astimezone(dt.UTC)


def parse_record(data: object) -> OsvRecord:
    """Validate one decoded OSV document and keep what vouched uses; raises :class:`MalformedRecord`."""
    if not isinstance(data, Mapping):
        raise MalformedRecord("$", f"an OSV record is a JSON object, got {_kind(data)}")
    ident = data.get("id")
    if not isinstance(ident, str) or not _ID.match(ident):
        raise MalformedRecord("$.id", "missing" if ident is None else f"{_show(ident)} is not an OSV id")
    if "modified" not in data:
        raise MalformedRecord("$.modified", "missing (the OSV schema requires it)")
    modified = parse_timestamp(data["modified"], "$.modified")
    published = _opt_time(data, "published")
    withdrawn = _opt_time(data, "withdrawn")
    aliases = _str_list(data.get("aliases"), "$.aliases")
    summary = _opt_str(data.get("summary"), "$.summary")
    details = _opt_str(data.get("details"), "$.details")
    severity = _severity(data.get("severity"), "$.severity")
    raw_affected = data.get("affected")
    if raw_affected is None:
        raw_affected = []
    if not isinstance(raw_affected, list):
        raise MalformedRecord("$.affected", f"expected a list, got {_kind(raw_affected)}")
    parsed = (_affected(item, f"$.affected[{i}]") for i, item in enumerate(raw_affected))
    affected = tuple(a for a in parsed if a is not None)
    if severity and any(a.severity for a in affected):
        raise MalformedRecord("$.severity", "set both at the top level and in affected[] (the schema forbids it)")
    return OsvRecord(
        id=ident,
        modified=modified,
        published=published,
        withdrawn=withdrawn,
        aliases=aliases,
        summary=summary,
        details=details,
        severity=severity,
        affected=affected,
    )


def _affected(item: object, where: str) -> Affected | None:
    """One ``affected[]`` entry; ``None`` for an entry without a package (the schema allows one, for GIT
    ranges of a project with no package ecosystem): it is validated, then left out, as no package has it."""
    if not isinstance(item, Mapping):
        raise MalformedRecord(where, f"expected an object, got {_kind(item)}")
    package = item.get("package")
    if "package" not in item:
        raw_ranges = item.get("ranges")
        for i, r in enumerate(raw_ranges if isinstance(raw_ranges, list) else []):
            _range(r, f"{where}.ranges[{i}]")
        _str_list(item.get("versions"), f"{where}.versions")
        _severity(item.get("severity"), f"{where}.severity")
        return None
    if not isinstance(package, Mapping):
        raise MalformedRecord(f"{where}.package", f"expected an object, got {_kind(package)}")
    ecosystem = package.get("ecosystem")
    name = package.get("name")
    if not isinstance(ecosystem, str) or not ecosystem.strip():
        raise MalformedRecord(f"{where}.package.ecosystem", "missing or not a non-empty string")
    if not isinstance(name, str) or not name.strip():
        raise MalformedRecord(f"{where}.package.name", "missing or not a non-empty string")
    raw_ranges = item.get("ranges")
    if raw_ranges is None:
        raw_ranges = []
    if not isinstance(raw_ranges, list):
        raise MalformedRecord(f"{where}.ranges", f"expected a list, got {_kind(raw_ranges)}")
    ranges = tuple(_range(r, f"{where}.ranges[{i}]") for i, r in enumerate(raw_ranges))
    versions = _str_list(item.get("versions"), f"{where}.versions")
    severity = _severity(item.get("severity"), f"{where}.severity")
    return Affected(ecosystem=ecosystem, name=name, ranges=ranges, versions=versions, severity=severity)


def _range(item: object, where: str) -> Range:
    if not isinstance(item, Mapping):
        raise MalformedRecord(where, f"expected an object, got {_kind(item)}")
    rtype = item.get("type")
    if rtype not in RANGE_TYPES:
        raise MalformedRecord(f"{where}.type", f"{_show(rtype)} is not one of {', '.join(RANGE_TYPES)}")
    repo = item.get("repo")
    if repo is not None and not isinstance(repo, str):
        raise MalformedRecord(f"{where}.repo", f"expected a string, got {_kind(repo)}")
    if rtype == "GIT" and not repo:
        raise MalformedRecord(f"{where}.repo", "a GIT range must name its repo")
    raw_events = item.get("events")
    if not isinstance(raw_events, list) or not raw_events:
        raise MalformedRecord(f"{where}.events", "missing or empty (a range needs at least one event)")
    events: list[Event] = []
    for i, ev in enumerate(raw_events):
        at = f"{where}.events[{i}]"
        if not isinstance(ev, Mapping):
            raise MalformedRecord(at, f"expected an object, got {_kind(ev)}")
        kinds = [k for k in ev if k in EVENT_KINDS]
        if len(kinds) != 1:
            raise MalformedRecord(at, f"an event holds exactly one of {', '.join(EVENT_KINDS)}; found {len(kinds)}")
        kind = kinds[0]
        value = ev[kind]
        if not isinstance(value, str):
            raise MalformedRecord(f"{at}.{kind}", f"expected a version string, got {_show(value)}")
        events.append(Event(kind, value))
    present = {e.kind for e in events}
    if "introduced" not in present:
        raise MalformedRecord(f"{where}.events", "no introduced event (the schema requires one)")
    if "fixed" in present and "last_affected" in present:
        raise MalformedRecord(f"{where}.events", "both fixed and last_affected events (the schema forbids it)")
    return Range(type=str(rtype), events=tuple(events), repo=repo)


def _severity(value: object, where: str) -> tuple[Severity, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise MalformedRecord(where, f"expected a list, got {_kind(value)}")
    out: list[Severity] = []
    for i, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise MalformedRecord(f"{where}[{i}]", f"expected an object, got {_kind(item)}")
        stype, score = item.get("type"), item.get("score")
        if not isinstance(stype, str) or not isinstance(score, str):
            raise MalformedRecord(f"{where}[{i}]", "type and score must both be strings")
        out.append(Severity(stype, score))
    return tuple(out)


def _opt_time(data: Mapping[str, Any], key: str) -> dt.datetime | None:
    value = data.get(key)
    return None if value is None else parse_timestamp(value, f"$.{key}")


def _opt_str(value: object, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise MalformedRecord(where, f"expected a string, got {_kind(value)}")
    return value


def _str_list(value: object, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise MalformedRecord(where, f"expected a list of strings, got {_kind(value)}")
    for i, item in enumerate(value):
        if not isinstance(item, str):
            hint = " (quote it in YAML)" if isinstance(item, int | float) and not isinstance(item, bool) else ""
            raise MalformedRecord(f"{where}[{i}]", f"expected a string, got {_show(item)}{hint}")
    return tuple(value)


def _kind(value: object) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), f"a {type(value).__name__}"
    )


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
