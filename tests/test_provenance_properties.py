"""Property tests: every parser of user input is total, and well-formed input reads back exactly."""

from __future__ import annotations

import itertools
import json
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vouched.model import Commit, Identity
from vouched.provenance import Attribution, Marker, attribute, normalise_model, tool_for_agent
from vouched.provenance.lines import MAX_LINE, LineRecord, parse_agent_trace, parse_git_ai_note
from vouched.provenance.markers import AssistedBy, parse_assisted_by
from vouched.trailers import parse_identity

from trailer_oracle import parse_trailers

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HEAVY = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])  # costly inputs

# Text that likes the characters these formats care about.
ALPHABET = st.sampled_from([*"abcXYZ019 -_:.,<>@[]()\"'\t\n\r/+{}#\\", "🤖", "é", "\x00", "\u2028"])
TEXTISH = st.one_of(st.text(), st.text(alphabet=ALPHABET))


def _check_record(record: LineRecord | None) -> None:
    if record is None:
        return
    paths = [p for p, _ in record.files]
    assert paths == sorted(paths) and len(set(paths)) == len(paths)
    for _, ranges in record.files:
        assert ranges
        for start, end in ranges:
            assert 1 <= start <= end <= MAX_LINE
        for (_, end1), (start2, _) in itertools.pairwise(ranges):
            assert end1 + 1 < start2  # merged: sorted, disjoint, not adjacent


# -- identities and trailers ------------------------------------------------------------------------


@SETTINGS
@given(TEXTISH)
def test_parse_identity_is_total(value: str) -> None:
    ident = parse_identity(value)
    if ident is not None:
        assert isinstance(ident, Identity)
        assert "<" not in ident.email and ">" not in ident.email


@SETTINGS
@given(
    st.text(alphabet=st.characters(blacklist_characters="<>\n\r"), max_size=30).map(str.strip),
    st.from_regex(r"[a-z0-9.+\-\[\]]{1,20}@[a-z0-9.\-]{1,20}", fullmatch=True),
)
def test_parse_identity_round_trips(name: str, email: str) -> None:
    ident = parse_identity(f"{name} <{email}>")
    assert ident is not None
    assert ident.email == email
    assert ident.name == name.strip('"')


@SETTINGS
@given(TEXTISH)
def test_parse_assisted_by_is_total(value: str) -> None:
    parsed = parse_assisted_by(value)
    if parsed is None:
        return
    assert isinstance(parsed, AssistedBy)
    if parsed.none:
        assert parsed.tool is None and parsed.model is None
    if parsed.tool is not None:
        assert parsed.tool == parsed.tool.lower() and parsed.tool.strip()
    if parsed.model is not None:
        assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", parsed.model)


@SETTINGS
@given(
    st.text(alphabet=st.characters(categories=["L", "N"]) | st.just(" "), min_size=1, max_size=20),
    st.from_regex(r"[a-z][a-z0-9.\-]{0,20}", fullmatch=True),
)
def test_parse_assisted_by_agent_and_model(agent: str, model: str) -> None:
    parsed = parse_assisted_by(f"{agent}:{model} coccinelle")
    assert parsed is not None
    if agent.strip():
        assert parsed.tool == tool_for_agent(agent)
    assert parsed.model == (normalise_model(model) or None)
    assert parsed.tools == ("coccinelle",)


@SETTINGS
@given(TEXTISH)
def test_normalise_model_is_idempotent_and_clean(text: str) -> None:
    model = normalise_model(text)
    assert normalise_model(model) == model
    assert re.fullmatch(r"(?:[a-z0-9]+(?:-[a-z0-9]+)*)?", model)


@SETTINGS
@given(TEXTISH)
def test_tool_for_agent_is_total(text: str) -> None:
    tool = tool_for_agent(text)
    assert tool == tool.lower() or tool != tool.lower()  # any str; must not raise
    assert isinstance(tool, str)


def _commit(message: str, author: Identity, committer: Identity) -> Commit:
    return Commit(
        sha="0" * 40,
        parents=(),
        tree="0" * 40,
        author=author,
        committer=committer,
        authored_at=0,
        committed_at=0,
        message=message,
        trailers=parse_trailers(message),
    )


IDENTITIES = st.builds(Identity, TEXTISH, TEXTISH)
TRAILER_LINES = st.lists(
    st.tuples(
        st.sampled_from(["Co-authored-by", "Assisted-by", "Claude-Session", "Replit-Commit-Author", "X-Bank-LLM"]),
        TEXTISH.map(lambda s: s.replace("\n", " ")),
    ).map(lambda kv: f"{kv[0]}: {kv[1]}"),
    max_size=4,
)


@SETTINGS
@given(TEXTISH, TRAILER_LINES, IDENTITIES, IDENTITIES)
def test_attribute_is_total_and_consistent(body: str, lines: list[str], author: Identity, committer: Identity) -> None:
    message = body + ("\n\n" + "\n".join(lines) if lines else "")
    markers = [Marker(tool="bank-llm", trailer="X-Bank-LLM", email=re.compile("bank"), message=re.compile("LLM"))]
    for got in (
        attribute(_commit(message, author, committer)),
        attribute(_commit(message, author, committer), markers),
    ):
        assert isinstance(got, Attribution)
        assert got.declared or not got.assisted  # assisted implies declared
        assert got.declared == bool(got.evidence)
        assert list(got.tools) == sorted(set(got.tools))
        assert list(got.models) == sorted(set(got.models))
        assert len(set(got.evidence)) == len(got.evidence)
        if got.tools or got.models:
            assert got.assisted


# -- git-ai notes ----------------------------------------------------------------------------------


@SETTINGS
@given(st.binary())
def test_git_ai_parser_is_total_on_bytes(data: bytes) -> None:
    builder, problems = parse_git_ai_note(data)
    assert all(isinstance(p, str) and p for p in problems)
    _check_record(builder.build("x", "git-ai"))


NOTE_LINE = st.one_of(
    st.text(alphabet=ALPHABET, max_size=30),
    st.from_regex(r"  [0-9a-f]{16} [0-9,\-]{1,20}", fullmatch=True),
    st.from_regex(r"  (s_[0-9a-f]{14}::t_[0-9a-f]{14}|h_[0-9a-f]{14}) [0-9]{1,3}(-[0-9]{1,3})?", fullmatch=True),
)


@HEAVY
@given(st.lists(NOTE_LINE, max_size=12), TEXTISH)
def test_git_ai_parser_is_total_on_note_like_text(lines: list[str], metadata: str) -> None:
    builder, problems = parse_git_ai_note(("\n".join(lines) + "\n---\n" + metadata).encode())
    assert all(isinstance(p, str) for p in problems)
    _check_record(builder.build("x", "git-ai"))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@HEAVY
@given(st.dictionaries(st.sampled_from(["schema_version", "prompts", "sessions", "humans"]), JSON))
def test_git_ai_parser_is_total_on_odd_metadata(meta: dict[str, Any]) -> None:
    _, problems = parse_git_ai_note(("a.py\n  abcd1234abcd1234 1-3\n---\n" + json.dumps(meta)).encode())
    assert all(isinstance(p, str) for p in problems)


PATHS = st.text(alphabet=st.characters(blacklist_characters='"\n\r', blacklist_categories=["Cs"]), min_size=1).filter(
    lambda p: p[0] not in " \t" and p.strip() and p.rstrip() == p
)
RANGES = st.lists(st.tuples(st.integers(1, 5000), st.integers(0, 50)), min_size=1, max_size=6)


@HEAVY
@given(st.dictionaries(PATHS, RANGES, min_size=1, max_size=4))
def test_git_ai_well_formed_note_reads_back(files: dict[str, list[tuple[int, int]]]) -> None:
    out = []
    expected: dict[str, set[int]] = {}
    for path, ranges in files.items():
        quoted = f'"{path}"' if any(c.isspace() for c in path) or path.startswith('"') else path
        spec = ",".join(str(a) if n == 0 else f"{a}-{a + n}" for a, n in ranges)
        out.append(f"{quoted}\n  abcd1234abcd1234 {spec}\n")
        expected[path] = {line for a, n in ranges for line in range(a, a + n + 1)}
    meta = {
        "schema_version": "authorship/3.0.0",
        "base_commit_sha": "",
        "prompts": {"abcd1234abcd1234": {"agent_id": {"tool": "claude", "id": "1", "model": "Claude Opus 4.5"}}},
    }
    builder, problems = parse_git_ai_note(("".join(out) + "---\n" + json.dumps(meta)).encode())
    assert problems == []
    record = builder.build("x", "git-ai")
    assert record is not None
    _check_record(record)
    assert {p: set(record.lines(p)) for p in record.paths} == expected
    assert record.tools == ("claude-code",) and record.models == ("claude-opus-4-5",)


# -- Agent Trace ------------------------------------------------------------------------------------


@SETTINGS
@given(st.binary())
def test_agent_trace_parser_is_total_on_bytes(data: bytes) -> None:
    out = parse_agent_trace(data)
    for builder in out.by_commit.values():
        _check_record(builder.build("x", "agent-trace"))


@HEAVY
@given(st.lists(JSON, max_size=5))
def test_agent_trace_parser_is_total_on_any_json(values: list[Any]) -> None:
    out = parse_agent_trace("\n".join(json.dumps(v) for v in values).encode())
    assert len(out.problems) <= len(values)
    for builder in out.by_commit.values():
        _check_record(builder.build("x", "agent-trace"))


CONTRIBUTOR = st.fixed_dictionaries(
    {"type": st.sampled_from(["ai", "mixed", "human", "unknown"]) | JSON},
    optional={"model_id": st.text(max_size=20) | JSON},
)
RANGE = st.fixed_dictionaries(
    {"start_line": st.integers(-2, 200) | JSON, "end_line": st.integers(-2, 200) | JSON},
    optional={"contributor": CONTRIBUTOR | JSON, "content_hash": st.text(max_size=10)},
)
CONVERSATION = st.fixed_dictionaries(
    {"ranges": st.lists(RANGE, max_size=4) | JSON},
    optional={"contributor": CONTRIBUTOR | JSON, "url": st.text(max_size=10)},
)
FILE = st.fixed_dictionaries({"path": st.text(max_size=10) | JSON, "conversations": st.lists(CONVERSATION, max_size=3)})
RECORD = st.fixed_dictionaries(
    {
        "vcs": st.fixed_dictionaries(
            {
                "type": st.sampled_from(["git", "jj"]),
                "revision": st.sampled_from(["a" * 40, "b" * 40, "abc"]) | JSON,
            }
        )
        | JSON,
        "files": st.lists(FILE, max_size=3) | JSON,
    },
    optional={"version": st.sampled_from(["0.1.0", "1.0", "2.0", "x"]) | JSON, "tool": JSON},
)


@HEAVY
@given(st.lists(RECORD, max_size=4))
def test_agent_trace_parser_is_total_on_trace_like_records(records: list[dict[str, Any]]) -> None:
    out = parse_agent_trace("\n".join(json.dumps(r) for r in records).encode())
    assert all(isinstance(p, str) for p in out.problems)
    for revision, builder in out.by_commit.items():
        assert re.fullmatch(r"[0-9a-f]{40}", revision)
        _check_record(builder.build(revision, "agent-trace"))
