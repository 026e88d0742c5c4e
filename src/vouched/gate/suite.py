"""Every check ``vouched check`` runs: the spine's, the security scan's and the dependency gate's.

The spine's checks need only the evaluated change; the scan and the dependency gate also read files and
databases, so they are built here with what they need (git, the coverage reports, the advisory database and
registries). One place assembles them, so the CLI and any other caller run the same gate.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vouched.deps.gate import DepsOptions
    from vouched.gate.checks import Check
    from vouched.git import Git
    from vouched.scan.coverage import CoverageReport

__all__ = ["full_gate"]


def full_gate(
    git: Git, *, coverage: Sequence[CoverageReport] = (), deps: DepsOptions | None = None
) -> tuple[Check, ...]:
    """The spine's checks, then the scan's (scanners, secrets, patterns, prompts, coverage), then the deps gate."""
    from vouched.deps.gate import deps_check
    from vouched.gate.checks import CHECKS
    from vouched.scan.gate import scan_checks

    return (*CHECKS, *scan_checks(git, coverage), deps_check(git, deps))
