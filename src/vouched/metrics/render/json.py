"""The report as JSON, schema ``vouched.report/1``: for scripts and dashboards.

Top-level keys (all always present; rates are ``null`` where undefined, e.g. per commit with no commits)::

    schema            "vouched.report/1"
    head              the commit the history was read up to
    window            {"since": ISO date or null, "until": ..., "as_of": ISO date open bugs are censored at}
    summary           the plain-language sentence, and "raw": the raw-counts sentence
    overall           {"ai": RATES, "human": RATES}
    rate_ratio        {"estimate", "ci95": [low, high], "p_value", "unadjusted", "unadjusted_ci95",
                       "covariates", "commits_in_model", "commits_excluded", "events_ai", "events_human",
                       "pearson_dispersion", "method", "warnings": [...]}
    releases          [{"name", "version", "date", "commit", "ai": RATES, "human": RATES,
                        "bugs": {ai, human, mixed, unknown}, "customer_bugs": {...}}]  in release order,
                       then "unreleased" and "(not attributed)" (bugs whose introducing commit was not found)
    tiers             {tier: {"ai": RATES, "human": RATES}}
    tools             {tool: RATES}   ("human" for human commits)
    time_to_resolution {"all"|"ai"|"human"|"mixed"|"unknown": {"bugs", "resolved", "open_censored",
                        "median_days", "p90_days", "curve": [[days, share still open], ...]}}
    severity          {provenance: {"critical", "high", "medium", "low", "unknown": count}}
    fixes             {"convention"|"trailer"|"reference"|"tracker": count}
    counts            {"commits_measured", "bug_introducing_commits", "bugs_measured"}
    skipped           {"merge_commits", "commits_without_changed_lines", "tags": [{"tag", "reason"}],
                       "issue_rows": [{"where", "reason"}], "unknown_columns", "issues_not_bugs",
                       "bugs_outside_window", "unknown_issue_references", "szz_fixes": {reason: n},
                       "szz_candidates_dropped": {reason: n}}
    method            {"text", "limits": [...]}

RATES is {"commits", "changed_lines", "bug_introducing_commits", "bug_introductions", "per_commit",
"per_1000_lines"}. :data:`JSON_SCHEMA` is the JSON Schema of this document.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from vouched.git import display
from vouched.metrics.analysis import SCHEMA
from vouched.metrics.render._common import LIMITS, METHOD, headline, raw_line
from vouched.metrics.render.interface import ReportFormat
from vouched.metrics.stats import counts_json

if TYPE_CHECKING:
    from vouched.metrics.analysis import Report

__all__ = ["JSON_SCHEMA", "JsonReport", "report_json"]


def _iso(ts: int | None) -> str | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def report_json(report: Report) -> dict[str, Any]:
    st = report.stats
    info = {r.name: r for r in report.releases.releases}
    releases: list[dict[str, Any]] = []
    for name in [*st.release_order, *(k for k in st.bugs_by_release if k not in st.release_order)]:
        rel = info.get(name)
        groups = st.by_release.get(name)
        releases.append(
            {
                "name": display(name),
                "version": display(rel.version) if rel else None,
                "date": _iso(rel.at) if rel else None,
                "commit": rel.sha if rel else None,
                "ai": groups["ai"].to_json() if groups else None,
                "human": groups["human"].to_json() if groups else None,
                "bugs": st.bugs_by_release.get(name, {}),
                "customer_bugs": st.customer_bugs_by_release.get(name, {}),
            }
        )
    return {
        "schema": SCHEMA,
        "head": report.head,
        "window": {"since": _iso(report.since), "until": _iso(report.until), "as_of": _iso(report.as_of)},
        "summary": {"text": headline(report), "raw": raw_line(st.overall["ai"], st.overall["human"])},
        "overall": counts_json(st.overall),
        "rate_ratio": st.rate_ratio.to_json(),
        "releases": releases,
        "tiers": {display(t): counts_json(g) for t, g in st.by_tier.items()},
        "tools": {display(t): g.to_json() for t, g in st.by_tool.items()},
        "time_to_resolution": {k: km.to_json() for k, km in st.resolution.items()},
        "severity": st.severity,
        "fixes": report.fixes,
        "counts": {
            "commits_measured": report.commits_measured,
            "bug_introducing_commits": report.bug_introducing_commits,
            "bugs_measured": report.bugs_measured,
        },
        "skipped": json.loads(
            json.dumps(report.skipped, default=str).encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        ),
        "method": {"text": METHOD, "limits": list(LIMITS)},
    }


class JsonReport(ReportFormat):
    name = "json"

    def render(self, report: Report) -> str:
        return json.dumps(report_json(report), indent=2, ensure_ascii=False) + "\n"


_NUM = {"type": ["number", "null"]}
_COUNT = {"type": "integer", "minimum": 0}
_RATES = {
    "type": "object",
    "required": ["commits", "changed_lines", "bug_introducing_commits", "bug_introductions", "per_commit",
                 "per_1000_lines"],
    "properties": {
        "commits": _COUNT, "changed_lines": _COUNT, "bug_introducing_commits": _COUNT,
        "bug_introductions": _COUNT, "per_commit": _NUM, "per_1000_lines": _NUM,
    },
    "additionalProperties": False,
}  # fmt: skip
_SPLIT = {"type": "object", "required": ["ai", "human"], "properties": {"ai": _RATES, "human": _RATES}}
_PROV = {
    "type": "object",
    "required": ["ai", "human", "mixed", "unknown"],
    "additionalProperties": _COUNT,
}
_KM = {
    "type": "object",
    "required": ["bugs", "resolved", "open_censored", "median_days", "p90_days", "curve"],
    "properties": {
        "bugs": _COUNT, "resolved": _COUNT, "open_censored": _COUNT, "median_days": _NUM, "p90_days": _NUM,
        "curve": {"type": "array", "items": {"type": "array", "items": {"type": "number"}, "minItems": 2,
                                             "maxItems": 2}},
    },
}  # fmt: skip
JSON_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": SCHEMA,
    "type": "object",
    "required": ["schema", "head", "window", "summary", "overall", "rate_ratio", "releases", "tiers", "tools",
                 "time_to_resolution", "severity", "fixes", "counts", "skipped", "method"],
    "additionalProperties": False,
    "properties": {
        "schema": {"const": SCHEMA},
        "head": {"type": "string"},
        "window": {"type": "object", "required": ["since", "until", "as_of"]},
        "summary": {"type": "object", "required": ["text", "raw"],
                    "properties": {"text": {"type": "string"}, "raw": {"type": "string"}}},
        "overall": _SPLIT,
        "rate_ratio": {
            "type": "object",
            "required": ["estimate", "ci95", "p_value", "unadjusted", "unadjusted_ci95", "covariates",
                         "commits_in_model", "commits_excluded", "events_ai", "events_human",
                         "pearson_dispersion", "method", "warnings"],
            "properties": {"estimate": _NUM, "ci95": {"type": "array", "items": _NUM, "minItems": 2, "maxItems": 2},
                           "warnings": {"type": "array", "items": {"type": "string"}}},
        },
        "releases": {"type": "array", "items": {
            "type": "object", "required": ["name", "version", "date", "commit", "ai", "human", "bugs",
                                           "customer_bugs"],
            "properties": {"name": {"type": "string"}, "ai": {"oneOf": [_RATES, {"type": "null"}]},
                           "human": {"oneOf": [_RATES, {"type": "null"}]}, "bugs": _PROV, "customer_bugs": _PROV},
        }},
        "tiers": {"type": "object", "additionalProperties": _SPLIT},
        "tools": {"type": "object", "additionalProperties": _RATES},
        "time_to_resolution": {"type": "object", "required": ["all", "ai", "human", "mixed", "unknown"],
                               "additionalProperties": _KM},
        "severity": {"type": "object", "additionalProperties": {
            "type": "object", "required": ["critical", "high", "medium", "low", "unknown"],
            "additionalProperties": _COUNT}},
        "fixes": {"type": "object", "additionalProperties": _COUNT},
        "counts": {"type": "object", "required": ["commits_measured", "bug_introducing_commits", "bugs_measured"]},
        "skipped": {"type": "object"},
        "method": {"type": "object", "required": ["text", "limits"]},
    },
}  # fmt: skip
