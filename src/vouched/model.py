"""Domain values read from git: frozen, cheap, free of any I/O."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AddedLine",
    "BlameLine",
    "Change",
    "Commit",
    "DeletedLines",
    "FileChange",
    "FileStat",
    "FileTouch",
    "Identity",
    "Trailer",
]


@dataclass(frozen=True, slots=True)
class Identity:
    name: str
    email: str

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


@dataclass(frozen=True, slots=True)
class Trailer:
    """One `Key: value` line of a commit message's trailer block (continuations folded in)."""

    key: str
    value: str

    @property
    def token(self) -> str:
        """The key, lower-cased: trailer keys are case-insensitive."""
        return self.key.lower()


@dataclass(frozen=True, slots=True)
class FileTouch:
    """A path one commit touched, from `git log --raw` (renames keep both sides)."""

    status: str
    path: str
    old_path: str | None = None

    @property
    def paths(self) -> tuple[str, ...]:
        return (self.path,) if self.old_path is None else (self.old_path, self.path)


@dataclass(frozen=True, slots=True)
class Commit:
    sha: str
    parents: tuple[str, ...]
    tree: str
    author: Identity
    committer: Identity
    authored_at: int
    committed_at: int
    message: str
    trailers: tuple[Trailer, ...] = ()
    files: tuple[FileTouch, ...] = ()

    @property
    def subject(self) -> str:
        return self.message.split("\n", 1)[0]

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1

    def trailer_values(self, token: str) -> list[str]:
        """Every value of the trailer whose lower-cased key is ``token``."""
        return [t.value for t in self.trailers if t.token == token]


@dataclass(frozen=True, slots=True)
class AddedLine:
    number: int
    text: str


@dataclass(frozen=True, slots=True)
class FileChange:
    """One file of the net change from the merge base to head."""

    status: str  # A added, M modified, D deleted, R renamed, C copied, T type changed
    path: str  # the path at head (for a deletion, the path that was deleted)
    old_path: str | None  # the path at base, for renames and copies
    binary: bool
    added: tuple[AddedLine, ...] = ()

    @property
    def paths(self) -> tuple[str, ...]:
        return (self.path,) if self.old_path is None else (self.old_path, self.path)


@dataclass(frozen=True, slots=True)
class Change:
    """What a pull request would land: the commits in ``base..head`` and their net effect."""

    base: str  # the revision the change targets; the policy is read here
    merge_base: str  # where the change forked from base; the diff starts here
    head: str
    head_tree: str
    commits: tuple[Commit, ...]
    files: tuple[FileChange, ...]


@dataclass(frozen=True, slots=True)
class FileStat:
    """One file of one commit, from `git log --numstat -M`: lines added and deleted (None for a binary file)."""

    path: str  # the path after the commit (for a deletion, the path deleted)
    old_path: str | None  # the path before, for a rename or copy
    added: int | None
    deleted: int | None

    @property
    def binary(self) -> bool:
        return self.added is None

    @property
    def changed_lines(self) -> int:
        """Added plus deleted lines; a binary file counts 0 (it has no lines)."""
        return (self.added or 0) + (self.deleted or 0)


@dataclass(frozen=True, slots=True)
class DeletedLines:
    """The lines one commit deleted or changed in one file, numbered as in the parent's version of it."""

    path: str  # the path in the parent (the old path of a rename)
    new_path: str  # the path in the commit
    lines: tuple[tuple[int, str], ...]  # (line number in the parent, text without the newline)


@dataclass(frozen=True, slots=True)
class BlameLine:
    """Who last changed one line, from `git blame --porcelain`."""

    line: int  # the line number in the blamed revision
    sha: str  # the commit that last changed it
    path: str  # the path in that commit (renames followed)
    orig_line: int  # the line number in that commit
    authored_at: int
    committed_at: int
    boundary: bool  # git could not look further back (a root commit, or the cut of a shallow clone)
