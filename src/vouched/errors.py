"""One root error for everything vouched reports to a person.

Every error a user can cause (bad arguments, a broken policy file, a directory that is not a git
repository, a shallow clone) is a :class:`VouchedError` with a message and, where we know one, a hint
that says how to fix it. The CLI catches the root once, prints the diagnosis and exits 2. Anything else
that escapes is a bug in vouched and exits 3.

A policy or people file can hold several independent mistakes; they are reported together, as one
:class:`ConfigErrors` that lists every problem, so a person fixes them all in one pass.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "ConfigError",
    "ConfigErrors",
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

    @property
    def problems(self) -> tuple[ConfigError, ...]:
        """Every mistake this error reports: itself alone; several for :class:`ConfigErrors`."""
        return (self,)

    @staticmethod
    def combine(problems: Iterable[ConfigError]) -> ConfigError:
        """One error to raise for ``problems``: the problem itself when there is one, else a ConfigErrors."""
        found = [p for problem in problems for p in problem.problems]
        return found[0] if len(found) == 1 else ConfigErrors(found)


class ConfigErrors(ConfigError):
    """Several independent mistakes in the policy files, reported together.

    The problems are ordered by file (in the order the files were read) and, within a file, by line; the
    diagnosis prints each one as a single problem would print, then how many there are. ``file``, ``line``
    and ``key`` are those of the first problem.
    """

    def __init__(self, problems: Iterable[ConfigError]) -> None:
        found = [p for problem in problems for p in problem.problems]
        if not found:
            raise ValueError("ConfigErrors needs at least one problem")
        files = list(dict.fromkeys(p.file for p in found))
        found.sort(key=lambda p: (files.index(p.file), p.line or 0))
        self._problems = tuple(found)
        first = found[0]
        self.file, self.line, self.key = first.file, first.line, first.key
        count = f"{len(found)} problem" + ("" if len(found) == 1 else "s")
        VouchedError.__init__(self, f"{count} in {' and '.join(files)}")

    @property
    def problems(self) -> tuple[ConfigError, ...]:
        return self._problems

    def diagnostics(self) -> str:
        return "\n".join([*(p.diagnostics() for p in self._problems), self.message])


class GitError(VouchedError):
    """git refused: not a repository, an unknown revision, a corrupt object."""


class ShallowCloneError(GitError):
    """The history vouched must read is cut off by a shallow clone."""
