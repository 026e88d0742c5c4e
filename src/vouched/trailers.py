"""Identities in commit trailers (``Co-authored-by: Name <email>``).

The trailers themselves are parsed by git (``%(trailers)`` in :meth:`vouched.git.Git.iter_commits`),
exactly as ``git interpret-trailers`` reads them.
"""

from __future__ import annotations

import re

from vouched.model import Identity

__all__ = ["parse_identity"]

_IDENTITY = re.compile(r"\s*(.*?)\s*<([^<>]*)>\s*")


def parse_identity(value: str) -> Identity | None:
    """``Name <email>`` from a trailer such as Co-authored-by; None when it has no address."""
    m = _IDENTITY.fullmatch(value)
    if not m:
        return None
    return Identity(m.group(1).strip().strip('"'), m.group(2).strip())
