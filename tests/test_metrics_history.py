"""History ingest: line counts and provenance per commit, cached in SQLite, on real repositories."""

from __future__ import annotations

import sqlite3
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vouched.errors import ShallowCloneError, VouchedError
from vouched.git import Git, ScratchRepo
from vouched.metrics import history
from vouched.metrics.history import CommitStat, FileStat, HistoryStore

from conftest import ALICE, BOB

CLAUDE_COAUTHOR = "Co-Authored-By: Claude <noreply@anthropic.com>"
POLICY = """\
version = 1
levels = ["junior", "senior"]

[[tiers]]
name = "green"
paths = ["**"]
min_level = "junior"
ai_min_level = "junior"
approvals = 0
approver_min_level = "junior"
"""
MARKER = '\n[[ai_markers]]\ntool = "acme-bot"\ntrailer = "Generated-by"\n'


class CountingGit(Git):
    """A real Git that remembers which commits it was asked to read (a spy; git still runs)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.asked: list[str] = []
        self.batches_read = 0

    def iter_numstat(self, shas: Sequence[str], **kw: object) -> object:  # type: ignore[override]
        self.asked.extend(shas)
        return super().iter_numstat(shas, **kw)  # type: ignore[arg-type]

    def _read_all(self, args: Sequence[str], stdin: bytes | None = None, env: dict[str, str] | None = None) -> bytes:
        self.batches_read += 1
        return super()._read_all(args, stdin, env)


def rev_list(repo: ScratchRepo, *args: str) -> list[str]:
    return repo.git("rev-list", "--reverse", "--topo-order", *args).split()


def ingest(repo: ScratchRepo, tmp_path: Path, rev: str = "HEAD") -> tuple[HistoryStore, history.IngestResult]:
    store = HistoryStore.open(tmp_path / "cache.sqlite")
    return store, store.ingest(Git(repo.path), rev)


def test_line_counts_match_hand_computed_values(repo: ScratchRepo, tmp_path: Path) -> None:
    first = repo.commit("add", {"app.py": "a\nb\nc\n", "logo.png": b"\x89PNG\0\1\2", "docs/x.md": "x\n"})
    # one line changed (1 added, 1 deleted) and two appended; docs deleted (1 deleted)
    second = repo.commit("edit", {"app.py": "a\nB\nc\nd\ne\n", "docs/x.md": None})
    # a rename with one line changed: the renamed file counts only that line
    third = repo.commit("move", {"src/app.py": "a\nB\nc\nd\nE\n"}, moves={"app.py": "src/app.py"})
    repo.git("checkout", "-q", "-b", "side", first)
    side = repo.commit("side", {"side.txt": "1\n2\n"}, author=BOB)
    repo.git("checkout", "-q", "main")
    merge = repo.merge("side", "merge side")
    store, result = ingest(repo, tmp_path)
    assert (result.new, result.total, result.removed, result.rewritten) == (5, 5, 0, False)
    stats = {c.sha: c for c in store.commits()}
    assert stats[first].files == (
        FileStat("app.py", None, 3, 0),
        FileStat("docs/x.md", None, 1, 0),
        FileStat("logo.png", None, None, None),
    )
    assert (stats[first].changed_lines, stats[first].files_touched, stats[first].added) == (4, 3, 4)
    assert stats[second].files == (FileStat("app.py", None, 3, 1), FileStat("docs/x.md", None, 0, 1))
    assert (stats[second].added, stats[second].deleted, stats[second].changed_lines) == (3, 2, 5)
    assert stats[third].files == (FileStat("src/app.py", "app.py", 1, 1),)
    assert stats[side].files == (FileStat("side.txt", None, 2, 0),)
    assert stats[side].author.email == BOB[1]
    # a merge records no files: its lines are counted in the commits it merges
    assert stats[merge].files == () and stats[merge].changed_lines == 0 and stats[merge].is_merge
    assert stats[merge].parents == (third, side)
    assert store.tip == merge
    order = [c.sha for c in store.commits()]
    assert order.index(first) < order.index(second) < order.index(third) < order.index(merge)
    assert order.index(side) < order.index(merge)
    assert sorted(order) == sorted(rev_list(repo, "HEAD"))


def test_metadata_trailers_and_provenance(repo: ScratchRepo, tmp_path: Path) -> None:
    human = repo.commit("plain change\n\nSigned-off-by: Alice Archer <alice@bank.example>\n", {"a.py": "1\n"})
    ai = repo.commit(f"ai change\n\nbody\n\n{CLAUDE_COAUTHOR}\n", {"a.py": "2\n"}, author=BOB)
    declared = repo.commit("by hand\n\nAssisted-by: none\n", {"a.py": "3\n"})
    store, _ = ingest(repo, tmp_path)
    h, a, d = store.get(human), store.get(ai), store.get(declared)
    assert h is not None and a is not None and d is not None
    assert (h.ai, h.declared, h.tools) == (False, False, ())
    assert h.subject == "plain change" and h.trailer_values("signed-off-by") == ["Alice Archer <alice@bank.example>"]
    assert (a.ai, a.declared, a.tools) == (True, True, ("claude-code",))
    assert a.evidence == (f"trailer {CLAUDE_COAUTHOR}",)
    assert a.author.name == BOB[0] and a.committer.name == BOB[0]
    assert a.authored_at == ScratchRepo.EPOCH + 2 * 3600 == a.committed_at
    assert (d.ai, d.declared) == (False, True)
    assert store.get("0" * 40) is None


def test_second_run_reads_only_new_commits(repo: ScratchRepo, tmp_path: Path) -> None:
    for i in range(4):
        repo.commit(f"c{i}", {"f.txt": f"{i}\n"})
    git = CountingGit(repo.path)
    with HistoryStore.open(tmp_path / "c.sqlite") as store:
        assert store.ingest(git).new == 4
        git.asked.clear()
        again = store.ingest(git)
        assert (again.new, again.total) == (0, 4) and git.asked == []
        new = [repo.commit(f"n{i}", {"g.txt": f"{i}\n"}) for i in range(2)]
        third = store.ingest(git)
        assert (third.new, third.total, third.rewritten) == (2, 6, False)
        assert git.asked == new
    # the cache survives closing: a new process reads nothing again
    with HistoryStore.open(tmp_path / "c.sqlite") as store:
        git.asked.clear()
        assert store.ingest(git).new == 0 and git.asked == []
        assert len(store) == 6


def test_force_push_drops_commits_no_longer_reached(repo: ScratchRepo, tmp_path: Path) -> None:
    base = repo.commit("base", {"f.txt": "0\n"})
    old = [repo.commit(f"old{i}", {"f.txt": f"old{i}\n"}) for i in range(3)]
    store, first = ingest(repo, tmp_path)
    assert first.total == 4
    repo.git("reset", "-q", "--hard", base)
    new = [repo.commit(f"new{i}", {"f.txt": f"new{i}\n"}, author=BOB) for i in range(2)]
    result = store.ingest(Git(repo.path))
    assert (result.new, result.removed, result.rewritten, result.total) == (2, 3, True, 3)
    assert [c.sha for c in store.commits()] == [base, *new]
    assert all(store.get(s) is None for s in old)


def test_old_tip_gone_from_the_object_store_reconciles(repo: ScratchRepo, tmp_path: Path) -> None:
    base = repo.commit("base", {"f.txt": "0\n"})
    repo.git("checkout", "-q", "-b", "doomed")
    doomed = repo.commit("doomed", {"f.txt": "1\n"})
    store, _ = ingest(repo, tmp_path, "doomed")
    repo.git("checkout", "-q", "main")
    repo.git("branch", "-D", "doomed")
    repo.git("reflog", "expire", "--expire=now", "--all")
    repo.git("gc", "-q", "--prune=now")
    gone = subprocess.run(["git", "-C", str(repo.path), "cat-file", "-e", doomed], capture_output=True, check=False)
    assert gone.returncode != 0
    kept = repo.commit("main", {"g.txt": "x\n"})
    result = store.ingest(Git(repo.path))
    assert (result.rewritten, result.removed, result.new) == (True, 1, 1)
    assert [c.sha for c in store.commits()] == [base, kept]


def test_interrupted_ingest_is_completed_next_time(
    repo: ScratchRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shas = [repo.commit(f"c{i}", {"f.txt": f"{i}\n"}) for i in range(7)]
    monkeypatch.setattr(history, "_BATCH", 2)

    def stop(done: int, total: int) -> None:
        if done >= 4:
            raise KeyboardInterrupt

    store = HistoryStore.open(tmp_path / "c.sqlite")
    with pytest.raises(KeyboardInterrupt):
        store.ingest(Git(repo.path), progress=stop)
    assert 0 < len(store) < 7 and store.tip is None
    result = store.ingest(Git(repo.path))
    assert result.total == 7 and [c.sha for c in store.commits()] == shas


def test_progress_reports_done_and_total(repo: ScratchRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(5):
        repo.commit(f"c{i}", {"f.txt": f"{i}\n"})
    monkeypatch.setattr(history, "_BATCH", 2)
    seen: list[tuple[int, int]] = []
    with HistoryStore.open(tmp_path / "c.sqlite") as store:
        store.ingest(Git(repo.path), progress=lambda d, t: seen.append((d, t)))
    assert seen == [(0, 5), (2, 5), (4, 5), (5, 5)]


def test_policy_markers_at_the_tip_and_reattribution(repo: ScratchRepo, tmp_path: Path) -> None:
    bot = repo.commit("generated\n\nGenerated-by: acme\n", {"a.py": "1\n"})
    store, first = ingest(repo, tmp_path)
    assert first.reattributed == 0
    stat = store.get(bot)
    assert stat is not None and not stat.ai
    # The team adds its own marker: the old commit is attributed again, without reading it from git again.
    repo.commit("policy", {".vouched/policy.toml": POLICY + MARKER})
    git = CountingGit(repo.path)
    result = store.ingest(git)
    assert result.new == 1 and result.reattributed == 1 and len(git.asked) == 1
    stat = store.get(bot)
    assert stat is not None and stat.ai and stat.tools == ("acme-bot",)
    assert store.ingest(git).reattributed == 0


def test_git_ai_note_is_provenance(repo: ScratchRepo, tmp_path: Path) -> None:
    sha = repo.commit("plain", {"a.py": "x = 1\ny = 2\n"})
    note = (
        "a.py\n  abcd1234abcd1234 1-2\n---\n"
        '{"schema_version": "authorship/3.0.0", "base_commit_sha": "' + sha + '", "prompts": {"abcd1234abcd1234": '
        '{"agent_id": {"tool": "cursor", "id": "x", "model": "gpt-4o"}, "human_author": null, "messages": [], '
        '"total_additions": 2, "total_deletions": 0, "accepted_lines": 2, "overriden_lines": 0}}}\n'
    )
    repo.git("notes", "--ref", "refs/notes/ai", "add", "-m", note, sha)
    store, _ = ingest(repo, tmp_path)
    stat = store.get(sha)
    assert stat is not None and stat.ai and "cursor" in stat.tools


def test_since_until_filter_on_the_committer_date(repo: ScratchRepo, tmp_path: Path) -> None:
    shas = [repo.commit(f"c{i}", {"f.txt": f"{i}\n"}) for i in range(5)]
    store, _ = ingest(repo, tmp_path)
    t = ScratchRepo.EPOCH
    assert [c.sha for c in store.commits(since=t + 2 * 3600)] == shas[1:]
    assert [c.sha for c in store.commits(until=t + 3 * 3600)] == shas[:2]
    assert [c.sha for c in store.commits(t + 2 * 3600, t + 4 * 3600)] == shas[1:3]


def test_odd_paths_round_trip(repo: ScratchRepo, tmp_path: Path) -> None:
    raw = b"caf\xe9 tab\there.txt"  # not UTF-8, with a TAB
    (repo.path / raw.decode("utf-8", "surrogateescape")).write_bytes(b"1\n2\n")
    repo.write("new\nline.txt", "x\n")
    sha = repo.commit("odd names")
    store, _ = ingest(repo, tmp_path)
    stat = store.get(sha)
    assert stat is not None
    paths = {f.path for f in stat.files}
    assert paths == {raw.decode("utf-8", "surrogateescape"), "new\nline.txt"}
    assert {f.path: f.added for f in stat.files}[raw.decode("utf-8", "surrogateescape")] == 2


def test_empty_commit_and_root_commit(repo: ScratchRepo, tmp_path: Path) -> None:
    root = repo.commit("root", {"a.txt": "1\n"})
    empty = repo.commit("nothing")
    store, _ = ingest(repo, tmp_path)
    r, e = store.get(root), store.get(empty)
    assert r is not None and r.parents == () and r.files == (FileStat("a.txt", None, 1, 0),)
    assert e is not None and e.files == () and e.changed_lines == 0


def test_shallow_clone_is_refused_unless_allowed(repo: ScratchRepo, tmp_path: Path) -> None:
    for i in range(4):
        repo.commit(f"c{i}", {"f.txt": f"{i}\n"})
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "2", f"file://{repo.path}", str(clone)], check=True, capture_output=True
    )
    git = Git(clone)
    with HistoryStore.open(tmp_path / "c.sqlite") as store:
        with pytest.raises(ShallowCloneError) as info:
            store.ingest(git)
        assert "shallow" in info.value.message and info.value.hint and "unshallow" in info.value.hint
        result = store.ingest(git, allow_shallow=True)
        assert (result.total, result.shallow) == (2, True)
        cut, top = list(store.commits())
        assert cut.files == () and top.files == (FileStat("f.txt", None, 1, 1),)


def test_a_file_that_is_not_a_cache_is_a_clear_error(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.sqlite"
    bogus.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(VouchedError) as info:
        HistoryStore.open(bogus)
    assert "not a vouched metrics cache" in info.value.message


def test_a_cache_of_another_schema_is_rebuilt(repo: ScratchRepo, tmp_path: Path) -> None:
    repo.commit("c", {"f.txt": "1\n"})
    path = tmp_path / "c.sqlite"
    with HistoryStore.open(path) as store:
        store.ingest(Git(repo.path))
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value = '0' WHERE key = 'schema'")
    db.commit()
    db.close()
    with HistoryStore.open(path) as store:
        assert len(store) == 0 and store.tip is None
        assert store.ingest(Git(repo.path)).new == 1


def test_default_path_is_under_the_cache_home(
    repo: ScratchRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.commit("c", {"f.txt": "1\n"})
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    path = HistoryStore.default_path(Git(repo.path))
    assert path.parent == tmp_path / "xdg" / "vouched" / "metrics"
    assert path.name.startswith("repo-") and path.suffix == ".sqlite"
    other = ScratchRepo(tmp_path / "other" / "repo")
    assert HistoryStore.default_path(Git(other.path)) != path


def test_numstat_batches_in_parallel_give_the_same_commits_in_order(repo: ScratchRepo) -> None:
    for i in range(11):
        repo.commit(f"c{i}", {f"f{i % 3}.txt": f"{i}\n" * (i + 1)}, author=ALICE if i % 2 else BOB)
    git = Git(repo.path)
    shas = rev_list(repo, "HEAD")
    serial = list(git.iter_numstat(shas, jobs=1, batch=100))
    parallel = list(git.iter_numstat(shas, jobs=3, batch=2))
    assert [c.sha for c, _ in serial] == shas
    assert serial == parallel


def test_numstat_streams_with_a_bounded_window(repo: ScratchRepo) -> None:
    for i in range(12):
        repo.commit(f"c{i}", {"f.txt": f"{i}\n"})
    git = CountingGit(repo.path)
    shas = rev_list(repo, "HEAD")
    stream = git.iter_numstat(shas, jobs=2, batch=1)
    first = next(stream)  # type: ignore[call-overload]
    assert first[0].sha == shas[0]
    time.sleep(0.5)  # let the worker threads read all they were given (not a timing assertion)
    # 12 batches, but only the window (jobs + 1, plus the one that replaced the batch consumed) was read
    assert git.batches_read <= 4
    rest = list(stream)  # type: ignore[call-overload]
    assert len(rest) == 11 and git.batches_read == 12


def test_commit_stat_properties() -> None:
    from vouched.model import Identity

    who = Identity("A", "a@x")
    stat = CommitStat(
        "a" * 40, ("b" * 40,), who, who, 1, 2, "subject\n\nbody", (), False, False, (), (), (),
        (FileStat("x", None, 3, 1), FileStat("y.bin", None, None, None)),
    )  # fmt: skip
    assert (stat.subject, stat.added, stat.deleted, stat.changed_lines, stat.files_touched) == ("subject", 3, 1, 4, 2)
    assert not stat.is_merge


_SHARED: dict[str, ScratchRepo] = {}


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "b", "c", "", "  x", "b"]), max_size=12),
    st.lists(st.sampled_from(["a", "b", "c", "", "  x", "d"]), max_size=12),
)
def test_numstat_counts_add_up_to_the_change_in_length(
    tmp_path_factory: pytest.TempPathFactory, old: list[str], new: list[str]
) -> None:
    """Whatever diff git chooses, added - deleted is the change in the number of lines, and the deleted
    lines SZZ reads are exactly the deleted count, numbered inside the old file."""
    if "repo" not in _SHARED:  # one repository for all the examples: each adds two commits
        _SHARED["repo"] = ScratchRepo(tmp_path_factory.mktemp("r") / "repo")
    repo = _SHARED["repo"]
    repo.commit("old", {"f.txt": "".join(f"{line}\n" for line in old)})
    sha = repo.commit("new", {"f.txt": "".join(f"{line}\n" for line in new)})
    git = Git(repo.path)
    ((commit, files),) = list(git.iter_numstat([sha]))
    assert commit.sha == sha
    if old == new:
        assert files == ()
        return
    (stat,) = files
    assert stat.added is not None and stat.deleted is not None
    assert stat.added - stat.deleted == len(new) - len(old)
    parent = repo.git("rev-parse", f"{sha}^").strip()
    deleted = git.deleted_lines(parent, sha)
    assert deleted == git.deleted_lines_of([sha])[sha]
    numbers = [n for d in deleted for n, _ in d.lines]
    assert len(numbers) == stat.deleted
    assert all(1 <= n <= len(old) and old[n - 1] == text for d in deleted for n, text in d.lines)


def test_resolve_commits_in_one_call(repo: ScratchRepo) -> None:
    first = repo.commit("one", {"a.txt": "1\n"})
    second = repo.commit("two", {"a.txt": "2\n"})
    git = Git(repo.path)
    found = git.resolve_commits([first[:10], "HEAD", "HEAD~1", "main", "nope", "-x", "HEAD:a.txt", "a" * 40])
    assert found == {first[:10]: first, "HEAD": second, "HEAD~1": first, "main": second}
