"""One root error for everything vouched reports to a person.

Every error a user can cause (bad arguments, a broken policy file, a directory that is not a git
repository, a shallow clone) is a :class:`VouchedError` with a message and, where we know one, a hint
that says how to fix it. The CLI catches the root once, prints the diagnosis and exits 2. Anything else
that escapes is a bug in vouched and exits 3.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "GitError",
    "InputError",
    "ShallowCloneError",
    "UsageError",
    "VouchedError",
]


class VouchedError(Exception):
    """A problem a person can fix. Exit code 2 unless a subclass says otherwise."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def diagnostics(self) -> str:
        text = f"error: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class UsageError(VouchedError):
    """The command line asks for something that cannot be done."""


class InputError(VouchedError):
    """A file given on the command line (approvals export, records) is unreadable or malformed."""


class ConfigError(VouchedError):
    """A policy or people file is malformed; names the file, the line and the key."""

    def __init__(
        self,
        message: str,
        *,
        file: str,
        line: int | None = None,
        key: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.file = file
        self.line = line
        self.key = key
        where = file if line is None else f"{file}:{line}"
        if key:
            where += f" ({key})"
        super().__init__(f"{where}: {message}", hint=hint)


class GitError(VouchedError):
    """git refused: not a repository, an unknown revision, a corrupt object."""


class ShallowCloneError(GitError):
    """The history vouched must read is cut off by a shallow clone."""
