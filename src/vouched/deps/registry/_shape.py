"""Small, strict readers for registry JSON: a wrong shape is reported, never guessed around."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from vouched.deps.advisories.versions import npm_key, pep440_key

__all__ = ["BadShape", "opt_str", "parse_time", "sort_versions"]


class BadShape(ValueError):
    """The registry answered JSON, but not in the shape its API documents."""


def opt_str(value: object, where: str) -> str | None:
    """A string, None for JSON null or absence; anything else is a wrong shape."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadShape(f"{where} is a {type(value).__name__}, not a string")
    return value


def parse_time(value: object, where: str) -> dt.datetime | None:
    """An ISO 8601 timestamp as an aware UTC datetime; None for null; a wrong shape raises BadShape."""
    text = opt_str(value, where)
    if text is None or not text.strip():
        return None
    try:
        parsed = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadShape(f"{where} is not a timestamp: {text[:60]!r}") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def sort_versions(ecosystem: str, versions: Iterable[str]) -> list[str]:
    """Versions in the ecosystem's order, oldest first; strings that are no version keep their listed
    order, before every real version (so "the newest" is never an unparsable string)."""
    key: Callable[[str], Any] = pep440_key if ecosystem == "PyPI" else npm_key
    listed = list(versions)
    bad = [v for v in listed if key(v) is None]
    good = sorted((v for v in listed if key(v) is not None), key=key)
    return bad + good
