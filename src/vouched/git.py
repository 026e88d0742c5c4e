"""The one door to git. No other module spawns git.

Everything is batch plumbing: one `git log` stream for any number of commits, one `git diff` for the
net change (raw records and patch in the same call), one `git cat-file --batch` for many blobs. Paths are
decoded with ``surrogateescape`` so that non-UTF-8 names round-trip; messages and file contents are
decoded as UTF-8 with replacement, since they are only read, never written back.

Nothing from the repository under review is executed: external diff drivers and textconv filters are
switched off, optional locks are not taken (so reading never rewrites the index), and no pager runs.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import tempfile
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from vouched.errors import GitError, ShallowCloneError
from vouched.model import (
    AddedLine,
    BlameLine,
    Change,
    Commit,
    DeletedLines,
    FileChange,
    FileStat,
    FileTouch,
    Identity,
    Trailer,
)

__all__ = ["NULL_SHA", "Git", "ScratchRepo", "decode_path", "display"]

NULL_SHA = "0" * 40
_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_HUNK = re.compile(rb"@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_OLD_HUNK = re.compile(rb"@@ -(\d+)(?:,(\d+))? \+")
_UNSHALLOW_HINT = (
    "fetch the full history: `git fetch --unshallow` (in GitHub Actions, `actions/checkout` with "
    "`fetch-depth: 0`; in GitLab CI, `GIT_DEPTH: 0`)"
)
# One commit's header in our log format: record separator, fields separated by unit separators.
# Trailers come parsed by git itself (exactly what `git interpret-trailers` reads, continuations unfolded):
# key and value separated by FS (0x1c), trailers by GS (0x1d). Needs git 2.31 or newer.
_LOG_FORMAT = (
    "%x1e%H%x1f%P%x1f%T%x1f%an%x1f%ae%x1f%at%x1f%cn%x1f%ce%x1f%ct%x1f"
    "%(trailers:only,unfold,separator=%x1d,key_value_separator=%x1c)%x1f%B%x1f"
)
_IDENTITIES: dict[tuple[str, str], Identity] = {}  # interned: a history has few distinct people
_SAFE_CONFIG = (
    "-c",
    "core.fsmonitor=false",
    "-c",
    "core.quotePath=false",
    "-c",
    "diff.noprefix=false",
    "-c",
    "log.showSignature=false",
    "-c",
    "diff.mnemonicPrefix=false",
)
_ENV_DROP = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_PREFIX", "GIT_EXTERNAL_DIFF")


def decode_path(raw: bytes) -> str:
    """A path as str that encodes back to the same bytes (non-UTF-8 bytes become surrogates)."""
    return raw.decode("utf-8", "surrogateescape")


def display(text: str) -> str:
    """A string safe to print or put in JSON: surrogates from non-UTF-8 bytes become U+FFFD."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


_MISSING_OBJECT = ("unable to read", "bad object", "missing blob", "missing tree", "invalid object", "corrupt")


def _git_error(message: str) -> GitError:
    """git's own message, with the fix when it means the repository lacks objects its history names."""
    if any(s in message for s in _MISSING_OBJECT):
        return GitError(
            message,
            hint="the repository is missing objects its history names (a partial, promisor or damaged clone): "
            "fetch the full history (`git fetch --refetch`, or clone without --filter) and check with `git fsck`",
        )
    return GitError(message)


class Git:
    """A git repository, read-only."""

    def __init__(self, path: str | os.PathLike[str] = ".") -> None:
        self.path = Path(path)
        env = {k: v for k, v in os.environ.items() if k not in _ENV_DROP}
        env.update(
            {
                "LC_ALL": "C",
                "LANGUAGE": "C",
                "GIT_OPTIONAL_LOCKS": "0",
                "GIT_TERMINAL_PROMPT": "0",
                "GIT_PAGER": "cat",
                "PAGER": "cat",
                "GIT_NO_REPLACE_OBJECTS": "1",
            }
        )
        self._env = env
        if not self.path.is_dir():
            raise GitError(f"{self.path} is not a directory", hint="pass --repo DIR with a git repository")
        try:
            out = self._run("rev-parse", "--git-dir")
        except GitError:
            raise GitError(
                f"{self.path} is not a git repository",
                hint="run vouched inside a git checkout or pass --repo DIR",
            ) from None
        self.git_dir = (self.path / out.decode("utf-8", "surrogateescape").strip()).resolve()

    # -- running git -------------------------------------------------------------------------------

    def _argv(self, args: Sequence[str]) -> list[str]:
        return ["git", "-C", str(self.path), *_SAFE_CONFIG, *args]

    def _run(
        self,
        *args: str,
        input: bytes | None = None,
        ok: Iterable[int] = (0,),
        env: dict[str, str] | None = None,
    ) -> bytes:
        try:
            proc = subprocess.run(
                self._argv(args),
                input=input,
                capture_output=True,
                env=self._env if env is None else {**self._env, **env},
                check=False,
            )
        except FileNotFoundError:
            raise GitError("git is not installed or not on PATH", hint="install git 2.30 or newer") from None
        if proc.returncode not in tuple(ok):
            msg = _text(proc.stderr).strip() or f"git {args[0]} exited {proc.returncode}"
            raise _git_error(msg.splitlines()[0] if msg else msg)
        return proc.stdout

    def _chunks(
        self, args: Sequence[str], size: int, stdin: bytes | None = None, env: dict[str, str] | None = None
    ) -> Iterator[bytes]:
        """Yield a command's output as it arrives, up to ``size`` bytes at a time; raise if git failed.

        os.read returns what the pipe holds: a buffered read of a big size would wait for it to fill and
        leave git idle on a full pipe (measured: 40% slower on 50,000 commits). stderr goes to a file, not a
        pipe, so a chatty stderr cannot deadlock us.
        """
        with tempfile.TemporaryFile() as errfile, tempfile.TemporaryFile() as infile:
            if stdin is not None:  # through a file: no writer thread, no pipe to keep filled
                infile.write(stdin)
                infile.seek(0)
            try:
                proc = subprocess.Popen(
                    self._argv(args),
                    stdin=infile if stdin is not None else subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=errfile,
                    env=self._env if env is None else {**self._env, **env},
                )
            except FileNotFoundError:
                raise GitError("git is not installed or not on PATH", hint="install git 2.30 or newer") from None
            stdout = proc.stdout
            if stdout is None:  # pragma: no cover - Popen with PIPE always gives a stream
                raise GitError("git gave no output stream")
            try:
                fd = stdout.fileno()
                while chunk := os.read(fd, size):
                    yield chunk
            finally:
                stdout.close()
                rc = proc.wait()
                errfile.seek(0)
                err = errfile.read()
        if rc != 0:
            msg = _text(err).strip()
            raise _git_error(msg.splitlines()[0] if msg else f"git {args[0]} exited {rc}")

    def _read_all(self, args: Sequence[str], stdin: bytes | None = None, env: dict[str, str] | None = None) -> bytes:
        """A command's whole output, read in large chunks (``_run``'s poll loop costs seconds on 100 MB)."""
        return b"".join(self._chunks(args, 1 << 20, stdin, env))

    def _stream(self, args: Sequence[str]) -> Iterator[bytes]:
        """Yield NUL-separated tokens of a command's output as it arrives, in bounded memory."""
        tail = b""
        for chunk in self._chunks(args, 1 << 16):
            parts = (tail + chunk).split(b"\0")
            tail = parts.pop()
            yield from parts
        if tail:
            yield tail

    # -- revisions ---------------------------------------------------------------------------------

    def resolve(self, rev: str) -> str:
        """The full commit id a revision names, or an error that says the revision is unknown."""
        if rev.startswith("-"):
            raise GitError(f"unknown revision {rev!r}")
        try:
            out = self._run("rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
        except GitError:
            out = b""
        sha = out.decode().strip()
        if not _SHA.fullmatch(sha):
            hint = "check the name, or fetch it: `git fetch origin <branch>`"
            if self.is_shallow():
                hint = _UNSHALLOW_HINT
            raise GitError(f"unknown revision {rev!r} in {self.path}", hint=hint)
        return sha

    def tree_of(self, sha: str) -> str:
        return self._run("rev-parse", "--verify", f"{sha}^{{tree}}").decode().strip()

    def merge_base(self, a: str, b: str) -> str | None:
        out = self._run("merge-base", a, b, ok=(0, 1)).decode().strip()
        return out or None

    def is_shallow(self) -> bool:
        return self._run("rev-parse", "--is-shallow-repository").strip() == b"true"

    def shallow_commits(self) -> frozenset[str]:
        """The commits whose parents a shallow clone cut off (empty for a full clone)."""
        path = self.git_dir / "shallow"
        try:
            return frozenset(path.read_text().split())
        except FileNotFoundError:
            return frozenset()

    def default_branch(self) -> str | None:
        """The branch a change is compared with when no --base is given."""
        out = self._run("symbolic-ref", "--quiet", "refs/remotes/origin/HEAD", ok=(0, 1, 128))
        candidates = [out.decode().strip()] if out.strip() else []
        candidates += ["refs/remotes/origin/main", "refs/remotes/origin/master", "refs/heads/main"]
        candidates += ["refs/heads/master"]
        listed = self._run("for-each-ref", "--format=%(refname)", *candidates).decode().split()
        for ref in candidates:
            if ref in listed:
                return ref
        return None

    def check_complete(self, commits: Iterable[str], what: str) -> None:
        """Fail if a shallow clone cut the history below any of ``commits``: the range would be a lie."""
        cut = self.shallow_commits()
        if not cut:
            return
        for sha in commits:
            if sha in cut:
                raise ShallowCloneError(
                    f"this clone is shallow: the history of {what} stops at {sha[:12]}, so the commits "
                    "vouched must judge cannot all be read",
                    hint=_UNSHALLOW_HINT,
                )

    def rev_list(self, *args: str) -> list[str]:
        return self._run("rev-list", *args, "--").decode().split()

    def tags(self) -> list[tuple[str, str, int]]:
        """``(tag name, commit id, commit time)`` of every tag that points at a commit, in one call.

        Annotated tags are peeled to their commit; tags of trees or blobs are left out.
        """
        out = self._run(
            "for-each-ref", "--format=%(refname:strip=2)%00%(objecttype)%00%(objectname)%00%(*objecttype)%00"
            "%(*objectname)%00%(committerdate:unix)%00%(*committerdate:unix)", "refs/tags/",
        )  # fmt: skip
        found: list[tuple[str, str, int]] = []
        for line in out.split(b"\n"):
            fields = line.split(b"\0")
            if len(fields) != 7:
                continue
            name, kind, oid, peeled_kind, peeled, when, peeled_when = (f.decode("utf-8", "replace") for f in fields)
            if kind == "commit":
                found.append((name, oid, int(when or 0)))
            elif peeled_kind == "commit":
                found.append((name, peeled, int(peeled_when or 0)))
        return found

    # -- commits -----------------------------------------------------------------------------------

    def iter_commits(self, revs: Sequence[str], *, with_files: bool = False) -> Iterator[Commit]:
        """Stream the commits that ``git log REVS`` lists, newest first, merges included.

        With ``with_files`` each commit carries the paths it touched (renames detected; for a merge,
        the paths where the merge result differs from every parent, i.e. what the merge itself wrote).
        """
        args = ["log", "-z", f"--format={_LOG_FORMAT}", "--no-color", "--encoding=UTF-8"]
        if with_files:
            args += ["--raw", "-M", "--no-abbrev", "--diff-merges=dense-combined", "--no-ext-diff"]
            args += ["--no-textconv"]
        args += ["--end-of-options", *revs, "--"]
        tokens = self._stream(args)
        if not with_files:
            for token in tokens:
                if token.startswith(b"\x1e"):
                    yield _commit(token[1:], [])
            return
        pending: bytes | None = None
        files: list[FileTouch] = []
        for token in tokens:
            if token.startswith(b"\n"):
                token = token[1:]
            if token.startswith(b"\x1e"):
                if pending is not None:
                    yield _commit(pending, files)
                pending, files = token[1:], []
                continue
            if not token:
                continue
            if token.startswith(b":") and pending is not None:
                meta = token.split(b" ")
                status = meta[-1][:1].decode()
                combined = token.startswith(b"::")
                first = decode_path(next(tokens))
                if status in ("R", "C") and not combined:
                    files.append(FileTouch(status, decode_path(next(tokens)), first))
                else:
                    files.append(FileTouch(status, first))
        if pending is not None:
            yield _commit(pending, files)

    # -- a private commit-graph (metrics) ------------------------------------------------------------

    def with_commit_graph(self, directory: str | os.PathLike[str]) -> Git:
        """This repository, read through a commit-graph kept in ``directory`` (ours, outside the repository).

        git looks for a commit-graph in its primary object directory: with ``GIT_OBJECT_DIRECTORY`` set to
        ``directory`` and the repository's own object directory as an alternate, every object still comes
        from the repository while the commit-graph, with changed-path Bloom filters, comes from us. A
        Bloom filter tells `git blame` and `git log -- PATH` that a commit did not touch a path without
        reading its trees: blame walks a long history several times faster. Nothing is written to the
        repository. Call :meth:`write_commit_graph` to create or refresh the graph.
        """
        objects = self._run("rev-parse", "--path-format=absolute", "--git-path", "objects").decode().strip()
        view = Git.__new__(Git)
        view.path, view.git_dir = self.path, self.git_dir
        alternates = [objects, *filter(None, [self._env.get("GIT_ALTERNATE_OBJECT_DIRECTORIES")])]
        view._env = {
            **self._env,
            "GIT_OBJECT_DIRECTORY": str(Path(directory).resolve()),
            "GIT_ALTERNATE_OBJECT_DIRECTORIES": os.pathsep.join(alternates),
        }
        Path(directory, "info").mkdir(parents=True, exist_ok=True)
        return view

    def write_commit_graph(self) -> bool:
        """Bring the commit-graph of :meth:`with_commit_graph` up to date with the refs: written again
        (reusing the Bloom filters already computed) only when a ref moved since the last call. True when
        it wrote."""
        directory = self._env.get("GIT_OBJECT_DIRECTORY")
        if directory is None:
            raise GitError("write_commit_graph needs a view from with_commit_graph; it never writes the repository")
        refs = self._run("for-each-ref", "--format=%(objectname) %(refname)")
        refs += self._run("rev-parse", "--verify", "--quiet", "HEAD", ok=(0, 1))
        stamp = Path(directory, "vouched-refs")
        digest = hashlib.sha256(refs).hexdigest()
        try:
            if stamp.read_text().strip() == digest:
                return False
        except OSError:
            pass
        self._run("commit-graph", "write", "--reachable", "--changed-paths", "--no-progress")
        stamp.write_text(digest + "\n")
        return True

    # -- history with line counts (metrics) -----------------------------------------------------------

    def iter_numstat(
        self, shas: Sequence[str], *, jobs: int | None = None, batch: int = 2000
    ) -> Iterator[tuple[Commit, tuple[FileStat, ...]]]:
        """Each commit of ``shas``, in that order, with its files' added and deleted lines.

        `git log --no-walk=unsorted --stdin --numstat -M`: a commit is compared with its first parent
        (a root commit with the empty tree), renames detected. A merge gets no files: what it brings in is
        counted in the commits it merges (`git log` shows no diff for merges by default), so its own
        conflict resolutions are not counted. Files are None-counted where git says binary (``-``).

        The diffs are what costs (git inflates and compares every changed blob), and `git log` uses one
        core, so ``shas`` is cut into batches that up to ``jobs`` git processes (default: the number of
        CPUs, at most 4) work on at once. Batches are read whole, at most ``jobs + 1`` at a time, and
        yielded in order: memory is bounded by the batch size, not by the history.
        """
        if not shas:
            return
        if not all(_SHA.fullmatch(s) for s in shas):
            raise GitError("not a full commit id")
        jobs = max(1, min(4, os.cpu_count() or 1) if jobs is None else jobs)
        args = [
            "log", "--no-walk=unsorted", "--stdin", "-z", "--numstat", "-M", "--no-color", "--encoding=UTF-8",
            "--no-ext-diff", "--no-textconv", f"--format={_LOG_FORMAT}",
        ]  # fmt: skip
        # A short history is still shared out among the processes (but not in slivers of a few commits).
        batch = max(1, min(batch, max(16, -(-len(shas) // jobs))))
        batches = [shas[i : i + batch] for i in range(0, len(shas), batch)]

        def read(part: Sequence[str]) -> bytes:
            return self._read_all(args, stdin=("\n".join(part) + "\n").encode())

        if jobs == 1 or len(batches) == 1:
            for part in batches:
                yield from _parse_numstat(read(part))
            return
        with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="vouched-numstat") as pool:
            pending: deque[Future[bytes]] = deque()
            todo = iter(batches)
            for part in todo:
                pending.append(pool.submit(read, part))
                if len(pending) > jobs:
                    break
            try:
                while pending:
                    out = pending.popleft().result()
                    for part in todo:
                        pending.append(pool.submit(read, part))
                        break
                    yield from _parse_numstat(out)
            finally:
                for future in pending:
                    future.cancel()

    def resolve_commits(self, names: Sequence[str]) -> dict[str, str]:
        """``name -> full commit id`` for each of ``names`` that names a commit (abbreviated ids, refs,
        ``HEAD~2``...), in one `git cat-file --batch-check`; names that do not are left out."""
        wanted = [n for n in dict.fromkeys(names) if n and "\n" not in n and not n.startswith("-")]
        if not wanted:
            return {}
        out = self._run("cat-file", "--batch-check", input="".join(f"{n}^{{commit}}\n" for n in wanted).encode())
        found: dict[str, str] = {}
        for name, line in zip(wanted, out.decode("utf-8", "replace").splitlines(), strict=False):
            parts = line.split(" ")
            if len(parts) == 3 and parts[1] == "commit" and _SHA.fullmatch(parts[0]):
                found[name] = parts[0]
        return found

    def deleted_lines_of(self, shas: Sequence[str]) -> dict[str, list[DeletedLines]]:
        """:meth:`deleted_lines` of many non-merge commits against their parents, in one `git log -p`."""
        if not shas:
            return {}
        shas = list(dict.fromkeys(shas))
        if not all(_SHA.fullmatch(s) for s in shas):
            raise GitError("not a full commit id")
        out = self._read_all(
            [
                "log", "--no-walk=unsorted", "--stdin", "-z", "--format=%x1e%H", "--raw", "-p", "-U0", "-M",
                "--no-abbrev", "--no-color", "--no-ext-diff", "--no-textconv",
            ],
            stdin=("\n".join(shas) + "\n").encode(),
        )  # fmt: skip
        # Each commit starts with RS, its id and NUL, in the order asked (a text patch holds no NUL: git
        # calls such a file binary); the next commit's start ends it.
        starts: list[int] = []
        pos = 0
        for sha in shas:
            at = out.find(b"\x1e" + sha.encode() + b"\0", pos)
            if at < 0:
                raise GitError(f"git log gave no patch for {sha}; please report this")
            starts.append(at)
            pos = at + len(sha) + 2
        result: dict[str, list[DeletedLines]] = {}
        for i, sha in enumerate(shas):
            begin = starts[i] + len(sha) + 2
            body = out[begin : starts[i + 1] if i + 1 < len(starts) else len(out)]
            result[sha] = _deleted_lines(body[1:] if body.startswith(b"\n") else body)
        return result

    def deleted_lines(self, parent: str, sha: str) -> list[DeletedLines]:
        """The lines ``sha`` deleted or changed in each text file, numbered as in ``parent`` (renames
        detected; binary files and added files left out), from one `git diff -U0`."""
        out = self._run(
            "diff", "-z", "--raw", "-p", "-U0", "-M", "--no-abbrev", "--no-color", "--no-ext-diff",
            "--no-textconv", "--end-of-options", parent, sha, "--",
        )  # fmt: skip
        return _deleted_lines(out)

    def simplified_history(self, tips: Sequence[str], paths: Sequence[str]) -> list[str]:
        """The history of ``paths`` from ``tips``, simplified as `git log -- PATHS` simplifies it: only
        the commits that changed one of the paths, each as ``commit parent...`` with its parents rewritten
        to the nearest such ancestors (merges that took one side's version whole follow that side only).

        One walk of the history, in the format `git blame -S` reads: blaming one of ``paths`` over it walks
        a handful of commits instead of the whole history. Paths are literal (no globbing); tips and paths
        go in through stdin, so there is no limit on how many.
        """
        if not tips or not paths:
            return []
        if not all(_SHA.fullmatch(t) for t in tips) or any("\n" in p for p in paths):
            raise GitError("not a full commit id, or a path with a newline")
        request = "".join(f"{t}\n" for t in tips) + "--\n" + "".join(f"{p}\n" for p in paths)
        out = self._read_all(
            ["rev-list", "--parents", "--stdin"],
            stdin=request.encode("utf-8", "surrogateescape"),
            env={"GIT_LITERAL_PATHSPECS": "1"},
        )
        return out.decode().splitlines()

    def blame(
        self,
        rev: str,
        path: str,
        ranges: Sequence[tuple[int, int]],
        *,
        ignore_revs_file: str | os.PathLike[str] | None = None,
        moves: bool = True,
        whitespace: bool = False,
        ancestry_file: str | os.PathLike[str] | None = None,
    ) -> list[BlameLine]:
        """Who last changed the lines ``ranges`` (``(first, last)``, 1-based, inclusive) of ``path`` at
        ``rev``: one `git blame --porcelain -L ...` for all the ranges, file renames followed.

        ``whitespace`` False passes ``-w`` (a whitespace-only change is looked through); ``moves`` passes
        ``-M`` (a line moved within the file is blamed on the commit that wrote it, not the one that moved
        it); ``ignore_revs_file`` names commits to look through, one full id a line; ``ancestry_file``
        (``-S``) gives the history to walk, one ``commit parent...`` line per commit (see
        :meth:`simplified_history`).
        """
        if not ranges:
            return []
        if not _SHA.fullmatch(rev) and rev.startswith("-"):
            raise GitError(f"unknown revision {rev!r}")
        args = ["blame", "--porcelain"]
        if not whitespace:
            args.append("-w")
        if moves:
            args.append("-M")
        if ignore_revs_file is not None:
            args += ["--ignore-revs-file", str(ignore_revs_file)]
        if ancestry_file is not None:
            args += ["-S", str(ancestry_file)]
        for first, last in ranges:
            args += ["-L", f"{first},{last}"]
        out = self._run(*args, rev, "--", path)
        return _parse_blame(out)

    # -- the net change ----------------------------------------------------------------------------

    def diff(self, base: str, head: str) -> list[FileChange]:
        """The files that differ between two commits, with renames, binaries and added lines."""
        out = self._run(
            "diff",
            "-z",
            "--raw",
            "-p",
            "-U0",
            "-M",
            "--no-abbrev",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "--end-of-options",
            base,
            head,
            "--",
        )
        return _parse_diff(out)

    def load_change(self, base: str, head: str) -> Change:
        """Resolve ``base`` and ``head`` and read everything a check needs, in four git calls."""
        base_sha, head_sha = self.resolve(base), self.resolve(head)
        fork = self.merge_base(base_sha, head_sha)
        if fork is None:
            if self.is_shallow():
                raise ShallowCloneError(
                    f"{base} and {head} share no history in this shallow clone", hint=_UNSHALLOW_HINT
                )
            raise GitError(
                f"{base} and {head} have no common ancestor",
                hint="compare a branch with the branch it will merge into",
            )
        commits = tuple(self.iter_commits([f"{fork}..{head_sha}"], with_files=True))
        # The commits at the bottom of the range must have their parents here, or the range is cut.
        self.check_complete([c.sha for c in commits], f"{base}..{head}")
        files = tuple(self.diff(fork, head_sha)) if fork != head_sha else ()
        tree = commits[0].tree if commits else self.tree_of(head_sha)
        return Change(base_sha, fork, head_sha, tree, commits, files)

    # -- blobs -------------------------------------------------------------------------------------

    def read_files(self, rev: str, paths: Sequence[str]) -> dict[str, bytes | None]:
        """The content of each path at ``rev`` (None where the path is absent), in two git calls."""
        result: dict[str, bytes | None] = dict.fromkeys(paths)
        if not paths:
            return result
        listing = self._run("ls-tree", "-z", "--full-tree", "--end-of-options", rev, "--", *paths)
        oids: dict[str, str] = {}
        for entry in listing.split(b"\0"):
            if not entry:
                continue
            meta, _, raw_path = entry.partition(b"\t")
            _mode, kind, oid = meta.split(b" ")
            if kind == b"blob":
                oids[decode_path(raw_path)] = oid.decode()
        blobs = self.cat_blobs(list(oids.values()))
        for path, blob_id in oids.items():
            if path in result:
                result[path] = blobs.get(blob_id)
        return result

    def blame_lines(self, since: str, head: str, path: str, lines: Sequence[int]) -> dict[int, str]:
        """Which commit of ``since..head`` wrote each of ``lines`` of ``path`` at ``head``.

        One `git blame --porcelain` with one ``-L`` range per run of consecutive lines. Lines that come from
        ``since`` or before (git's boundary commits) are left out of the answer. The repository's
        ``blame.ignoreRevsFile`` is cleared (``--ignore-revs-file=``): a change under review must not be able
        to move its own lines onto another commit.
        """
        if not lines:
            return {}
        ranges: list[tuple[int, int]] = []
        for n in sorted(set(lines)):
            if ranges and n == ranges[-1][1] + 1:
                ranges[-1] = (ranges[-1][0], n)
            else:
                ranges.append((n, n))
        args = ["blame", "--porcelain", "--no-progress", "--ignore-revs-file="]
        for start, end in ranges:
            args += ["-L", f"{start},{end}"]
        if not (_SHA.fullmatch(since) and _SHA.fullmatch(head)):
            raise GitError("blame needs full commit ids")  # no option can hide in a revision range
        out = self._run(*args, f"{since}..{head}", "--", path)
        owner: dict[int, str] = {}
        boundary: set[str] = set()
        sha = ""
        final = 0
        count = 0
        for raw in out.split(b"\n"):
            if raw.startswith(b"\t"):
                continue
            head_fields = raw.split(b" ")
            if len(head_fields) >= 3 and _SHA.fullmatch(head_fields[0].decode("ascii", "replace")):
                sha = head_fields[0].decode()
                final = int(head_fields[2])
                count = int(head_fields[3]) if len(head_fields) > 3 else 1
                for n in range(final, final + count):
                    owner[n] = sha
            elif raw == b"boundary":
                boundary.add(sha)
        return {n: c for n, c in owner.items() if c not in boundary}

    def cat_blobs(self, oids: Sequence[str]) -> dict[str, bytes]:
        """Read many objects with one `git cat-file --batch`."""
        return {name: data for name, (_, _, data) in self.cat_objects(oids).items()}

    def cat_objects(self, names: Sequence[str]) -> dict[str, tuple[str, str, bytes]]:
        """``(object id, type, content)`` of many objects named by id or ``REV:PATH``, in one
        `git cat-file --batch`; names that do not resolve are left out."""
        if not names:
            return {}
        if any("\n" in name for name in names):
            raise GitError("an object name holds a newline")
        out = self._run("cat-file", "--batch", input=("\n".join(names) + "\n").encode())
        found: dict[str, tuple[str, str, bytes]] = {}
        pos = 0
        for name in names:
            nl = out.index(b"\n", pos)
            header = out[pos:nl].split(b" ")
            pos = nl + 1
            if len(header) != 3:
                continue  # "<name> missing" or "<name> ambiguous"
            size = int(header[2])
            found[name] = (header[0].decode(), header[1].decode(), out[pos : pos + size])
            pos += size + 1
        return found

    def stream_objects(self, names: Sequence[str]) -> Iterator[tuple[str, str, str, bytes] | None]:
        """``(name, object id, type, content)`` of each object in ``names`` order (None where it does not
        resolve), from one `git cat-file --batch` read as it arrives: the caller works while git reads."""
        if any("\n" in name for name in names):
            raise GitError("an object name holds a newline")
        if not names:
            return
        with tempfile.TemporaryFile() as request, tempfile.TemporaryFile() as errfile:
            # The request goes in through a file: no writer thread, no pipe to keep filled.
            request.write(("\n".join(names) + "\n").encode())
            request.seek(0)
            try:
                proc = subprocess.Popen(
                    self._argv(["cat-file", "--batch"]),
                    stdin=request,
                    stdout=subprocess.PIPE,
                    stderr=errfile,
                    env=self._env,
                )
            except FileNotFoundError:
                raise GitError("git is not installed or not on PATH", hint="install git 2.30 or newer") from None
            stdout = proc.stdout
            if stdout is None:  # pragma: no cover - Popen with PIPE always gives a stream
                raise GitError("git gave no output stream")
            fd = stdout.fileno()
            buf = bytearray()
            pos = 0
            try:
                for name in names:
                    while (nl := buf.find(b"\n", pos)) < 0:
                        if not _fill(fd, buf):
                            raise GitError("git cat-file stopped early")
                    header = bytes(buf[pos:nl]).split(b" ")
                    pos = nl + 1
                    if len(header) != 3:
                        yield None  # "<name> missing" or "<name> ambiguous"
                        continue
                    size = int(header[2])
                    while len(buf) < pos + size + 1:
                        if not _fill(fd, buf):
                            raise GitError("git cat-file stopped early")
                    yield name, header[0].decode(), header[1].decode(), bytes(buf[pos : pos + size])
                    pos += size + 1
                    if pos > 1 << 20:
                        del buf[:pos]
                        pos = 0
            finally:
                stdout.close()
                rc = proc.wait()
                errfile.seek(0)
                err = errfile.read()
        if rc != 0:
            msg = _text(err).strip()
            raise _git_error(msg.splitlines()[0] if msg else f"git cat-file exited {rc}")

    def notes(self, ref: str) -> dict[str, bytes]:
        """Every note under ``ref`` keyed by the annotated commit (empty if the ref does not exist)."""
        exists = self._run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", ok=(0, 1)).strip()
        if not exists:
            return {}
        listing = self._run("notes", "--ref", ref, "list").decode().split()
        pairs = list(zip(listing[0::2], listing[1::2], strict=True))
        blobs = self.cat_blobs([note for note, _ in pairs])
        return {commit: blobs[note] for note, commit in pairs if note in blobs}

    def toplevel(self) -> str:
        """The root of the working tree."""
        out = self._run("rev-parse", "--show-toplevel", ok=(0, 128)).strip()
        if not out:
            raise GitError(f"{self.path} is a bare repository", hint="run this in a checkout with a working tree")
        return decode_path(out)

    def has_commits(self) -> bool:
        return self.ref_exists("HEAD")

    def list_folder(self, rev: str, folder: str, *, recursive: bool = False) -> list[str]:
        """The paths of the files in ``folder`` at ``rev`` (empty when it does not exist): directly in it, or at
        any depth with ``recursive``. Only that folder's trees are read, not the whole tree of ``rev``."""
        spec = folder.rstrip("/") + "/"
        out = self._run(
            "ls-tree", *(["-r"] if recursive else []), "-z", "--full-tree", "--end-of-options", rev, "--", spec
        )
        found: list[str] = []
        for entry in out.split(b"\0"):
            meta, _, raw_path = entry.partition(b"\t")
            if raw_path and meta.split(b" ")[1:2] == [b"blob"]:
                found.append(decode_path(raw_path))
        return found

    def tracked_files(self, rev: str) -> list[str]:
        """Every file path in the tree of ``rev``."""
        out = self._run("ls-tree", "-r", "-z", "--name-only", "--full-tree", "--end-of-options", rev)
        return [decode_path(p) for p in out.split(b"\0") if p]

    def recent_authors(self, limit: int) -> list[Identity]:
        """Distinct authors of the last ``limit`` commits on HEAD, most recent first."""
        if not self.has_commits():
            return []
        out = self._run("log", "-z", f"--max-count={limit}", "--format=%an%x1f%ae", "HEAD", "--")
        seen: dict[str, Identity] = {}
        for rec in out.split(b"\0"):
            name, _, email = _text(rec).partition("\x1f")
            if email and email.lower() not in seen:
                seen[email.lower()] = Identity(name, email)
        return list(seen.values())

    def ref_exists(self, ref: str) -> bool:
        return bool(self._run("rev-parse", "--verify", "--quiet", ref, ok=(0, 1)).strip())

    # -- writing objects and refs (the ledger) -----------------------------------------------------
    # These write only objects and the one ref asked for: never the index, the working tree or HEAD.

    def read_ref(self, ref: str) -> str | None:
        """The commit a ref points to, None if it does not exist; GitError if it exists but is broken."""
        out = self._run("rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}", ok=(0, 1))
        sha = out.decode().strip()
        if sha:
            return sha
        listed = self._run("for-each-ref", "--format=%(refname)", ref).decode().split()
        loose = self.git_dir / ref
        if ref in listed or loose.is_file():
            raise GitError(f"{ref} is broken: it does not point to a readable commit (truncated or corrupt)")
        return None

    def hash_blob(self, data: bytes) -> str:
        """Write ``data`` as a blob object and return its id."""
        return self._run("hash-object", "-w", "--no-filters", "--stdin", input=data).decode().strip()

    def make_tree(self, entries: Sequence[tuple[str, str]]) -> str:
        """Write a tree of regular files from ``(name, blob id)`` pairs and return its id."""
        lines = b"".join(f"100644 blob {oid}\t{name}\0".encode() for name, oid in entries)
        return self._run("mktree", "-z", input=lines).decode().strip()

    def commit_tree(self, tree: str, parents: Sequence[str], message: str, identity: Identity) -> str:
        """Write a commit of ``tree`` on ``parents`` (no ref moves) and return its id."""
        env = {
            "GIT_AUTHOR_NAME": identity.name,
            "GIT_AUTHOR_EMAIL": identity.email,
            "GIT_COMMITTER_NAME": identity.name,
            "GIT_COMMITTER_EMAIL": identity.email,
        }
        args = ["-c", "commit.gpgSign=false", "commit-tree", tree]
        for parent in parents:
            args += ["-p", parent]
        return self._run(*args, input=message.encode(), env=env).decode().strip()

    def compare_and_swap_ref(self, ref: str, new: str, old: str | None, message: str) -> bool:
        """Point ``ref`` at ``new`` only if it still points at ``old`` (None: only if it does not exist).

        False when another writer moved the ref first; the move is recorded in the ref's reflog.
        """
        args = ["update-ref", "--create-reflog", "-m", message, ref, new, old or NULL_SHA]
        try:
            self._run(*args)
        except GitError as exc:
            # Lost the race: another writer moved the ref, or holds its lock right now. Anything else is a
            # real failure and must not be retried as if it were a race.
            if self.read_ref(ref) != old or "lock" in str(exc):
                return False
            raise
        # Success is git's exit status, not a read-back: another writer may move the ref on top of ours before
        # we could read it, and reading then would make the caller append the same entry twice.
        return True

    def ref_log(self, ref: str) -> list[str]:
        """Every value ``ref`` has had, from its reflog (newest first; empty when there is no reflog)."""
        path = self.git_dir / "logs" / ref
        if not path.is_file():
            return []
        out = self._run("reflog", "show", "--format=%H", ref, "--", ok=(0, 128))
        return [line for line in out.decode().split() if _SHA.fullmatch(line)]

    def chain(self, tip: str) -> list[tuple[str, tuple[str, ...], str]]:
        """``(commit, parents, tree)`` of every commit reachable from ``tip``, oldest first, in one call."""
        out = self._run("log", "--reverse", "--topo-order", "--format=%H %T%x1f%P", "--end-of-options", tip, "--")
        result: list[tuple[str, tuple[str, ...], str]] = []
        for line in out.decode().splitlines():
            head, _, parents = line.partition("\x1f")
            sha, _, tree = head.partition(" ")
            result.append((sha, tuple(parents.split()), tree))
        return result

    def chain_with_files(self, tip: str) -> list[tuple[str, tuple[str, ...], str, list[tuple[str, str]], str]]:
        """Like :meth:`chain`, with the ``(path, new blob id)`` each commit wrote (its raw diff against
        its first parent, the whole tree for a root commit) and the message's trailers (as
        :meth:`chain_with_trailers` gives them), in one `git log`."""
        out = self._read_all([
            "log", "-z", "--reverse", "--topo-order", "--raw", "--root", "--no-renames", "--no-abbrev",
            "--format=%x1e%H %T%x1f%P%x1f%(trailers:only,unfold,separator=%x1d,key_value_separator=%x1c)",
            "--end-of-options", tip, "--",
        ])  # fmt: skip
        result: list[tuple[str, tuple[str, ...], str, list[tuple[str, str]], str]] = []
        for record in out.split(b"\x1e")[1:]:
            tokens = record.split(b"\0")
            head, _, rest = tokens[0].partition(b"\x1f")
            sha, _, tree = head.decode().partition(" ")
            parents_text, _, rest = rest.partition(b"\x1f")
            raw_trailers, _, first_raw = rest.partition(b"\n")
            trailers = raw_trailers.decode("utf-8", "replace")
            files: list[tuple[str, str]] = []
            raw = [first_raw.lstrip(b"\n"), *tokens[1:]]
            i = 0
            while i + 1 < len(raw):
                meta = raw[i].strip()
                if meta.startswith(b":"):
                    fields = meta.split(b" ")
                    files.append((decode_path(raw[i + 1]), fields[3].decode()))
                    i += 2
                else:
                    i += 1
            result.append((sha, tuple(parents_text.decode().split()), tree, files, trailers))
        return result

    def chain_with_trailers(self, tip: str, since: str | None = None) -> list[tuple[str, tuple[str, ...], str, str]]:
        """``(commit, parents, tree, trailers)`` of every commit reachable from ``tip``, oldest first, in one
        `git log` call that reads commit objects only (no trees, no blobs). The trailers are as git parses
        them, in one string: key and value separated by FS (0x1c), trailers by GS (0x1d). With ``since``,
        only the commits ``since`` does not reach (``git log since..tip``)."""
        args = [
            "log", "-z", "--reverse", "--topo-order", "--no-color", "--encoding=UTF-8",
            "--format=%H%x1f%P%x1f%T%x1f%(trailers:only,unfold,separator=%x1d,key_value_separator=%x1c)",
            "--end-of-options", tip, *([f"^{since}"] if since else []), "--",
        ]  # fmt: skip
        result: list[tuple[str, tuple[str, ...], str, str]] = []
        for token in self._stream(args):
            sha, parents, tree, raw = token.decode("utf-8", "replace").split("\x1f", 3)
            result.append((sha, tuple(parents.split()), tree, raw))
        return result

    def commit_headers(self, shas: Sequence[str]) -> dict[str, tuple[tuple[str, ...], str, str]]:
        """``commit -> (parents, tree, trailers)`` for the given commits only (`git log --no-walk --stdin`),
        trailers as :meth:`chain_with_trailers` gives them."""
        if not shas:
            return {}
        if not all(_SHA.fullmatch(s) for s in shas):
            raise GitError("not a full commit id")
        out = self._run(
            "log", "--no-walk=unsorted", "--stdin", "-z", "--no-color", "--encoding=UTF-8",
            "--format=%H%x1f%P%x1f%T%x1f%(trailers:only,unfold,separator=%x1d,key_value_separator=%x1c)",
            input=("\n".join(shas) + "\n").encode(),
        )  # fmt: skip
        found: dict[str, tuple[tuple[str, ...], str, str]] = {}
        for token in out.decode("utf-8", "replace").split("\0"):
            if token:
                sha, parents, tree, raw = token.split("\x1f", 3)
                found[sha] = (tuple(parents.split()), tree, raw)
        return found

    def read_trees(self, oids: Sequence[str]) -> dict[str, list[tuple[str, str, str]]]:
        """The entries ``(mode, name, object id)`` of many tree objects, in one `git cat-file --batch`."""
        raw = self.cat_blobs(list(dict.fromkeys(oids)))
        trees: dict[str, list[tuple[str, str, str]]] = {}
        for oid, data in raw.items():
            entries: list[tuple[str, str, str]] = []
            pos = 0
            size = len(oid) // 2
            while pos < len(data):
                space = data.index(b" ", pos)
                nul = data.index(b"\0", space)
                mode, name = data[pos:space].decode(), decode_path(data[space + 1 : nul])
                entries.append((mode, name, data[nul + 1 : nul + 1 + size].hex()))
                pos = nul + 1 + size
            trees[oid] = entries
        return trees

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        rc, _, err = self._call("merge-base", "--is-ancestor", ancestor, descendant)
        if rc not in (0, 1):
            raise GitError(_text(err).strip().splitlines()[0] if err.strip() else "git merge-base failed")
        return rc == 0

    def _call(self, *args: str) -> tuple[int, bytes, bytes]:
        proc = subprocess.run(self._argv(args), capture_output=True, env=self._env, check=False)
        return proc.returncode, proc.stdout, proc.stderr

    def fetch_ref(self, remote: str, src: str, dst: str) -> str | None:
        """Fetch ``src`` from ``remote`` into the local ``dst`` (forced: dst is a private tracking ref).

        Returns the fetched commit, or None when the remote has no such ref.
        """
        if remote.startswith("-"):
            raise GitError(f"not a remote: {remote!r}")
        listed = self._run("ls-remote", "--end-of-options", remote, src).decode().split()
        if not listed:
            return None
        self._run("fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--end-of-options", remote, f"+{src}:{dst}")
        return self.read_ref(dst)

    def push_ref(self, remote: str, src: str, dst: str) -> bool:
        """Push ``src`` to ``remote``'s ``dst`` without force. False when the remote refused (not a fast-forward)."""
        if remote.startswith("-"):
            raise GitError(f"not a remote: {remote!r}")
        rc, out, err = self._call("push", "--quiet", "--porcelain", "--end-of-options", remote, f"{src}:{dst}")
        if rc == 0:
            return True
        if b"[rejected]" in out or b"[remote rejected]" in out or b"fetch first" in err:
            return False
        raise GitError(_text(err).strip().splitlines()[0] if err.strip() else f"git push exited {rc}")


def _fill(fd: int, buf: bytearray) -> bool:
    chunk = os.read(fd, 1 << 16)
    buf += chunk
    return bool(chunk)


def _identity(name: str, email: str) -> Identity:
    key = (name, email)
    found = _IDENTITIES.get(key)
    if found is None:
        if len(_IDENTITIES) > 100_000:
            _IDENTITIES.clear()
        found = _IDENTITIES[key] = Identity(name, email)
    return found


def _commit(header: bytes, files: list[FileTouch]) -> Commit:
    # One decode for the whole header: it holds no paths, only ids, names, emails, times and the message.
    fields = header.decode("utf-8", "replace").split("\x1f", 10)
    if len(fields) < 11:
        raise GitError("git log produced a record vouched cannot read; vouched needs git 2.31 or newer")
    sha, parents, tree, an, ae, at, cn, ce, ct, raw_trailers, message = fields
    if message.endswith("\x1f"):
        message = message[:-1]
    trailers: tuple[Trailer, ...] = ()
    if raw_trailers:
        trailers = tuple(
            Trailer(key.strip(), value.strip())
            for key, _, value in (t.partition("\x1c") for t in raw_trailers.split("\x1d"))
        )
    return Commit(
        sha=sha,
        parents=tuple(parents.split()),
        tree=tree,
        author=_identity(an, ae),
        committer=_identity(cn, ce),
        authored_at=int(at or 0),
        committed_at=int(ct or 0),
        message=message,
        trailers=trailers,
        files=tuple(files),
    )


def _parse_diff(out: bytes) -> list[FileChange]:
    """Parse `git diff -z --raw -p`: NUL-separated raw records, an empty token, then the patch."""
    records, patch = _raw_records(out)
    sections = re.split(rb"(?m)^diff --git ", patch)[1:] if patch else []
    if len(sections) != len(records):
        raise GitError(f"git diff gave {len(records)} files but {len(sections)} patches; please report this")
    return [_file_change(rec, sec) for rec, sec in zip(records, sections, strict=True)]


def _raw_records(out: bytes) -> tuple[list[tuple[str, str, str | None]], bytes]:
    """The raw records ``(status, path, old path)`` of `git diff -z --raw -p`, and the patch after them."""
    pos = 0
    records: list[tuple[str, str, str | None]] = []
    while pos < len(out):
        if out.startswith(b"\0", pos):  # the empty token between the raw part and the patch
            pos += 1
            break
        end = out.index(b"\0", pos)
        meta = out[pos:end]
        pos = end + 1
        status = meta.split(b" ")[-1][:1].decode()
        end = out.index(b"\0", pos)
        first = decode_path(out[pos:end])
        pos = end + 1
        if status in ("R", "C"):
            end = out.index(b"\0", pos)
            records.append((status, decode_path(out[pos:end]), first))
            pos = end + 1
        else:
            records.append((status, first, None))
    return records, out[pos:]


def _deleted_lines(out: bytes) -> list[DeletedLines]:
    records, patch = _raw_records(out)
    sections = re.split(rb"(?m)^diff --git ", patch)[1:] if patch else []
    if len(sections) != len(records):
        raise GitError(f"git diff gave {len(records)} files but {len(sections)} patches; please report this")
    result: list[DeletedLines] = []
    for (status, path, old), section in zip(records, sections, strict=True):
        if status == "A":
            continue
        lines = _deleted(section)
        if lines:
            result.append(DeletedLines(old or path, path, tuple(lines)))
    return result


def _deleted(section: bytes) -> list[tuple[int, str]]:
    """The ``-`` lines of one file's `-U0` patch, with their numbers in the old file ([] for a binary)."""
    lines = _hunk_lines(section, _OLD_HUNK, b"-", (b"-",))
    return [] if lines is None else [(number, _text(text)) for number, text in lines]


def _hunk_lines(
    section: bytes, header: re.Pattern[bytes], kept: bytes, counted: tuple[bytes, ...]
) -> list[tuple[int, bytes]] | None:
    """The lines of one file's patch that start with ``kept`` (without it), each with its number: a hunk
    header (``header``'s first group) sets the number, a line starting with one of ``counted`` advances it.
    None for a binary file. One walk for both sides of a diff, so the old and new numbering cannot drift."""
    lines: list[tuple[int, bytes]] = []
    number = 0
    in_hunk = False
    for line in section.split(b"\n"):
        if not in_hunk:
            if line.startswith(b"Binary files ") or line.startswith(b"GIT binary patch"):
                return None
            if not line.startswith(b"@@"):
                continue
            in_hunk = True
        if line.startswith(b"@@"):
            m = header.match(line)
            if m:
                number = int(m.group(1))
            continue
        if line.startswith(counted):
            if line.startswith(kept):
                lines.append((number, line[1:]))
            number += 1
    return lines


def _parse_numstat(out: bytes) -> Iterator[tuple[Commit, tuple[FileStat, ...]]]:
    """Parse `git log -z --numstat --format=_LOG_FORMAT`: a header token per commit (starting with RS),
    then one token per file, ``ADDED\\tDELETED\\tPATH`` (the first one after a newline), a rename being
    ``ADDED\\tDELETED\\t`` followed by two tokens, the old path and the new."""
    tokens = out.split(b"\0")
    header: bytes | None = None
    files: list[FileStat] = []
    i, n = 0, len(tokens)
    while i < n:
        token = tokens[i]
        i += 1
        if token.startswith(b"\x1e"):
            if header is not None:
                yield _commit(header, []), tuple(files)
            header, files = token[1:], []
            continue
        if token.startswith(b"\n"):
            token = token[1:]
        if not token or header is None:
            continue
        added, deleted, raw_path = token.split(b"\t", 2)
        plus = None if added == b"-" else int(added)
        minus = None if deleted == b"-" else int(deleted)
        if raw_path:
            files.append(FileStat(decode_path(raw_path), None, plus, minus))
        else:
            old, new = tokens[i], tokens[i + 1]
            i += 2
            files.append(FileStat(decode_path(new), decode_path(old), plus, minus))
    if header is not None:
        yield _commit(header, []), tuple(files)


def _parse_blame(out: bytes) -> list[BlameLine]:
    """Parse `git blame --porcelain`: per line a header ``SHA ORIG FINAL [COUNT]``, then (the first time a
    commit appears, or when it has several paths) ``key value`` lines, then the line's text after a TAB."""
    result: list[BlameLine] = []
    times: dict[str, tuple[int, int]] = {}
    paths: dict[str, str] = {}
    boundaries: set[str] = set()
    current: tuple[str, int, int] | None = None
    for line in out.split(b"\n"):
        if current is None:
            if not line:
                continue
            parts = line.split(b" ")
            current = (parts[0].decode(), int(parts[1]), int(parts[2]))
            continue
        sha, orig, final = current
        if line.startswith(b"\t"):
            authored, committed = times.get(sha, (0, 0))
            result.append(BlameLine(final, sha, paths.get(sha, ""), orig, authored, committed, sha in boundaries))
            current = None
            continue
        key, _, value = line.partition(b" ")
        if key == b"author-time":
            times[sha] = (int(value), times.get(sha, (0, 0))[1])
        elif key == b"committer-time":
            times[sha] = (times.get(sha, (0, 0))[0], int(value))
        elif key == b"filename":
            paths[sha] = decode_path(value)
        elif key == b"boundary":
            boundaries.add(sha)
    return result


def _file_change(record: tuple[str, str, str | None], section: bytes) -> FileChange:
    status, path, old = record
    lines = _hunk_lines(section, _HUNK, b"+", (b"+", b" "))
    added = () if lines is None else tuple(AddedLine(number, _text(text)) for number, text in lines)
    return FileChange(status, path, old, lines is None, added)


class ScratchRepo:
    """Builds a repository with pinned identities and dates: for `vouched demo`, tests and benchmarks.

    It never touches a repository it did not create, and it ignores the user's own git configuration.
    """

    EPOCH = 1_767_225_600  # 2026-01-01T00:00:00Z; each commit is one hour after the last

    def __init__(self, path: str | os.PathLike[str], *, branch: str = "main") -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self._tick = 0
        home = self.path / ".git-home-unused"
        self._env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        self._env.update(
            {
                "GIT_CONFIG_NOSYSTEM": "1",
                "GIT_CONFIG_GLOBAL": os.devnull,
                "HOME": str(home),
                "LC_ALL": "C",
            }
        )
        self.git("init", "-q", "-b", branch)
        self.git("config", "commit.gpgsign", "false")
        self.git("config", "core.autocrlf", "false")
        self.git("config", "user.name", "Sample Maintainer")
        self.git("config", "user.email", "maintainer@sample.example")

    def git(self, *args: str, input: bytes | None = None, env: dict[str, str] | None = None) -> str:
        proc = subprocess.run(
            ["git", "-C", str(self.path), *args],
            input=input,
            capture_output=True,
            env={**self._env, **(env or {})},
            check=False,
        )
        if proc.returncode != 0:
            raise GitError(f"git {' '.join(args)}: {_text(proc.stderr).strip()}")
        return _text(proc.stdout)

    def write(self, path: str, content: str | bytes) -> None:
        target = self.path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content.encode() if isinstance(content, str) else content)

    def _next_identity(self, author: tuple[str, str], committer: tuple[str, str] | None) -> dict[str, str]:
        self._tick += 1
        date = f"@{self.EPOCH + 3600 * self._tick} +0000"
        committer = committer or author
        return {
            "GIT_AUTHOR_NAME": author[0],
            "GIT_AUTHOR_EMAIL": author[1],
            "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_NAME": committer[0],
            "GIT_COMMITTER_EMAIL": committer[1],
            "GIT_COMMITTER_DATE": date,
        }

    def commit(
        self,
        message: str,
        files: dict[str, str | bytes | None] | None = None,
        *,
        author: tuple[str, str] = ("Alice Archer", "alice@bank.example"),
        committer: tuple[str, str] | None = None,
        moves: dict[str, str] | None = None,
    ) -> str:
        """Write ``files`` (None deletes), apply ``moves`` (old -> new), commit everything, return the sha."""
        for old, new in (moves or {}).items():
            (self.path / new).parent.mkdir(parents=True, exist_ok=True)
            self.git("mv", old, new)
        for path, content in (files or {}).items():
            if content is None:
                self.git("rm", "-q", "--", path)
            else:
                self.write(path, content)
        self.git("add", "-A")
        env = self._next_identity(author, committer)
        self.git("commit", "-q", "--allow-empty", "--cleanup=verbatim", "-F", "-", input=message.encode(), env=env)
        return self.git("rev-parse", "HEAD").strip()

    def merge(
        self, branch: str, message: str, *, author: tuple[str, str] = ("Alice Archer", "alice@bank.example")
    ) -> str:
        """Merge ``branch`` into the current branch with a merge commit, return its sha."""
        env = self._next_identity(author, None)
        self.git("merge", "-q", "--no-ff", "--no-edit", "-m", message, branch, env=env)
        return self.git("rev-parse", "HEAD").strip()
