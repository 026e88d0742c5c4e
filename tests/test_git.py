"""The git door: real repositories, every awkward shape the issue names."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from vouched.errors import GitError, ShallowCloneError
from vouched.git import Git, ScratchRepo, display

from conftest import ALICE, BOB


def _clone(src: ScratchRepo, dest: Path, *args: str) -> Path:
    subprocess.run(["git", "clone", "-q", *args, f"file://{src.path}", str(dest)], check=True, capture_output=True)
    return dest


def test_commits_stream_with_metadata_trailers_and_files(repo: ScratchRepo) -> None:
    first = repo.commit("one\n\nbody\n\nCo-authored-by: Bob Baker <bob@bank.example>\n", {"a.txt": "a\n"})
    second = repo.commit("two", {"b.txt": "b\n"}, author=BOB, committer=ALICE)
    commits = list(Git(repo.path).iter_commits(["HEAD"], with_files=True))
    assert [c.sha for c in commits] == [second, first]
    newest, oldest = commits
    assert newest.author.email == "bob@bank.example"
    assert newest.committer.email == "alice@bank.example"
    assert newest.parents == (first,)
    assert newest.authored_at == ScratchRepo.EPOCH + 2 * 3600
    assert [(f.status, f.path) for f in newest.files] == [("A", "b.txt")]
    assert oldest.trailer_values("co-authored-by") == ["Bob Baker <bob@bank.example>"]
    assert oldest.parents == ()


def test_rename_keeps_both_paths(repo: ScratchRepo) -> None:
    repo.commit("add", {"docs/login.py": "x = 1\n" * 20})
    moved = repo.commit("move", moves={"docs/login.py": "src/auth/login.py"})
    git = Git(repo.path)
    (commit,) = list(git.iter_commits([f"{moved}~1..{moved}"], with_files=True))
    (touch,) = commit.files
    assert touch.status == "R"
    assert touch.paths == ("docs/login.py", "src/auth/login.py")
    (change,) = git.diff(f"{moved}~1", moved)
    assert (change.status, change.old_path, change.path) == ("R", "docs/login.py", "src/auth/login.py")


def test_binary_and_non_utf8_paths_and_messages(repo: ScratchRepo) -> None:
    base = repo.commit("base", {"keep.txt": "k\n"})
    name = b"caf\xe9.txt".decode("utf-8", "surrogateescape")
    (repo.path / b"caf\xe9.txt".decode("utf-8", "surrogateescape")).write_bytes(b"line\n")
    repo.write("blob.bin", b"\x00\x01\x02binary")
    head = repo.commit("mixed \udcff".encode("utf-8", "surrogateescape").decode("utf-8", "replace"))
    git = Git(repo.path)
    files = {f.path: f for f in git.diff(base, head)}
    assert files["blob.bin"].binary
    assert files["blob.bin"].added == ()
    assert files[name].added[0].text == "line"
    assert display(name) == "caf\ufffd.txt"
    (commit,) = list(git.iter_commits([f"{base}..{head}"], with_files=True))
    assert {f.path for f in commit.files} == {"blob.bin", name}


def test_raw_non_utf8_message_bytes_are_replaced_not_fatal(repo: ScratchRepo) -> None:
    repo.commit("base", {"a": "a\n"})
    tree = repo.git("rev-parse", "HEAD^{tree}").strip()
    parent = repo.git("rev-parse", "HEAD").strip()
    sha = repo.git("commit-tree", tree, "-p", parent, input=b"caf\xe9 latin-1 subject\n").strip()
    (commit,) = list(Git(repo.path).iter_commits([sha, f"^{parent}"]))
    # git may re-encode the stray byte (as Latin-1) or pass it through (we then replace it): never fatal.
    assert commit.subject in {"café latin-1 subject", "caf\ufffd latin-1 subject"}


def test_added_line_numbers(repo: ScratchRepo) -> None:
    base = repo.commit("base", {"f.py": "a\nb\nc\n"})
    head = repo.commit("edit", {"f.py": "a\nB\nc\nd\n"})
    (change,) = Git(repo.path).diff(base, head)
    assert [(line.number, line.text) for line in change.added] == [(2, "B"), (4, "d")]


def test_merge_commit_reports_only_what_the_merge_itself_wrote(repo: ScratchRepo) -> None:
    repo.commit("base", {"shared.txt": "one\n", "other.txt": "x\n"})
    repo.git("checkout", "-q", "-b", "side")
    repo.commit("side", {"side.txt": "s\n"})
    repo.git("checkout", "-q", "main")
    repo.commit("main", {"main.txt": "m\n"})
    merge = repo.merge("side", "Merge side")
    git = Git(repo.path)
    (commit,) = [c for c in git.iter_commits(["HEAD"], with_files=True) if c.sha == merge]
    assert commit.is_merge
    assert commit.files == ()  # a clean merge writes nothing of its own


def test_empty_range(repo: ScratchRepo) -> None:
    sha = repo.commit("only", {"a": "a\n"})
    change = Git(repo.path).load_change(sha, sha)
    assert change.commits == ()
    assert change.files == ()


def test_load_change_uses_the_merge_base(repo: ScratchRepo) -> None:
    repo.commit("base", {"a": "a\n"})
    repo.git("checkout", "-q", "-b", "feature")
    feature = repo.commit("feature", {"f": "f\n"})
    repo.git("checkout", "-q", "main")
    repo.commit("later on main", {"m": "m\n"})
    change = Git(repo.path).load_change("main", "feature")
    assert [c.sha for c in change.commits] == [feature]
    assert [f.path for f in change.files] == ["f"]  # main's later commit is not part of the change


def test_thousands_of_files_in_one_commit(repo: ScratchRepo) -> None:
    base = repo.commit("base", {"keep": "k\n"})
    for i in range(10_000):
        repo.write(f"gen/{i // 100}/f{i}.txt", f"{i}\n")
    head = repo.commit("generated")
    git = Git(repo.path)
    change = git.load_change(base, head)
    assert len(change.files) == 10_000
    assert len(change.commits[0].files) == 10_000


def test_read_files_and_missing_paths(repo: ScratchRepo) -> None:
    repo.commit("c", {".vouched/policy.toml": "version = 1\n"})
    got = Git(repo.path).read_files("HEAD", [".vouched/policy.toml", ".vouched/people.toml"])
    assert got == {".vouched/policy.toml": b"version = 1\n", ".vouched/people.toml": None}


def test_notes_are_read_in_batch(repo: ScratchRepo) -> None:
    a = repo.commit("a", {"a": "a\n"})
    b = repo.commit("b", {"b": "b\n"})
    repo.git("notes", "--ref", "ai", "add", "-m", "note for a", a)
    repo.git("notes", "--ref", "ai", "add", "-m", "note for b", b)
    notes = Git(repo.path).notes("refs/notes/ai")
    assert notes == {a: b"note for a\n", b: b"note for b\n"}
    assert Git(repo.path).notes("refs/notes/none") == {}


def test_not_a_repository(tmp_path: Path) -> None:
    with pytest.raises(GitError, match="not a git repository"):
        Git(tmp_path)
    with pytest.raises(GitError, match="not a directory"):
        Git(tmp_path / "missing")


def test_unknown_revision_and_option_injection(repo: ScratchRepo) -> None:
    repo.commit("c", {"a": "a\n"})
    git = Git(repo.path)
    with pytest.raises(GitError, match="unknown revision 'nope'"):
        git.resolve("nope")
    with pytest.raises(GitError, match="unknown revision"):
        git.resolve("--output=/tmp/pwned")


def test_shallow_clone_without_the_base_says_how_to_fix(repo: ScratchRepo, tmp_path: Path) -> None:
    for i in range(4):
        repo.commit(f"main {i}", {f"m{i}": "m\n"})
    repo.git("checkout", "-q", "-b", "feature", "HEAD~2")
    for i in range(3):
        repo.commit(f"feature {i}", {f"f{i}": "f\n"})
    clone = _clone(repo, tmp_path / "shallow", "--depth", "2", "--no-single-branch")
    git = Git(clone)
    assert git.is_shallow()
    with pytest.raises(ShallowCloneError) as err:
        git.load_change("origin/main", "origin/feature")
    assert "fetch-depth: 0" in (err.value.hint or "")
    assert "--unshallow" in (err.value.hint or "")


def test_shallow_history_is_refused_for_a_full_walk(repo: ScratchRepo, tmp_path: Path) -> None:
    for i in range(4):
        repo.commit(f"c{i}", {f"c{i}": "c\n"})
    git = Git(_clone(repo, tmp_path / "shallow", "--depth", "2"))
    with pytest.raises(ShallowCloneError, match="shallow"):
        git.check_complete(git.rev_list("HEAD"), "HEAD")


def test_external_diff_drivers_from_the_repository_never_run(repo: ScratchRepo, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    repo.git("config", "diff.evil.command", f"touch {marker}")
    repo.git("config", "diff.evil.textconv", f"touch {marker}; cat")
    base = repo.commit("attrs", {".gitattributes": "*.txt diff=evil\n", "a.txt": "one\n"})
    head = repo.commit("edit", {"a.txt": "two\n"})
    git = Git(repo.path)
    git.diff(base, head)
    list(git.iter_commits([f"{base}..{head}"], with_files=True))
    assert not marker.exists()


def test_reading_never_writes_to_the_repository(repo: ScratchRepo) -> None:
    base = repo.commit("a", {"a": "a\n"})
    head = repo.commit("b", {"b": "b\n"})
    index = repo.path / ".git" / "index"
    before = index.stat().st_mtime_ns, index.read_bytes()
    git = Git(repo.path)
    git.load_change(base, head)
    git.read_files(head, ["a"])
    assert (index.stat().st_mtime_ns, index.read_bytes()) == before


def test_compare_and_swap_ref_answers_with_gits_own_verdict(repo: ScratchRepo) -> None:
    first = repo.commit("one", {"a.txt": "1\n"})
    second = repo.commit("two", {"a.txt": "2\n"})
    git = Git(repo.path)
    assert git.compare_and_swap_ref("refs/vouched/t", first, None, "create") is True
    assert git.compare_and_swap_ref("refs/vouched/t", second, None, "create again") is False  # it exists now
    assert git.compare_and_swap_ref("refs/vouched/t", second, second, "stale old") is False  # it is not at second
    assert git.read_ref("refs/vouched/t") == first
    assert git.compare_and_swap_ref("refs/vouched/t", second, first, "advance") is True
    with pytest.raises(GitError):  # a real failure is not a lost race: it must not be retried as one
        git.compare_and_swap_ref("refs/vouched/t", "1" * 40, second, "no such object")
    assert git.read_ref("refs/vouched/t") == second


def test_a_missing_object_says_how_to_repair_the_clone(repo: ScratchRepo) -> None:
    base = repo.commit("one", {"a.txt": "1\n"})
    repo.commit("two", {"a.txt": "the blob that goes missing\n"})
    blob = repo.git("rev-parse", "HEAD:a.txt").strip()
    (repo.path / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    with pytest.raises(GitError) as caught:
        Git(repo.path).load_change(base, "HEAD")
    assert "missing objects" in (caught.value.hint or "") and "git fsck" in (caught.value.hint or "")


def test_list_folder_reads_one_folder_directly_or_at_any_depth(repo: ScratchRepo) -> None:
    repo.commit("rules", {".vouched/semgrep/a.yml": "a\n", ".vouched/semgrep/team/b.yml": "b\n", "src/x.py": "x\n"})
    git = Git(repo.path)
    assert git.list_folder("HEAD", ".vouched/semgrep") == [".vouched/semgrep/a.yml"]
    assert sorted(git.list_folder("HEAD", ".vouched/semgrep/", recursive=True)) == [
        ".vouched/semgrep/a.yml",
        ".vouched/semgrep/team/b.yml",
    ]
    assert git.list_folder("HEAD", "no/such/folder", recursive=True) == []
