"""The one interface every metrics report format implements: a finished report in, text out, no I/O."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from vouched.metrics.analysis import Report

__all__ = ["ReportFormat"]


class ReportFormat(ABC):
    name: ClassVar[str]

    @abstractmethod
    def render(self, report: Report) -> str:
        """The whole report, ending in a newline."""
