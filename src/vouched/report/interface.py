"""The one interface every report format implements.

A format turns a finished :class:`~vouched.gate.findings.Verdict` into text. It does no I/O and never
decides the verdict or the exit code: the CLI picks a format, writes what it returns and exits.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from vouched.gate.findings import Verdict

__all__ = ["Formatter"]


class Formatter(ABC):
    """Renders a verdict in one output format."""

    #: The name users pass to ``--format``; one of :data:`vouched.report.FORMATS`.
    name: ClassVar[str]

    @abstractmethod
    def render(self, verdict: Verdict) -> str:
        """The whole report, ending in a newline."""
