"""`vouched report` end to end: a synthetic history with known bug-introducing commits, an issue export,
every format parsed back, bad input, and hostile text from the repository and the tracker."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest

from metrics_kit import build, issues_json
from vouched.git import ScratchRepo
from vouched.metrics.render.json import JSON_SCHEMA

UNTIL = "2026-02-01"


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The command as users run it, in a real subprocess (each one imports statsmodels: a few seconds)."""
    return subprocess.run(
        [sys.executable, "-m", "vouched", *map(str, args)], capture_output=True, text=True, cwd=cwd, check=False
    )


@pytest.fixture
def inproc(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """The same command in this process (the CLI's own entry point and exit codes), for the many runs whose
    point is the numbers: statsmodels is imported once for the module, not once a run."""
    from vouched.cli import _run

    def call(*args: str | Path) -> subprocess.CompletedProcess[str]:
        code = _run([*map(str, args)])
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(["vouched", *map(str, args)], code, out, err)

    return call


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[ScratchRepo, dict[str, str], Path]:
    root = tmp_path_factory.mktemp("metrics")
    repo = ScratchRepo(root / "repo")
    shas: dict[str, str] = build(repo)["shas"]  # type: ignore[assignment]
    issues = root / "issues.json"
    issues.write_text(issues_json(repo, shas))
    return repo, shas, issues


Runner = Callable[..., subprocess.CompletedProcess[str]]
History = tuple[ScratchRepo, dict[str, str], Path]


def report(runner: Runner, history: History, tmp_path: Path, *extra: str | Path) -> subprocess.CompletedProcess[str]:
    repo, _, issues = history
    return runner(
        "report", "--repo", repo.path, "--issues", issues, "--until", UNTIL, "--cache", tmp_path / "c.db", *extra
    )


def test_json_report_numbers_by_construction(inproc: Runner, history: History, tmp_path: Path) -> None:
    proc = report(inproc, history, tmp_path, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    jsonschema.validate(doc, JSON_SCHEMA)
    assert doc["schema"] == "vouched.report/1"
    assert doc["head"] == history[1]["fix5"]
    # Bug introductions: mod0 (fix by trailer #1), mod4 (convention), mod5 (Fixes: <sha>) are AI; mod1 (#2) human.
    ai, human = doc["overall"]["ai"], doc["overall"]["human"]
    assert (ai["commits"], ai["bug_introductions"], ai["changed_lines"]) == (4, 3, 40)
    assert (human["commits"], human["bug_introductions"], human["changed_lines"]) == (7, 1, 41)
    assert doc["fixes"] == {"trailer": 2, "reference": 1, "convention": 1}
    rr = doc["rate_ratio"]
    assert rr["unadjusted"] == pytest.approx((3 / 40) / (1 / 41), abs=1e-4)
    assert rr["warnings"] and "too few" in rr["warnings"][0]
    assert [r["name"] for r in doc["releases"]] == ["v1.0.0", "v1.1.0", "v2.0.0"]
    v1 = doc["releases"][0]
    assert (v1["ai"]["commits"], v1["human"]["commits"]) == (2, 2)  # mod0, mod2 / policy, mod1
    assert v1["bugs"] == {"ai": 1, "human": 1, "mixed": 0, "unknown": 0}
    assert v1["customer_bugs"]["ai"] == 1
    assert doc["releases"][1]["ai"]["bug_introductions"] == 2  # mod4 and mod5 shipped first in v1.1.0
    ttr = doc["time_to_resolution"]
    assert ttr["ai"]["median_days"] == 2.0 and ttr["ai"]["resolved"] == 1
    assert (ttr["human"]["open_censored"], ttr["human"]["median_days"]) == (1, None)
    assert doc["severity"]["ai"]["critical"] == 1 and doc["severity"]["human"]["medium"] == 1
    assert doc["tiers"]["red"]["ai"]["bug_introductions"] == 1
    assert doc["tools"]["claude-code"]["commits"] == 4
    skipped = doc["skipped"]
    assert skipped["tags"] == [{"tag": "v1.x-broken", "reason": "'1.x-broken' is not a pep440 version"}]
    assert skipped["issues_not_bugs"] == 2
    assert skipped["unknown_columns"] == []  # milestone is a known gh field
    assert doc["summary"]["text"].startswith("AI-assisted changes introduced bugs at 3.1x the human rate (95% CI ")


def test_text_report(history: History, tmp_path: Path) -> None:
    proc = report(run, history, tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.splitlines()[2].startswith("AI-assisted changes introduced bugs at 3.1x the human rate")
    assert "warning: too few bug introductions" in out
    assert "v1.1.0" in out and "1 release tags skipped: v1.x-broken" in out
    assert "Kaplan-Meier" in out and "Limits" in out
    assert proc.stderr == ""  # no progress bar when stderr is not a terminal


def test_csv_report_parses_back(inproc: Runner, history: History, tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    proc = report(inproc, history, tmp_path, "--format", "csv", "--output", out)
    assert proc.returncode == 0, proc.stderr
    assert f"csv report written to {out}" in proc.stderr
    rows = list(csv.reader(io.StringIO(out.read_text())))
    assert rows[0] == ["section", "group", "provenance", "metric", "value"]
    assert all(len(r) == 5 for r in rows)
    index = {tuple(r[:4]): r[4] for r in rows}
    assert index[("overall", "all", "ai", "bug_introductions")] == "3"
    assert index[("release_bugs", "v1.0.0", "human", "bugs")] == "1"
    assert index[("time_to_resolution", "", "ai", "median_days")] == "2.0"
    assert index[("skipped", "tags", "", "count")] == "1"


class _Doc(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(text: str) -> _Doc:
    doc = _Doc()
    doc.feed(text)
    doc.close()
    return doc


def assert_self_contained(doc: _Doc) -> None:
    names = {t for t, _ in doc.tags}
    assert not names & {"script", "iframe", "object", "embed", "link", "img", "base", "form"}
    for tag, attrs in doc.tags:
        for key, value in attrs.items():
            assert not key.startswith("on"), (tag, key)
            assert key not in ("src", "href", "xlink:href", "action"), (tag, key)
            assert "url(" not in (value or "") and "//" not in (value or ""), (tag, key, value)


def test_html_report_is_one_file_with_its_charts(history: History, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    proc = report(run, history, tmp_path, "--format", "html", "--output", out)
    assert proc.returncode == 0, proc.stderr
    text = out.read_text()
    doc = parse_html(text)
    assert_self_contained(doc)
    assert "http:" not in text and "https:" not in text  # no external asset, not even a namespace URL
    charts = {a.get("data-chart") for t, a in doc.tags if t == "svg"}
    assert charts == {"rate-ratio", "release-introductions", "release-bugs", "time-to-resolution", "severity"}
    curves = {a.get("data-curve") for t, a in doc.tags if t == "polyline"}
    assert curves == {"ai", "human"}
    summary = next(i for i, (t, a) in enumerate(doc.tags) if a.get("id") == "summary")
    assert doc.tags[summary][0] == "p"
    assert "AI-assisted changes introduced bugs at 3.1x the human rate" in "".join(doc.text)
    assert "Content-Security-Policy" in text and "default-src 'none'" in text
    assert sum(1 for t, _ in doc.tags if t == "rect") >= 6  # bars and severity segments
    assert "Limits" in "".join(doc.text) and "SZZ" in "".join(doc.text)


def test_hostile_text_is_escaped_in_every_format(inproc: Runner, tmp_path: Path) -> None:
    repo = ScratchRepo(tmp_path / "repo")
    policy = 'version = 1\nlevels = ["j"]\n[[tiers]]\nname = "<b onmouseover=alert(1)>green"\npaths = ["**"]\n'
    repo.commit("chore: policy", {".vouched/policy.toml": policy, "a.py": "x = 1\ny = 2\n"})
    repo.commit("feat: ai\n\nAssisted-by: <svg/onload=alert(4)>:gpt\n", {"b.py": "z = 3\nw = 4\n"})
    repo.commit("fix: z\n\nFixes: #1\n", {"b.py": "z = 4\nw = 4\n"})
    repo.git("tag", "v9<script>alert(1)</script>")
    issues = tmp_path / "i.json"
    issues.write_text(json.dumps([{"number": 1, "title": "<script>alert(2)</script>", "createdAt": "2026-01-01",
                                   "labels": [{"name": "bug"}], "<svg onload=alert(3)>": 1}]))  # fmt: skip
    out = tmp_path / "r.html"
    proc = inproc("report", "--repo", repo.path, "--issues", issues, "--until", UNTIL, "--format", "html",
                  "--output", out, "--cache", tmp_path / "c.db")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    text = out.read_text()
    doc = parse_html(text)
    assert_self_contained(doc)
    assert "<script" not in text and "<svg onload" not in text and "<b onmouseover" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text  # the skipped tag, shown as text
    assert "&lt;svg onload=alert(3)&gt;" in text  # the unknown column
    assert "&lt;b onmouseover=alert(1)&gt;green" in text  # the tier
    assert "&lt;svg/onload=alert(4)&gt;" in text  # the tool, as Assisted-by names it
    csv_proc = inproc("report", "--repo", repo.path, "--until", UNTIL, "--format", "csv", "--cache", tmp_path / "c.db")
    assert csv_proc.returncode == 0, csv_proc.stderr
    assert all(not cell.startswith(("=", "+", "@")) for row in csv.reader(io.StringIO(csv_proc.stdout)) for cell in row)
    text_proc = inproc("report", "--repo", repo.path, "--until", UNTIL, "--cache", tmp_path / "c.db")
    assert "\x1b" not in text_proc.stdout and "<b onmouseover=alert(1)>green" in text_proc.stdout


def test_window_and_releases_file(inproc: Runner, history: History, tmp_path: Path) -> None:
    releases = tmp_path / "releases.csv"
    releases.write_text("name,date\nq1,2026-01-01T05:30:00Z\nq2,2026-01-31\n")
    proc = report(
        inproc, history, tmp_path, "--format", "json", "--releases", releases, "--since", "2026-01-01T04:30:00Z"
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    # Commits are one an hour from 01:00 (policy) on: from 04:30, mod3 (05:00) to fix5 (11:00) are measured.
    assert doc["counts"]["commits_measured"] == 7
    assert [r["name"] for r in doc["releases"]] == ["q1", "q2"]
    q1, q2 = doc["releases"]
    assert (q1["ai"]["commits"], q1["human"]["commits"]) == (0, 1)  # mod3, before q1 at 05:30
    assert (q2["ai"]["commits"], q2["human"]["commits"]) == (2, 4)  # mod4, mod5; the four fixes
    assert doc["window"]["since"] == "2026-01-01T04:30:00Z"


def test_tag_pattern_option_overrides_the_policy(inproc: Runner, history: History, tmp_path: Path) -> None:
    proc = report(inproc, history, tmp_path, "--format", "json", "--tag-pattern", r"^v(?P<version>2\..*)$")
    doc = json.loads(proc.stdout)
    assert [r["name"] for r in doc["releases"]] == ["v2.0.0"]


@pytest.mark.parametrize("fmt", ["text", "json", "csv", "html"])
def test_nothing_to_compare_is_said_plainly_in_every_format(inproc: Runner, tmp_path: Path, fmt: str) -> None:
    repo = ScratchRepo(tmp_path / "repo")
    repo.commit("one", {"a": "1\n"})
    proc = inproc("report", "--repo", repo.path, "--until", UNTIL, "--cache", tmp_path / "c.db", "--format", fmt)
    assert proc.returncode == 0, proc.stderr
    assert "Not enough data to compare AI-assisted and human changes: no AI-assisted commits" in proc.stdout
    if fmt == "json":
        doc = json.loads(proc.stdout)
        jsonschema.validate(doc, JSON_SCHEMA)
        assert doc["rate_ratio"]["estimate"] is None and doc["rate_ratio"]["ci95"] == [None, None]
    if fmt == "html":
        doc_html = parse_html(proc.stdout)
        assert_self_contained(doc_html)
        assert {a.get("data-chart") for _, a in doc_html.tags} >= {"rate-ratio", "time-to-resolution", "severity"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "the other day"], "--since: not a date"),
        (["--since", "2026-02-01", "--until", "2026-01-01"], "--since must be before --until"),
        (["--issues", "missing.json"], "cannot read missing.json"),
        (["--tag-pattern", "("], "--tag-pattern '(' is not a valid regex"),
        (["--issues-format", "yaml"], "Invalid value for '--issues-format'"),
        (["--ignore-revs", "missing.txt"], "cannot read the ignore-revs file"),
    ],
)
def test_bad_input_is_a_clear_error(tmp_path: Path, args: list[str], message: str) -> None:
    repo = ScratchRepo(tmp_path / "repo")
    repo.commit("one", {"a": "1\n"})
    proc = run("report", "--repo", repo.path, "--cache", tmp_path / "c.db", *args, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_malformed_export_names_file_and_line(tmp_path: Path) -> None:
    repo = ScratchRepo(tmp_path / "repo")
    repo.commit("one", {"a": "1\n"})
    export = tmp_path / "jira.csv"
    export.write_text("Key,Summary\nP-1,x\n")
    proc = run("report", "--repo", repo.path, "--issues", export, "--issues-format", "jira", "--cache", tmp_path / "c")
    assert proc.returncode == 2
    assert f"{export}:1: the header has no 'Issue key' or 'Created' column" in proc.stderr


def test_broken_metrics_policy_fails_closed(tmp_path: Path) -> None:
    repo = ScratchRepo(tmp_path / "repo")
    policy = 'version = 1\nlevels = ["j"]\n[[tiers]]\nname = "g"\npaths = ["**"]\n[metrics]\nmin_events = 0\n'
    repo.commit("one", {".vouched/policy.toml": policy})
    proc = run("report", "--repo", repo.path, "--cache", tmp_path / "c.db")
    assert proc.returncode == 2
    assert ".vouched/policy.toml:7 (metrics.min_events): must be 1 or more" in proc.stderr


def test_a_second_run_reads_the_cache_and_says_the_same(inproc: Runner, history: History, tmp_path: Path) -> None:
    first = report(inproc, history, tmp_path, "--format", "json")
    assert (tmp_path / "c.db").is_file()
    second = report(inproc, history, tmp_path, "--format", "json")
    assert first.returncode == second.returncode == 0
    assert json.loads(first.stdout) == json.loads(second.stdout)


def test_progress_bar_only_on_a_terminal(history: History, tmp_path: Path) -> None:
    import os
    import pty

    repo, _, _ = history
    master, slave = pty.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "vouched", "report", "--repo", str(repo.path), "--until", UNTIL, "--format",
             "json", "--cache", str(tmp_path / "c.db")],
            stdout=subprocess.PIPE, stderr=slave, check=False, timeout=300,
        )  # fmt: skip
        os.close(slave)
        seen = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(master)
    assert proc.returncode == 0
    assert b"reading history" in seen
    assert json.loads(proc.stdout)["schema"] == "vouched.report/1"  # stdout stays clean
