"""Line-level records: git-ai notes (refs/notes/ai) and Agent Trace (.agent-trace/traces.jsonl)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from vouched.git import Git, ScratchRepo
from vouched.model import Commit
from vouched.provenance import Attribution, LineRecord, Provenance
from vouched.provenance.lines import parse_agent_trace, parse_git_ai_note

TRACE = ".agent-trace/traces.jsonl"


def commits(repo: ScratchRepo) -> dict[str, Commit]:
    return {c.sha: c for c in Git(repo.path).iter_commits(["HEAD"])}


def git_ai_note(attestations: str, prompts: dict[str, Any], **extra: Any) -> str:
    meta = {"schema_version": "authorship/3.0.0", "base_commit_sha": "0" * 40, "prompts": prompts, **extra}
    return attestations + "---\n" + json.dumps(meta, indent=2)


def prompt(tool: str, model: str) -> dict[str, Any]:
    return {
        "agent_id": {"tool": tool, "id": "6ef2299e-a67f-432b-aa80-3d2fb4d28999", "model": model},
        "human_author": "Alice Archer <alice@bank.example>",
        "messages": [],
        "total_additions": 3,
        "total_deletions": 0,
        "accepted_lines": 3,
        "overriden_lines": 0,
    }


def add_note(repo: ScratchRepo, sha: str, text: str) -> None:
    repo.git("notes", "--ref", "ai", "add", "-m", text, sha)


def trace(revision: str, files: list[dict[str, Any]], **extra: Any) -> str:
    record = {
        "version": "0.1.0",
        "id": "550e8400-e29b-41d4-a716-446655440000",
        "timestamp": "2026-01-23T14:30:00Z",
        "vcs": {"type": "git", "revision": revision},
        "tool": {"name": "cursor", "version": "2.4.0"},
        "files": files,
        **extra,
    }
    return json.dumps(record)


def ai_file(path: str, *ranges: tuple[int, int], model: str = "anthropic/claude-opus-4-5-20251101") -> dict[str, Any]:
    return {
        "path": path,
        "conversations": [
            {
                "url": "https://api.cursor.com/v1/conversations/12345",
                "contributor": {"type": "ai", "model_id": model},
                "ranges": [{"start_line": a, "end_line": b} for a, b in ranges],
            }
        ],
    }


# -- git-ai ------------------------------------------------------------------------------------------


def test_git_ai_note_marks_lines_and_the_commit(repo: ScratchRepo) -> None:
    sha = repo.commit("Add parser\n", {"src/main.rs": "a\n" * 30, "src/my file.rs": "b\n" * 5})
    note = git_ai_note(
        'src/main.rs\n  abcd1234abcd1234 1-10,15-20\n  efab5678efab5678 25\n"src/my file.rs"\n  abcd1234abcd1234 2\n',
        {
            "abcd1234abcd1234": prompt("cursor", "claude-4.5-opus"),
            "efab5678efab5678": prompt("claude", "sonnet"),
        },
    )
    add_note(repo, sha, note)
    prov = Provenance(Git(repo.path))
    commit = commits(repo)[sha]
    record = prov.lines(commit)
    assert record == LineRecord(
        sha,
        "git-ai",
        (("src/main.rs", ((1, 10), (15, 20), (25, 25))), ("src/my file.rs", ((2, 2),))),
        ("claude-code", "cursor"),
        ("claude-4-5-opus", "sonnet"),
    )
    assert record.lines("src/my file.rs") == frozenset({2})
    assert record.lines("src/main.rs") == frozenset([*range(1, 11), *range(15, 21), 25])
    assert record.lines("elsewhere.py") == frozenset()
    assert record.contains("src/main.rs", 17) and not record.contains("src/main.rs", 12)
    assert record.line_count == 18
    got = prov.attribute(commit)
    assert got == Attribution(
        True,
        True,
        ("claude-code", "cursor"),
        ("claude-4-5-opus", "sonnet"),
        ("git-ai note refs/notes/ai: 18 AI lines in 2 files by claude-code, cursor",),
    )
    assert prov.problems == []


def test_git_ai_note_adds_to_commit_markers(repo: ScratchRepo) -> None:
    sha = repo.commit("Add\n\nCo-Authored-By: Claude Opus 4.5 <noreply@anthropic.com>\n", {"a.py": "x\n"})
    add_note(
        repo,
        sha,
        git_ai_note("a.py\n  abcd1234abcd1234 1\n", {"abcd1234abcd1234": prompt("cursor", "gpt-5")}),
    )
    got = Provenance(Git(repo.path)).attribute(commits(repo)[sha])
    assert got.tools == ("claude-code", "cursor")
    assert got.models == ("claude-opus-4-5", "gpt-5")
    assert got.evidence == (
        "trailer Co-Authored-By: Claude Opus 4.5 <noreply@anthropic.com>",
        "git-ai note refs/notes/ai: 1 AI line in 1 file by cursor",
    )


def test_git_ai_human_lines_are_not_ai(repo: ScratchRepo) -> None:
    sha = repo.commit("Human work\n", {"a.py": "x\n" * 4})
    add_note(repo, sha, git_ai_note("a.py\n  h_a1b2c3d4e5f678 1-4\n", {}, humans={"h_a1b2c3d4e5f678": {}}))
    prov = Provenance(Git(repo.path))
    commit = commits(repo)[sha]
    assert prov.lines(commit) is None
    assert prov.attribute(commit) == Attribution()
    assert prov.problems == []


def test_git_ai_sessions_keys(repo: ScratchRepo) -> None:
    sha = repo.commit("Add\n", {"a.py": "x\n" * 12})
    note = git_ai_note(
        "a.py\n  s_c9883b05a2487d::t_9f8e7d6c5b4a32 1-3\n  s_c9883b05a2487d::t_a1b2c3d4e5f678 10-12\n",
        {},
        sessions={"s_c9883b05a2487d": {"agent_id": {"tool": "github-copilot", "id": "s1", "model": "gpt-4.1"}}},
    )
    add_note(repo, sha, note)
    record = Provenance(Git(repo.path)).lines(commits(repo)[sha])
    assert record is not None
    assert record.files == (("a.py", ((1, 3), (10, 12))),)
    assert record.tools == ("copilot",)
    assert record.models == ("gpt-4-1",)


def test_git_ai_key_from_another_note_still_marks_lines(repo: ScratchRepo) -> None:
    sha = repo.commit("Add\n", {"a.py": "x\n" * 3})
    add_note(repo, sha, git_ai_note("a.py\n  1234567 1-3\n", {}))
    prov = Provenance(Git(repo.path))
    record = prov.lines(commits(repo)[sha])
    assert record is not None and record.files == (("a.py", ((1, 3),)),) and record.tools == ()
    assert prov.problems == []


def test_git_ai_note_without_divider_is_a_problem(repo: ScratchRepo) -> None:
    sha = repo.commit("Add\n", {"a.py": "x\n"})
    add_note(repo, sha, "this is not an authorship log")
    prov = Provenance(Git(repo.path))
    commit = commits(repo)[sha]
    assert prov.attribute(commit) == Attribution()
    assert len(prov.problems) == 1
    assert sha in prov.problems[0] and "'---'" in prov.problems[0]


def test_git_ai_bad_metadata_keeps_lines_and_reports(repo: ScratchRepo) -> None:
    sha = repo.commit("Add\n", {"a.py": "x\n" * 3})
    add_note(repo, sha, "a.py\n  abcd1234abcd1234 1-3\n---\n{not json")
    prov = Provenance(Git(repo.path))
    got = prov.attribute(commits(repo)[sha])
    assert got.assisted and got.evidence == ("git-ai note refs/notes/ai: 3 AI lines in 1 file",)
    assert len(prov.problems) == 1 and "not valid JSON" in prov.problems[0] and sha in prov.problems[0]


@pytest.mark.parametrize(
    ("attestations", "problem"),
    [
        ("a.py\n  abcd1234abcd1234 0-3\n", "lines count from 1"),
        ("a.py\n  abcd1234abcd1234 5-3\n", "ends before it starts"),
        ("a.py\n  abcd1234abcd1234 1-x\n", "bad line range"),
        ("a.py\n  abcd1234abcd1234 99999999\n", "implausibly large"),
        ("a.py\n  abcd1234abcd1234\n", "expected 'KEY LINES'"),
        ("a.py\n  zzzz 1-3\n", "unknown key"),
        ("  abcd1234abcd1234 1-3\n", "before any file path"),
        ('"a.py\n  abcd1234abcd1234 1-3\n', "unterminated quoted path"),
    ],
)
def test_git_ai_malformed_attestations(attestations: str, problem: str) -> None:
    builder, problems = parse_git_ai_note(git_ai_note(attestations, {}).encode())
    assert len(problems) == 1 and problem in problems[0]
    assert builder.build("x", "git-ai") is None


def test_git_ai_partly_bad_ranges_keep_the_good_ones() -> None:
    builder, problems = parse_git_ai_note(git_ai_note("a.py\n  abcd1234abcd1234 1-2,oops,7\n", {}).encode())
    record = builder.build("x", "git-ai")
    assert record is not None and record.files == (("a.py", ((1, 2), (7, 7))),)
    assert len(problems) == 1


def test_git_ai_unsupported_schema_is_a_problem_but_lines_stay() -> None:
    text = "a.py\n  abcd1234abcd1234 1\n---\n" + json.dumps({"schema_version": "authorship/9.0.0", "prompts": {}})
    builder, problems = parse_git_ai_note(text.encode())
    assert builder.build("x", "git-ai") is not None
    assert problems == ["unsupported schema_version 'authorship/9.0.0': vouched reads authorship/3.x"]


def test_git_ai_not_utf8_is_a_problem() -> None:
    _, problems = parse_git_ai_note(b'a.py\n  abcd1234abcd1234 1\n---\n{"schema_version": "authorship/3.0.0\xff"}')
    assert any("not UTF-8" in p for p in problems)


def test_note_problems_are_reported_only_for_commits_looked_at(repo: ScratchRepo) -> None:
    old = repo.commit("Old\n", {"a.py": "x\n"})
    new = repo.commit("New\n", {"a.py": "y\n"})
    add_note(repo, old, "garbage")
    prov = Provenance(Git(repo.path))
    by_sha = commits(repo)
    assert prov.attribute(by_sha[new]) == Attribution()
    assert prov.problems == []
    prov.attribute(by_sha[old])
    prov.attribute(by_sha[old])
    assert len(prov.problems) == 1  # once, however often the commit is asked about


# -- Agent Trace -------------------------------------------------------------------------------------


def test_agent_trace_marks_lines_of_its_revision(repo: ScratchRepo) -> None:
    first = repo.commit("Add parser\n", {"src/parser.ts": "x\n" * 70, "src/helpers.ts": "y\n" * 30})
    records = [
        trace(
            first,
            [ai_file("src/parser.ts", (42, 67)), ai_file("src/helpers.ts", (10, 25), model="openai/gpt-4o")],
        )
    ]
    second = repo.commit("Record traces\n", {TRACE: "\n".join(records) + "\n"})
    prov = Provenance(Git(repo.path))
    by_sha = commits(repo)
    record = prov.lines(by_sha[first])
    assert record == LineRecord(
        first,
        "agent-trace",
        (("src/helpers.ts", ((10, 25),)), ("src/parser.ts", ((42, 67),))),
        ("cursor",),
        ("claude-opus-4-5-20251101", "gpt-4o"),
    )
    got = prov.attribute(by_sha[first])
    assert got.assisted and got.declared
    assert got.evidence == ("agent-trace .agent-trace/traces.jsonl: 42 AI lines in 2 files by cursor",)
    assert prov.lines(by_sha[second]) is None
    assert prov.problems == []


def test_agent_trace_contributor_types(repo: ScratchRepo) -> None:
    sha = repo.commit("Add\n", {"a.ts": "x\n" * 100})
    conversations = [
        {"contributor": {"type": "human"}, "ranges": [{"start_line": 1, "end_line": 9}]},
        {"contributor": {"type": "unknown"}, "ranges": [{"start_line": 10, "end_line": 19}]},
        {"ranges": [{"start_line": 20, "end_line": 29}]},  # no contributor: unknown
        {"contributor": {"type": "mixed"}, "ranges": [{"start_line": 30, "end_line": 39}]},
        {
            "contributor": {"type": "human"},
            "ranges": [
                {"start_line": 40, "end_line": 49, "contributor": {"type": "ai", "model_id": "openai/o3"}},
                {"start_line": 50, "end_line": 59},
            ],
        },
        {
            "contributor": {"type": "ai", "model_id": "anthropic/claude-sonnet-4-20250514"},
            "ranges": [{"start_line": 60, "end_line": 69, "contributor": {"type": "human"}}],
        },
    ]
    repo.commit("Trace\n", {TRACE: trace(sha, [{"path": "a.ts", "conversations": conversations}]) + "\n"})
    prov = Provenance(Git(repo.path))
    record = prov.lines(commits(repo)[sha])
    assert record is not None
    assert record.files == (("a.ts", ((30, 49),)),)
    assert record.models == ("o3",)
    assert prov.problems == []


def test_agent_trace_records_of_one_commit_merge(repo: ScratchRepo) -> None:
    sha = repo.commit("Add\n", {"a.ts": "x\n" * 40})
    lines = [
        trace(sha, [ai_file("a.ts", (1, 5))]),
        trace(sha, [ai_file("a.ts", (4, 10), (20, 22))], tool={"name": "claude-code"}),
    ]
    repo.commit("Trace\n", {TRACE: "\n".join(lines) + "\n"})
    record = Provenance(Git(repo.path)).lines(commits(repo)[sha])
    assert record is not None
    assert record.files == (("a.ts", ((1, 10), (20, 22))),)
    assert record.tools == ("claude-code", "cursor")


def test_agent_trace_is_read_at_trace_rev(repo: ScratchRepo) -> None:
    sha = repo.commit("Add\n", {"a.ts": "x\n" * 5})
    with_trace = repo.commit("Trace\n", {TRACE: trace(sha, [ai_file("a.ts", (1, 5))]) + "\n"})
    repo.commit("Drop the traces\n", {TRACE: None})
    git = Git(repo.path)
    commit = commits(repo)[sha]
    assert Provenance(git).lines(commit) is None
    assert Provenance(git, trace_rev=with_trace).lines(commit) is not None


def test_git_ai_and_agent_trace_together(repo: ScratchRepo) -> None:
    sha = repo.commit("Add\n", {"a.ts": "x\n" * 40})
    add_note(repo, sha, git_ai_note("a.ts\n  abcd1234abcd1234 1-5\n", {"abcd1234abcd1234": prompt("cursor", "x")}))
    repo.commit("Trace\n", {TRACE: trace(sha, [ai_file("a.ts", (30, 31))]) + "\n"})
    prov = Provenance(Git(repo.path))
    commit = commits(repo)[sha]
    record = prov.lines(commit)
    assert record is not None
    assert record.source == "git-ai+agent-trace"
    assert record.files == (("a.ts", ((1, 5), (30, 31))),)
    assert prov.attribute(commit).evidence == (
        "git-ai note refs/notes/ai: 5 AI lines in 1 file by cursor",
        "agent-trace .agent-trace/traces.jsonl: 2 AI lines in 1 file by cursor",
    )


def test_malformed_trace_lines_are_problems_at_load(repo: ScratchRepo) -> None:
    sha = repo.commit("Add\n", {"a.ts": "x\n" * 5})
    lines = [
        "{broken",
        json.dumps([1, 2]),
        json.dumps({"version": "0.1.0", "files": []}),  # no vcs
        json.dumps({"vcs": {"type": "jj", "revision": "kkmpptxz"}, "files": []}),
        json.dumps({"vcs": {"type": "git", "revision": "abc123"}, "files": []}),
        trace(sha, [ai_file("a.ts", (1, 2))]),
    ]
    repo.commit("Trace\n", {TRACE: "\n".join(lines) + "\n"})
    prov = Provenance(Git(repo.path))
    problems = prov.problems
    assert len(problems) == 5
    assert problems[0].startswith(".agent-trace/traces.jsonl at HEAD, line 1: not valid JSON")
    assert "line 2: not a JSON object" in problems[1]
    assert "line 3: no vcs object" in problems[2]
    assert "line 4: vcs type 'jj' is not 'git'" in problems[3]
    assert "line 5: vcs revision 'abc123' is not a full git commit id" in problems[4]
    assert prov.lines(commits(repo)[sha]) is not None  # the good record still counts


def test_trace_problems_of_a_commit_come_with_that_commit(repo: ScratchRepo) -> None:
    sha = repo.commit("Add\n", {"a.ts": "x\n" * 5})
    bad = {"path": "a.ts", "conversations": [{"contributor": {"type": "ai"}, "ranges": [{"start_line": 3}]}]}
    repo.commit("Trace\n", {TRACE: trace(sha, [bad, ai_file("a.ts", (1, 1))]) + "\n"})
    prov = Provenance(Git(repo.path))
    assert prov.problems == []
    got = prov.attribute(commits(repo)[sha])
    assert got.assisted
    assert prov.problems == [
        f".agent-trace/traces.jsonl at HEAD, record of commit {sha}, line 1: "
        "files[0].conversations[0].ranges[0]: start_line and end_line must be integers"
    ]


@pytest.mark.parametrize(
    ("files", "problem"),
    [
        ("nope", "files is not a list"),
        (["nope"], "files[0] is not an object"),
        ([{"conversations": []}], "files[0].path is not a non-empty string"),
        ([{"path": "a", "conversations": {}}], "files[0].conversations is not a list"),
        ([{"path": "a", "conversations": [1]}], "files[0].conversations[0] is not an object"),
        ([{"path": "a", "conversations": [{"ranges": 1}]}], "files[0].conversations[0].ranges is not a list"),
        (
            [{"path": "a", "conversations": [{"contributor": {"type": "robot"}, "ranges": []}]}],
            "files[0].conversations[0].contributor.type 'robot' is not one of",
        ),
        (
            [{"path": "a", "conversations": [{"contributor": "ai", "ranges": []}]}],
            "files[0].conversations[0].contributor is not an object",
        ),
        (
            [{"path": "a", "conversations": [{"ranges": [{"start_line": True, "end_line": 2}]}]}],
            "must be integers",
        ),
        (
            [{"path": "a", "conversations": [{"ranges": [{"start_line": 4, "end_line": 2}]}]}],
            "ends before it starts",
        ),
        (
            [{"path": "a", "conversations": [{"ranges": [{"start_line": 0, "end_line": 2}]}]}],
            "lines count from 1",
        ),
    ],
)
def test_agent_trace_malformed_records(files: Any, problem: str) -> None:
    sha = "a" * 40
    out = parse_agent_trace(trace(sha, files).encode())
    assert out.problems == []
    assert len(out.problems_by_commit[sha]) == 1
    assert problem in out.problems_by_commit[sha][0]


def test_agent_trace_unsupported_version() -> None:
    out = parse_agent_trace(trace("b" * 40, [ai_file("a", (1, 1))], version="2.0").encode())
    assert out.problems_by_commit["b" * 40] == [
        "line 1: unsupported Agent Trace version '2.0': vouched reads 0.x and 1.x"
    ]
    assert "b" * 40 in out.by_commit


def test_agent_trace_not_utf8() -> None:
    out = parse_agent_trace(b"\xff\n")
    assert out.problems[0].startswith("not UTF-8")


# -- loading -----------------------------------------------------------------------------------------


class CountingGit(Git):
    calls: list[str]

    def notes(self, ref: str) -> dict[str, bytes]:
        self.calls.append("notes")
        return super().notes(ref)

    def read_files(self, rev: str, paths: Any) -> dict[str, bytes | None]:
        self.calls.append("read_files")
        return super().read_files(rev, paths)


def test_records_load_lazily_and_once(repo: ScratchRepo) -> None:
    sha = repo.commit("Add\n", {"a.py": "x\n"})
    git = CountingGit(repo.path)
    git.calls = []
    prov = Provenance(git)
    assert git.calls == []
    commit = commits(repo)[sha]
    prov.attribute(commit)
    prov.lines(commit)
    _ = prov.problems
    assert git.calls == ["notes", "read_files"]


def test_unknown_trace_rev_is_a_problem_not_a_crash(repo: ScratchRepo) -> None:
    sha = repo.commit("Add\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n", {"a.py": "x\n"})
    prov = Provenance(Git(repo.path), trace_rev="no-such-branch")
    assert prov.attribute(commits(repo)[sha]).tools == ("claude-code",)
    assert len(prov.problems) == 1 and "no-such-branch" in prov.problems[0]


def test_markers_pass_through(repo: ScratchRepo) -> None:
    import re

    from vouched.provenance import Marker

    sha = repo.commit("Add\n\nX-Bank-LLM: yes\n", {"a.py": "x\n"})
    marker = Marker(tool="bank-llm", trailer="X-Bank-LLM", message=re.compile("never matches"))
    got = Provenance(Git(repo.path), [marker]).attribute(commits(repo)[sha])
    assert got == Attribution(True, True, ("bank-llm",), (), ("trailer X-Bank-LLM: yes",))


def test_git_ai_file_named_like_the_divider() -> None:
    """Found by Hypothesis: a file called `---` comes before the real divider and must not end the attestations."""
    meta = '{"schema_version": "authorship/3.0.0", "prompts": {"abcd1234abcd1234": {"agent_id": {"tool": "claude"}}}}'
    note = "---\n  abcd1234abcd1234 2-3\n---\n" + meta
    builder, problems = parse_git_ai_note(note.encode())
    assert problems == []
    record = builder.build("x", "git-ai")
    assert record is not None
    assert set(record.lines("---")) == {2, 3}
