"""Options several commands share, declared once so that their names, defaults and help stay the same.

``--base`` takes each command's own help text (what it reads at the base differs); the rest are identical
wherever they appear.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

__all__ = ["base_option", "color_option", "format_option", "head_option"]


def base_option(help: str) -> Callable[[Any], Any]:
    """``--base REV``: the revision a change merges into; each command says what it takes from it."""
    return click.option("--base", metavar="REV", help=help)


head_option = click.option("--head", metavar="REV", default="HEAD", show_default=True, help="The tip of the change.")


def format_option(help: str) -> Callable[[Any], Any]:
    """``--format`` for the commands that print a verdict, in each of the report formats."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["text", "json", "sarif", "markdown"]),
        default="text",
        show_default=True,
        help=help,
    )


color_option = click.option("--color/--no-color", default=None, help="Colour the text report (default: on a terminal).")
