"""The report as one tidy CSV table: ``section,group,provenance,metric,value``, one figure a row.

Cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage
return) are prefixed with ``'``: release, tier and tool names come from the repository.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from vouched.git import display
from vouched.metrics.render._common import headline
from vouched.metrics.render.interface import ReportFormat
from vouched.metrics.stats import PROVENANCES, GroupRates

if TYPE_CHECKING:
    from vouched.metrics.analysis import Report

__all__ = ["HEADER", "CsvReport"]

HEADER = ("section", "group", "provenance", "metric", "value")


def _cell(value: object) -> str:
    text = "" if value is None else display(str(value))
    if text and text[0] in "=+-@\t\r" and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


class CsvReport(ReportFormat):
    name = "csv"

    def render(self, report: Report) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(HEADER)

        def row(section: str, group: str, prov: str, metric: str, value: object) -> None:
            w.writerow([_cell(section), _cell(group), _cell(prov), _cell(metric), _cell(value)])

        def rates(section: str, group: str, prov: str, g: GroupRates) -> None:
            for metric, value in g.to_json().items():
                row(section, group, prov, metric, value)

        st = report.stats
        row("summary", "", "", "text", headline(report))
        for prov in ("ai", "human"):
            rates("overall", "all", prov, st.overall[prov])
        for key, value in st.rate_ratio.to_json().items():
            if key == "ci95":
                row("rate_ratio", "adjusted", "", "ci95_low", value[0])
                row("rate_ratio", "adjusted", "", "ci95_high", value[1])
            elif key == "unadjusted_ci95":
                row("rate_ratio", "unadjusted", "", "ci95_low", value[0])
                row("rate_ratio", "unadjusted", "", "ci95_high", value[1])
            elif isinstance(value, list):
                row("rate_ratio", "", "", key, "; ".join(str(v) for v in value))
            else:
                row("rate_ratio", "adjusted" if key == "estimate" else "", "", key, value)
        for name, groups in st.by_release.items():
            for prov in ("ai", "human"):
                rates("release", name, prov, groups[prov])
        for name, bugs in st.bugs_by_release.items():
            for prov in PROVENANCES:
                row("release_bugs", name, prov, "bugs", bugs.get(prov, 0))
                row("release_bugs", name, prov, "customer_bugs", st.customer_bugs_by_release[name].get(prov, 0))
        for tier, groups in st.by_tier.items():
            for prov in ("ai", "human"):
                rates("tier", tier, prov, groups[prov])
        for tool, g in st.by_tool.items():
            rates("tool", tool, "human" if tool == "human" else "ai", g)
        for prov, km in st.resolution.items():
            for metric, value in km.to_json().items():
                if metric != "curve":
                    row("time_to_resolution", "", prov, metric, value)
        for prov, counts in st.severity.items():
            for sev, n in counts.items():
                row("severity", sev, prov, "bugs", n)
        for how, n in report.fixes.items():
            row("fixes", how, "", "count", n)
        for key, value in report.skipped.items():
            count = (
                len(value)
                if isinstance(value, list | dict) and key not in ("szz_fixes", "szz_candidates_dropped")
                else value
            )
            if isinstance(count, dict):
                for reason, n in count.items():
                    row("skipped", key, "", reason, n)
            else:
                row("skipped", key, "", "count", count)
        return buf.getvalue()
