"""The command line: parse arguments, call the core, pick a format and an exit code. Nothing else.

Exit codes (every command): 0 success or pass, 1 blocking findings, 2 bad usage, configuration or input,
3 internal error (a bug in vouched: please report it with the output of the same command run with -v).

Each group of commands lives in its own module and registers itself on the root group when imported.
"""

from vouched.cli import deps, gate, ledger, patterns, report, scan  # noqa: F401  (registers the commands)
from vouched.cli._app import EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, _run, cli, main

__all__ = ["EXIT_FINDINGS", "EXIT_INTERNAL", "EXIT_OK", "EXIT_USAGE", "_run", "cli", "main"]
