"""``render_provenance``: the output of ``vouched provenance`` in text, json and jsonl."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import TextIO, cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from golden.samples import ALICE, CLAUDE, HUMAN, NONE_DECLARED, SAM, commit
from vouched.errors import UsageError
from vouched.model import Commit, Identity
from vouched.provenance.model import Attribution
from vouched.report.provenance import record_json, render_provenance

RECORDS = [
    (commit(1, "Add login throttle"), CLAUDE),
    (commit(2, "Fix typo", author=SAM), NONE_DECLARED),
    (commit(3, "Refactor \x1b[31mred\x1b[0m"), HUMAN),
]


def rendered(fmt: str, records: list[tuple[Commit, Attribution]] = RECORDS) -> str:
    out = io.StringIO()
    count = render_provenance(records, fmt, out)
    assert count == len(records)
    return out.getvalue()


def test_jsonl_is_one_contract_object_a_line() -> None:
    lines = rendered("jsonl").splitlines()
    assert len(lines) == 3
    objects = [json.loads(line) for line in lines]
    for obj, (c, ai) in zip(objects, RECORDS, strict=True):
        assert list(obj)[:2] == ["sha", "ai"]  # the contract's keys first; extensions after
        assert obj["sha"] == c.sha
        assert obj["ai"] == ai.to_json()
        assert obj["subject"] == c.subject
        assert obj["author"] == {"name": c.author.name, "email": c.author.email}
    assert objects[0]["author"]["email"] == ALICE.email


def test_jsonl_matches_the_contract_example_byte_for_byte() -> None:
    line = rendered("jsonl", RECORDS[:1]).splitlines()[0]
    assert line.startswith(
        '{"sha": "aaaaaa1bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "ai": {"assisted": true, "declared": true, '
        '"tools": ["claude-code"], "models": ["claude-opus-4-5"], '
        '"evidence": ["trailer Co-Authored-By: Claude <noreply@anthropic.com>"]}, '
    )


def test_json_is_an_array_of_the_same_objects() -> None:
    assert json.loads(rendered("json")) == [json.loads(line) for line in rendered("jsonl").splitlines()]
    assert rendered("json", []) == "[]\n"
    assert json.loads(rendered("json", RECORDS[:1]))[0]["sha"] == RECORDS[0][0].sha
    assert rendered("jsonl", []) == ""


def test_text_is_one_line_a_commit() -> None:
    lines = rendered("text").splitlines()
    assert lines == [
        "aaaaaa1  AI             claude-code claude-opus-4-5  Add login throttle",
        "aaaaaa2  declared-none  -  Fix typo",
        "aaaaaa3  human          -  Refactor \\x1b[31mred\\x1b[0m",
    ]


def test_unknown_format_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown provenance format"):
        render_provenance(RECORDS, "xml", io.StringIO())


class Sink(io.TextIOBase):
    """Counts what is written and remembers the largest single write."""

    def __init__(self) -> None:
        self.chars = 0
        self.largest = 0
        self.lines = 0

    def write(self, text: str) -> int:
        self.chars += len(text)
        self.largest = max(self.largest, len(text))
        self.lines += text.count("\n")
        return len(text)


@pytest.mark.parametrize("fmt", ["jsonl", "json", "text"])
def test_a_100k_commit_history_streams_in_bounded_memory(fmt: str) -> None:
    n = 100_000
    produced = 0
    written_before_the_end: list[int] = []
    sink = Sink()

    def history() -> Iterator[tuple[Commit, Attribution]]:
        nonlocal produced
        base = commit(1, "A commit subject of ordinary length for a busy repository")
        for i in range(n):
            produced += 1
            if i == n // 2:
                written_before_the_end.append(sink.chars)
            yield base, CLAUDE if i % 3 else HUMAN

    start = time.perf_counter()
    assert render_provenance(history(), fmt, cast(TextIO, sink)) == n
    elapsed = time.perf_counter() - start
    assert produced == n
    assert written_before_the_end[0] > 0, "output must be written while records still arrive"
    assert sink.largest < 1_000_000, "writes are batches, never the whole history"
    assert sink.lines >= n
    assert elapsed < 10, f"{elapsed:.1f}s for {n} commits"


identifiers = st.text(max_size=12)


@given(
    sha=st.text(min_size=1, max_size=40),
    subject=st.text(max_size=30),
    name=identifiers,
    email=identifiers,
    assisted=st.booleans(),
    declared=st.booleans(),
    tools=st.lists(identifiers, max_size=3),
    models=st.lists(identifiers, max_size=3),
    evidence=st.lists(st.text(max_size=30), max_size=3),
)
def test_the_fast_record_encoder_equals_json_dumps_of_the_contract_object(
    sha: str,
    subject: str,
    name: str,
    email: str,
    assisted: bool,
    declared: bool,
    tools: list[str],
    models: list[str],
    evidence: list[str],
) -> None:
    c = replace(commit(1, "x"), sha=sha, message=subject, author=Identity(name, email))
    ai = Attribution(assisted, declared, tuple(tools), tuple(models), tuple(evidence))
    expected = {
        "sha": c.sha,
        "ai": ai.to_json(),
        "subject": c.subject,
        "author": {"name": c.author.name, "email": c.author.email},
    }
    assert record_json(c, ai) == json.dumps(expected)
