"""The report as ONE self-contained HTML file: inline CSS, inline SVG charts, no scripts, no external assets.

It opens in any browser from disk or as a CI artifact. A Content-Security-Policy meta tag forbids scripts
and any load from elsewhere, as a second wall behind the first: every piece of text that comes from the
repository or the tracker (release, tier and tool names, bug titles, reasons) goes through
:func:`html.escape`, in element content and in attributes alike.

Charts: the rate ratio with its interval (a forest plot on a log scale), bug introductions and tracker bugs
per release by provenance (stacked bars), time to resolution (Kaplan-Meier step curves), and the
severity mix by provenance (100% bars).
"""

from __future__ import annotations

import math
from html import escape
from typing import TYPE_CHECKING

from vouched.git import display
from vouched.metrics.render._common import LIMITS, METHOD, date, headline, number, p_value, ratio, raw_line, skip_lines
from vouched.metrics.render.interface import ReportFormat
from vouched.metrics.stats import PROVENANCES, GroupRates, KaplanMeier
from vouched.policy.model import BUG_SEVERITIES

if TYPE_CHECKING:
    from vouched.metrics.analysis import Report
    from vouched.metrics.stats import RateRatio

__all__ = ["HtmlReport"]

COLORS = {"ai": "#d95f02", "human": "#1b9e77", "mixed": "#7570b3", "unknown": "#9e9e9e", "all": "#333333"}
SEV_COLORS = {"critical": "#b2182b", "high": "#ef8a62", "medium": "#fddbc7", "low": "#d1e5f0", "unknown": "#bdbdbd"}
LABELS = {"ai": "AI-assisted", "human": "human", "mixed": "mixed", "unknown": "not found", "all": "all bugs"}

CSS = """
body{font:15px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#222;max-width:1040px;margin:2em auto;
padding:0 1em}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #ddd}
.meta{color:#666;font-size:.9em}.summary{font-size:1.25em;background:#f6f8fa;border-left:5px solid #d95f02;
padding:.8em 1em;margin:1em 0}.raw{color:#444}.warn{background:#fff4e5;border-left:5px solid #f0a020;padding:.5em 1em;
margin:.5em 0}
table{border-collapse:collapse;margin:.5em 0;font-size:.9em}th,td{padding:.25em .6em;border-bottom:1px solid #eee;
text-align:right}th:first-child,td:first-child{text-align:left}th{background:#fafafa}
svg{display:block;margin:.5em 0;max-width:100%;height:auto}svg text{font:12px system-ui,sans-serif;fill:#333}
.legend span{display:inline-block;margin-right:1em}.legend i{display:inline-block;width:.9em;height:.9em;
margin-right:.3em;vertical-align:-.1em}
ul.limits li,ul.skips li{margin:.2em 0}
"""


def _e(text: object) -> str:
    return escape(display(str(text)), quote=True)


def _legend(keys: list[str], colors: dict[str, str], labels: dict[str, str] | None = None) -> str:
    items = "".join(f'<span><i style="background:{colors[k]}"></i>{_e((labels or {}).get(k, k))}</span>' for k in keys)
    return f'<div class="legend">{items}</div>'


def _nice_max(value: float) -> float:
    return _ticks(value)[-1]


def _ticks(value: float, most: int = 6) -> list[float]:
    """Round tick values from 0 to at least ``value``: steps of 1, 2 or 5 times a power of ten."""
    if value <= 0:
        return [0.0, 1.0]
    raw = value / (most - 1)
    exp = 10.0 ** math.floor(math.log10(raw))
    step = next(m * exp for m in (1.0, 2.0, 5.0, 10.0) if m * exp >= raw)
    count = math.ceil(value / step - 1e-9)
    return [round(step * k, 10) for k in range(count + 1)]


def _tick_label(value: float) -> str:
    return f"{value:g}"


def _stacked_bars(chart: str, title: str, categories: list[str], series: list[tuple[str, list[float]]]) -> str:
    """Vertical stacked bars, one a category; ``series`` are (provenance key, values per category)."""
    if not categories:
        return f'<p class="meta">{_e(title)}: nothing to show.</p>'
    left, top, bottom, band = 56, 24, 90, max(28, min(70, 700 // max(len(categories), 1)))
    width = left + band * len(categories) + 20
    height = 280
    plot_h = height - top - bottom
    totals = [sum(values[i] for _, values in series) for i in range(len(categories))]
    ticks = _ticks(max(totals) if totals else 0)
    ymax = ticks[-1]
    parts = [
        f'<svg data-chart="{chart}" role="img" aria-label="{_e(title)}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}"><title>{_e(title)}</title>'
    ]
    for value in ticks:
        y = top + plot_h - plot_h * value / ymax
        parts.append(f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{_tick_label(value)}</text>')
    for i, cat in enumerate(categories):
        x = left + i * band + band * 0.15
        w = band * 0.7
        base = float(top + plot_h)
        for key, values in series:
            v = values[i]
            if v <= 0:
                continue
            h = plot_h * v / ymax
            base -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{COLORS[key]}">'
                f"<title>{_e(cat)}: {_e(LABELS.get(key, key))} {_e(number(v, 0))}</title></rect>"
            )
        label = cat if len(cat) <= 14 else cat[:13] + "…"
        lx, ly = x + w / 2, top + plot_h + 14
        parts.append(
            f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="end" transform="rotate(-35 {lx:.1f} {ly:.1f})">'
            f"{_e(label)}</text>"
        )
    parts.append(f'<line x1="{left}" x2="{width - 10}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#999"/>')
    parts.append("</svg>")
    caption = f'<p class="meta"><strong>{_e(title)}</strong></p>'  # two charts share a heading: say which is which
    return caption + "".join(parts) + _legend([k for k, _ in series], COLORS, LABELS)


def _forest(rr: RateRatio) -> str:
    rows = [
        ("adjusted", rr.estimate, rr.low, rr.high),
        ("unadjusted", rr.unadjusted, rr.unadjusted_low, rr.unadjusted_high),
    ]
    shown = [(a, b, c, d) for a, b, c, d in rows if b is not None and c is not None and d is not None]
    if not shown:
        return '<p class="meta" data-chart="rate-ratio">No rate ratio could be estimated (see the warnings).</p>'
    values = [v for r in shown for v in r[1:] if v is not None and v > 0]
    lo = min([*values, 0.5]) / 1.3
    hi = max([*values, 2.0]) * 1.3
    left, right, width, height = 110, 30, 620, 76 + 34 * len(shown)
    span = math.log(hi) - math.log(lo)

    def x(v: float) -> float:
        return left + (width - left - right) * (math.log(max(v, 1e-9)) - math.log(lo)) / span

    parts = [
        f'<svg data-chart="rate-ratio" role="img" aria-label="rate ratio with 95% interval" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}"><title>Rate ratio, AI-assisted / human, '
        f"with 95% confidence interval (log scale)</title>"
    ]
    axis_y = height - 42
    for tick in (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50):
        if lo <= tick <= hi:
            tx = x(tick)
            style = 'stroke="#555" stroke-dasharray="4 3"' if tick == 1 else 'stroke="#eee"'
            parts.append(f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="12" y2="{axis_y}" {style}/>')
            parts.append(f'<text x="{tx:.1f}" y="{axis_y + 16}" text-anchor="middle">{tick:g}</text>')
    for i, (label, est, low, high) in enumerate(shown):
        y = 30 + 34 * i
        parts.append(f'<text x="8" y="{y + 4}">{label}</text>')
        parts.append(
            f'<line x1="{x(low):.1f}" x2="{x(high):.1f}" y1="{y}" y2="{y}" stroke="{COLORS["ai"]}" stroke-width="3"/>'
        )
        parts.append(
            f'<circle cx="{x(est):.1f}" cy="{y}" r="6" fill="{COLORS["ai"]}"><title>{label}: {ratio(est)} '
            f"(95% CI {ratio(low)} to {ratio(high)})</title></circle>"
        )
        parts.append(
            f'<text x="{min(x(high) + 8, width - 4):.1f}" y="{y - 8}" text-anchor="end">{ratio(est)} '
            f"[{ratio(low)}, {ratio(high)}]</text>"
        )
    parts.append(
        f'<text x="{(left + width - right) / 2:.1f}" y="{height - 2}" text-anchor="middle">'
        "rate ratio (1 = same rate as human; log scale)</text>"
    )
    parts.append("</svg>")
    return "".join(parts)


def _km(resolution: dict[str, KaplanMeier]) -> str:
    curves = {k: km for k, km in resolution.items() if km.n and k != "all"}
    if not curves:
        return '<p class="meta" data-chart="time-to-resolution">No tracker bugs: no time to resolution to show.</p>'
    xticks = _ticks(max((t for km in curves.values() for t, _ in km.steps), default=1.0) or 1.0)
    tmax = xticks[-1]
    left, top, width, height, bottom = 56, 16, 620, 260, 40
    pw, ph = width - left - 20, height - top - bottom

    def px(t: float) -> float:
        return left + pw * t / tmax

    def py(s: float) -> float:
        return top + ph * (1 - s)

    parts = [
        f'<svg data-chart="time-to-resolution" role="img" aria-label="share of bugs still open over time" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}"><title>Kaplan-Meier: share of bugs '
        "still open after t days</title>"
    ]
    for k in range(5):
        s = k / 4
        parts.append(f'<line x1="{left}" x2="{width - 20}" y1="{py(s):.1f}" y2="{py(s):.1f}" stroke="#eee"/>')
        parts.append(f'<text x="{left - 6}" y="{py(s) + 4:.1f}" text-anchor="end">{int(s * 100)}%</text>')
    for t in xticks:
        parts.append(f'<text x="{px(t):.1f}" y="{top + ph + 16}" text-anchor="middle">{_tick_label(t)}</text>')
    parts.append(f'<text x="{left + pw / 2:.1f}" y="{height - 4}" text-anchor="middle">days since reported</text>')
    for key, km in curves.items():
        points = [f"{px(0):.1f},{py(1):.1f}"]
        share = 1.0
        for t, s in km.steps:
            points.append(f"{px(t):.1f},{py(share):.1f}")
            points.append(f"{px(t):.1f},{py(s):.1f}")
            share = s
        points.append(f"{px(tmax):.1f},{py(share):.1f}")
        parts.append(
            f'<polyline data-curve="{key}" points="{" ".join(points)}" fill="none" stroke="{COLORS[key]}" '
            f'stroke-width="2.5"><title>{_e(LABELS[key])}: {km.n} bugs, median '
            f"{number(km.median_days, 1) if km.median_days is not None else 'not reached'} days</title></polyline>"
        )
    parts.append("</svg>")
    return "".join(parts) + _legend(list(curves), COLORS, LABELS)


def _severity(severity: dict[str, dict[str, int]]) -> str:
    rows = [(p, severity[p]) for p in PROVENANCES if sum(severity[p].values())]
    if not rows:
        return '<p class="meta" data-chart="severity">No tracker bugs: no severity mix to show.</p>'
    left, width, bar = 150, 660, 26
    height = 20 + (bar + 12) * len(rows)
    pw = width - left - 20
    parts = [
        f'<svg data-chart="severity" role="img" aria-label="severity mix by provenance" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}"><title>Severity mix of tracker bugs by provenance</title>'
    ]
    for i, (prov, counts) in enumerate(rows):
        y = 10 + i * (bar + 12)
        total = sum(counts.values())
        parts.append(f'<text x="8" y="{y + bar / 2 + 4:.1f}">{_e(LABELS[prov])} ({total})</text>')
        x = float(left)
        for sev in BUG_SEVERITIES:
            n = counts.get(sev, 0)
            if not n:
                continue
            w = pw * n / total
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar}" fill="{SEV_COLORS[sev]}">'
                f"<title>{_e(LABELS[prov])}: {sev} {n} of {total}</title></rect>"
            )
            if w > 24:
                parts.append(f'<text x="{x + w / 2:.1f}" y="{y + bar / 2 + 4:.1f}" text-anchor="middle">{n}</text>')
            x += w
    parts.append("</svg>")
    return "".join(parts) + _legend(list(BUG_SEVERITIES), SEV_COLORS)


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _rate_cells(g: GroupRates) -> list[str]:
    return [
        str(g.commits),
        f"{g.lines:,}",
        str(g.introducing_commits),
        str(g.introductions),
        number(g.per_commit, 3),
        number(g.per_kloc),
    ]


RATE_HEADER = [
    "commits",
    "changed lines",
    "bug-introducing commits",
    "bug introductions",
    "per commit",
    "per 1,000 lines",
]


class HtmlReport(ReportFormat):
    name = "html"

    def render(self, report: Report) -> str:
        st = report.stats
        rr = st.rate_ratio
        names = [*st.release_order, *(k for k in st.bugs_by_release if k not in st.release_order)]
        intro_series = [
            (p, [float(st.by_release[n][p].introductions) if n in st.by_release else 0.0 for n in names])
            for p in ("ai", "human")
        ]
        bug_series = [(p, [float(st.bugs_by_release.get(n, {}).get(p, 0)) for n in names]) for p in PROVENANCES]
        window = (
            f"{date(report.since) if report.since else 'the first commit'} to "
            f"{date(report.until) if report.until else 'HEAD'}"
        )
        parts = [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            "<title>vouched report: AI-assisted and human changes</title>",
            f"<style>{CSS}</style></head><body>",
            "<h1>Does AI-assisted code break more often here?</h1>",
            f'<p class="meta">Commit {_e(report.head[:12])}; commits from {_e(window)}; open bugs censored at '
            f"{_e(date(report.as_of))}.</p>",
            f'<p class="summary" id="summary">{_e(headline(report))}</p>',
            f'<p class="raw">{_e(raw_line(st.overall["ai"], st.overall["human"]))}</p>',
            *(f'<p class="warn">{_e(w)}</p>' for w in rr.warnings),
            "<h2>Rate ratio</h2>",
            _forest(rr),
            f'<p class="meta">{_e(rr.method)}. Covariates: {_e(", ".join(rr.covariates) or "none")}. '
            f"{rr.n_commits} commits in the model ({rr.excluded_commits} without changed lines left out); "
            f"{rr.events_ai} AI-assisted and {rr.events_human} human bug introductions; "
            f"{_e(p_value(rr.p_value))}; "
            f"Pearson dispersion {_e(number(rr.dispersion))}.</p>",
            "<h2>Overall</h2>",
            _table(
                ["", *RATE_HEADER],
                [["AI-assisted", *_rate_cells(st.overall["ai"])], ["human", *_rate_cells(st.overall["human"])]],
            ),
            "<h2>Per release</h2>",
            _stacked_bars(
                "release-introductions",
                "Bug introductions per release, by provenance of the commit",
                names,
                intro_series,
            ),
            _stacked_bars(
                "release-bugs",
                "Tracker bugs per release, by provenance of their introducing commits",
                names,
                bug_series,
            ),
            _table(
                [
                    "release",
                    "AI commits",
                    "AI introductions",
                    "AI per 1k lines",
                    "human commits",
                    "human introductions",
                    "human per 1k lines",
                    "bugs AI",
                    "bugs human",
                    "bugs mixed",
                    "bugs not found",
                    "customer-reported",
                ],
                [
                    [
                        n,
                        *(_cells_release(st.by_release.get(n))),
                        *(str(st.bugs_by_release.get(n, {}).get(p, 0)) for p in PROVENANCES),
                        str(sum(st.customer_bugs_by_release.get(n, {}).values())),
                    ]
                    for n in names
                ],
            ),
            "<h2>Time to resolution</h2>",
            _km(st.resolution),
            _table(
                ["provenance", "bugs", "resolved", "open (censored)", "median days", "90th percentile days"],
                [
                    [
                        LABELS[k],
                        str(km.n),
                        str(km.resolved),
                        str(km.censored),
                        _q(km.median_days, km.n),
                        _q(km.p90_days, km.n),
                    ]
                    for k, km in st.resolution.items()
                ],
            ),
            "<h2>Severity mix</h2>",
            _severity(st.severity),
        ]
        if st.by_tier:
            rows = [[f"{t} ({LABELS[p]})", *_rate_cells(g[p])] for t, g in st.by_tier.items() for p in ("ai", "human")]
            parts += ["<h2>Per tier</h2>", _table(["tier", *RATE_HEADER], rows)]
        if st.by_tool:
            parts += [
                "<h2>Per tool</h2>",
                _table(["tool", *RATE_HEADER], [[t, *_rate_cells(g)] for t, g in st.by_tool.items()]),
            ]
        skips = skip_lines(report)
        parts.append("<h2>Left out, counted</h2>")
        parts.append(
            '<ul class="skips">' + "".join(f"<li>{_e(s)}</li>" for s in skips) + "</ul>" if skips else "<p>Nothing.</p>"
        )
        parts += [
            "<h2>Method</h2>",
            f"<p>{_e(METHOD)}</p>",
            "<h2>Limits</h2>",
            '<ul class="limits">' + "".join(f"<li>{_e(x)}</li>" for x in LIMITS) + "</ul>",
            "</body></html>",
        ]
        return "\n".join(parts) + "\n"


def _cells_release(groups: dict[str, GroupRates] | None) -> list[str]:
    ai, human = (groups["ai"], groups["human"]) if groups else (GroupRates(), GroupRates())
    return [
        str(ai.commits),
        str(ai.introductions),
        number(ai.per_kloc),
        str(human.commits),
        str(human.introductions),
        number(human.per_kloc),
    ]


def _q(value: float | None, n: int) -> str:
    if not n:
        return "-"
    return "not reached" if value is None else number(value, 1)
