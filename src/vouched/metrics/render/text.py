"""The report for a terminal: the summary first, then tables, then what was left out and the method."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from vouched.git import display
from vouched.metrics.render._common import LIMITS, METHOD, date, headline, number, p_value, ratio, raw_line, skip_lines
from vouched.metrics.render.interface import ReportFormat
from vouched.metrics.stats import PROVENANCES, GroupRates
from vouched.policy.model import BUG_SEVERITIES

if TYPE_CHECKING:
    from vouched.metrics.analysis import Report

__all__ = ["TextReport"]


def _clean(text: str) -> str:
    """Repository text, safe for a terminal: no control characters (escape sequences), no surrogates."""
    return "".join(c if c.isprintable() else "?" for c in display(text))


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    line = "  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(header, widths, strict=True)))
    out = [line.rstrip(), "  ".join("-" * w for w in widths)]
    for r in rows:
        out.append(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))
            ).rstrip()
        )
    return out


def _rates(name: str, g: GroupRates) -> list[str]:
    return [
        name,
        str(g.commits),
        f"{g.lines:,}",
        str(g.introducing_commits),
        str(g.introductions),
        number(g.per_commit, 3),
        number(g.per_kloc),
    ]


RATE_HEADER = ["", "commits", "changed lines", "bug-introducing", "introductions", "per commit", "per 1k lines"]


class TextReport(ReportFormat):
    name = "text"

    def render(self, report: Report) -> str:
        st = report.stats
        rr = st.rate_ratio
        out: list[str] = []
        window = (
            f"{date(report.since) if report.since else 'start'} to {date(report.until) if report.until else 'HEAD'}"
        )
        out.append(
            f"vouched report: {report.head[:12]}, commits from {window}; open bugs censored at {date(report.as_of)}"
        )
        out.append("")
        out += textwrap.wrap(headline(report), 100)
        out += textwrap.wrap(raw_line(st.overall["ai"], st.overall["human"]), 100)
        for w in rr.warnings:
            out += textwrap.wrap(f"warning: {w}", 100, subsequent_indent="  ")
        out.append("")
        out.append("Rate ratio (AI-assisted / human bug introductions per changed line)")
        out.append(
            f"  adjusted:   {ratio(rr.estimate)} (95% CI {ratio(rr.low)} to {ratio(rr.high)}), "
            f"{p_value(rr.p_value)}; covariates: {', '.join(rr.covariates) or 'none'}"
        )
        out.append(
            f"  unadjusted: {ratio(rr.unadjusted)} (95% CI {ratio(rr.unadjusted_low)} to {ratio(rr.unadjusted_high)})"
        )
        out.append(
            f"  {rr.n_commits} commits in the model, {rr.events_ai} AI-assisted and {rr.events_human} human "
            f"introductions; Pearson dispersion {number(rr.dispersion)}"
        )
        out.append("")
        out.append("Overall")
        out += [
            "  " + x
            for x in _table(
                RATE_HEADER, [_rates("AI-assisted", st.overall["ai"]), _rates("human", st.overall["human"])]
            )
        ]
        out.append("")
        out.append(
            "Per release (bug introductions by the commits each release first shipped; tracker bugs by provenance)"
        )
        header = [
            "release",
            "AI commits",
            "AI intro",
            "AI /1k",
            "human commits",
            "human intro",
            "human /1k",
            "bugs ai",
            "bugs human",
            "bugs mixed",
            "bugs unknown",
            "customer",
        ]
        rows: list[list[str]] = []
        for name in [*st.release_order, *(k for k in st.bugs_by_release if k not in st.release_order)]:
            g = st.by_release.get(name)
            bugs = st.bugs_by_release.get(name, {})
            customer = sum(st.customer_bugs_by_release.get(name, {}).values())
            ai, human = (g["ai"], g["human"]) if g else (GroupRates(), GroupRates())
            rows.append(
                [
                    _clean(name),
                    str(ai.commits),
                    str(ai.introductions),
                    number(ai.per_kloc),
                    str(human.commits),
                    str(human.introductions),
                    number(human.per_kloc),
                    *(str(bugs.get(p, 0)) for p in PROVENANCES),
                    str(customer),
                ]
            )
        out += ["  " + x for x in _table(header, rows)]
        out.append("")
        out.append("Time to resolution in days (Kaplan-Meier; open bugs censored)")
        km_rows = [
            [
                p,
                str(km.n),
                str(km.resolved),
                str(km.censored),
                "not reached" if km.median_days is None and km.n else number(km.median_days, 1),
                "not reached" if km.p90_days is None and km.n else number(km.p90_days, 1),
            ]
            for p, km in st.resolution.items()
        ]
        out += ["  " + x for x in _table(["provenance", "bugs", "resolved", "open", "median", "90th pct"], km_rows)]
        out.append("")
        out.append("Severity of tracker bugs by provenance")
        out += [
            "  " + x
            for x in _table(
                ["provenance", *BUG_SEVERITIES],
                [[p, *(str(st.severity[p][s]) for s in BUG_SEVERITIES)] for p in PROVENANCES],
            )
        ]
        if st.by_tier:
            out.append("")
            out.append("Per tier (riskiest tier of the files a commit touches, policy at HEAD)")
            trows: list[list[str]] = []
            for tier, g in st.by_tier.items():
                trows.append(_rates(f"{_clean(tier)} ai", g["ai"]))
                trows.append(_rates(f"{_clean(tier)} human", g["human"]))
            out += ["  " + x for x in _table(["tier", *RATE_HEADER[1:]], trows)]
        if st.by_tool:
            out.append("")
            out.append("Per tool")
            out += [
                "  " + x
                for x in _table(["tool", *RATE_HEADER[1:]], [_rates(_clean(t), g) for t, g in st.by_tool.items()])
            ]
        out.append("")
        fixes = ", ".join(f"{n} by {how}" for how, n in sorted(report.fixes.items())) or "none"
        out.append(
            f"Fixes analysed: {sum(report.fixes.values())} ({fixes}); bug-introducing commits: "
            f"{report.bug_introducing_commits} of {report.commits_measured}; tracker bugs: {report.bugs_measured}"
        )
        skips = skip_lines(report)
        if skips:
            out.append("")
            out.append("Left out (counted)")
            for line in skips:
                out += textwrap.wrap(_clean(line), 100, initial_indent="  - ", subsequent_indent="    ")
        out.append("")
        out.append("Method")
        out += textwrap.wrap(METHOD, 100, initial_indent="  ", subsequent_indent="  ")
        out.append("Limits")
        for limit in LIMITS:
            out += textwrap.wrap(limit, 100, initial_indent="  - ", subsequent_indent="    ")
        return "\n".join(out) + "\n"
