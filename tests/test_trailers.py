"""Commit-message trailers, read the way git reads them; property-tested."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from vouched.git import Git, ScratchRepo
from vouched.model import Identity, Trailer
from vouched.trailers import parse_identity

from trailer_oracle import parse_trailers


def test_last_paragraph_with_continuations() -> None:
    msg = (
        "Subject\n\nBody text: not a trailer.\n\n"
        "AI-Rationale: the first line\n  and its continuation\nCo-authored-by: A <a@x>\n"
    )
    assert parse_trailers(msg) == (
        Trailer("AI-Rationale", "the first line and its continuation"),
        Trailer("Co-authored-by", "A <a@x>"),
    )


def test_subject_alone_is_never_a_trailer() -> None:
    assert parse_trailers("Fix: the bug") == ()
    assert parse_trailers("Fix: the bug\n") == ()


def test_a_prose_last_paragraph_is_not_a_block() -> None:
    assert parse_trailers("Subject\n\nThis explains: why we did it.\nAnd more prose here.\n") == ()


def test_mixed_block_counts_when_a_known_key_is_a_quarter() -> None:
    msg = "Subject\n\nSigned-off-by: A <a@x>\n(cherry picked from commit abc)\n"
    assert parse_trailers(msg) == (Trailer("Signed-off-by", "A <a@x>"),)


def test_crlf_and_trailing_blank_lines() -> None:
    assert parse_trailers("S\r\n\r\nAssisted-by: none\r\n\r\n\r\n") == (Trailer("Assisted-by", "none"),)


def test_identity() -> None:
    assert parse_identity("Claude <noreply@anthropic.com>") == Identity("Claude", "noreply@anthropic.com")
    assert parse_identity('"Doe, J" <j@x>') == Identity("Doe, J", "j@x")
    assert parse_identity("no address") is None


keys = st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,15}", fullmatch=True)
values = st.from_regex(r"[^\s:][^\n\r]{0,30}", fullmatch=True).map(str.strip).filter(bool)


@given(st.lists(st.tuples(keys, values), min_size=1, max_size=6), st.text(max_size=60))
def test_round_trip(pairs: list[tuple[str, str]], body: str) -> None:
    body = body.replace("\r", "").strip("\n") or "body"
    if "\n\n" in body:
        body = body.replace("\n\n", "\n")
    msg = "Subject\n\n" + body + "\n\n" + "\n".join(f"{k}: {v}" for k, v in pairs) + "\n"
    assert parse_trailers(msg) == tuple(Trailer(k, v) for k, v in pairs)


@given(st.text(max_size=300))
def test_never_raises(text: str) -> None:
    for t in parse_trailers(text):
        assert t.key
        assert "\n" not in t.value
    parse_identity(text)


AWKWARD = [
    "Subject\n\nBody text: not a trailer.\n\n"
    "AI-Rationale: the first line\n  and its continuation\nCo-authored-by: A <a@x>\n",
    "Fix: the bug\n",
    "Subject\n\nThis explains: why we did it.\nAnd more prose here.\n",
    "Subject\n\nSigned-off-by: A <a@x>\n(cherry picked from commit abc)\n",
    "S\n\nAssisted-by: none\n\n\n",
    "Subject\n\nbody\n\nCo-Authored-By: Claude <noreply@anthropic.com>\nClaude-Session: 123\n",
    "Subject\n\nGenerated with [Claude Code](https://claude.com/claude-code)\n\nAssisted-by: Claude:claude-opus-4-5\n",
]


def test_git_reads_trailers_as_the_model_says(repo: ScratchRepo) -> None:
    """vouched lets git parse trailers; the model the tests build commits with must agree with git."""
    parent = repo.commit("base", {"a": "a\n"})
    tree = repo.git("rev-parse", "HEAD^{tree}").strip()
    shas = [repo.git("commit-tree", tree, "-p", parent, input=m.encode()).strip() for m in AWKWARD]
    by_sha = {c.sha: c for c in Git(repo.path).iter_commits([*shas, f"^{parent}"])}
    for sha, message in zip(shas, AWKWARD, strict=True):
        assert by_sha[sha].trailers == parse_trailers(message), message
