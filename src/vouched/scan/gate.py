"""The checks the scan package adds to ``vouched check``, built together so they share one line-origin cache.

Which commit of the change wrote each added line (and so whether an AI assistant did) is asked by the
scanners' check, the pattern library, the review prompts and the coverage check alike; one
:class:`~vouched.scan.patterns_origin.Origins` per change answers them all, blaming each file at most once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from vouched.scan.check import scan_check
from vouched.scan.coverage import CoverageReport, coverage_check
from vouched.scan.patterns_check import pattern_check
from vouched.scan.patterns_origin import Origins
from vouched.scan.prompts import prompt_check

if TYPE_CHECKING:
    from vouched.gate.checks import Check
    from vouched.git import Git

__all__ = ["scan_checks"]


def scan_checks(git: Git, coverage: Sequence[CoverageReport] = ()) -> tuple[Check, ...]:
    """Scanners and secrets, the pattern library, review prompts and test evidence, for changes read from ``git``."""
    origins: dict[str, Origins] = {}
    return (
        scan_check(git, origins=origins),
        pattern_check(git, origins),
        prompt_check(git, origins),
        coverage_check(git, list(coverage), origins),
    )
