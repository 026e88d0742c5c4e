"""Which commit of a change wrote each added line, and so whether an AI assistant helped write it.

The pattern library, the review prompts and the coverage check all need to say "this line is AI-assisted".
Provenance is per commit (:class:`~vouched.gate.evaluation.EvaluatedCommit`); a line takes the provenance
of the commit that last wrote it, found with one ``git blame`` of the change's range per file (none when
a single commit of the change touched the file). The answer is computed once per file and shared by every
check that asks.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from vouched.errors import GitError

if TYPE_CHECKING:
    from vouched.gate.evaluation import EvaluatedCommit, Evaluation
    from vouched.git import Git

__all__ = ["Origins", "ai_lines", "describe"]

log = logging.getLogger(__name__)


class Origins:
    """The commit behind each added line of one evaluated change (lazily, per file, cached)."""

    def __init__(self, git: Git, ev: Evaluation) -> None:
        self._git = git
        self._ev = ev
        self._by_sha = {c.commit.sha: c for c in ev.commits}
        self._cache: dict[str, dict[int, EvaluatedCommit]] = {}
        self._touching: dict[str, list[EvaluatedCommit]] | None = None  # path -> commits touching it, in order

    @classmethod
    def shared(cls, cache: dict[str, Origins], git: Git, ev: Evaluation) -> Origins:
        """The one Origins of ``ev``'s change in ``cache``, made on first use: each check of
        :func:`vouched.scan.gate.scan_checks` asks through it, so a file is blamed once per change."""
        key = f"{ev.change.merge_base}..{ev.change.head}"
        found = cache.get(key)
        if found is None:
            found = cache[key] = cls(git, ev)
        return found

    def _commits_touching(self, path: str) -> list[EvaluatedCommit]:
        """The change's commits that touch ``path`` (indexed once: a change of 200 files asks 200 times)."""
        if self._touching is None:
            index: dict[str, list[EvaluatedCommit]] = {}
            for c in self._ev.commits:
                for p in dict.fromkeys(p for t in c.commit.files for p in t.paths):
                    index.setdefault(p, []).append(c)
            self._touching = index
        return self._touching.get(path, [])

    def of(self, path: str) -> dict[int, EvaluatedCommit]:
        """Added line number -> the commit of the change that wrote it (lines git cannot place are left out)."""
        found = self._cache.get(path)
        if found is not None:
            return found
        change = next((f for f in self._ev.change.files if f.path == path), None)
        numbers = [a.number for a in change.added] if change is not None else []
        result: dict[int, EvaluatedCommit] = {}
        touching = self._commits_touching(path)
        if numbers and len(touching) == 1:
            result = dict.fromkeys(numbers, touching[0])
        elif numbers:
            try:
                owners = self._git.blame_lines(self._ev.change.merge_base, self._ev.change.head, path, numbers)
            except GitError as exc:  # fail closed: a line we cannot place counts as AI-assisted below
                log.warning("cannot blame %s: %s", path, exc)
                owners = {}
            result = {n: self._by_sha[sha] for n, sha in owners.items() if sha in self._by_sha}
            if len(result) < len(numbers) and touching:
                # Lines blame could not place (e.g. a merge resolution): the latest AI commit answers for them.
                fallback = next((c for c in reversed(touching) if c.attribution.assisted), touching[-1])
                for n in numbers:
                    result.setdefault(n, fallback)
        self._cache[path] = result
        return result

    def commit(self, path: str, line: int) -> EvaluatedCommit | None:
        return self.of(path).get(line)

    def ai(self, path: str, lines: range | list[int] | set[int]) -> EvaluatedCommit | None:
        """The first AI-assisted commit that wrote any of ``lines``, or None."""
        owners = self.of(path)
        for n in sorted(lines):
            c = owners.get(n)
            if c is not None and c.attribution.assisted:
                return c
        return None


def ai_lines(origins: Origins, path: str) -> set[int]:
    return {n for n, c in origins.of(path).items() if c.attribution.assisted}


def describe(c: EvaluatedCommit) -> str:
    """``AI-assisted (claude-code)``; the finding carries the commit itself."""
    tools = ", ".join(c.attribution.tools) or "an AI assistant"
    return f"AI-assisted ({tools})"
