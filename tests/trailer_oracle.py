"""A reference model of git's trailer parsing, for tests.

vouched itself lets git parse trailers (``%(trailers)`` in ``Git.iter_commits``). This model states the
same rule in Python: the trailer block is the last paragraph of the message (never the subject); it counts
when every line in it is a trailer (``Key: value``) or a continuation (a line starting with whitespace),
or when at least a quarter of its lines are trailers and one of them has a key we know. Tests use it to
build commit values from generated messages, and check it against git itself on awkward messages.
"""

from __future__ import annotations

import re

from vouched.model import Trailer

__all__ = ["KNOWN_KEYS", "parse_trailers", "split_trailer_block"]

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


def _block(message: str) -> tuple[str, list[tuple[str, re.Match[str] | None]]]:
    """The message before its trailer block, and the block's lines each with its trailer match.

    Continuation lines (leading whitespace) carry None. No block gives (message, []).
    """
    text = message.replace("\r\n", "\n").rstrip("\n") if "\r" in message else message.rstrip("\n")
    cut = text.rfind("\n\n")
    if cut < 0:
        return message, []
    body, block = text[:cut], text[cut + 2 :].lstrip("\n")
    if ":" not in block or not body.strip():
        return message, []  # the fast path: most last paragraphs are prose without a colon
    lines = block.split("\n")
    if lines[0][:1] in (" ", "\t"):
        return message, []  # a block cannot open with a continuation
    scanned: list[tuple[str, re.Match[str] | None]] = []
    trailers = others = 0
    known = False
    for line in lines:
        if line[:1] in (" ", "\t"):
            scanned.append((line, None))
            continue
        m = _TRAILER.fullmatch(line)
        scanned.append((line, m))
        if m is None:
            others += 1
        else:
            trailers += 1
            known = known or m.group(1).lower() in KNOWN_KEYS
    if trailers == 0 or (others and not (known and trailers * 4 >= len(lines))):
        return message, []
    return body, scanned


def split_trailer_block(message: str) -> tuple[str, list[str]]:
    """Return (the message before the trailer block, the block's lines); no block gives (message, [])."""
    body, scanned = _block(message)
    return body, [line for line, _ in scanned]


def parse_trailers(message: str) -> tuple[Trailer, ...]:
    """The trailers of a commit message, in order, with continuation lines folded into their value."""
    _, scanned = _block(message)
    if not scanned:
        return ()
    out: list[Trailer] = []
    key: str | None = None
    value: list[str] = []
    for line, m in scanned:
        if m is None and line[:1] in (" ", "\t"):
            if key is not None:
                value.append(line.strip())
            continue
        if key is not None:
            out.append(Trailer(key, " ".join(v for v in value if v)))
            key = None
        if m is not None:
            key, value = m.group(1), [m.group(2).strip()]
    if key is not None:
        out.append(Trailer(key, " ".join(v for v in value if v)))
    return tuple(out)
