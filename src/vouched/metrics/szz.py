"""SZZ: which commits introduced the lines a bug fix had to change.

API (stable; helper 6b and the report build on it)::

    Fix(sha, reported_at=None, bug_id=None)           # reported_at: Unix seconds the bug was reported
    Introducer(sha, path, line, how)                  # how: "blame" or "fixes-trailer"
    SzzResult(introducers, skipped, dropped, notes)
        introducers: {fix sha as given: (Introducer, ...)}  one entry per blamed line (or per trailer)
        skipped: ((fix sha, reason), ...)             fixes not analysed, each with a reason to count
        dropped: ((fix sha, candidate sha, reason), ...)   candidates removed by a filter
        notes: ((fix sha, text), ...)                 e.g. a Fixes: trailer that names no known commit
        .candidates(fix) -> frozenset[str]            the distinct introducing commits of one fix
        .bug_introducing() -> frozenset[str]          of all fixes
    find_introducers(git, fixes, *, ignore_revs=(), max_files=200, moves=True, skip_line=None, jobs=None,
                     commit_graph=None, simplify=False)
        commit_graph: a directory of ours (HistoryStore.commit_graph_dir) for a commit-graph with Bloom
        filters that makes each blame several times faster; None blames without it
    read_ignore_revs(path) -> list[str]               the `.git-blame-ignore-revs` format
    is_comment_or_blank(path, text) -> bool           the default line filter

The algorithm
-------------
For each fix (one `git log --no-walk` for all of them, then a thread pool of git processes):

1. **Ground truth first.** A ``Fixes: <sha>`` trailer (the Linux kernel convention: an abbreviated id,
   usually followed by the subject in parentheses) that resolves to a commit names the bug-introducing
   commit; blame is not run for that fix. Several ``Fixes:`` trailers give several introducers. A value that
   does not resolve (``Fixes: #123`` is an issue reference, not a commit) is a note, and blame decides.
2. **Lines to blame.** `git diff -U0 -M <fix>^ <fix>`: every line the fix deleted or changed, numbered as
   in the fix's parent, in the file's path there (the old path of a rename). Added-only hunks give nothing
   to blame; binary files are left out; a file the fix deleted has all its lines blamed.
3. **Lines skipped.** Blank lines, and lines that are only a comment in the file's language: ``#`` for
   Python, shell, Ruby, Perl, R, YAML, TOML, Makefiles, Dockerfiles...; ``//``, ``/*``, ``*`` and ``*/``
   for C, C++, C#, Java, JavaScript, TypeScript, Go, Rust, Swift, Kotlin, Scala, Dart, PHP, CSS...; ``--``
   for SQL, Lua, Haskell, Ada; ``;`` for Lisps and assembly; ``%`` for TeX and Erlang; a line starting a
   Python docstring (``\"\"\"`` or ``'''``). Files of other kinds skip blank lines only. The test is per
   line: a line inside a block comment that does not start with ``*`` is not recognised.
4. **Blame.** One ``git blame --porcelain -w -M -L a,b -L c,d ... <fix>^ -- <path>`` per file (ranges,
   not whole files): ``-w`` looks through whitespace-only changes, ``-M`` blames a line moved within the
   file on the commit that wrote it, whole-file renames are followed, and ``--ignore-revs-file`` looks
   through the listed commits (mass reformatting). A line git cannot pass on from an ignored commit stays
   blamed on it; such candidates are dropped (reason ``ignored revision``).
   Each blame walks the history from the fix's parent. With ``commit_graph`` (a directory of ours, e.g.
   :attr:`HistoryStore.commit_graph_dir <vouched.metrics.history.HistoryStore.commit_graph_dir>`), git
   reads a commit-graph with changed-path Bloom filters kept there (the repository's own objects as an
   alternate, nothing written to it; refreshed when a ref moved): the walk skips commits that did not
   touch the path without reading their trees (2 to 3 times less CPU per blame, measured). ``simplify``
   instead blames over the history `git rev-list --parents -- PATHS` simplifies to the blamed paths
   (``blame -S``), blaming again over the whole history any file whose blame crossed a rename; it wins on
   short histories only (one multi-path walk costs more than the blames it saves on 100,000 commits,
   and grafts switch the commit-graph off), so it is off by default.
5. **Filters.** A candidate authored after the bug's report date (when the tracker gives one) cannot have
   caused the bug and is dropped (``after the report date``): in the evaluation by Rosa et al. (ICSE
   2021) this lifts precision from about .39 to .73. The author date is used, not the committer date: a
   change rebased or cherry-picked after the report existed before it. In a shallow clone, a line blamed on
   a commit at the cut is dropped (``shallow boundary``): its real origin is not there.

A fix is skipped, with a counted reason and never a crash, when it is not a commit here (``unknown
commit``), is a merge (``merge commit``: which side fixed what is ambiguous), is a root commit, its parent
is missing (a shallow clone), it touches more than ``max_files`` files (a mass change whose lines are not
the bug), or it deletes or changes no code line (``no deleted or changed code lines``). A file git
cannot blame (a submodule) is left out of its fix with a note. A fix listed twice counts once.

Known limits
------------
* SZZ assumes the lines a fix changed are the lines that were wrong. A fix that only adds code (a missing
  check) has nothing to blame; a fix that also refactors blames the refactored lines too.
* The commit that last touched a line is not always the one that made it wrong (the bug may come from an
  interaction with code elsewhere); precision in published evaluations is roughly .4 to .7.
* Only the first parent of the fix is blamed, and lines copied from other files (``-C``) are not followed.
* Comment detection is by file extension and per line (see 3).
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from vouched.errors import GitError, InputError
from vouched.git import Git, display
from vouched.model import BlameLine, Commit, DeletedLines

__all__ = [
    "Fix",
    "Introducer",
    "SzzResult",
    "find_introducers",
    "is_comment_or_blank",
    "read_ignore_revs",
]

log = logging.getLogger(__name__)

BLAME, FIXES_TRAILER = "blame", "fixes-trailer"
_FIXES_VALUE = re.compile(r"([0-9a-fA-F]{7,64})(?![0-9a-zA-Z])")

SkipLine = Callable[[str, str], bool]


@dataclass(frozen=True, slots=True)
class Fix:
    """A bug-fixing commit; ``reported_at`` (Unix seconds) is when the bug it fixes was reported."""

    sha: str
    reported_at: int | None = None
    bug_id: str | None = None


@dataclass(frozen=True, slots=True)
class Introducer:
    """One piece of evidence that ``sha`` introduced the bug: a line it last changed that the fix changed
    (``path`` as in ``sha``, ``line`` numbered as in the fix's parent), or a ``Fixes:`` trailer (path "",
    line 0)."""

    sha: str
    path: str
    line: int
    how: str


@dataclass(frozen=True, slots=True)
class SzzResult:
    introducers: Mapping[str, tuple[Introducer, ...]]
    skipped: tuple[tuple[str, str], ...]
    dropped: tuple[tuple[str, str, str], ...] = ()
    notes: tuple[tuple[str, str], ...] = field(default=())

    def candidates(self, fix: str) -> frozenset[str]:
        """The distinct commits found to have introduced the bug ``fix`` fixes."""
        return frozenset(i.sha for i in self.introducers.get(fix, ()))

    def bug_introducing(self) -> frozenset[str]:
        return frozenset(i.sha for found in self.introducers.values() for i in found)


# -- comments -----------------------------------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_HASH = _words(
    ".py .pyi .pyx .sh .bash .zsh .ksh .fish .rb .rake .pl .pm .r .yaml .yml .toml .cfg .conf .cmake .mk .tf "
    ".tfvars .ps1 .psm1 .nix .jl .ex .exs .cr .coffee .gd .awk .sed .dockerfile .gitignore .properties"
)
_C_LIKE = _words(
    ".c .h .cc .cpp .cxx .hh .hpp .hxx .ino .cs .java .js .mjs .cjs .jsx .ts .tsx .mts .cts .go .rs .swift "
    ".kt .kts .scala .sc .dart .m .mm .groovy .gradle .proto .sol .zig .v .sv .vhd .php .css .scss .less "
    ".json5 .jsonc"
)
_DASH = _words(".sql .lua .hs .lhs .elm .ada .adb .ads .purs")
_SEMI = _words(".el .lisp .lsp .cl .clj .cljs .cljc .edn .scm .ss .rkt .asm .s .ini")
_PERCENT = _words(".tex .sty .cls .erl .hrl .bib")
_HASH_NAMES = frozenset({"makefile", "gnumakefile", "dockerfile", "containerfile", "cmakelists.txt", "gemfile"})
_HASH_NAMES |= frozenset({"rakefile", "vagrantfile", "procfile", ".gitignore", ".gitattributes", ".dockerignore"})
_PYTHON = frozenset({".py", ".pyi", ".pyx"})


def is_comment_or_blank(path: str, text: str) -> bool:
    """True for a blank line or a line that is only a comment in ``path``'s language (module doc, 3)."""
    line = text.strip()
    if not line:
        return True
    name = PurePosixPath(path).name.lower()
    ext = PurePosixPath(name).suffix
    if ext in _C_LIKE:
        if line.startswith(("//", "/*", "*")):
            return True
        return ext == ".php" and line.startswith("#")
    if ext in _HASH or name in _HASH_NAMES or name.startswith("dockerfile"):
        if line.startswith("#"):
            return True
        return ext in _PYTHON and line.startswith(('"""', "'''"))
    if ext in _DASH:
        return line.startswith("--")
    if ext in _SEMI:
        return line.startswith(";")
    if ext in _PERCENT:
        return line.startswith("%")
    return False


# -- ignore-revs ----------------------------------------------------------------------------------------


def read_ignore_revs(path: str | os.PathLike[str]) -> list[str]:
    """The revisions of a `.git-blame-ignore-revs` file: one a line, ``#`` comments and blank lines ignored."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the ignore-revs file {path}: {exc}", hint="pass a readable text file") from None
    revs = []
    for line in text.splitlines():
        rev = line.split("#", 1)[0].strip()
        if rev:
            revs.append(rev)
    return revs


# -- the algorithm ------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Work:
    fix: Fix
    sha: str  # resolved
    commit: Commit | None = None
    parent: str = ""
    deleted: list[DeletedLines] = field(default_factory=list)


def find_introducers(
    git: Git,
    fixes: Sequence[Fix],
    *,
    ignore_revs: Sequence[str] = (),
    max_files: int = 200,
    moves: bool = True,
    skip_line: SkipLine | None = None,
    jobs: int | None = None,
    simplify: bool = False,
    commit_graph: str | os.PathLike[str] | None = None,
) -> SzzResult:
    """Run SZZ over ``fixes`` (see the module docstring). ``skip_line(path, text)`` replaces the default
    filter of blank and comment-only lines; ``moves`` False leaves out blame's ``-M``."""
    skip = is_comment_or_blank if skip_line is None else skip_line
    if commit_graph is not None and not git.is_shallow():
        git = git.with_commit_graph(commit_graph)
        git.write_commit_graph()
    jobs = max(1, min(4, os.cpu_count() or 1) if jobs is None else jobs)
    skipped: list[tuple[str, str]] = []
    dropped: list[tuple[str, str, str]] = []
    notes: list[tuple[str, str]] = []
    results: dict[str, tuple[Introducer, ...]] = {}

    # One `cat-file --batch-check` resolves the fixes and the ignored revisions together.
    resolved = git.resolve_commits([*(f.sha for f in fixes), *ignore_revs])
    ignored: list[str] = []
    for rev in ignore_revs:
        if rev not in resolved:
            raise InputError(
                f"ignore-revs: {rev!r} is not a commit in this repository",
                hint="list full commit ids, one a line, as for `git blame --ignore-revs-file`",
            )
        ignored.append(resolved[rev])
    ignored_set = frozenset(ignored)

    unique: dict[str, Fix] = {}
    for fix in fixes:  # a fix listed twice counts once, as first listed
        unique.setdefault(fix.sha, fix)
    work: list[_Work] = []
    for fix in unique.values():
        if fix.sha in resolved:
            work.append(_Work(fix, resolved[fix.sha]))
        else:
            skipped.append((fix.sha, "unknown commit: not in this repository"))
    headers = {c.sha: (c, files) for c, files in git.iter_numstat(list(dict.fromkeys(w.sha for w in work)), jobs=1)}
    cut = git.shallow_commits()
    # One more resolves the fixes' parents (a shallow clone lacks some) and the values of Fixes: trailers.
    trailer_values = {w.sha: _fixes_values(headers[w.sha][0]) for w in work}
    names = [p for c, _ in headers.values() for p in c.parents]
    names += [m for values in trailer_values.values() for _, m in values if m]
    known = git.resolve_commits(names)
    ready: list[_Work] = []
    for w in work:
        commit, files = headers[w.sha]
        w.commit = commit
        reason = None
        if len(commit.parents) > 1:
            reason = "merge commit: which side fixed what is ambiguous"
        elif w.sha in cut or (commit.parents and commit.parents[0] not in known):
            # git shows a commit at a shallow clone's cut without parents: it is not a root commit
            reason = "parent missing (shallow clone): fetch the full history"
        elif not commit.parents:
            reason = "root commit: no parent to blame"
        elif len(files) > max_files:
            reason = f"touches {len(files)} files (more than max_files={max_files})"
        if reason is not None:
            skipped.append((w.fix.sha, reason))
            continue
        w.parent = commit.parents[0]
        named: list[str] = []
        for value, candidate in trailer_values[w.sha]:
            sha = known.get(candidate) if candidate else None
            if sha is None:
                notes.append((w.fix.sha, f"Fixes: {value} names no commit here; blame decides"))
            elif sha not in named:
                named.append(sha)
        if named:
            results[w.fix.sha] = tuple(Introducer(s, "", 0, FIXES_TRAILER) for s in named)
            continue
        ready.append(w)

    with tempfile.TemporaryDirectory(prefix="vouched-szz-") as tmp, ThreadPoolExecutor(jobs) as pool:
        revs_file: Path | None = None
        if ignored:
            revs_file = Path(tmp) / "ignore-revs"
            revs_file.write_text("".join(f"{s}\n" for s in ignored))
        deleted = git.deleted_lines_of([w.sha for w in ready])
        for w in ready:
            w.deleted = deleted[w.sha]
        jobs_list: list[tuple[_Work, str, list[tuple[int, int]]]] = []
        analysed: list[_Work] = []
        for w in ready:
            files_todo = 0
            for d in w.deleted:
                numbers = [n for n, text in d.lines if not skip(d.path, text)]
                if numbers:
                    jobs_list.append((w, d.path, _ranges(numbers)))
                    files_todo += 1
            if files_todo:
                analysed.append(w)
            else:
                skipped.append((w.fix.sha, "no deleted or changed code lines: nothing to blame"))

        ancestry: Path | None = None
        if simplify and jobs_list and not cut:
            ancestry = Path(tmp) / "ancestry"
            ancestry.write_bytes(_ancestry(git, analysed, [path for _, path, _ in jobs_list]))

        failures: list[tuple[str, str]] = []

        def blame(job: tuple[_Work, str, list[tuple[int, int]]], over: Path | None = ancestry) -> list[BlameLine]:
            w, path, ranges = job
            try:
                return git.blame(w.parent, path, ranges, ignore_revs_file=revs_file, moves=moves, ancestry_file=over)
            except GitError as exc:  # a submodule, a path git cannot blame: a note, never a crash
                failures.append((w.fix.sha, f"blame of {display(path)} failed, its lines are left out: {exc.message}"))
                return []

        blamed = list(pool.map(blame, jobs_list))
        if ancestry is not None:
            # The simplified history follows the paths as they are named at the fixes. Where blame crossed
            # a rename, the history under the old name may be missing from it: blame that file again over
            # the whole history.
            again = _crossed_renames(git, jobs_list, blamed)
            for i, lines in zip(again, pool.map(lambda i: blame(jobs_list[i], None), again), strict=True):
                blamed[i] = lines
            log.debug("szz: %d of %d files blamed again over the whole history", len(again), len(jobs_list))

        found: dict[str, list[Introducer]] = {w.fix.sha: [] for w in analysed}
        for (w, _path, _unused), lines in zip(jobs_list, blamed, strict=True):
            key = w.fix.sha
            for bl in lines:
                reason = None
                if bl.sha in ignored_set:
                    reason = "ignored revision"
                elif bl.boundary and bl.sha in cut:
                    reason = "shallow boundary"
                elif w.fix.reported_at is not None and bl.authored_at > w.fix.reported_at:
                    reason = "after the report date"
                if reason is not None:
                    dropped.append((key, bl.sha, reason))
                    continue
                found[key].append(Introducer(bl.sha, bl.path, bl.line, BLAME))
        for key, items in found.items():
            results[key] = tuple(items)
        notes.extend(dict.fromkeys(failures))
    return SzzResult(results, tuple(skipped), tuple(dict.fromkeys(dropped)), tuple(notes))


def _ancestry(git: Git, fixes: Sequence[_Work], paths: Sequence[str]) -> bytes:
    """The history `git blame -S` walks: the fixes' history simplified to the blamed paths, plus, for
    each fix's parent not in it, a line giving it the parents the fix's own line has there (the parent did
    not change those paths, so it hands every line down to them)."""
    lines = git.simplified_history([w.sha for w in fixes], sorted(set(paths)))
    listed = {line.split(" ", 1)[0]: line for line in lines}
    for w in fixes:
        if w.parent not in listed:
            own = listed.get(w.sha, w.sha).split(" ")[1:]
            listed[w.parent] = " ".join([w.parent, *own])
    return "".join(f"{line}\n" for line in listed.values()).encode()


def _crossed_renames(
    git: Git, jobs: Sequence[tuple[_Work, str, list[tuple[int, int]]]], blamed: Sequence[Sequence[BlameLine]]
) -> list[int]:
    """The jobs whose blame crossed a rename: a line blamed under another path, or on a commit that renamed
    another file to this path (over the simplified history, its changes under the old name are missing)."""
    again: set[int] = set()
    suspects: dict[str, set[int]] = {}
    for i, ((_, path, _), lines) in enumerate(zip(jobs, blamed, strict=True)):
        for bl in lines:
            if bl.path != path:
                again.add(i)
            else:
                suspects.setdefault(bl.sha, set()).add(i)
    wanted = [s for s in suspects if any(i not in again for i in suspects[s])]
    for commit, files in git.iter_numstat(wanted, jobs=1):
        renamed_to = {f.path for f in files if f.old_path is not None}
        for i in suspects[commit.sha]:
            if jobs[i][1] in renamed_to:
                again.add(i)
    return sorted(again)


def _fixes_values(commit: Commit) -> list[tuple[str, str | None]]:
    """Each ``Fixes:`` trailer value, with the abbreviated commit id it starts with (None if it does not)."""
    found: list[tuple[str, str | None]] = []
    for value in commit.trailer_values("fixes"):
        m = _FIXES_VALUE.match(value.strip())
        found.append((value.strip(), m.group(1).lower() if m else None))
    return found


def _ranges(numbers: Sequence[int]) -> list[tuple[int, int]]:
    """Sorted line numbers folded into ``(first, last)`` runs."""
    runs: list[tuple[int, int]] = []
    for n in sorted(set(numbers)):
        if runs and runs[-1][1] == n - 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs
