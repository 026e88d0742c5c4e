"""The ``text`` format: a report for a person at a terminal.

The first line is the answer (PASS or FAIL, the range, the riskiest tier, the counts); then the files by
tier (riskiest first; a long tier shows its first files and counts the rest), the commits and who is
responsible for each, the blocking findings with their fixes, the review questions on AI-assisted hunks
(``review.prompt``), and last the warnings and notes. Colour
only when asked for. Every piece of text that comes from the repository is passed through
:func:`vouched.report._util.clean`, so a commit subject cannot move the cursor or hide characters.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import click

from vouched.gate.findings import FileReport, Finding, Severity
from vouched.report._util import ai_label, clean, short
from vouched.report.interface import Formatter

if TYPE_CHECKING:
    from vouched.gate.findings import Verdict

__all__ = ["TextFormatter"]

_TIER_COLOURS = {"red": "red", "yellow": "yellow", "green": "green"}
_SEVERITY_COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.NOTE: "cyan"}
MAX_FILES = 10  # a tier lists this many files, then counts the rest (--format json lists them all)
MAX_COMMITS = 30
PROMPT = "review.prompt"  # review prompts get a section of their own, before the warnings and notes
_MAX_COLUMN = 48  # wider cells are not padded, so one long path does not push every row to the right


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def location(finding: Finding) -> str:
    if finding.path is None:
        return "(no path)"
    path = clean(finding.path)
    return path if finding.line is None else f"{path}:{finding.line}"


def _table(rows: Sequence[Sequence[str]]) -> list[list[str]]:
    """Pad every cell but the last of each row to its column's width (capped at ``_MAX_COLUMN``)."""
    if not rows:
        return []
    widths = [min(_MAX_COLUMN, max(len(row[i]) for row in rows)) for i in range(len(rows[0]) - 1)]
    return [[cell.ljust(widths[i]) if i < len(widths) else cell for i, cell in enumerate(row)] for row in rows]


class TextFormatter(Formatter):
    name: ClassVar[str] = "text"

    def __init__(self, *, color: bool = False) -> None:
        self.color = color

    def _style(self, text: str, **style: Any) -> str:
        return click.style(text, **style) if self.color else text

    def _tier(self, tier: str | None, padded: str | None = None) -> str:
        shown = padded if padded is not None else clean(tier or "-")
        return self._style(shown, fg=_TIER_COLOURS.get(tier or "")) if tier in _TIER_COLOURS else shown

    def render(self, verdict: Verdict) -> str:
        lines = [self._headline(verdict)]
        lines += self._files(verdict)
        lines += self._commits(verdict)
        blocking = [f for f in verdict.findings if f.blocking]
        warnings = [f for f in verdict.findings if not f.blocking and f.severity is not Severity.NOTE]
        notes = [f for f in verdict.findings if not f.blocking and f.severity is Severity.NOTE and f.rule != PROMPT]
        prompts = [f for f in verdict.findings if f.rule == PROMPT and not f.blocking]
        lines += self._findings("Blocking", blocking)
        lines += self._findings("Review questions on AI-assisted hunks", prompts, label="why:")
        lines += self._findings("Warnings", warnings)
        lines += self._findings("Notes", notes)
        if verdict.notes:
            if not notes:
                lines += ["", self._style("Notes", bold=True)]
            lines += [f"  - {clean(note)}" for note in verdict.notes]
        return "\n".join(lines) + "\n"

    def _headline(self, verdict: Verdict) -> str:
        word = (
            self._style("PASS", fg="green", bold=True) if verdict.passed else self._style("FAIL", fg="red", bold=True)
        )
        span = f"{short(verdict.base)}..{short(verdict.head)}"
        if not verdict.files and not verdict.commits:
            return f"{word}  {span}  no changes" + self._counts(verdict, with_change=False)
        tier = f"tier {self._tier(verdict.tier)}" if verdict.tier else "no tier"
        return f"{word}  {span}  {tier}" + self._counts(verdict, with_change=True)

    def _counts(self, verdict: Verdict, *, with_change: bool) -> str:
        parts = [plural(len(verdict.commits), "commit"), plural(len(verdict.files), "file")] if with_change else []
        blocking = sum(1 for f in verdict.findings if f.blocking)
        warnings = sum(1 for f in verdict.findings if not f.blocking and f.severity is not Severity.NOTE)
        notes = sum(1 for f in verdict.findings if f.severity is Severity.NOTE)
        if blocking or with_change:
            parts.append(f"{blocking} blocking")
        if warnings:
            parts.append(plural(warnings, "warning"))
        if notes:
            parts.append(plural(notes, "note"))
        return ("  " + ", ".join(parts)) if parts else ""

    def _files(self, verdict: Verdict) -> list[str]:
        """Files grouped by tier, the riskiest first; a long tier shows its first ``MAX_FILES`` files."""
        if not verdict.files:
            return []
        by_tier: dict[str, list[FileReport]] = {verdict.tier: []} if verdict.tier is not None else {}
        for f in verdict.files:
            by_tier.setdefault(f.tier, []).append(f)
        shown = [f for files in by_tier.values() for f in files[:MAX_FILES]]
        rows = []
        for f in shown:
            path = clean(f.path) if f.old_path is None else f"{clean(f.old_path)} -> {clean(f.path)}"
            rows.append([clean(f.tier), path, clean(f.reason)])
        padded = iter(_table(rows))
        out = ["", self._style("Files", bold=True)]
        for tier, files in by_tier.items():
            for f in files[:MAX_FILES]:
                row = next(padded)
                out.append("  " + "  ".join([self._tier(f.tier, row[0]), *row[1:]]).rstrip())
            if len(files) > MAX_FILES:
                out.append(f"  ... and {len(files) - MAX_FILES} more {clean(tier)} files")
        return out

    def _commits(self, verdict: Verdict) -> list[str]:
        if not verdict.commits:
            return []
        shown = verdict.commits[:MAX_COMMITS]
        rows = []
        for c in shown:
            who = clean(c.person) if c.person else f"{clean(c.commit.author.email)} (not in people.toml)"
            rows.append([short(c.commit.sha), who, clean(ai_label(c.attribution)), clean(c.commit.subject)])
        out = ["", self._style("Commits", bold=True)]
        for c, row in zip(shown, _table(rows), strict=True):
            ai = self._style(row[2], fg="magenta") if c.attribution.assisted else row[2]
            out.append("  " + "  ".join([self._style(row[0], fg="yellow"), row[1], ai, row[3]]).rstrip())
        if len(verdict.commits) > MAX_COMMITS:
            out.append(f"  ... and {len(verdict.commits) - MAX_COMMITS} more commits")
        return out

    def _findings(self, title: str, findings: Sequence[Finding], label: str = "fix:") -> list[str]:
        if not findings:
            return []
        out = ["", self._style(f"{title} ({len(findings)})", bold=True)]
        for f in findings:
            head = [
                self._style(clean(f.rule), fg=_SEVERITY_COLOURS[f.severity], bold=f.blocking or None),
                location(f),
            ]
            if f.commit:
                head.append(f"commit {short(f.commit)}")
            if f.severity is Severity.ERROR and not f.blocking:
                head.append("(error, not blocking)")
            out.append("  " + "  ".join(head))
            out.append(f"      {clean(f.message)}")
            if f.hint:
                out.append(f"      {self._style(label, bold=True)} {clean(f.hint)}")
        return out
