"""The results table the benchmarks share: a row of samples against a baseline, its medians, and the printout.

Each measurement ran in alternating rounds with its baseline, so a row keeps both sample lists and compares
them round by round. bench_spine reports ``ratio`` (vouched / baseline: lower is better), bench_metrics
``speedup`` (baseline / vouched: higher is better); ``comparison`` picks which one a table and its JSON show.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Comparison", "Row", "fmt", "print_table"]

Comparison = Literal["ratio", "speedup"]
# comparison -> (the measured column's header, the comparison column's header, its format)
_COLUMNS: dict[str, tuple[str, str, str]] = {
    "ratio": ("median", "ratio", "{:.2f}x"),
    "speedup": ("vouched", "speed-up", "{:.1f}x"),
}


@dataclass
class Row:
    name: str
    measured: list[float] = field(default_factory=list)
    baseline: list[float] = field(default_factory=list)
    baseline_name: str = ""
    unit: str = "s"  # "s" or "MB"
    goal: str = ""
    met: bool | None = None
    note: str = ""

    @property
    def value(self) -> float | None:
        return statistics.median(self.measured) if self.measured else None

    @property
    def base(self) -> float | None:
        return statistics.median(self.baseline) if self.baseline else None

    @property
    def ratio(self) -> float | None:
        """The median of the per-round ratios vouched / baseline: each pair ran back to back, under the same load."""
        if not self.measured or not self.baseline:
            return None
        return statistics.median(m / b for m, b in zip(self.measured, self.baseline, strict=True))

    @property
    def speedup(self) -> float | None:
        """Median of the per-round ratios baseline / vouched (each pair ran back to back)."""
        if not self.measured or not self.baseline:
            return None
        return statistics.median(b / m for m, b in zip(self.measured, self.baseline, strict=True))

    def to_json(self, comparison: Comparison = "ratio") -> dict[str, Any]:
        return {
            "name": self.name,
            "unit": self.unit,
            "median": self.value,
            "baseline": self.baseline_name,
            "baseline_median": self.base,
            comparison: getattr(self, comparison),
            "goal": self.goal,
            "met": self.met,
            "note": self.note,
            "samples": self.measured,
            "baseline_samples": self.baseline,
        }


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "MB":
        return f"{value:.0f} MB"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def print_table(rows: Sequence[Row], comparison: Comparison = "ratio") -> None:
    measured_header, comparison_header, comparison_format = _COLUMNS[comparison]
    header = ("measurement", measured_header, "baseline", comparison_header, "goal", "met?")
    cells = []
    for r in rows:
        compared = getattr(r, comparison)
        cells.append(
            (
                r.name,
                fmt(r.value, r.unit),
                fmt(r.base, r.unit),
                "-" if compared is None else comparison_format.format(compared),
                r.goal or "-",
                {True: "yes", False: "NO", None: "-"}[r.met],
            )
        )
    widths = [max(len(c[i]) for c in [header, *cells]) for i in range(len(header))]
    line = "  ".join(f"{{:{'<' if i in (0, 4) else '>'}{w}}}" for i, w in enumerate(widths))
    print(line.format(*header))
    print("  ".join("-" * w for w in widths))
    for c in cells:
        print(line.format(*c))
    print()
    for r in rows:
        if r.baseline_name:
            print(f"  {r.name}: baseline = {r.baseline_name}")
        if r.note:
            print(f"  {r.name}: {r.note}")
