"""History ingest: every commit of a branch with its line counts and provenance, cached in SQLite.

API (stable; helper 6b and the report build on it)::

    FileStat(path, old_path, added, deleted)             # vouched.model.FileStat; added/deleted None = binary
    CommitStat(sha, parents, author, committer, authored_at, committed_at, message, trailers,
               ai, declared, tools, models, evidence, files)
        .subject .is_merge .changed_lines (added + deleted, binaries 0) .added .deleted .files_touched
    HistoryStore.open(path) -> HistoryStore              # a context manager too; .close()
    HistoryStore.default_path(git) -> Path               # $XDG_CACHE_HOME/vouched/metrics/<repo-key>.sqlite
    store.commit_graph_dir -> Path                       # pass to find_introducers(commit_graph=...)
    store.ingest(git, rev="HEAD", progress=None, *, allow_shallow=False) -> IngestResult
        progress(done, total) is called as commits are read (total = commits new to the cache)
    IngestResult(new, total, seconds, removed, rewritten, reattributed, tip)
    store.commits(since=None, until=None) -> Iterator[CommitStat]   # oldest first (parents before children)
        since/until: Unix seconds, compared with the committer date: since <= committed_at < until
    store.get(sha) -> CommitStat | None
    store.tip -> str | None; len(store)

How it reads the history
------------------------
``git rev-list --reverse --topo-order`` lists the commits the cache lacks; `git log --no-walk=unsorted
--stdin --numstat -M` reads their metadata, trailers (as git parses them) and per-file line counts, in
batches that up to four git processes work on at once (the diffs are what costs, and one `git log` uses one
core), yielded in order and inserted in batches: memory is bounded by the batch, not the history.

* A commit is compared with its first parent; a root commit with the empty tree; renames are detected
  (``-M``), so a renamed file counts the lines that changed, not the whole file twice.
* **Merges record no files and no changed lines.** What a merge brings in is counted in the commits it
  merges; counting it again against the first parent would count every merged line twice. The cost: a
  merge's own conflict resolution (an "evil merge") is not counted. A squash-merged branch is one ordinary
  commit and is counted once.
* Binary files have ``added``/``deleted`` None and count 0 changed lines, but do count as touched files.
* Provenance is :meth:`vouched.provenance.Provenance.attribute`, as `vouched provenance` reports it: the
  commit's own markers, the team's markers from the policy at the ingested tip (defaults when there is no
  policy), and git-ai notes / Agent Trace records.

The cache
---------
Rows are keyed by commit id, and a commit id names immutable content, so a row never goes stale. The store
remembers the tip it last ingested:

* fast-forward (the old tip is an ancestor of the new): only ``old..new`` is read;
* history rewritten (force-push, rebase): the commits the old tip reached and the new one does not
  (``new..old``) are deleted, and ``old..new`` is read: the rows of the commits both share are kept;
* the old tip is gone from the object store, or the last ingest was interrupted: the cache is reconciled
  against ``git rev-list`` of the new tip (rows no longer reachable deleted, missing ones read);
* when what provenance depends on changes (the policy's markers at the tip, the ``refs/notes/ai`` ref, the
  Agent Trace file at the tip, or vouched's version), every stored commit is attributed again from the
  stored metadata, without reading git history again.

A shallow clone is refused (:class:`~vouched.errors.ShallowCloneError`): metrics over a cut history would
be silently wrong (prior defects, bug-introducing commits that are not there). ``allow_shallow=True``
ingests what there is, and :attr:`IngestResult.shallow` says so; the commits at the cut record no
files (git shows them without parents, so their whole tree would count as added lines).
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from vouched import __version__
from vouched.errors import GitError, ShallowCloneError, VouchedError
from vouched.git import Git
from vouched.model import Commit, FileStat, Identity, Trailer
from vouched.provenance import NOTES_REF, TRACE_PATH, Attribution, Provenance

__all__ = ["CommitStat", "FileStat", "HistoryStore", "IngestResult", "Progress"]

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
SCHEMA = 1
_BATCH = 2000  # commits per insert (and per git process)
_UNSHALLOW_HINT = "fetch the full history first: `git fetch --unshallow` (CI: a checkout with fetch-depth 0)"


@dataclass(frozen=True, slots=True)
class CommitStat:
    """One commit as the metrics see it: who, when, what provenance says, and how many lines per file."""

    sha: str
    parents: tuple[str, ...]
    author: Identity
    committer: Identity
    authored_at: int
    committed_at: int
    message: str
    trailers: tuple[Trailer, ...]
    ai: bool  # provenance says an AI assistant was involved
    declared: bool  # the commit declares its provenance either way (``Assisted-by: none`` included)
    tools: tuple[str, ...]
    models: tuple[str, ...]
    evidence: tuple[str, ...]
    files: tuple[FileStat, ...]

    @property
    def subject(self) -> str:
        return self.message.split("\n", 1)[0]

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1

    @property
    def added(self) -> int:
        return sum(f.added or 0 for f in self.files)

    @property
    def deleted(self) -> int:
        return sum(f.deleted or 0 for f in self.files)

    @property
    def changed_lines(self) -> int:
        """Added plus deleted lines over every file; binary files count 0, merges 0 (see the module doc)."""
        return sum(f.changed_lines for f in self.files)

    @property
    def files_touched(self) -> int:
        return len(self.files)

    def trailer_values(self, token: str) -> list[str]:
        """Every value of the trailer whose lower-cased key is ``token``."""
        return [t.value for t in self.trailers if t.token == token]


@dataclass(frozen=True, slots=True)
class IngestResult:
    new: int  # commits read from git in this run
    total: int  # commits in the cache after it
    seconds: float
    removed: int = 0  # rows deleted because the history no longer reaches them
    rewritten: bool = False  # the old tip is not an ancestor of the new one
    reattributed: int = 0  # rows whose provenance was computed again
    tip: str = ""
    shallow: bool = False


class HistoryStore:
    """The commits of one branch with their line counts and provenance, in one SQLite file."""

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self._db = db
        self.path = path
        self._people: dict[tuple[str, str], Identity] = {}

    # -- opening -----------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path) -> HistoryStore:
        """Open (creating if needed) the cache at ``path``; an unreadable or foreign file is an error."""
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(path, timeout=30.0, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise VouchedError(f"cannot open the metrics cache {path}: {exc}", hint="check the path") from None
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            _create(db)
        except sqlite3.DatabaseError as exc:
            db.close()
            raise VouchedError(
                f"{path} is not a vouched metrics cache ({exc})",
                hint="delete the file; it is a cache and is rebuilt from git",
            ) from None
        return cls(db, path)

    @staticmethod
    def default_path(git: Git) -> Path:
        """``$XDG_CACHE_HOME/vouched/metrics/<name>-<hash of the git directory>.sqlite``."""
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        key = hashlib.sha256(os.fsencode(str(git.git_dir))).hexdigest()[:16]
        name = "".join(c if c.isalnum() or c in "-_." else "_" for c in Path(git.git_dir).parent.name)[:40]
        return Path(base) / "vouched" / "metrics" / f"{name or 'repo'}-{key}.sqlite"

    @property
    def commit_graph_dir(self) -> Path:
        """Where SZZ keeps its commit-graph for this repository (``find_introducers(commit_graph=...)``)."""
        return self.path.with_name(self.path.stem + ".commit-graph")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    # -- reading -----------------------------------------------------------------------------------

    @property
    def tip(self) -> str | None:
        return self._meta("tip")

    def __len__(self) -> int:
        row = self._db.execute("SELECT count(*) FROM commits").fetchone()
        return int(row[0])

    def commits(self, since: int | None = None, until: int | None = None) -> Iterator[CommitStat]:
        """Every cached commit, parents before children; ``since <= committed_at < until`` when given."""
        where, args = [], []
        if since is not None:
            where.append("committed_at >= ?")
            args.append(since)
        if until is not None:
            where.append("committed_at < ?")
            args.append(until)
        sql = f"SELECT {_COLUMNS} FROM commits"  # noqa: S608 (constant column list)
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY seq"
        cursor = self._db.execute(sql, args)
        while rows := cursor.fetchmany(1000):
            for row in rows:
                yield self._row(row)

    def get(self, sha: str) -> CommitStat | None:
        sql = f"SELECT {_COLUMNS} FROM commits WHERE sha = ?"  # noqa: S608 (constant column list)
        row = self._db.execute(sql, (sha,)).fetchone()
        return None if row is None else self._row(row)

    # -- ingesting ---------------------------------------------------------------------------------

    def ingest(
        self,
        git: Git,
        rev: str = "HEAD",
        progress: Progress | None = None,
        *,
        allow_shallow: bool = False,
        jobs: int | None = None,
    ) -> IngestResult:
        """Bring the cache up to date with the history of ``rev`` (see the module docstring)."""
        started = time.perf_counter()
        tip = git.resolve(rev)
        shallow = git.is_shallow()
        if shallow and not allow_shallow:
            raise ShallowCloneError(
                "this clone is shallow: metrics over a cut history would be wrong (missing commits, "
                "bug-introducing commits that cannot be found)",
                hint=_UNSHALLOW_HINT,
            )
        old = self._meta("tip")
        interrupted = self._meta("ingesting") is not None
        removed, rewritten = 0, False
        if old == tip and not interrupted:
            todo: list[str] = []
        elif old is None and not interrupted and len(self) == 0:
            todo = git.rev_list("--reverse", "--topo-order", tip)
        elif old is not None and not interrupted and _is_commit(git, old):
            rewritten = not git.is_ancestor(old, tip)
            if rewritten:
                removed = self._delete(git.rev_list(old, f"^{tip}"))
            todo = git.rev_list("--reverse", "--topo-order", tip, f"^{old}")
        else:  # reconcile with the history as it is
            rewritten = old is not None
            reachable = git.rev_list("--reverse", "--topo-order", tip)
            wanted = set(reachable)
            stored = [r[0] for r in self._db.execute("SELECT sha FROM commits")]
            removed = self._delete([s for s in stored if s not in wanted])
            have = set(stored)
            todo = [s for s in reachable if s not in have]
        key, prov = self._provenance(git, tip)
        reattributed = 0
        if self._meta("provenance") != key:
            reattributed = self._reattribute(prov)
        self._set_meta({"ingesting": tip, "provenance": key})
        done = 0
        if progress is not None:
            progress(0, len(todo))
        batch: list[tuple[object, ...]] = []
        cut = git.shallow_commits() if shallow else frozenset()
        for commit, files in git.iter_numstat(todo, jobs=jobs, batch=_BATCH):
            if commit.sha in cut:
                files = ()  # git shows it as a root commit: its whole tree would count as added
            batch.append(_row_of(commit, files, prov.attribute(commit)))
            if len(batch) >= _BATCH:
                self._insert(batch)
                done += len(batch)
                batch = []
                if progress is not None:
                    progress(done, len(todo))
        self._insert(batch)
        done += len(batch)
        if done != len(todo):
            raise GitError(f"git log gave {done} of the {len(todo)} commits asked for; please report this")
        if progress is not None and batch:
            progress(done, len(todo))
        self._db.execute("BEGIN")
        self._db.execute("DELETE FROM meta WHERE key = 'ingesting'")
        self._db.execute("INSERT OR REPLACE INTO meta VALUES ('tip', ?)", (tip,))
        self._db.execute("COMMIT")
        for problem in prov.problems:
            log.warning("provenance: %s", problem)
        seconds = time.perf_counter() - started
        log.info("ingested %d commits (%d cached) in %.2f s", done, len(self), seconds)
        return IngestResult(done, len(self), seconds, removed, rewritten, reattributed, tip, shallow)

    # -- internals ---------------------------------------------------------------------------------

    def _meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def _set_meta(self, values: dict[str, str]) -> None:
        self._db.execute("BEGIN")
        self._db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", list(values.items()))
        self._db.execute("COMMIT")

    def _insert(self, rows: list[tuple[object, ...]]) -> None:
        if not rows:
            return
        self._db.execute("BEGIN")
        # A row already there (an interrupted run read it) keeps its place in the order.
        self._db.executemany(_INSERT, rows)
        self._db.execute("COMMIT")

    def _delete(self, shas: Iterable[str]) -> int:
        gone = [(s,) for s in shas]
        if not gone:
            return 0
        self._db.execute("BEGIN")
        before = self._db.total_changes
        self._db.executemany("DELETE FROM commits WHERE sha = ?", gone)
        count = self._db.total_changes - before
        self._db.execute("COMMIT")
        return count

    def _provenance(self, git: Git, tip: str) -> tuple[str, Provenance]:
        """Provenance as of ``tip``, and a key that changes whenever its answers could."""
        from vouched.policy import markers_at

        markers = markers_at(git, tip)
        notes = git.read_ref(NOTES_REF) or "-"
        trace = git.cat_objects([f"{tip}:{TRACE_PATH}"]).get(f"{tip}:{TRACE_PATH}")
        parts = [str(SCHEMA), __version__, repr(markers), notes, trace[0] if trace else "-"]
        key = hashlib.sha256("\x00".join(parts).encode()).hexdigest()
        return key, Provenance(git, markers, trace_rev=tip)

    def _reattribute(self, prov: Provenance) -> int:
        count = 0
        cursor = self._db.execute(f"SELECT {_COLUMNS} FROM commits")  # noqa: S608 (constant)
        updates: list[tuple[object, ...]] = []
        for row in cursor.fetchall():
            stat = self._row(row)
            commit = Commit(
                stat.sha, stat.parents, "", stat.author, stat.committer, stat.authored_at, stat.committed_at,
                stat.message, stat.trailers,
            )  # fmt: skip
            a = prov.attribute(commit)
            updates.append((int(a.assisted), int(a.declared), *_attribution_text(a), stat.sha))
            count += 1
        if updates:
            self._db.execute("BEGIN")
            self._db.executemany(
                "UPDATE commits SET ai = ?, declared = ?, tools = ?, models = ?, evidence = ? WHERE sha = ?",
                updates,
            )
            self._db.execute("COMMIT")
        return count

    def _identity(self, name: str, email: str) -> Identity:
        key = (name, email)
        found = self._people.get(key)
        if found is None:
            found = self._people[key] = Identity(name, email)
        return found

    def _row(self, row: tuple[object, ...]) -> CommitStat:
        (sha, parents, an, ae, cn, ce, at, ct, message, trailers, ai, declared, tools, models, evidence, files) = row
        return CommitStat(
            sha=str(sha),
            parents=tuple(str(parents).split()),
            author=self._identity(str(an), str(ae)),
            committer=self._identity(str(cn), str(ce)),
            authored_at=int(at),  # type: ignore[call-overload]
            committed_at=int(ct),  # type: ignore[call-overload]
            message=str(message),
            trailers=_trailers(str(trailers)),
            ai=bool(ai),
            declared=bool(declared),
            tools=_split(tools),
            models=_split(models),
            evidence=_split(evidence),
            files=_files(files),  # type: ignore[arg-type]
        )


_COLUMNS = (
    "sha, parents, author_name, author_email, committer_name, committer_email, authored_at, committed_at, "
    "message, trailers, ai, declared, tools, models, evidence, files"
)
_INSERT_COLUMNS = _COLUMNS + ", added, deleted, files_touched"
_MARKS = ", ".join("?" * 19)
_INSERT = f"INSERT OR IGNORE INTO commits ({_INSERT_COLUMNS}) VALUES ({_MARKS})"  # noqa: S608 (constant)


def _create(db: sqlite3.Connection) -> None:
    db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    row = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
    if row is not None and row[0] != str(SCHEMA):
        # A cache from another version of vouched: start again (it is only a cache).
        db.execute("DROP TABLE IF EXISTS commits")
        db.execute("DELETE FROM meta")
    db.execute(
        """CREATE TABLE IF NOT EXISTS commits (
            seq INTEGER PRIMARY KEY,
            sha TEXT NOT NULL UNIQUE,
            parents TEXT NOT NULL,
            author_name TEXT NOT NULL, author_email TEXT NOT NULL,
            committer_name TEXT NOT NULL, committer_email TEXT NOT NULL,
            authored_at INTEGER NOT NULL, committed_at INTEGER NOT NULL,
            message TEXT NOT NULL, trailers TEXT NOT NULL,
            ai INTEGER NOT NULL, declared INTEGER NOT NULL,
            tools TEXT NOT NULL, models TEXT NOT NULL, evidence TEXT NOT NULL,
            files BLOB NOT NULL,
            added INTEGER NOT NULL, deleted INTEGER NOT NULL, files_touched INTEGER NOT NULL
        )"""
    )
    db.execute("CREATE INDEX IF NOT EXISTS commits_committed_at ON commits (committed_at)")
    db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (str(SCHEMA),))


def _is_commit(git: Git, sha: str) -> bool:
    found = git.cat_objects([sha]).get(sha)
    return found is not None and found[1] == "commit"


def _attribution_text(a: Attribution) -> tuple[str, str, str]:
    return "\x1f".join(a.tools), "\x1f".join(a.models), "\x1f".join(a.evidence)


def _split(value: object) -> tuple[str, ...]:
    text = str(value)
    return tuple(text.split("\x1f")) if text else ()


def _trailers(raw: str) -> tuple[Trailer, ...]:
    if not raw:
        return ()
    return tuple(Trailer(k, v) for k, _, v in (t.partition("\x1c") for t in raw.split("\x1d")))


def _row_of(commit: Commit, files: tuple[FileStat, ...], a: Attribution) -> tuple[object, ...]:
    packed = bytearray()
    added = deleted = 0
    for f in files:
        packed += f.path.encode("utf-8", "surrogateescape")
        packed += b"\0"
        if f.old_path is not None:
            packed += f.old_path.encode("utf-8", "surrogateescape")
        packed += b"\0-\0-\0" if f.added is None else f"\0{f.added}\0{f.deleted}\0".encode()
        added += f.added or 0
        deleted += f.deleted or 0
    return (
        commit.sha,
        " ".join(commit.parents),
        commit.author.name,
        commit.author.email,
        commit.committer.name,
        commit.committer.email,
        commit.authored_at,
        commit.committed_at,
        commit.message,
        "\x1d".join(f"{t.key}\x1c{t.value}" for t in commit.trailers),
        int(a.assisted),
        int(a.declared),
        *_attribution_text(a),
        bytes(packed),
        added,
        deleted,
        len(files),
    )


def _files(blob: bytes) -> tuple[FileStat, ...]:
    if not blob:
        return ()
    parts = blob.split(b"\0")
    result: list[FileStat] = []
    for i in range(0, len(parts) - 1, 4):
        path, old, plus, minus = parts[i : i + 4]
        result.append(
            FileStat(
                path.decode("utf-8", "surrogateescape"),
                old.decode("utf-8", "surrogateescape") if old else None,
                None if plus == b"-" else int(plus),
                None if minus == b"-" else int(minus),
            )
        )
    return tuple(result)
