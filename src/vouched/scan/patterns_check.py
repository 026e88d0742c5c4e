"""The gate's pattern-library check: the base revision's patterns, run on the lines a change adds.

Each changed file in a language some pattern covers is read at the head and parsed once; a match counts
when its line range meets an added line. A ``caused-issue`` hit blocks in the tiers the pattern names
(in other tiers it warns); a ``worked`` hit is a note that the change follows the house way. A hit on
lines an AI assistant wrote says so. A pattern file at the base that cannot be read is a blocking
``pattern.invalid``: a broken library must not pass changes silently.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING

from vouched.gate.findings import Finding, Severity
from vouched.git import display
from vouched.scan.patterns import Library, Match, language_for, load_library, match_source
from vouched.scan.patterns_origin import Origins, describe

if TYPE_CHECKING:
    from vouched.gate.checks import Check
    from vouched.gate.evaluation import EvaluatedFile, Evaluation
    from vouched.git import Git

__all__ = ["MAX_BYTES", "MAX_LINE", "pattern_check"]

log = logging.getLogger(__name__)

MAX_BYTES = 2 * 1024 * 1024  # larger files are generated or vendored: reported as not scanned
MAX_LINE = 20_000  # a longer line means minified code: reported as not scanned


def pattern_check(git: Git, origins: dict[str, Origins] | None = None) -> Check:
    """A check that runs the base revision's pattern library on a change (``origins``: a cache to share)."""
    cache = origins if origins is not None else {}

    def check_patterns(ev: Evaluation) -> Iterator[Finding]:
        library = load_library(git, ev.change.base, [t.name for t in ev.policy.tiers])
        for problem in library.problems:
            yield Finding(
                "pattern.invalid",
                Severity.ERROR,
                True,
                f"pattern file at the base revision cannot be used: {problem.message}",
                (problem.hint or "")
                + ("; " if problem.hint else "")
                + "fix it on the base branch in a change of its own (`vouched patterns test` checks it)",
                path=problem.file,
                line=problem.line,
            )
        if not library.patterns:
            return
        origin = Origins.shared(cache, git, ev)
        yield from _scan(git, ev, library, origin)

    return check_patterns


def _scan(git: Git, ev: Evaluation, library: Library, origin: Origins) -> Iterator[Finding]:
    todo: list[tuple[EvaluatedFile, str]] = []
    for f in ev.files:
        if f.change.status == "D" or f.change.binary or not f.change.added:
            continue
        language = language_for(f.change.path)
        if language is not None and library.for_language(language):
            todo.append((f, language))
    if not todo:
        return
    contents = git.read_files(ev.change.head, [f.change.path for f, _ in todo])
    for f, language in todo:
        path = f.change.path
        data = contents.get(path)
        if data is None:
            continue
        tier = f.match.tier.name
        longest = max((len(line) for line in data.split(b"\n")), default=0)
        if len(data) > MAX_BYTES or longest > MAX_LINE or b"\0" in data[:8192]:
            why = (
                f"{len(data)} bytes"
                if len(data) > MAX_BYTES
                else "binary"
                if b"\0" in data[:8192]
                else (f"a line of {longest} characters (minified?)")
            )
            yield Finding(
                "pattern.not-scanned",
                Severity.WARNING,
                False,
                f"{display(path)} was not matched against the pattern library: {why}",
                "review it by hand; generated and minified files are better left out of source control",
                path=path,
                tier=tier,
            )
            continue
        try:
            matches = match_source(library.for_language(language), language, data.decode("utf-8", "replace"))
        except ValueError as exc:
            yield Finding("pattern.invalid", Severity.ERROR, True, str(exc), "fix the pattern's rule", path=path)
            continue
        added = {a.number for a in f.change.added}
        seen: set[tuple[str, int]] = set()
        for m in sorted(matches, key=lambda m: (m.start, m.pattern.id)):
            lines = [n for n in range(m.start, m.end + 1) if n in added]
            if not lines or (m.pattern.id, lines[0]) in seen:
                continue
            seen.add((m.pattern.id, lines[0]))
            yield _finding(m, f, lines, origin)


def _finding(m: Match, f: EvaluatedFile, lines: list[int], origin: Origins) -> Finding:
    p = m.pattern
    path = f.change.path
    tier = f.match.tier.name
    ai = origin.ai(path, lines)
    owner = ai or origin.commit(path, lines[0])
    who = f"; {describe(ai)}" if ai is not None else ""
    code = m.text.strip().splitlines()[0][:120] if m.text.strip() else ""
    links = f" (see {', '.join(p.links)})" if p.links else ""
    if p.status == "worked":
        return Finding(
            "pattern.worked",
            Severity.NOTE,
            False,
            f"follows the house way, {p.title} (pattern {p.id}): {p.why}{who}",
            "",
            path=path,
            line=lines[0],
            commit=owner.commit.sha if owner else None,
            tier=tier,
        )
    blocking = p.blocks_in(tier)
    where = "" if blocking else f" (it blocks only in {', '.join(p.tiers)}; this file is {tier})"
    return Finding(
        "pattern.caused-issue",
        Severity.ERROR if blocking else Severity.WARNING,
        blocking,
        f"{p.title} (pattern {p.id}, which caused an incident){where}: `{code}`{who}. {p.why}",
        (p.fix or "rewrite the code so the pattern no longer matches") + links,
        path=path,
        line=lines[0],
        commit=owner.commit.sha if owner else None,
        tier=tier,
    )
