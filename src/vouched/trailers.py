"""Commit-message trailers, parsed the way `git interpret-trailers` reads them.

The trailer block is the last paragraph of the message (never the subject). It counts when every line
in it is a trailer (`Key: value`) or a continuation (a line starting with whitespace), or, as git
allows, when at least a quarter of its lines are trailers and one of them has a key we know.
"""

from __future__ import annotations

import re

from vouched.model import Identity, Trailer

__all__ = ["KNOWN_KEYS", "parse_identity", "parse_trailers", "split_trailer_block"]

_TRAILER = re.compile(r"([A-Za-z0-9][A-Za-z0-9-]*)[ \t]*:[ \t]*(.*)")

# Keys that make a mixed last paragraph count as a trailer block (git does the same for Signed-off-by).
KNOWN_KEYS = frozenset(
    {
        "signed-off-by",
        "co-authored-by",
        "assisted-by",
        "ai-rationale",
        "claude-session",
        "replit-commit-author",
        "reviewed-by",
        "acked-by",
        "tested-by",
        "refs",
        "fixes",
        "closes",
        "change-id",
    }
)


def split_trailer_block(message: str) -> tuple[str, list[str]]:
    """Return (the message before the trailer block, the block's lines); no block gives (message, [])."""
    text = message.replace("\r\n", "\n").rstrip("\n")
    cut = text.rfind("\n\n")
    if cut < 0:
        return message, []
    # Skip runs of blank lines so "a\n\n\nKey: v" still finds its block.
    body, block = text[:cut], text[cut + 2 :].lstrip("\n")
    if not block.strip() or not body.strip():
        return message, []
    lines = block.split("\n")
    trailers = 0
    known = False
    for line in lines:
        if line[:1] in (" ", "\t"):
            continue
        m = _TRAILER.fullmatch(line)
        if m:
            trailers += 1
            known = known or m.group(1).lower() in KNOWN_KEYS
    others = sum(1 for line in lines if line[:1] not in (" ", "\t") and not _TRAILER.fullmatch(line))
    if trailers == 0:
        return message, []
    if others and not (known and trailers * 4 >= len(lines)):
        return message, []
    if lines[0][:1] in (" ", "\t"):
        return message, []  # a block cannot open with a continuation
    return body, lines


def parse_trailers(message: str) -> tuple[Trailer, ...]:
    """The trailers of a commit message, in order, with continuation lines folded into their value."""
    _, lines = split_trailer_block(message)
    if not lines:
        return ()
    out: list[Trailer] = []
    key: str | None = None
    value: list[str] = []
    for line in lines:
        if line[:1] in (" ", "\t"):
            if key is not None:
                value.append(line.strip())
            continue
        m = _TRAILER.fullmatch(line)
        if key is not None:
            out.append(Trailer(key, " ".join(v for v in value if v)))
            key = None
        if m:
            key, value = m.group(1), [m.group(2).strip()]
    if key is not None:
        out.append(Trailer(key, " ".join(v for v in value if v)))
    return tuple(out)


_IDENTITY = re.compile(r"\s*(.*?)\s*<([^<>]*)>\s*")


def parse_identity(value: str) -> Identity | None:
    """``Name <email>`` from a trailer such as Co-authored-by; None when it has no address."""
    m = _IDENTITY.fullmatch(value)
    if not m:
        return None
    return Identity(m.group(1).strip().strip('"'), m.group(2).strip())
