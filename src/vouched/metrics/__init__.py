"""Metrics over a repository's history: does AI-assisted code break more often here?

* :mod:`vouched.metrics.history`: every commit with its line counts and provenance, cached in SQLite.
* :mod:`vouched.metrics.szz`: the commits that introduced the lines a fix changed (SZZ).
"""

from __future__ import annotations

from vouched.metrics.history import CommitStat, FileStat, HistoryStore, IngestResult
from vouched.metrics.szz import Fix, Introducer, SzzResult, find_introducers

__all__ = [
    "CommitStat",
    "FileStat",
    "Fix",
    "HistoryStore",
    "IngestResult",
    "Introducer",
    "SzzResult",
    "find_introducers",
]
