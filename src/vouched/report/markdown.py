"""The ``markdown`` format: a pull-request comment (GitHub-flavoured Markdown).

A heading with the verdict, the files by tier, the commits and their AI tools, the blocking findings with
their fixes, the questions for the reviewer of the AI-assisted hunks (``review.prompt``), the warnings and
notes folded into ``<details>``. The comment starts with the marker
``<!-- vouched-report -->`` so that a CI job can find and update its earlier comment.

Everything that comes from the repository (paths, commit subjects, names, messages, tier names) goes
through :func:`escape`: a hostile commit subject cannot add markup, HTML, links, math, or notify people
with ``@`` mentions or cross-reference issues. The comment stays under GitHub's 65,536-character limit:
long sections end with "... and N more".
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, ClassVar

from vouched.gate.findings import Finding, Severity
from vouched.report._util import ai_label, clean, short
from vouched.report.interface import Formatter

if TYPE_CHECKING:
    from vouched.gate.findings import Verdict

__all__ = ["MARKER", "MarkdownFormatter", "escape"]

MARKER = "<!-- vouched-report -->"
ZWSP = "&#8203;"  # a zero-width space, written as an entity: breaks mentions and autolinks, shows nothing
_CELL_CHARS = 300  # longest text in one table cell or list item field
_BUDGETS = {"files": 8_000, "commits": 10_000, "blocking": 25_000, "prompts": 6_000, "others": 12_000, "notes": 2_000}
PROMPT = "review.prompt"  # review prompts get a section of their own, after the blocking findings
_HEX = re.compile(r"[0-9a-fA-F]{4,64}")

# CommonMark lets any ASCII punctuation be backslash-escaped. Escaping every character that can open
# inline syntax (emphasis, links, images, code spans, table cells, strikethrough, math with `$`,
# footnotes, autolinks), and the HTML characters as entities, leaves no markup standing; user text never
# starts a line (line breaks become spaces), so block syntax cannot start either. "@" gets a zero-width
# space after it: GitHub finds mentions in the rendered text, where a backslash escape is already gone;
# so do "#123" issue references and "https://" and "www." links.
_TABLE = {c: "\\" + c for c in "!#$()*:[\\]^_`{|}~"}
_TABLE.update({"&": "&amp;", "<": "&lt;", ">": "&gt;", "@": "@" + ZWSP})
_TRANSLATE = str.maketrans(_TABLE)
_REFERENCE = re.compile(r"\\#(?=\d)")  # #123 links (and cross-links) issues and pull requests
_SCHEME = re.compile(r"\\:(?=//)")  # https://example.com autolinks
_WWW = re.compile(r"(?i)(?<![0-9a-z])www(?=\.)")  # www.example.com autolinks


def escape(text: str, limit: int | None = None) -> str:
    """Untrusted text as inert Markdown: shown literally on one line, linking and notifying nobody."""
    text = clean(text)
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    text = text.translate(_TRANSLATE)
    text = _REFERENCE.sub(lambda m: m.group() + ZWSP, text)
    text = _SCHEME.sub(lambda m: m.group() + ZWSP, text)
    return _WWW.sub(lambda m: m.group() + ZWSP, text)


def _sha(sha: str | None) -> str:
    value = short(sha)
    return f"`{value}`" if _HEX.fullmatch(value) else escape(value)


def _code(text: str) -> str:
    """Untrusted text in a ``<code>`` element: still escaped, since Markdown is parsed inside it."""
    return f"<code>{escape(text, _CELL_CHARS)}</code>"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


class _Section:
    """Lines up to a character budget; what does not fit is counted and summarised."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.lines: list[str] = []
        self.left_out = 0

    def add(self, text: str) -> None:
        if self.left_out or len(text) + 1 > self.budget:
            self.left_out += 1
            return
        self.budget -= len(text) + 1
        self.lines.append(text)

    def more(self, what: str) -> list[str]:
        return (
            [f"\n_... and {self.left_out} more {what}; see the full report (`vouched check`)._"]
            if (self.left_out)
            else []
        )


class MarkdownFormatter(Formatter):
    name: ClassVar[str] = "markdown"

    def render(self, verdict: Verdict) -> str:
        out = [MARKER, self._heading(verdict), "", self._summary(verdict)]
        out += self._files(verdict)
        out += self._commits(verdict)
        blocking = [f for f in verdict.findings if f.blocking]
        prompts = [f for f in verdict.findings if f.rule == PROMPT and not f.blocking]
        others = [f for f in verdict.findings if not f.blocking and f.rule != PROMPT]
        if blocking:
            out += ["", f"### Blocking findings ({len(blocking)})", ""]
            section = _Section(_BUDGETS["blocking"])
            for f in blocking:
                section.add(self._finding(f))
            out += section.lines + section.more("blocking findings")
        if prompts:
            out += ["", f"### Questions for the reviewer of the AI-assisted hunks ({len(prompts)})", ""]
            section = _Section(_BUDGETS["prompts"])
            for f in prompts:
                section.add(self._finding(f, label="Why"))
            out += section.lines + section.more("questions")
        if others:
            warnings = sum(1 for f in others if f.severity is not Severity.NOTE)
            notes = len(others) - warnings
            counts = [_plural(warnings, "warning")] if warnings else []
            counts += [_plural(notes, "note")] if notes else []
            label = " and ".join(counts)
            out += ["", f"<details><summary>{label}</summary>", ""]
            section = _Section(_BUDGETS["others"])
            for f in sorted(others, key=lambda f: f.severity is Severity.NOTE):  # warnings first, stable
                section.add(self._finding(f))
            out += section.lines + section.more("warnings and notes") + ["", "</details>"]
        if verdict.notes:
            section = _Section(_BUDGETS["notes"])
            for note in verdict.notes:
                section.add(f"- {escape(note, _CELL_CHARS)}")
            out += ["", *section.lines, *section.more("notes")]
        return "\n".join(out) + "\n"

    def _heading(self, verdict: Verdict) -> str:
        return "## ✅ vouched: pass" if verdict.passed else "## ❌ vouched: fail"

    def _summary(self, verdict: Verdict) -> str:
        span = f"{_sha(verdict.base)}..{_sha(verdict.head)}"
        if not verdict.files and not verdict.commits:
            return f"No changes in {span}."
        blocking = len(verdict.blocking)
        parts = [
            f"Riskiest tier: **{escape(verdict.tier)}**" if verdict.tier else "No tier",
            _plural(len(verdict.commits), "commit"),
            _plural(len(verdict.files), "file"),
            f"**{blocking} blocking**" if blocking else "0 blocking",
        ]
        warnings = sum(1 for f in verdict.findings if not f.blocking and f.severity is not Severity.NOTE)
        if warnings:
            parts.append(_plural(warnings, "warning"))
        return " · ".join(parts) + f" · {span}"

    def _files(self, verdict: Verdict) -> list[str]:
        if not verdict.files:
            return []
        by_tier: dict[str, list[str]] = {}
        if verdict.tier is not None:
            by_tier[verdict.tier] = []  # the riskiest tier first, then in order of appearance
        for f in verdict.files:
            by_tier.setdefault(f.tier, []).append(f.path)
        out = ["", "### Files by tier", "", "| Tier | Files | Paths |", "| --- | ---: | --- |"]
        for tier, paths in by_tier.items():
            if not paths:
                continue
            shown = ", ".join(_code(p) for p in paths[:5])
            if len(paths) > 5:
                shown += f" and {len(paths) - 5} more"
            out.append(f"| **{escape(tier)}** | {len(paths)} | {shown} |")
        section = _Section(_BUDGETS["files"])
        for f in verdict.files:
            path = _code(f.path) if f.old_path is None else f"{_code(f.old_path)} → {_code(f.path)}"
            section.add(f"| {path} | {escape(f.tier)} | {escape(f.reason, _CELL_CHARS)} |")
        out += [
            "",
            f"<details><summary>All {_plural(len(verdict.files), 'file')}</summary>",
            "",
            "| Path | Tier | Why |",
            "| --- | --- | --- |",
            *section.lines,
            *section.more("files"),
            "",
            "</details>",
        ]
        return out

    def _commits(self, verdict: Verdict) -> list[str]:
        if not verdict.commits:
            return []
        out = ["", "### Commits", "", "| Commit | Responsible | AI | Subject |", "| --- | --- | --- | --- |"]
        section = _Section(_BUDGETS["commits"])
        for c in verdict.commits:
            who = escape(c.person) if c.person else f"{escape(c.commit.author.email)} (not in people.toml)"
            ai = escape(ai_label(c.attribution), _CELL_CHARS)
            if c.attribution.assisted:
                ai = f"🤖 {ai}"
            section.add(f"| {_sha(c.commit.sha)} | {who} | {ai} | {escape(c.commit.subject, _CELL_CHARS)} |")
        return out + section.lines + section.more("commits")

    def _finding(self, f: Finding, label: str = "Fix") -> str:
        icon = {Severity.ERROR: "❌", Severity.WARNING: "⚠️", Severity.NOTE: "ℹ️"}[f.severity]
        where: list[str] = []
        if f.path is not None:
            where.append(_code(f.path if f.line is None else f"{f.path}:{f.line}"))
        if f.commit:
            where.append(f"in {_sha(f.commit)}")
        head = f"- {icon} **{escape(f.rule)}**" + (f" {' '.join(where)}" if where else "")
        text = f"{head}: {escape(f.message, 2 * _CELL_CHARS)}"
        if f.hint:
            text += f"\n  **{label}:** {escape(f.hint, 2 * _CELL_CHARS)}"
        return text
