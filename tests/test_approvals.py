"""The forge approvals source: GitHub's pull-request reviews API export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vouched.errors import InputError
from vouched.gate.approvals import GitHubReviews
from vouched.gate.approvals.forge import parse_github_reviews

HEAD = "a" * 40
OLD = "b" * 40


def review(login: str, state: str, commit: str = HEAD, at: str = "2026-01-01T10:00:00Z") -> dict[str, object]:
    return {"user": {"login": login}, "state": state, "commit_id": commit, "submitted_at": at}


def test_latest_decisive_review_stands() -> None:
    got = parse_github_reviews(
        json.dumps(
            [
                review("alice", "APPROVED", at="2026-01-01T10:00:00Z"),
                review("alice", "COMMENTED", at="2026-01-01T11:00:00Z"),  # does not withdraw it
                review("bob", "APPROVED", at="2026-01-01T10:00:00Z"),
                review("bob", "CHANGES_REQUESTED", at="2026-01-01T12:00:00Z"),
                review("carol", "APPROVED", OLD, at="2026-01-01T10:00:00Z"),
                review("dave", "PENDING"),
                review("erin", "APPROVED", at="2026-01-01T09:00:00Z"),
                review("erin", "DISMISSED", at="2026-01-01T13:00:00Z"),
            ]
        )
    )
    by = {a.reviewer: a for a in got}
    assert set(by) == {"alice", "bob", "carol", "erin"}
    assert by["alice"].approved and by["alice"].commit == HEAD
    assert not by["bob"].approved and by["bob"].state == "CHANGES_REQUESTED"
    assert by["carol"].approved and by["carol"].commit == OLD
    assert not by["erin"].approved
    assert all(not a.signed and a.source == "github-reviews" for a in got)


def test_paginated_output_is_concatenated_arrays() -> None:
    text = json.dumps([review("alice", "APPROVED")]) + "\n" + json.dumps([review("bob", "APPROVED")])
    assert {a.reviewer for a in parse_github_reviews(text)} == {"alice", "bob"}


def test_ghost_user_is_skipped() -> None:
    assert parse_github_reviews(json.dumps([{"user": None, "state": "APPROVED", "commit_id": HEAD}])) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("{", "not JSON"),
        ('{"reviews": []}', "expected a JSON list"),
        ("[1]", "not an object"),
        ('[{"user": {}, "state": "APPROVED"}]', "no user.login"),
        ('[{"user": {"login": "a"}, "state": "LGTM"}]', "unknown state"),
        ('[{"user": {"login": "a"}, "state": "APPROVED", "commit_id": 7}]', "commit_id"),
    ],
)
def test_malformed_exports_are_named(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as err:
        parse_github_reviews(text, "reviews.json")
    assert "reviews.json" in err.value.message
    assert "gh api" in (err.value.hint or "")


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        GitHubReviews(tmp_path / "nope.json")
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(InputError, match="cannot read"):
        GitHubReviews(bad)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@given(st.text(max_size=200))
def test_any_text_is_parsed_or_refused_cleanly(text: str) -> None:
    try:
        parse_github_reviews(text)
    except InputError:
        pass


@given(st.lists(json_values, max_size=6))
def test_any_json_list_is_parsed_or_refused_cleanly(items: list[object]) -> None:
    try:
        got = parse_github_reviews(json.dumps(items))
    except InputError:
        return
    assert all(isinstance(a.reviewer, str) and a.reviewer for a in got)
