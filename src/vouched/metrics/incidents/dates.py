"""Dates as trackers write them, to Unix seconds (UTC).

Accepted: ISO 8601 (``2024-03-12``, ``2024-03-12T15:04:05Z``, with an offset or fraction), Jira's exports
(``12/Mar/24 3:04 PM``, ``12/Mar/2024 15:04``, ``2024/03/12 15:04``), ``12 Mar 2024``, and Unix epoch
seconds (or milliseconds, when the number is too large to be seconds). A time without a zone is read as
UTC. Anything else is a ValueError that says what was expected.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

__all__ = ["parse_date"]

_EPOCH = re.compile(r"^-?\d{1,13}(\.\d+)?$")
_FORMATS = (
    "%d/%b/%y %I:%M %p",
    "%d/%b/%Y %I:%M %p",
    "%d/%b/%y %H:%M",
    "%d/%b/%Y %H:%M",
    "%d/%b/%y",
    "%d/%b/%Y",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d",
    "%d %b %Y",
    "%d %b %Y %H:%M",
    "%b %d, %Y",
    "%Y-%m-%d %H:%M:%S %z",
)
EXPECTED = "an ISO 8601 date (2024-03-12T15:04:05Z), Jira's 12/Mar/24 3:04 PM, or Unix seconds"


def parse_date(text: str) -> int:
    """Unix seconds for ``text``; ValueError when it is not a date vouched reads."""
    value = text.strip()
    if not value:
        raise ValueError("the date is empty")
    if len(value) > 64:
        raise ValueError(f"not a date: {value[:40]!r}...; expected {EXPECTED}")
    if _EPOCH.match(value):
        number = float(value)
        if abs(number) >= 1e11:  # milliseconds: seconds that large are after the year 5000
            number /= 1000
        if not 0 <= number < 32503680000:  # 1970 .. 3000
            raise ValueError(f"{value!r} is not a plausible Unix time")
        return int(number)
    parsed: datetime | None = None
    iso = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
    try:
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        for fmt in _FORMATS:
            try:
                parsed = datetime.strptime(value, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        raise ValueError(f"not a date: {value!r}; expected {EXPECTED}")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return int(parsed.timestamp())
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"{value!r} is out of range") from None
