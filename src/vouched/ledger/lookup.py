"""A local lookup table of the ledger's index, so `vouched check` need not list the whole ledger each run.

`vouched check` selects the entries about a change by their index trailers (:mod:`vouched.ledger.index`).
Listing 100,000 entry commits with `git log` costs seconds, so the listing is kept in the
user's cache, ``$XDG_CACHE_HOME/vouched/ledger-lookup/<digest of the git directory>-v1`` (default
``~/.cache``), never in the repository under review (plain ASCII: a JSON header, the entry commit ids end
to end, and lines of ``key US positions``): a table from each key (a subject tree, a subject commit, a work item,
break-glass) to the entries that carry it, and the ledger commit it covers. When the ledger has grown
since, only the new commits are listed (``git log COVERED..TIP``) and added; when the ledger was rewritten
(the covered commit is no longer in its history), or the file is missing or unreadable, it is rebuilt from
one full listing. It is a cache of what the commit messages say: it selects entries, never vouches for them (every entry
read is verified as before), and a table whose covered commit is not in the ledger's history is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

from vouched.errors import GitError
from vouched.git import Git
from vouched.ledger.store import Listed

__all__ = ["ANY", "BREAK_GLASS", "Lookup", "commit_key", "item_key", "load_lookup", "tree_key"]

log = logging.getLogger(__name__)

_SUFFIX = "-v1"
_VERSION = 1
ANY = "*"  # entries whose index is not in the form vouched writes: always looked at
BREAK_GLASS = "b"
# The index as vouched writes it, listed (see vouched.ledger.index).
WRITTEN = re.compile(
    "Vouched-Index\x1c1\x1dVouched-Kind\x1c(?P<kind>sign-off|break-glass)(?:\x1dVouched-Stage\x1c[a-z]+)?"
    "(?:\x1dVouched-Commit\x1c(?P<commit>[0-9a-f]{40,64})\x1dVouched-Tree\x1c(?P<tree>[0-9a-f]{40,64}))?"
    '(?:\x1dVouched-Work-Item\x1c(?P<item>"[^\x1d\x1c]*"))?\x1dVouched-Digest\x1csha256:[0-9a-f]{64}'
)


def tree_key(tree: str) -> str:
    return "t" + tree


def commit_key(commit: str) -> str:
    return "c" + commit


def item_key(item: str) -> str:
    return "w" + json.dumps(item)


def _keys(trailers: str) -> list[str]:
    m = WRITTEN.fullmatch(trailers)
    if m is None:
        return [ANY]
    kind, commit, tree, item = m.group("kind", "commit", "tree", "item")
    keys = [BREAK_GLASS] if kind == "break-glass" else []
    if tree is not None:
        keys.append("t" + tree)
    if commit is not None:
        keys.append("c" + commit)
    if item is not None:
        try:
            keys.append(item_key(json.loads(item)))
        except ValueError:
            return [ANY]
    return keys


class Lookup:
    """The ledger's entry commits (oldest first) and a table from key to their 1-based positions."""

    def __init__(self, tip: str, rows: list[tuple[str, tuple[str, ...], str, str]]):
        self.tip = tip
        self._commits = "".join(r[0] for r in rows)
        self._width = len(tip)
        self._known: dict[int, Listed] = {}
        self._table: dict[str, list[int]] | None = {}
        self._text = ""
        self._add(rows, 0)

    def _add(self, rows: list[tuple[str, tuple[str, ...], str, str]], start: int) -> None:
        table = self.table()
        for i, (commit, parents, tree, trailers) in enumerate(rows, start=start + 1):
            self._known[i] = Listed(i, commit, parents, tree, trailers)
            for key in _keys(trailers):
                table.setdefault(key, []).append(i)

    def table(self) -> dict[str, list[int]]:
        if self._table is None:
            table: dict[str, list[int]] = {}
            for line in self._text.split("\n"):
                key, sep, positions = line.partition("\x1f")
                if sep:
                    table[key] = [int(p) for p in positions.split() if p.isdigit()]
            self._table = table
        return self._table

    def extend(self, tip: str, rows: list[tuple[str, tuple[str, ...], str, str]]) -> None:
        start = len(self)
        self._commits += "".join(r[0] for r in rows)
        self.tip = tip
        self._add(rows, start)

    def __len__(self) -> int:
        return len(self._commits) // self._width

    def commit(self, position: int) -> str:
        """The entry commit at a 1-based position."""
        return self._commits[(position - 1) * self._width : position * self._width]

    def positions(self, *keys: str) -> set[int]:
        """The 1-based positions of the entries any of ``keys`` names."""
        out: set[int] = set()
        for key in keys:
            if self._table is not None:
                out.update(self._table.get(key, ()))
                continue
            at = self._text.find("\n" + key + "\x1f")
            if at >= 0:
                end = self._text.find("\n", at + 1)
                line = self._text[at + 1 + len(key) + 1 : end if end >= 0 else None]
                out.update(int(p) for p in line.split() if p.isdigit())
        return {p for p in out if 1 <= p <= len(self)}

    def listed(self, git: Git, positions: Iterable[int]) -> list[Listed]:
        """The entries at ``positions`` with their parents, tree and index, from one `git log --no-walk`."""
        wanted = sorted(set(positions))
        missing = [p for p in wanted if p not in self._known]
        if missing:
            headers = git.commit_headers([self.commit(p) for p in missing])
            for p in missing:
                found = headers.get(self.commit(p))
                if found is None:
                    raise GitError(f"ledger entry commit {self.commit(p)[:12]} cannot be read")
                parents, tree, trailers = found
                self._known[p] = Listed(p, self.commit(p), parents, tree, trailers)
        return [self._known[p] for p in wanted]

    def dump(self) -> bytes:
        header = json.dumps({"version": _VERSION, "tip": self.tip, "entries": len(self)})
        table = "".join(f"\n{key}\x1f{' '.join(map(str, ps))}" for key, ps in self.table().items())
        return (header + "\n" + self._commits + "\x1e" + table + "\n").encode("ascii", "replace")

    @classmethod
    def load(cls, data: bytes) -> Lookup | None:
        """A lookup from its file; None when the file is not one (it is then rebuilt)."""
        try:
            text = data.decode("ascii")
            head, _, rest = text.partition("\n")
            header = json.loads(head)
            n, tip = header["entries"], header["tip"]
            commits, sep, table = rest.partition("\x1e")
        except (ValueError, KeyError, TypeError):
            return None
        if header.get("version") != _VERSION or not isinstance(tip, str) or not isinstance(n, int) or not tip:
            return None
        if not sep or len(commits) != n * len(tip) or not table.endswith("\n") or commits[-len(tip) :] != tip:
            return None
        out = cls.__new__(cls)
        out.tip, out._commits, out._width = tip, commits, len(tip)
        out._known, out._table, out._text = {}, None, table
        return out


def _rows(git: Git, tip: str, since: str | None = None) -> list[tuple[str, tuple[str, ...], str, str]]:
    return git.chain_with_trailers(tip, since=since)


def cache_path(git: Git) -> Path:
    """Where the lookup table of this repository's ledger is kept: the user's cache, not the repository."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    key = hashlib.sha256(os.fsencode(git.git_dir)).hexdigest()[:32]
    return Path(base) / "vouched" / "ledger-lookup" / f"{key}{_SUFFIX}"


def load_lookup(git: Git, tip: str) -> Lookup:
    """The ledger's listing at ``tip``: from the cache, brought up to date, or listed afresh (and saved)."""
    path = cache_path(git)
    cached: Lookup | None = None
    try:
        cached = Lookup.load(path.read_bytes())
    except OSError:
        cached = None
    if cached is not None and cached.tip == tip:
        return cached
    lookup: Lookup | None = None
    if cached is not None:
        try:
            if git.is_ancestor(cached.tip, tip):
                cached.extend(tip, _rows(git, tip, since=cached.tip))
                lookup = cached
        except GitError:
            lookup = None  # the covered commit is gone (gc after a rewrite): list afresh
    if lookup is None:
        lookup = Lookup(tip, _rows(git, tip))
    _save(path, lookup)
    return lookup


def _save(path: Path, lookup: Lookup) -> None:
    """Write the cache atomically; a repository we may not write to just goes without it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".ledger-lookup-")
        with os.fdopen(fd, "wb") as out:
            out.write(lookup.dump())
        os.replace(tmp, path)
    except OSError as exc:
        log.debug("cannot write %s: %s", path, exc)
