"""Helpers the formats share: making untrusted text safe to show, and short labels."""

from __future__ import annotations

import re
from typing import Any

from vouched.git import display
from vouched.provenance.model import Attribution

__all__ = ["ai_label", "clean", "json_safe", "short"]

# Characters that can rewrite a terminal or disguise text: C0 and C1 controls (ANSI escape sequences
# start with ESC), line and paragraph separators, zero-width and bidirectional formatting characters
# ("Trojan Source"), the byte-order mark.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ud800-\udfff]"
)
_SURROGATE = re.compile("[\ud800-\udfff]")
_SPACES = str.maketrans({"\t": " ", "\n": " ", "\r": " "})


def _unsurrogate(text: str) -> str:
    """Surrogates (non-UTF-8 path bytes) become U+FFFD, the way :func:`vouched.git.display` does."""
    try:
        return display(text)
    except UnicodeEncodeError:  # a surrogate that no byte produced: not from git, replace it anyway
        return _SURROGATE.sub("\ufffd", text)


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def clean(text: str) -> str:
    """One line of untrusted text, safe to print: no surrogates, no controls, no invisible formatting.

    Tabs and line breaks become spaces; other dangerous characters are shown as visible escapes
    (``\\x1b``, ``\\u202e``) so a reader sees that they are there.
    """
    if _UNSAFE.search(text) is None:  # the common case: nothing to do
        return text
    text = _unsurrogate(text).translate(_SPACES)
    return _UNSAFE.sub(_visible, text)


def json_safe(value: Any) -> Any:
    """``value`` with every string made valid Unicode (lone surrogates become U+FFFD), else unchanged."""
    if isinstance(value, str):
        return _unsurrogate(value) if _SURROGATE.search(value) else value
    if isinstance(value, dict):
        return {json_safe(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def short(sha: str | None) -> str:
    """A commit id as people read it: the first 7 hex digits."""
    return sha[:7] if sha else "-"


def ai_label(ai: Attribution) -> str:
    """``human``, or the AI tools and models involved: ``claude-code (claude-opus-4-5)``."""
    if not ai.assisted:
        return "human"
    label = ", ".join(ai.tools) or "AI"
    if ai.models:
        label += f" ({', '.join(ai.models)})"
    return label
