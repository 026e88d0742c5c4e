"""The seam between the gate and the security scanners: one Protocol, frozen values, no I/O.

A scanner takes the files a change touches, as bytes read from git at the head revision (never from the
working tree, which may hold anything), and returns what it found plus what it could not scan. Each
backend (:mod:`vouched.scan.ruff`, :mod:`vouched.scan.bandit`, :mod:`vouched.scan.semgrep`) is one module
implementing :class:`Scanner`; :mod:`vouched.scan.secrets` is the credentials detector every tier runs.

Why ``problems`` are values and not exceptions: a scanner that fails on one file must still report the
others, and the gate must turn every failure into a finding (fail closed), never a silent pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Protocol, runtime_checkable

__all__ = [
    "Availability",
    "Level",
    "Problem",
    "ScanFinding",
    "ScanResult",
    "Scanner",
    "SourceFile",
]


class Level(IntEnum):
    """Severity and confidence share one ordered scale: ``low < medium < high < critical``."""

    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Level:
        """``"medium"`` (any case) to :attr:`MEDIUM`; ValueError for anything else."""
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"not a severity: {text!r} (low, medium, high, critical)") from None


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One file of the change at the head revision: its repository path and its exact bytes."""

    path: str
    data: bytes


@dataclass(frozen=True, slots=True)
class ScanFinding:
    """One issue a scanner reported, located in the head revision's version of the file.

    ``rule`` is the scanner's own id (``S602``, ``B602``, a Semgrep rule id); ``cwe`` the CWE numbers it
    maps to (``(78,)``), empty when the scanner names none. ``scanners`` lists every ``scanner:rule`` that
    reported the same issue once duplicates are merged (:func:`vouched.scan.run.deduplicate`).
    """

    scanner: str
    rule: str
    title: str
    severity: Level
    confidence: Level
    path: str
    line: int
    end_line: int
    cwe: tuple[int, ...] = ()
    message: str = ""
    scanners: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.line < 1 or self.end_line < self.line:
            raise ValueError(f"{self.scanner} {self.rule}: bad line range {self.line}-{self.end_line}")
        if not self.scanners:
            object.__setattr__(self, "scanners", (f"{self.scanner}:{self.rule}",))


@dataclass(frozen=True, slots=True)
class Problem:
    """A file (or, with ``path`` None, a whole scanner run) that was not scanned, and why."""

    scanner: str
    path: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class ScanResult:
    findings: tuple[ScanFinding, ...] = ()
    problems: tuple[Problem, ...] = ()
    scanned: tuple[str, ...] = field(default=())  # paths the scanner fully read


@dataclass(frozen=True, slots=True)
class Availability:
    """Whether a scanner can run here; ``reason`` says why not (shown to the user as the finding)."""

    ok: bool
    reason: str = ""


@runtime_checkable
class Scanner(Protocol):
    """A security scanner backend. Implementations never raise for bad input: they return problems."""

    @property
    def name(self) -> str:
        """The stable id used in the policy (``scanners = ["ruff"]``) and in findings."""
        ...

    def available(self) -> Availability:
        """Whether the scanner is installed and usable, without scanning anything."""
        ...

    def handles(self, path: str) -> bool:
        """Whether this scanner reads files like ``path`` at all (Ruff and Bandit: Python only)."""
        ...

    def scan(self, files: list[SourceFile]) -> ScanResult:
        """Scan ``files`` (already screened for size, binary content and encoding)."""
        ...
