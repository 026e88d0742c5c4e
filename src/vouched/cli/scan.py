"""`vouched scan`: the security scan of a change on its own, without the rest of the gate."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from vouched.cli._app import EXIT_FINDINGS, EXIT_OK, _git, _repo_option, _use_color, cli
from vouched.cli._options import base_option, color_option, format_option, head_option
from vouched.errors import UsageError


@cli.command()
@_repo_option
@base_option(
    "The revision the change will merge into; its policy says which scanners each tier requires. "
    "Default: the repository's default branch."
)
@head_option
@format_option("Report format (the same as `vouched check`'s, with the scan's findings only).")
@color_option
def scan(repo: Path, base: str | None, head: str, fmt: str, color: bool | None) -> int:
    """Scan the lines the change BASE...HEAD adds: the tiers' security scanners and secrets.

    Exit 0 when nothing blocks, 1 when a finding blocks (a vulnerability at or above the tier's
    block_severity, a credential, a required scanner missing or failing, a file it cannot read).
    """
    from vouched.gate.engine import evaluate, judge
    from vouched.report import formatter
    from vouched.scan.check import scan_check

    git = _git(repo)
    if base is None:
        base = git.default_branch()
        if base is None:
            raise UsageError("cannot tell which branch this change merges into", hint="pass --base REV")
    verdict = judge(evaluate(git, base, head, ledger=False), (scan_check(git),))
    colored = fmt == "text" and _use_color(color, sys.stdout)
    text = formatter(fmt, color=colored).render(verdict)
    click.echo(text, nl=not text.endswith("\n"), color=colored)
    return EXIT_OK if verdict.passed else EXIT_FINDINGS
