"""Which commits fix bugs, and which bugs: tracker links, trailers and message conventions.

A commit is a **bug fix** when

1. it names a bug of the imported export: in a fix trailer (``Fixes: #12``, ``Closes: PROJ-7``,
   ``Resolves: https://github.com/o/r/issues/12``; the keys are ``fix_trailers``), or anywhere in its message
   (``#12``, ``PROJ-7``, a GitHub issue URL), or the export lists the commit (or its pull request) as the fix;
2. or a fix trailer names an issue the export does not hold (or there is no export): the author said it
   fixes something, so it counts, with the issue's data unknown; an issue the export holds that is *not* a
   bug (a feature, a task, closed as not planned) does not make its closing commit a fix;
3. or a fix trailer names a commit id (``Fixes: 1234abcd ("subject")``, the Linux kernel convention): SZZ
   takes that commit as the bug-introducing one;
4. or its subject matches one of ``fix_patterns`` (``fix: ...``, ``fix(parser): ...``, "bugfix", "hotfix").

Merge commits are never fixes: their changes were made, and counted, in the commits they merge.
A pull request is recognised from GitHub's subjects: ``Merge pull request #12`` and a squash ``... (#12)``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from vouched.metrics.incidents.model import Bug
from vouched.model import Trailer
from vouched.policy.model import MetricsConfig

__all__ = ["FixLink", "Linker", "pull_request_of", "references"]

_HASH_REF = re.compile(r"(?<![\w&/])#([1-9][0-9]{0,9})\b")
_URL_REF = re.compile(r"https?://[^\s/]+/[\w.-]+/[\w.-]+/(issues|pull)/([1-9][0-9]{0,9})\b")
_SHA_VALUE = re.compile(r"^([0-9a-f]{7,64})\b")
_MERGE_PR = re.compile(r"^Merge pull request #([1-9][0-9]*)\b")
_SQUASH_PR = re.compile(r"\(#([1-9][0-9]*)\)\s*$")


@cache
def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def references(text: str, key_pattern: str) -> list[str]:
    """Issue keys ``text`` names, in order, without duplicates: ``#123`` (also from issue URLs), ``PROJ-7``."""
    found: dict[str, None] = {}
    for kind, number in _URL_REF.findall(text):
        if kind == "issues":
            found.setdefault(f"#{number}")
    for number in _HASH_REF.findall(_URL_REF.sub(" ", text)):
        found.setdefault(f"#{number}")
    for match in _compile(key_pattern).finditer(text):
        found.setdefault(match.group(0))
    return list(found)


def pull_request_of(subject: str) -> str | None:
    """The pull request number a commit's subject names the GitHub way, or None."""
    m = _MERGE_PR.match(subject) or _SQUASH_PR.search(subject)
    return m.group(1) if m else None


@dataclass(frozen=True, slots=True)
class FixLink:
    """Why a commit is a bug fix: the bugs it fixes (keys of the export, or unknown keys), the commits a
    ``Fixes: <sha>`` trailer names, and how it was recognised (``trailer``, ``reference``, ``tracker``,
    ``convention``)."""

    sha: str
    bug_ids: tuple[str, ...]
    fixed_commits: tuple[str, ...]
    how: str
    reported_at: int | None  # the earliest report of the bugs it fixes, when the export knows it


class Linker:
    """Decides, commit by commit, whether it is a fix and of what, against one export (or none)."""

    def __init__(self, config: MetricsConfig, bugs: Sequence[Bug] = ()) -> None:
        self.config = config
        self.bugs: dict[str, Bug] = {b.id: b for b in bugs}
        self._trailers = {k.lower() for k in config.fix_trailers}
        self._patterns = tuple(_compile(p) for p in config.fix_patterns)
        self._by_commit: dict[str, list[str]] = {}
        self._by_pull: dict[str, list[str]] = {}
        for bug in bugs:
            if not bug.is_bug:
                continue
            for sha in bug.commits:
                self._by_commit.setdefault(sha.lower(), []).append(bug.id)
            for pr in bug.pulls:
                self._by_pull.setdefault(pr, []).append(bug.id)
        self._by_start: dict[str, list[str]] = {}  # the first 4 hex digits -> listed ids (all have 4 or more)
        for prefix in self._by_commit:
            self._by_start.setdefault(prefix[:4], []).append(prefix)
        self.unknown_refs: dict[str, None] = {}  # trailer references to issues the export does not hold

    def _listed(self, sha: str) -> list[str]:
        """The bugs whose export lists ``sha`` (by a full or abbreviated id)."""
        return [
            bug
            for prefix in self._by_start.get(sha[:4], ())
            if sha.startswith(prefix)
            for bug in self._by_commit[prefix]
        ]

    def link(
        self, sha: str, parents: Sequence[str], subject: str, message: str, trailers: Iterable[Trailer]
    ) -> FixLink | None:
        if len(parents) > 1:
            return None
        key_pattern = self.config.issue_key_pattern
        bug_ids: dict[str, None] = {}
        fixed: list[str] = []
        how = ""
        for trailer in trailers:
            if trailer.token not in self._trailers:
                continue
            value = trailer.value.strip()
            m = _SHA_VALUE.match(value.lower())
            if m and not references(value, key_pattern):
                fixed.append(m.group(1))
                how = how or "trailer"
                continue
            for ref in references(value, key_pattern):
                bug = self.bugs.get(ref)
                if bug is None:
                    self.unknown_refs.setdefault(ref)
                    bug_ids.setdefault(ref)
                    how = how or "trailer"
                elif bug.is_bug:
                    bug_ids.setdefault(ref)
                    how = how or "trailer"
        if self.bugs:
            for ref in references(message, key_pattern):
                bug = self.bugs.get(ref)
                if bug is not None and bug.is_bug and ref not in bug_ids:
                    bug_ids.setdefault(ref)
                    how = how or "reference"
            listed = list(self._listed(sha)) if self._by_commit else []
            pr = pull_request_of(subject) if self._by_pull else None
            if pr is not None:
                listed += self._by_pull.get(pr, [])
            for ref in listed:
                if ref not in bug_ids:
                    bug_ids.setdefault(ref)
                    how = how or "tracker"
        if not how and any(p.search(subject) for p in self._patterns):
            how = "convention"
        if not how:
            return None
        reports = [self.bugs[b].created_at for b in bug_ids if b in self.bugs]
        return FixLink(sha, tuple(bug_ids), tuple(fixed), how, min(reports) if reports else None)


def bugs_by_id(bugs: Iterable[Bug]) -> Mapping[str, Bug]:
    return {b.id: b for b in bugs}
