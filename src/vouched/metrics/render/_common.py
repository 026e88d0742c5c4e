"""What every format says the same way: the plain-language summary, numbers, dates, the method and limits."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vouched.metrics.analysis import Report
    from vouched.metrics.stats import GroupRates

__all__ = ["LIMITS", "METHOD", "date", "headline", "number", "p_value", "ratio", "raw_line", "skip_lines"]

METHOD = (
    "Bug fixes are commits that name a bug of the imported tracker export (a Fixes:/Closes:/Resolves: trailer, "
    "an issue reference, or the export listing the commit), a Fixes: <commit> trailer, or a subject matching "
    "the fix conventions. For each fix, SZZ blames the lines it deleted or changed at its parent (git blame -w "
    "-M with -L ranges, renames followed, ignore-revs honoured, blank and comment-only lines skipped); a "
    "Fixes: <commit> trailer is taken as ground truth; candidates authored after the bug's report date are "
    "dropped. A commit's bug introductions are the fixes that blame it. The rate ratio comes from a Poisson "
    "regression of a commit's bug introductions with log(changed lines) as offset, adjusted for log(files "
    "touched) and log(1 + prior defects of the touched files), with robust (sandwich) standard errors. Time "
    "to resolution is a Kaplan-Meier estimate: bugs still open are censored at the end of the window, not "
    "dropped."
)
LIMITS = (
    "SZZ assumes the lines a fix changed were the faulty ones: fixes that only add code blame nothing, and fixes "
    "that also refactor blame the refactored lines (published precision is roughly 0.4 to 0.7).",
    "The commit that last touched a line is not always the one that made it wrong (interactions, moved code "
    "from other files are not followed).",
    "Provenance is what commits declare (trailers, co-authors, markers, notes): undeclared AI assistance counts "
    "as human, which pulls the two groups together.",
    "Recent commits have had less time for their bugs to be found; a window that ends recently undercounts.",
    "Association, not causation: teams may give AI assistants different kinds of work.",
)


def number(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}"


def p_value(value: float | None) -> str:
    """``p = 0.0123``, ``p < 0.0001`` or ``p n/a``."""
    if value is None:
        return "p n/a"
    return "p < 0.0001" if value < 0.0001 else f"p = {value:.4f}"


def ratio(value: float | None) -> str:
    """A ratio with two significant digits: 1.4, 0.73, 12."""
    if value is None:
        return "n/a"
    text = f"{value:.2g}"
    if "e" in text:
        text = f"{value:.0f}" if value >= 1 else f"{value:.3f}"
    if "." not in text and value < 10:
        text += ".0"
    return text


def date(ts: int | None) -> str:
    return "-" if ts is None else datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d")


def headline(report: Report) -> str:
    """The plain-language summary sentence at the top of every format."""
    rr = report.stats.rate_ratio
    if rr.estimate is None or rr.low is None or rr.high is None:
        reason = rr.warnings[0] if rr.warnings else "no estimate"
        return f"Not enough data to compare AI-assisted and human changes: {reason}."
    adjusted = ", ".join(
        {"log_files_touched": "files touched", "log1p_prior_defects": "prior defects of the files"}.get(c, c)
        for c in rr.covariates
        if c != "ai"
    )
    text = (
        f"AI-assisted changes introduced bugs at {ratio(rr.estimate)}x the human rate "
        f"(95% CI {ratio(rr.low)} to {ratio(rr.high)}) after accounting for size"
        + (f" and {adjusted}" if adjusted else "")
        + "."
    )
    if rr.low <= 1 <= rr.high:
        text += " The interval includes 1: these data do not show a clear difference."
    return text


def raw_line(ai: GroupRates, human: GroupRates) -> str:
    return (
        f"Raw counts: {ai.introductions} bug introductions in {ai.commits} AI-assisted commits "
        f"({number(ai.per_kloc)} per 1,000 changed lines) against {human.introductions} in {human.commits} "
        f"human commits ({number(human.per_kloc)} per 1,000 changed lines)."
    )


def skip_lines(report: Report) -> list[str]:
    """What was left out, counted, one line each (nothing when nothing was)."""
    s = report.skipped
    out: list[str] = []
    if s.get("merge_commits"):
        out.append(f"{s['merge_commits']} merge commits (their changes are counted in the commits they merge)")
    if s.get("commits_without_changed_lines"):
        out.append(f"{s['commits_without_changed_lines']} commits without changed text lines left out of the model")
    if s.get("tags"):
        names = ", ".join(f"{t['tag']} ({t['reason']})" for t in s["tags"][:10])
        out.append(f"{len(s['tags'])} release tags skipped: {names}" + ("..." if len(s["tags"]) > 10 else ""))
    if s.get("issue_rows"):
        out.append(
            f"{len(s['issue_rows'])} rows of the issue export could not be read (first: "
            f"{s['issue_rows'][0]['where']}: {s['issue_rows'][0]['reason']})"
        )
    if s.get("unknown_columns"):
        out.append(f"columns not read from the issue export: {', '.join(s['unknown_columns'][:20])}")
    if s.get("issues_not_bugs"):
        out.append(f"{s['issues_not_bugs']} issues that are not bugs (features, tasks, closed as not planned)")
    if s.get("bugs_outside_window"):
        out.append(f"{s['bugs_outside_window']} bugs reported outside the window")
    if s.get("unknown_issue_references"):
        refs = s["unknown_issue_references"]
        out.append(f"{len(refs)} issues named by fix trailers but absent from the export: {', '.join(refs[:10])}")
    for reason, count in sorted((s.get("szz_fixes") or {}).items()):
        out.append(f"{count} fixes not analysed by SZZ: {reason}")
    for reason, count in sorted((s.get("szz_candidates_dropped") or {}).items()):
        out.append(f"{count} SZZ candidates dropped: {reason}")
    return out
