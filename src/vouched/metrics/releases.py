"""Releases, from tags or from a releases file, and which release first shipped each commit.

From tags: a tag is a release when ``tag_pattern`` matches its name; the version is the pattern's group
``version`` (else group 1, else the whole name) and releases are ordered by that version, PEP 440 or
SemVer (``version_scheme``), never by tag date or name. Tags whose version does not parse in the scheme
are skipped and counted in the report, and so is a second tag of the same version (the first by name is
kept: ``1.9`` and ``v1.9.0`` are one release). A commit belongs to the first release (in version order) whose tag
reaches it; commits no release reaches are "unreleased".

From a file (``--releases FILE``): CSV with the columns ``name`` and ``date``, or a JSON list of
``{"name": ..., "date": ...}``; releases are ordered by date and a commit belongs to the first release
dated at or after the commit's commit time. A row without a name or with an unreadable date is an error
naming the file and line: a release list is short and written by hand, so guessing would be wrong.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vouched.deps.advisories.versions import pep440_key, semver_key
from vouched.errors import InputError, UsageError
from vouched.metrics.incidents._util import decode, load_json, read_csv
from vouched.metrics.incidents.dates import parse_date

if TYPE_CHECKING:
    from vouched.git import Git

__all__ = [
    "UNRELEASED",
    "Release",
    "ReleasePlan",
    "assign_by_date",
    "assign_by_tags",
    "from_file",
    "from_tags",
    "release_at",
]

UNRELEASED = "unreleased"


@dataclass(frozen=True, slots=True)
class Release:
    name: str
    version: str
    sha: str | None  # the tagged commit; None for a release from a file
    at: int  # commit time of the tag, or the file's date


@dataclass(frozen=True, slots=True)
class ReleasePlan:
    """The releases in order and the tags left out (name, why)."""

    releases: tuple[Release, ...]
    skipped_tags: tuple[tuple[str, str], ...] = ()
    source: str = "tags"


def _version_of(match: re.Match[str]) -> str:
    if "version" in match.re.groupindex and match.group("version") is not None:
        return match.group("version")
    if match.re.groups >= 1 and match.group(1) is not None:
        return match.group(1)
    return match.group(0)


def from_tags(tags: Iterable[tuple[str, str, int]], pattern: str, scheme: str) -> ReleasePlan:
    """Releases from ``(tag, commit, time)``: matching tags whose version parses, in version order."""
    try:
        regex = re.compile(pattern)
    except re.error as exc:
        raise UsageError(f"--tag-pattern {pattern!r} is not a valid regex: {exc}") from None
    keyers: dict[str, Callable[[str], Any]] = {"pep440": pep440_key, "semver": semver_key}
    keyer = keyers.get(scheme)
    if keyer is None:
        raise UsageError(f"unknown version scheme {scheme!r}", hint="use pep440 or semver")
    keyed: list[tuple[Any, str, Release]] = []
    skipped: list[tuple[str, str]] = []
    for name, sha, when in tags:
        m = regex.search(name)
        if m is None:
            continue  # not a release tag at all: not counted as a skip
        version = _version_of(m)
        key = keyer(version)
        if key is None:
            skipped.append((name, f"{version!r} is not a {scheme} version"))
            continue
        keyed.append((key, name, Release(name, version, sha, when)))
    keyed.sort(key=lambda item: (item[0], item[1]))
    releases: list[Release] = []
    seen: set[Any] = set()
    for key, name, release in keyed:
        if key in seen:
            skipped.append((name, f"version {release.version} is tagged twice"))
            continue
        seen.add(key)
        releases.append(release)
    return ReleasePlan(tuple(releases), tuple(sorted(skipped)), "tags")


def from_file(path: Path) -> ReleasePlan:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    file = str(path)
    hint = 'a releases file is CSV with the columns name,date or a JSON list of {"name", "date"}'
    text = decode(raw, file)
    rows: list[tuple[str, Any, Any]] = []
    if text.lstrip().startswith(("[", "{")):
        data = load_json(text, file, hint)
        if not isinstance(data, list):
            raise InputError(f"{file}: expected a JSON list of releases", hint=hint)
        for i, item in enumerate(data):
            if not isinstance(item, dict):
                raise InputError(f"{file}[item {i + 1}]: a release must be an object", hint=hint)
            rows.append((f"{file}[item {i + 1}]", item.get("name"), item.get("date")))
    else:
        header, body = read_csv(text, file, hint)
        names = [h.strip().lower() for h in header]
        if "name" not in names or "date" not in names:
            raise InputError(f"{file}:1: the header must hold the columns name and date", hint=hint)
        n, d = names.index("name"), names.index("date")
        for line, row in body:
            rows.append((f"{file}:{line}", row[n] if n < len(row) else None, row[d] if d < len(row) else None))
    releases: list[Release] = []
    for where, name, date in rows:
        if not isinstance(name, str) or not name.strip():
            raise InputError(f"{where}: the release has no name", hint=hint)
        try:
            at = parse_date(str(date)) if isinstance(date, str | int) and not isinstance(date, bool) else None
        except ValueError as exc:
            raise InputError(f"{where}: {exc}", hint=hint) from None
        if at is None:
            raise InputError(f"{where}: release {name.strip()!r} has no date", hint=hint)
        releases.append(Release(name.strip(), name.strip(), None, at))
    releases.sort(key=lambda r: (r.at, r.name))
    return ReleasePlan(tuple(releases), (), "file")


def assign_by_tags(git: Git, plan: ReleasePlan) -> dict[str, str]:
    """``commit -> release name`` for every commit some release reaches: one `git rev-list` a release."""
    owner: dict[str, str] = {}
    earlier: list[str] = []
    for release in plan.releases:
        if release.sha is None:
            continue
        for sha in git.rev_list(release.sha, "--not", *earlier) if earlier else git.rev_list(release.sha):
            owner.setdefault(sha, release.name)
        earlier.append(release.sha)
    return owner


def release_at(releases: Sequence[Release], when: int) -> str | None:
    """The first of ``releases`` (ordered by date) dated at or after ``when``, by name; None if none is."""
    i = bisect.bisect_left(releases, when, key=lambda r: r.at)
    return releases[i].name if i < len(releases) else None


def assign_by_date(times: Mapping[str, int], releases: Sequence[Release]) -> dict[str, str]:
    """``commit -> release name``: the first release dated at or after the commit time."""
    owner: dict[str, str] = {}
    for sha, when in times.items():
        name = release_at(releases, when)
        if name is not None:
            owner[sha] = name
    return owner
