"""SZZ on synthetic histories whose bug-introducing commits are known by construction."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vouched.errors import GitError, InputError
from vouched.git import Git, ScratchRepo
from vouched.metrics.szz import (
    BLAME,
    FIXES_TRAILER,
    Fix,
    Introducer,
    find_introducers,
    is_comment_or_blank,
    read_ignore_revs,
)

from conftest import BOB, CAROL

CODE = """\
def price(amount, rate):
    total = amount * rate
    return round(total, 2)


def tax(amount):
    return amount * 0.2
"""


def when(repo: ScratchRepo, sha: str) -> int:
    return int(repo.git("log", "-1", "--format=%at", sha).strip())


def test_fix_blames_the_commit_that_wrote_the_line(repo: ScratchRepo) -> None:
    intro = repo.commit("add pricing", {"shop.py": CODE})
    repo.commit("unrelated", {"README.md": "shop\n"}, author=BOB)
    other = repo.commit("add discount", {"shop.py": CODE + "\n\ndef discount(x):\n    return x - 1\n"}, author=CAROL)
    fixed = CODE.replace("amount * rate", "amount * (1 + rate)") + "\n\ndef discount(x):\n    return x - 1\n"
    fix = repo.commit("fix the total", {"shop.py": fixed})
    result = find_introducers(Git(repo.path), [Fix(fix)])
    assert result.introducers == {fix: (Introducer(intro, "shop.py", 2, BLAME),)}
    assert result.candidates(fix) == {intro} and other not in result.bug_introducing()
    assert result.skipped == () and result.dropped == ()


def test_renames_are_followed_and_whitespace_is_looked_through(repo: ScratchRepo) -> None:
    intro = repo.commit("add pricing", {"shop.py": CODE})
    repo.commit("move", moves={"shop.py": "src/shop.py"}, author=BOB)
    # whitespace-only change of the buggy line (-w must see through it)
    spaced = CODE.replace("    total = amount * rate", "    total  =  amount  *  rate")
    ws = repo.commit("align", {"src/shop.py": spaced}, author=CAROL)
    fix = repo.commit("fix", {"src/shop.py": spaced.replace("amount  *  rate", "amount * (1 + rate)")})
    git = Git(repo.path)
    result = find_introducers(git, [Fix(fix)])
    assert result.introducers[fix] == (Introducer(intro, "shop.py", 2, BLAME),)
    # without -w the whitespace commit would be blamed: the test can tell the difference
    parent = repo.git("rev-parse", f"{fix}^").strip()
    (line,) = git.blame(parent, "src/shop.py", [(2, 2)], whitespace=True)
    assert line.sha == ws


def test_a_fix_that_renames_and_changes_blames_the_old_path(repo: ScratchRepo) -> None:
    intro = repo.commit("add", {"shop.py": CODE})
    fix = repo.commit(
        "fix and move", {"lib/shop.py": CODE.replace("* 0.2", "* 0.25")}, moves={"shop.py": "lib/shop.py"}
    )
    result = find_introducers(Git(repo.path), [Fix(fix)])
    assert result.introducers[fix] == (Introducer(intro, "shop.py", 7, BLAME),)


def test_reformatting_commit_in_ignore_revs_is_looked_through(repo: ScratchRepo, tmp_path: Path) -> None:
    intro = repo.commit("add", {"app.js": "function f(a,b) {\n  return g(a,b,'x');\n}\n"})
    fmt = repo.commit("prettier", {"app.js": 'function f(a, b) {\n  return g(a, b, "x");\n}\n'}, author=BOB)
    fix = repo.commit("fix", {"app.js": 'function f(a, b) {\n  return g(b, a, "x");\n}\n'})
    git = Git(repo.path)
    assert find_introducers(git, [Fix(fix)]).candidates(fix) == {fmt}
    ignore = tmp_path / ".git-blame-ignore-revs"
    ignore.write_text(f"# prettier, 2026\n{fmt[:12]}   # abbreviated ids are resolved\n\n")
    result = find_introducers(git, [Fix(fix)], ignore_revs=read_ignore_revs(ignore))
    assert result.candidates(fix) == {intro}


def test_an_unknown_ignore_rev_is_a_clear_error(repo: ScratchRepo) -> None:
    fix = repo.commit("c", {"a.py": "x = 1\n"})
    with pytest.raises(InputError) as info:
        find_introducers(Git(repo.path), [Fix(fix)], ignore_revs=["deadbeef" * 5])
    assert "ignore-revs" in info.value.message


def test_line_introduced_on_a_merged_branch(repo: ScratchRepo) -> None:
    repo.commit("base", {"shop.py": CODE})
    repo.git("checkout", "-q", "-b", "feature")
    side = repo.commit("feature: tax rate", {"shop.py": CODE.replace("0.2", "0.21")}, author=BOB)
    repo.git("checkout", "-q", "main")
    repo.commit("docs", {"README.md": "x\n"})
    merge = repo.merge("feature", "Merge feature")
    fix = repo.commit("fix tax", {"shop.py": CODE.replace("0.2", "0.19")})
    git = Git(repo.path)
    result = find_introducers(git, [Fix(fix), Fix(merge)])
    assert result.candidates(fix) == {side}
    assert result.skipped == ((merge, "merge commit: which side fixed what is ambiguous"),)


def test_blank_and_comment_lines_are_not_blamed(repo: ScratchRepo) -> None:
    intro = repo.commit("add", {"a.py": "x = 1\n# note\n\ny = 2\n", "b.c": "#include <a.h>\n// old\nint z;\n"})
    commenter = repo.commit("comments", {"a.py": "x = 1\n# note two\n\ny = 2\n"}, author=BOB)
    only_comments = repo.commit("reword", {"a.py": "x = 1\n# note three\n\n\ny = 2\n"})
    mixed = repo.commit("fix", {"a.py": "x = 10\n# note four\n\n\ny = 2\n", "b.c": "#include <b.h>\n// new\nint z;\n"})
    result = find_introducers(Git(repo.path), [Fix(only_comments), Fix(mixed)])
    assert result.skipped == ((only_comments, "no deleted or changed code lines: nothing to blame"),)
    # "# note three" (by only_comments) and "// old" are skipped; "#include" is code in C
    assert set(result.introducers[mixed]) == {
        Introducer(intro, "a.py", 1, BLAME),
        Introducer(intro, "b.c", 1, BLAME),
    }
    assert commenter not in result.bug_introducing()


def test_fixes_trailer_overrides_blame(repo: ScratchRepo) -> None:
    culprit = repo.commit("refactor config loading", {"config.py": "TIMEOUT = 30\n"})
    blamed = repo.commit("add retry", {"net.py": "RETRIES = 3\n"}, author=BOB)
    msg = f'net: fewer retries\n\nFixes: {culprit[:12]} ("refactor config loading")\nSigned-off-by: A <a@x>\n'
    fix = repo.commit(msg, {"net.py": "RETRIES = 1\n"})
    result = find_introducers(Git(repo.path), [Fix(fix)])
    assert result.introducers[fix] == (Introducer(culprit, "", 0, FIXES_TRAILER),)
    assert blamed not in result.bug_introducing()


def test_a_fixes_trailer_naming_no_commit_is_a_note_and_blame_decides(repo: ScratchRepo) -> None:
    intro = repo.commit("add", {"net.py": "RETRIES = 3\n"})
    fix = repo.commit("fix\n\nFixes: #123\nFixes: cafebabe1234\n", {"net.py": "RETRIES = 1\n"})
    result = find_introducers(Git(repo.path), [Fix(fix)])
    assert result.candidates(fix) == {intro}
    assert result.notes == (
        (fix, "Fixes: #123 names no commit here; blame decides"),
        (fix, "Fixes: cafebabe1234 names no commit here; blame decides"),
    )


def test_candidates_newer_than_the_report_are_dropped(repo: ScratchRepo) -> None:
    old = repo.commit("add", {"a.py": "a = 1\nb = 2\n"})
    new = repo.commit("tweak b", {"a.py": "a = 1\nb = 3\n"}, author=BOB)
    fix = repo.commit("fix both", {"a.py": "a = 0\nb = 0\n"})
    git = Git(repo.path)
    # reported between the two commits: `new` cannot have caused it
    reported = (when(repo, old) + when(repo, new)) // 2
    result = find_introducers(git, [Fix(fix, reported_at=reported, bug_id="BUG-1")])
    assert result.introducers[fix] == (Introducer(old, "a.py", 1, BLAME),)
    assert result.dropped == ((fix, new, "after the report date"),)
    # reported after both: both are candidates; no date: both too
    assert find_introducers(git, [Fix(fix, reported_at=when(repo, fix))]).candidates(fix) == {old, new}
    assert find_introducers(git, [Fix(fix)]).candidates(fix) == {old, new}
    # reported before both: nothing survives, and the fix is still counted as analysed
    early = find_introducers(git, [Fix(fix, reported_at=when(repo, old) - 1)])
    assert early.introducers[fix] == () and len(early.dropped) == 2


def test_moved_lines_are_blamed_on_their_author_with_moves(repo: ScratchRepo) -> None:
    def block(name: str) -> str:
        return f"def {name}_function_name(x):\n    return compute_{name}_value(x) * factor_{name}_value\n\n"

    a, b, c = block("alpha"), block("beta"), block("gamma")
    intro = repo.commit("add", {"m.py": a + b + c})
    mover = repo.commit("move alpha to the end", {"m.py": b + c + a}, author=BOB)
    fix = repo.commit("fix alpha", {"m.py": b + c + a.replace("* factor", "/ factor")})
    git = Git(repo.path)
    assert find_introducers(git, [Fix(fix)]).candidates(fix) == {intro}
    assert find_introducers(git, [Fix(fix)], moves=False).candidates(fix) == {mover}


def test_skips_are_counted_never_raised(repo: ScratchRepo, tmp_path: Path) -> None:
    root = repo.commit("root", {"a.py": "x = 1\n"})
    adds_only = repo.commit("add a check", {"a.py": "x = 1\nassert x\n"})
    big = repo.commit("mass change", {f"f{i}.py": f"v = {i}\n" for i in range(6)})
    binary = repo.commit("logo", {"logo.png": b"\x89PNG\0\1"})
    binary_fix = repo.commit("logo fix", {"logo.png": b"\x89PNG\0\2"})
    result = find_introducers(
        Git(repo.path), [Fix(root), Fix(adds_only), Fix(big), Fix("f" * 40), Fix(binary_fix)], max_files=5
    )
    assert dict(result.skipped) == {
        root: "root commit: no parent to blame",
        adds_only: "no deleted or changed code lines: nothing to blame",
        big: "touches 6 files (more than max_files=5)",
        "f" * 40: "unknown commit: not in this repository",
        binary_fix: "no deleted or changed code lines: nothing to blame",
    }
    assert result.introducers == {} and binary not in result.bug_introducing()


def test_fix_whose_parent_is_missing_in_a_shallow_clone(repo: ScratchRepo, tmp_path: Path) -> None:
    intro = repo.commit("add", {"a.py": "x = 1\ny = 2\n"})
    first_fix = repo.commit("fix x", {"a.py": "x = 0\ny = 2\n"})
    second_fix = repo.commit("fix y", {"a.py": "x = 0\ny = 0\n"})
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "2", f"file://{repo.path}", str(clone)], check=True, capture_output=True
    )
    result = find_introducers(Git(clone), [Fix(first_fix), Fix(second_fix)])
    assert result.skipped == ((first_fix, "parent missing (shallow clone): fetch the full history"),)
    # y = 2 was written by `intro`, which is cut off: the line is blamed on the shallow boundary, dropped
    assert result.introducers == {second_fix: ()}
    assert result.dropped == ((second_fix, first_fix, "shallow boundary"),)
    assert intro not in result.bug_introducing()


def test_a_deleted_file_has_all_its_code_lines_blamed(repo: ScratchRepo) -> None:
    intro = repo.commit("add", {"bad.py": "x = 1\n\ny = 2\n"})
    fix = repo.commit("remove the bad module", {"bad.py": None})
    result = find_introducers(Git(repo.path), [Fix(fix)])
    assert sorted(result.introducers[fix], key=lambda i: i.line) == [
        Introducer(intro, "bad.py", 1, BLAME),
        Introducer(intro, "bad.py", 3, BLAME),
    ]


def test_many_fixes_in_one_run_match_one_at_a_time(repo: ScratchRepo) -> None:
    shas = [repo.commit(f"c{i}", {"a.py": "".join(f"v{j} = {i if j == i % 5 else 0}\n" for j in range(5))})
            for i in range(12)]  # fmt: skip
    fixes = [Fix(s) for s in shas[1:]]
    git = Git(repo.path)
    together = find_introducers(git, fixes, jobs=3)
    for fix in fixes:
        alone = find_introducers(git, [fix], jobs=1)
        assert alone.introducers.get(fix.sha) == together.introducers.get(fix.sha)


# -- parsers of user input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "text", "skip"),
    [
        ("a.py", "   ", True),
        ("a.py", "# x", True),
        ("a.py", '"""Docstring."""', True),
        ("a.py", "x = 1  # y", False),
        ("a.c", "#include <x.h>", False),
        ("a.c", "  * continued", True),
        ("a.c", "/* block */", True),
        ("a.go", "// x", True),
        ("a.go", "x := 1 // y", False),
        ("q.sql", "-- x", True),
        ("q.sql", "SELECT 1", False),
        ("Makefile", "# x", True),
        ("Dockerfile.prod", "# x", True),
        ("a.lisp", "; x", True),
        ("a.tex", "% x", True),
        ("a.php", "# x", True),
        ("notes.md", "# Title", False),
        ("notes.md", "", True),
        ("a.rs", "#[derive(Debug)]", False),
    ],
)
def test_comment_or_blank(path: str, text: str, skip: bool) -> None:
    assert is_comment_or_blank(path, text) is skip


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_read_ignore_revs_never_crashes_and_drops_comments(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    path = tmp_path_factory.mktemp("revs") / "ignore"
    path.write_text(text, encoding="utf-8")
    revs = read_ignore_revs(path)
    assert all(r and "#" not in r and r == r.strip() and "\n" not in r for r in revs)


def test_read_ignore_revs_unreadable(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        read_ignore_revs(tmp_path / "missing")
    bad = tmp_path / "bad"
    bad.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(InputError):
        read_ignore_revs(bad)


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\0"), max_size=60))
def test_fixes_trailer_values_never_crash(tmp_path_factory: pytest.TempPathFactory, value: str) -> None:
    value = " ".join(value.split())  # one line, as a trailer value is
    repo = ScratchRepo(tmp_path_factory.mktemp("r") / "repo")
    repo.commit("add", {"a.py": "x = 1\n"})
    fix = repo.commit(f"fix\n\nFixes: {value}\n", {"a.py": "x = 2\n"})
    result = find_introducers(Git(repo.path), [Fix(fix)])
    assert fix in result.introducers


def random_history(repo: ScratchRepo, seed: int, steps: int = 30) -> None:
    """Edits, renames, branches and merges at random: the shape of a real history, in miniature."""
    rng = random.Random(seed)  # noqa: S311 (a reproducible history, not a secret)
    files = {f"m{i}.py": [f"value_{i}_{j} = compute({i}, {j})\n" for j in range(8)] for i in range(4)}
    repo.commit("start", {p: "".join(v) for p, v in files.items()})
    people = [BOB, CAROL, ("Alice Archer", "alice@bank.example")]
    branch = 0
    for step in range(steps):
        roll = rng.random()
        if roll < 0.12:
            old = rng.choice(sorted(files))
            new = f"pkg{step}/{old.rsplit('/', 1)[-1]}"
            files[new] = files.pop(old)
            files[new][rng.randrange(len(files[new]))] = f"renamed_{step} = {step}\n"
            repo.commit(f"move {old}", {new: "".join(files[new])}, moves={old: new}, author=rng.choice(people))
        elif roll < 0.25:
            branch += 1
            name = f"topic{branch}"
            repo.git("checkout", "-q", "-b", name)
            path = rng.choice(sorted(files))
            side = list(files[path])
            side[rng.randrange(len(side))] = f"side_{step} = branch({branch})\n"
            repo.commit(f"topic {branch}", {path: "".join(side)}, author=rng.choice(people))
            repo.git("checkout", "-q", "main")
            other = rng.choice(sorted(set(files) - {path}) or [path])
            if other != path:
                files[other][rng.randrange(len(files[other]))] = f"main_{step} = mainline({step})\n"
                repo.commit(f"main {step}", {other: "".join(files[other])}, author=rng.choice(people))
            repo.merge(name, f"merge {name}")
            files[path] = side
        else:
            path = rng.choice(sorted(files))
            lines = files[path]
            for _ in range(rng.randint(1, 3)):
                at = rng.randrange(len(lines))
                if rng.random() < 0.2:
                    lines.insert(at, f"added_{step}_{at} = new({step})\n")
                else:
                    lines[at] = f"changed_{step}_{at} = fix({step})\n"
            repo.commit(f"fix {path} {step}", {path: "".join(lines)}, author=rng.choice(people))


@pytest.mark.parametrize("seed", [1, 2])
def test_simplified_history_gives_what_blame_over_the_whole_history_gives(tmp_path: Path, seed: int) -> None:
    repo = ScratchRepo(tmp_path / "repo")
    random_history(repo, seed)
    git = Git(repo.path)
    every = [Fix(s) for s in repo.git("rev-list", "--no-merges", "HEAD").split()]
    # all the fixes at once, then four at a time (their paths miss names from before renames: the guard
    # that blames such files again over the whole history is needed, or some windows differ)
    for fixes in [every] + [every[i : i + 4] for i in range(0, len(every), 4)]:
        fast = find_introducers(git, fixes)
        whole = find_introducers(git, fixes, simplify=False)
        assert fast.introducers == whole.introducers
        assert fast.skipped == whole.skipped
    assert len(find_introducers(git, every).introducers) > 10


def test_private_commit_graph_gives_the_same_answer_and_leaves_the_repository_alone(
    tmp_path: Path,
) -> None:
    repo = ScratchRepo(tmp_path / "repo")
    random_history(repo, 7, steps=15)
    git = Git(repo.path)
    before = sorted(p.relative_to(repo.path) for p in (repo.path / ".git" / "objects").rglob("*"))
    fixes = [Fix(s) for s in repo.git("rev-list", "--no-merges", "HEAD").split()]
    graph = tmp_path / "cache" / "repo.commit-graph"
    assert find_introducers(git, fixes, commit_graph=graph) == find_introducers(git, fixes)
    assert (graph / "info" / "commit-graph").is_file()
    assert sorted(p.relative_to(repo.path) for p in (repo.path / ".git" / "objects").rglob("*")) == before
    view = git.with_commit_graph(graph)
    assert view.write_commit_graph() is False  # refs unchanged: nothing to write
    repo.commit("more", {"m0.py": "x = 1\n"})
    assert view.write_commit_graph() is True
    with pytest.raises(GitError):  # the repository's own Git never writes a commit-graph
        git.write_commit_graph()


def test_a_submodule_fix_is_a_note_not_a_crash_and_duplicates_count_once(repo: ScratchRepo) -> None:
    intro = repo.commit("add", {"a.py": "x = 1\n"})
    lib = ScratchRepo(repo.path / "vendor" / "lib")  # an embedded repository: git adds it as a gitlink
    lib.commit("v1", {"lib.py": "v = 1\n"})
    repo.commit("vendor a library")
    lib.commit("v2", {"lib.py": "v = 2\n"})
    fix = repo.commit("bump the library and fix x", {"a.py": "x = 2\n"})
    assert "Subproject commit" in repo.git("show", fix, "--", "vendor/lib")
    result = find_introducers(Git(repo.path), [Fix(fix), Fix(fix, reported_at=1)])
    assert result.introducers == {fix: (Introducer(intro, "a.py", 1, BLAME),)}
    (note,) = result.notes
    assert note[0] == fix and note[1].startswith("blame of vendor/lib failed, its lines are left out: ")
