"""Formats of the metrics report: one interface, one module a format.

``text`` for a terminal, ``json`` (schema ``vouched.report/1``, see :mod:`.json`) for scripts, ``csv`` (one
tidy table: section, group, provenance, metric, value) for spreadsheets, ``html`` (one self-contained file
with inline CSS and SVG charts, no scripts, no external assets) for people.
"""

from __future__ import annotations

from vouched.metrics.render.interface import ReportFormat

__all__ = ["FORMATS", "ReportFormat", "renderer"]

FORMATS = ("text", "json", "csv", "html")


def renderer(name: str) -> ReportFormat:
    if name == "text":
        from vouched.metrics.render.text import TextReport

        return TextReport()
    if name == "json":
        from vouched.metrics.render.json import JsonReport

        return JsonReport()
    if name == "csv":
        from vouched.metrics.render.csv import CsvReport

        return CsvReport()
    if name == "html":
        from vouched.metrics.render.html import HtmlReport

        return HtmlReport()
    raise ValueError(f"unknown report format {name!r}")
