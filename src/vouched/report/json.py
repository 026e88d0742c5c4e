"""The ``json`` format: exactly :meth:`Verdict.to_json`, the public contract ``vouched.verdict/1``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, ClassVar

from vouched.report._util import json_safe
from vouched.report.interface import Formatter

if TYPE_CHECKING:
    from vouched.gate.findings import Verdict

__all__ = ["JsonFormatter"]


def dumps(document: object) -> str:
    """Stable JSON: keys sorted, two-space indent, pure ASCII, a trailing newline.

    ASCII output is valid in any locale and on any stream; lone surrogates (non-UTF-8 bytes that a
    check copied into a message) become U+FFFD first, so the document is valid for strict parsers too.
    """
    return json.dumps(json_safe(document), indent=2, sort_keys=True, ensure_ascii=True) + "\n"


class JsonFormatter(Formatter):
    name: ClassVar[str] = "json"

    def render(self, verdict: Verdict) -> str:
        return dumps(verdict.to_json())
