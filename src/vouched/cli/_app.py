"""The root command, its shared options and the entry point that turns errors into exit codes.

Exit codes (every command): 0 success or pass, 1 blocking findings, 2 bad usage, configuration or input,
3 internal error (a bug in vouched: please report it with the output of the same command run with -v).
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from vouched import __version__
from vouched.errors import UsageError, VouchedError

if TYPE_CHECKING:
    from vouched.git import Git

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

log = logging.getLogger("vouched")
_state = {"verbose": 0}

REPO_HELP = "The git repository to read (default: the current directory)."


def _repo_option(f: Any) -> Any:
    return click.option(
        "--repo",
        type=click.Path(file_okay=False, path_type=Path),
        default=".",
        show_default=True,
        help=REPO_HELP,
    )(f)


def _git(repo: Path) -> Git:
    from vouched.git import Git

    return Git(repo)


def _use_color(flag: bool | None, stream: Any) -> bool:
    if flag is not None:
        return flag
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return bool(getattr(stream, "isatty", lambda: False)())


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="vouched")
@click.option("-v", "--verbose", count=True, help="Log what vouched does; show tracebacks on errors.")
def cli(verbose: int) -> None:
    """Hold AI-assisted code to the bar of the risk tier it touches, and explain every verdict.

    vouched reads which commits an AI assistant helped write, which risk tier (green, yellow, red)
    each changed file falls in, and who may land and approve such a change, all from the policy
    at the base revision. Exit codes: 0 pass, 1 blocking findings, 2 bad usage or input, 3 bug.
    """
    _state["verbose"] = verbose
    level = os.environ.get("VOUCHED_LOG", "WARNING").upper()
    logging.basicConfig(
        level=logging.DEBUG if verbose else getattr(logging, level, logging.WARNING),
        format="vouched: %(levelname)s %(name)s: %(message)s",
    )


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.vouched-tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


# -- entry point ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> NoReturn:
    """Run the CLI and exit with the documented code; the one place errors are turned into messages."""
    if hasattr(signal, "SIGPIPE"):
        # When the reader goes away (`vouched provenance | head`), stop quietly as git and cat do.
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    code = _run(argv)
    sys.exit(code)


def _run(argv: list[str] | None) -> int:
    try:
        result = cli.main(args=argv, prog_name="vouched", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 130
    except VouchedError as exc:
        if _state["verbose"]:
            traceback.print_exc()
        click.echo(exc.diagnostics(), err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        return 130
    except BrokenPipeError:
        # The reader went away (`vouched provenance | head`): not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # a bug: say so, and how to report it
        if _state["verbose"]:
            traceback.print_exc()
        click.echo(f"internal error: {type(exc).__name__}: {exc}", err=True)
        click.echo("this is a bug in vouched; run the same command with -v and report the output", err=True)
        return EXIT_INTERNAL
    return int(result) if isinstance(result, int) else EXIT_OK
