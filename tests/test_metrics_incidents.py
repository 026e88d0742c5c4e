"""Issue tracker imports: GitHub, Jira CSV, the generic CSV/JSON; odd dates, unknown columns, bad rows."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vouched.errors import InputError
from vouched.metrics.incidents import FORMATS, ImportResult, classify_severity, parse_date, parse_issues
from vouched.policy.model import MetricsConfig

CONFIG = MetricsConfig()


def ts(*args: int) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp())  # type: ignore[misc]


# -- dates -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-12", ts(2024, 3, 12)),
        ("2024-03-12T15:04:05Z", ts(2024, 3, 12, 15, 4, 5)),
        ("2024-03-12T17:04:05+02:00", ts(2024, 3, 12, 15, 4, 5)),
        ("2024-03-12 15:04:05", ts(2024, 3, 12, 15, 4, 5)),
        ("12/Mar/24 3:04 PM", ts(2024, 3, 12, 15, 4)),
        ("12/Mar/24 3:04 AM", ts(2024, 3, 12, 3, 4)),
        ("12/Mar/2024 15:04", ts(2024, 3, 12, 15, 4)),
        ("2024/03/12 15:04", ts(2024, 3, 12, 15, 4)),
        ("12 Mar 2024", ts(2024, 3, 12)),
        ("1710255840", 1710255840),
        ("1710255840000", 1710255840),  # milliseconds
        (" 2024-03-12 ", ts(2024, 3, 12)),
    ],
)
def test_dates_in_the_formats_trackers_write(text: str, expected: int) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["", "yesterday", "12/13/2024", "2024-13-01", "-5", "9" * 30, "x" * 100])
def test_dates_that_are_not_dates_say_what_is_expected(text: str) -> None:
    with pytest.raises(ValueError, match=r"date|Unix|empty|range"):
        parse_date(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=70))
def test_fuzz_dates_are_a_time_or_a_value_error(text: str) -> None:
    value: int | ValueError
    try:
        value = parse_date(text)
    except ValueError as exc:
        value = exc
    if isinstance(value, ValueError):
        assert str(value)
    else:
        assert 0 <= value < 32503680000 + 86400 * 2


# -- severity ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["Highest"], "critical"),
        (["Blocker"], "critical"),
        (["High"], "high"),
        (["Medium"], "medium"),
        (["Minor"], "low"),
        (["severity: critical"], "critical"),
        (["Severity/High"], "high"),
        (["sev-1"], "critical"),
        (["sev2"], "high"),
        (["P1"], "high"),
        (["P3", "P0"], "critical"),  # the most severe wins
        (["bug", "ui"], "unknown"),
        ([], "unknown"),
    ],
)
def test_severity_from_priorities_and_labels(words: list[str], expected: str) -> None:
    assert classify_severity(words, CONFIG) == expected


def test_severity_mapping_is_configurable() -> None:
    config = MetricsConfig(severity=(("P1", "critical"), ("S-Red", "critical")))
    assert classify_severity(["P1"], config) == "critical"
    assert classify_severity(["s-red"], config) == "critical"
    assert classify_severity(["P2"], config) == "medium"


# -- GitHub --------------------------------------------------------------------------------------------


def gh(*issues: dict[str, object]) -> bytes:
    return json.dumps(list(issues)).encode()


def test_github_issues() -> None:
    raw = gh(
        {
            "number": 7,
            "title": "Crash <b>",
            "createdAt": "2024-03-01T10:00:00Z",
            "closedAt": "2024-03-03T10:00:00Z",
            "state": "CLOSED",
            "stateReason": "COMPLETED",
            "labels": [{"name": "bug"}, {"name": "severity: high"}, {"name": "customer-reported"}],
            "assignees": [],
            "somethingNew": 1,
        },
        {"number": 8, "title": "Feature", "createdAt": "2024-03-01T10:00:00Z", "state": "OPEN", "labels": []},
        {
            "number": 9,
            "createdAt": "2024-03-01T10:00:00Z",
            "closedAt": "2024-03-02T10:00:00Z",
            "state": "CLOSED",
            "stateReason": "NOT_PLANNED",
            "labels": [{"name": "bug"}],
        },
    )
    result = parse_issues(raw, "issues.json", "github", CONFIG)
    first, feature, not_planned = result.bugs
    assert first.id == "#7" and first.title == "Crash <b>"
    assert first.resolved_at is not None and first.resolved_at - first.created_at == 2 * 86400
    assert (first.severity, first.customer, first.is_bug) == ("high", True, True)
    assert not feature.is_bug and feature.resolved_at is None
    assert not not_planned.is_bug  # closed as not planned: not a confirmed bug
    assert result.unknown_columns == ("somethingNew",)
    assert result.skipped == ()


def test_github_open_issue_with_a_stale_closed_at_is_open() -> None:
    raw = gh({"number": 1, "createdAt": "2024-03-01", "closedAt": "2024-03-02", "state": "OPEN", "labels": []})
    assert parse_issues(raw, "i.json", "github", CONFIG).bugs[0].resolved_at is None


def test_github_bad_items_are_skipped_and_counted_with_their_position() -> None:
    raw = gh(
        {"number": 1, "createdAt": "2024-03-01T00:00:00Z", "labels": [{"name": "bug"}]},
        {"number": "two", "createdAt": "2024-03-01"},
        {"number": 3, "createdAt": "last tuesday"},
        {"number": 4, "createdAt": "2024-03-05", "closedAt": "2024-03-01", "state": "CLOSED"},
    )
    result = parse_issues(raw, "i.json", "github", CONFIG)
    assert [b.id for b in result.bugs] == ["#1"]
    assert [s.where for s in result.skipped] == ["i.json[item 2]", "i.json[item 3]", "i.json[item 4]"]
    assert "last tuesday" in result.skipped[1].reason
    assert "before it was created" in result.skipped[2].reason


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b'{"number": 1}', "expected a JSON list"),
        (b"[{]", r"i\.json:1: not valid JSON"),
        (b"\xff\xfe[]", r"i\.json:1: the file is not UTF-8"),
        (b'[{"title": "no number"}]', "none of its 1 issues could be read"),
    ],
)
def test_github_unusable_files_are_clear_errors(raw: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_issues(raw, "i.json", "github", CONFIG)


# -- Jira -------------------------------------------------------------------------------------------


JIRA = (
    "Summary,Issue key,Issue id,Issue Type,Status,Priority,Resolution,Created,Resolved,Labels,Labels,Labels,"
    "Custom field (Story Points)\n"
    'Login "fails",PROJ-12,10012,Bug,Done,High,Fixed,12/Mar/24 3:04 PM,14/Mar/24 3:04 PM,customer,backend,,3\n'
    "Add export,PROJ-13,10013,Story,Done,Low,Done,12/Mar/24 3:04 PM,13/Mar/24 9:00 AM,,,,5\n"
    "Won't fix this,PROJ-14,10014,Bug,Done,Medium,Won't Fix,12/Mar/24 3:04 PM,13/Mar/24 9:00 AM,,,,\n"
    "Labelled bug,PROJ-15,10015,Task,Open,Lowest,,2024-03-20T08:00:00Z,,bug,,,\n"
    "Broken,PROJ-16,10016,Bug,Open,High,,31/Feb/24 1:00 PM,,,,,\n"
    ",,,,,,,,,,,,\n"
    "No key,,10017,Bug,Open,High,,12/Mar/24 3:04 PM,,,,,\n"
)


def test_jira_csv_export() -> None:
    result = parse_issues(JIRA.encode(), "jira.csv", "jira", CONFIG)
    by_id = {b.id: b for b in result.bugs}
    assert set(by_id) == {"PROJ-12", "PROJ-13", "PROJ-14", "PROJ-15"}
    bug = by_id["PROJ-12"]
    assert bug.title == 'Login "fails"'
    assert bug.created_at == ts(2024, 3, 12, 15, 4)
    assert bug.resolved_at == ts(2024, 3, 14, 15, 4)
    assert (bug.severity, bug.customer, bug.is_bug, bug.labels) == ("high", True, True, ("customer", "backend"))
    assert not by_id["PROJ-13"].is_bug  # a story
    assert not by_id["PROJ-14"].is_bug  # resolved as Won't Fix
    assert by_id["PROJ-15"].is_bug and by_id["PROJ-15"].severity == "low"  # a task labelled bug
    assert result.unknown_columns == ("Custom field (Story Points)",)
    skipped = {s.where: s.reason for s in result.skipped}
    assert set(skipped) == {"jira.csv:6", "jira.csv:8"}  # the blank line 7 is no row at all
    assert "31/Feb/24" in skipped["jira.csv:6"]
    assert "Issue key is empty" in skipped["jira.csv:8"]


def test_jira_without_the_required_columns_is_a_clear_error() -> None:
    with pytest.raises(InputError, match=r"jira\.csv:1: the header has no 'Created' column"):
        parse_issues(b"Issue key,Summary\nP-1,x\n", "jira.csv", "jira", CONFIG)


def test_jira_broken_csv_names_the_line() -> None:
    with pytest.raises(InputError, match=r"jira\.csv:\d+: not valid CSV"):
        parse_issues(b'Issue key,Created\nP-1,"2024-01-01\n', "jira.csv", "jira", CONFIG)


def test_jira_row_with_too_many_cells_is_skipped() -> None:
    result = parse_issues(b"Issue key,Created\nP-1,2024-01-01\nP-2,2024-01-01,extra\n", "j.csv", "jira", CONFIG)
    assert [b.id for b in result.bugs] == ["P-1"]
    assert result.skipped[0].where == "j.csv:3"


# -- generic ----------------------------------------------------------------------------------------


def test_generic_csv() -> None:
    text = (
        "ID,Title,Created,Resolved,Severity,Customer-Reported,Labels,Commits,Pull Requests,Team\n"
        "INC-1,Outage,2024-01-01,2024-01-03,Sev1,yes,ops;db,abc1234 def5678,#12,core\n"
        "17,Typo,1704067200,,low,no,,,,\n"
        "INC-3,Oops,2024-01-01,,P2,maybe,,,,\n"
        "INC-4,Bad sha,2024-01-01,,,,,not-a-sha,,\n"
    )
    result = parse_issues(text.encode(), "bugs.csv", "csv", CONFIG)
    first, second = result.bugs
    assert (first.id, first.severity, first.customer, first.labels) == ("INC-1", "critical", True, ("ops", "db"))
    assert first.commits == ("abc1234", "def5678")
    assert first.pulls == ("12",)
    assert (second.id, second.severity, second.customer, second.resolved_at) == ("#17", "low", False, None)
    assert result.unknown_columns == ("Team",)
    reasons = {s.where: s.reason for s in result.skipped}
    assert "customer_reported must be true or false" in reasons["bugs.csv:4"]
    assert "not a commit id" in reasons["bugs.csv:5"]


def test_generic_json() -> None:
    raw = json.dumps(
        {
            "bugs": [
                {
                    "id": 5,
                    "created": "2024-01-01T00:00:00Z",
                    "resolved": "2024-01-02T00:00:00Z",
                    "severity": "high",
                    "customer_reported": True,
                    "labels": ["x"],
                    "commits": ["ABCDEF1"],
                    "pull_requests": [3],
                    "type": "bug",
                    "extra": [1],
                },
                {"id": "F-1", "created": "2024-01-01", "type": "feature"},
                {"id": "", "created": "2024-01-01"},
                "not an object",
            ]
        }
    ).encode()
    result = parse_issues(raw, "bugs.json", "json", CONFIG)
    bug, feature = result.bugs
    assert (bug.id, bug.customer, bug.commits, bug.pulls) == ("#5", True, ("abcdef1",), ("3",))
    assert not feature.is_bug
    assert result.unknown_columns == ("extra",)
    assert [s.where for s in result.skipped] == ["bugs.json[item 3]", "bugs.json[item 4]"]


def test_generic_csv_needs_id_and_created() -> None:
    with pytest.raises(InputError, match=r"b\.csv:1: the header has no created column"):
        parse_issues(b"id,title\n1,x\n", "b.csv", "csv", CONFIG)


def test_unknown_format_is_a_usage_mistake() -> None:
    with pytest.raises(InputError, match="unknown issues format"):
        parse_issues(b"[]", "x", "yaml", CONFIG)


def test_empty_export_is_empty_not_an_error() -> None:
    assert parse_issues(b"[]", "x.json", "github", CONFIG).bugs == ()
    assert parse_issues(b"id,created\n", "x.csv", "csv", CONFIG).bugs == ()


def test_empty_file_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="empty"):
        parse_issues(b"", "x.csv", "jira", CONFIG)


# -- fuzzing: garbage in, a clear error or a result out, never a crash ---------------------------------


def attempt(raw: bytes, file: str, fmt: str) -> ImportResult | InputError:
    """The import's result, or the InputError it raised; anything else escapes and fails the test."""
    try:
        return parse_issues(raw, file, fmt, CONFIG)
    except InputError as exc:
        return exc


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
def test_fuzz_garbage_bytes(fmt: str, raw: bytes) -> None:
    result = attempt(raw, "f", fmt)
    if isinstance(result, InputError):
        assert result.message.startswith("f")
    else:
        assert all(b.id for b in result.bugs)


_cell = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["2024-01-01", "12/Mar/24 3:04 PM", "1700000000", "Bug", "High", "P1", "#3", "abc1234", ""]),
)


@pytest.mark.parametrize("fmt", ["jira", "csv"])
@settings(max_examples=150, deadline=None)
@given(
    header=st.lists(
        st.sampled_from(["Issue key", "Created", "Resolved", "Labels", "id", "created", "resolved", "severity",
                         "commits", "customer_reported", "pull_requests", "x"]),
        min_size=1, max_size=8,
    ),
    rows=st.lists(st.lists(_cell, max_size=9), max_size=6),
)  # fmt: skip
def test_fuzz_structured_csv(fmt: str, header: list[str], rows: list[list[str]]) -> None:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    result = attempt(buf.getvalue().encode(), "f.csv", fmt)
    if isinstance(result, InputError):
        assert result.message.startswith("f.csv")
    else:
        assert len(result.bugs) + len(result.skipped) <= len(rows)
        for bug in result.bugs:
            assert bug.resolved_at is None or bug.resolved_at >= bug.created_at


_json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _cell,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


@pytest.mark.parametrize("fmt", ["github", "json"])
@settings(max_examples=150, deadline=None)
@given(
    items=st.lists(
        st.dictionaries(
            st.sampled_from(["number", "createdAt", "closedAt", "labels", "state", "stateReason", "id", "created",
                             "resolved", "commits", "pull_requests", "customer_reported", "severity", "type", "z"]),
            _json_value,
            max_size=8,
        )
        | _json_value,
        max_size=5,
    )
)  # fmt: skip
def test_fuzz_structured_json(fmt: str, items: list[object]) -> None:
    result = attempt(json.dumps(items).encode(), "f.json", fmt)
    if isinstance(result, InputError):
        assert result.message.startswith("f.json")
    else:
        assert len(result.bugs) + len(result.skipped) == len(items)
