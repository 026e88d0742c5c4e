"""Provenance of a repository's commits: commit markers plus line-level records read from the repository.

Line-level records are read once, lazily, on first use: every git-ai note under ``refs/notes/ai`` (one
``git notes list`` and one ``git cat-file --batch``) and ``.agent-trace/traces.jsonl`` as it is at
``trace_rev``. A note is parsed only when its commit is asked about.

Problems (an unreadable note, a malformed trace record) are never dropped: each becomes one message in
:attr:`Provenance.problems`. A problem that concerns one commit is reported when that commit is looked at
(by :meth:`~Provenance.attribute` or :meth:`~Provenance.lines`), so that a damaged record of an old commit
does not trouble every later change; a problem that concerns no commit we can name (the notes cannot be
listed, a trace line is not JSON or has no git revision) is reported as soon as the records are loaded.

A commit with a record of at least one AI line is assisted (and so declared); its tools and models join
those of its markers, and each source adds one evidence string, e.g. ``git-ai note refs/notes/ai: 18 AI
lines in 2 files by claude-code, cursor`` or ``agent-trace .agent-trace/traces.jsonl: 42 AI lines in 2
files by cursor`` (the `` by ...`` part only when the record names a tool). A record with no AI line (only
human lines) changes nothing, and :meth:`Provenance.lines` gives None for it. When both sources describe a
commit, :meth:`Provenance.lines` gives the union, with source ``git-ai+agent-trace``.
"""

from __future__ import annotations

from collections.abc import Sequence

from vouched.errors import GitError
from vouched.git import Git
from vouched.model import Commit
from vouched.provenance.lines import (
    AGENT_TRACE,
    GIT_AI,
    LineRecord,
    LinesBuilder,
    TraceRecords,
    parse_agent_trace,
    parse_git_ai_note,
)
from vouched.provenance.markers import Marker, attribute_with, rules_for
from vouched.provenance.model import Attribution

__all__ = ["NOTES_REF", "TRACE_PATH", "Provenance"]

NOTES_REF = "refs/notes/ai"
TRACE_PATH = ".agent-trace/traces.jsonl"


class Provenance:
    """Attribution of commits from their markers and from git-ai / Agent Trace line records."""

    def __init__(self, git: Git, markers: Sequence[Marker] = (), *, trace_rev: str = "HEAD") -> None:
        self._git = git
        self._rules = rules_for(markers)
        self._trace_rev = trace_rev
        self._loaded = False
        self._problems: list[str] = []
        self._notes: dict[str, bytes] = {}
        self._traces = TraceRecords()
        self._records: dict[str, tuple[LineRecord | None, tuple[str, ...]]] = {}

    @property
    def problems(self) -> list[str]:
        """Every problem found so far in the line-level records (see the module docstring)."""
        self._load()
        return self._problems

    def attribute(self, commit: Commit) -> Attribution:
        """The commit's markers, plus the evidence of any line-level record of AI lines."""
        base = attribute_with(commit, self._rules)
        self._load()
        if not self._notes and not self._traces.by_commit and not self._traces.problems_by_commit:
            return base
        record, evidence = self._lookup(commit.sha)
        if record is None:
            return base
        seen = set(base.evidence)
        return Attribution(
            assisted=True,
            declared=True,
            tools=tuple(sorted(set(base.tools) | set(record.tools))),
            models=tuple(sorted(set(base.models) | set(record.models))),
            evidence=base.evidence + tuple(e for e in evidence if e not in seen),
        )

    def lines(self, commit: Commit) -> LineRecord | None:
        """The lines of ``commit`` an assistant wrote, by git-ai and Agent Trace together; None if none."""
        self._load()
        return self._lookup(commit.sha)[0]

    # -- loading -----------------------------------------------------------------------------------

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        try:
            self._notes = self._git.notes(NOTES_REF)
        except GitError as exc:
            self._problems.append(f"git-ai notes under {NOTES_REF} cannot be read: {exc.message}")
        try:
            blob = self._git.read_files(self._trace_rev, [TRACE_PATH]).get(TRACE_PATH)
        except GitError as exc:
            self._problems.append(f"{TRACE_PATH} at {self._trace_rev} cannot be read: {exc.message}")
            blob = None
        if blob is not None:
            self._traces = parse_agent_trace(blob)
            where = f"{TRACE_PATH} at {self._trace_rev}"
            self._problems.extend(f"{where}, {reason}" for reason in self._traces.problems)

    def _lookup(self, sha: str) -> tuple[LineRecord | None, tuple[str, ...]]:
        cached = self._records.get(sha)
        if cached is not None:
            return cached
        builder = LinesBuilder()
        sources: list[str] = []
        evidence: list[str] = []
        note = self._notes.get(sha)
        if note is not None:
            part, reasons = parse_git_ai_note(note)
            self._problems.extend(f"git-ai note ({NOTES_REF}) of commit {sha}: {r}" for r in reasons)
            if part.files:
                sources.append(GIT_AI)
                evidence.append(_evidence(f"git-ai note {NOTES_REF}", part))
                builder.merge(part)
        reasons = self._traces.problems_by_commit.get(sha, [])
        where = f"{TRACE_PATH} at {self._trace_rev}"
        self._problems.extend(f"{where}, record of commit {sha}, {r}" for r in reasons)
        trace = self._traces.by_commit.get(sha)
        if trace is not None and trace.files:
            sources.append(AGENT_TRACE)
            evidence.append(_evidence(f"agent-trace {TRACE_PATH}", trace))
            builder.merge(trace)
        result = (builder.build(sha, "+".join(sources)), tuple(evidence))
        self._records[sha] = result
        return result


def _evidence(source: str, part: LinesBuilder) -> str:
    record = part.build("", "")
    count = record.line_count if record is not None else 0
    files = len(record.files) if record is not None else 0
    by = f" by {', '.join(record.tools)}" if record is not None and record.tools else ""
    lines = "line" if count == 1 else "lines"
    return f"{source}: {count} AI {lines} in {files} file{'' if files == 1 else 's'}{by}"
