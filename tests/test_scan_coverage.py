"""Test evidence: real coverage reports in every format, AI-assisted lines held to a tier's minimum.

The reports are made for real: `coverage run` on the repository's module, then `coverage json`, `coverage
xml` (Cobertura) and `coverage lcov`. The CI job being simulated is the test harness itself; vouched never
runs code from the repository it judges.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from vouched.demo import DEMO_PEOPLE, DEMO_POLICY
from vouched.errors import ConfigError, InputError
from vouched.gate.checks import CHECKS
from vouched.gate.engine import evaluate, judge
from vouched.gate.findings import Verdict
from vouched.git import Git, ScratchRepo
from vouched.policy import parse_policy
from vouched.scan.coverage import CoverageReport, coverage_check, parse_report, read_report

from conftest import ALICE, BOB

CLAUDE = "Co-Authored-By: Claude <noreply@anthropic.com>\nAI-Rationale: reviewed"
POLICY = DEMO_POLICY.replace(
    'require_rationale = true\n\n[[tiers]]\nname = "red"',
    'require_rationale = true\nmin_ai_line_coverage = 75\n\n[[tiers]]\nname = "red"',
)
BASE_CALC = "def add(a, b):\n    return a + b\n"
# Lines 3-11 are new: `def scale` on 5-6, `def risky` on 9-11 (the `def` lines run on import).
AI_CALC = BASE_CALC + (
    "\n\ndef scale(xs, k):\n    return [x * k for x in xs]\n\n\ndef risky(x):\n    if x:\n        return 1 / x\n"
)
FORMATS = ("json", "xml", "lcov")


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vouched", *map(str, args)], capture_output=True, text=True, cwd=cwd, check=False
    )


@pytest.fixture
def shop(repo: ScratchRepo) -> ScratchRepo:
    assert "min_ai_line_coverage = 75" in POLICY
    repo.commit(
        "Adopt vouched\n\nAssisted-by: none\n",
        {".vouched/policy.toml": POLICY, ".vouched/people.toml": DEMO_PEOPLE, "src/app/calc.py": BASE_CALC},
        author=ALICE,
    )
    repo.git("checkout", "-q", "-b", "feature")
    return repo


def measure(repo: ScratchRepo, out: Path, calls: str) -> dict[str, Path]:
    """Run ``calls`` against src/app/calc.py under coverage.py, and write the report in every format."""
    out.mkdir(parents=True, exist_ok=True)
    driver = out / "driver.py"
    driver.write_text(f"import sys\nsys.path.insert(0, {str(repo.path / 'src')!r})\nfrom app import calc\n{calls}\n")
    data = out / ".coverage"
    env = {**os.environ, "COVERAGE_FILE": str(data)}
    base = [sys.executable, "-m", "coverage"]
    src = str(repo.path / "src")
    subprocess.run([*base, "run", f"--source={src}", str(driver)], cwd=repo.path, env=env, check=True)
    paths = {"json": out / "coverage.json", "xml": out / "coverage.xml", "lcov": out / "coverage.lcov"}
    for fmt, path in paths.items():
        subprocess.run([*base, fmt, "-o", str(path)], cwd=repo.path, env=env, check=True, capture_output=True)
    return paths


def verdict(repo: ScratchRepo, reports: list[CoverageReport] | None) -> Verdict:
    git = Git(repo.path)
    return judge(evaluate(git, "main", "feature", None), (*CHECKS, coverage_check(git, reports)))


def cov(v: Verdict) -> list[tuple[str, bool]]:
    return [(f.rule, f.blocking) for f in v.findings if f.rule.startswith("coverage.") and f.rule != "coverage.summary"]


# -- the parsers ---------------------------------------------------------------------------------------


def test_all_formats_of_one_run_agree_on_every_line(shop: ScratchRepo, tmp_path: Path) -> None:
    shop.commit(f"scale\n\n{CLAUDE}", {"src/app/calc.py": AI_CALC}, author=BOB)
    paths = measure(shop, tmp_path / "cov", "calc.add(1, 2)\ncalc.scale([1], 2)\ncalc.risky(0)")
    reports = {fmt: read_report(p) for fmt, p in paths.items()}
    assert reports["json"].format == "coverage.py json"
    assert reports["xml"].format == "cobertura xml"
    assert reports["lcov"].format == "lcov"
    expected = {1: True, 2: True, 5: True, 6: True, 9: True, 10: True, 11: False}
    for fmt, report in reports.items():
        (known,) = [lines for name, lines in report.lines.items() if name.endswith("calc.py")]
        assert {n: known[n] for n in sorted(known) if n in expected} == expected, fmt
        assert not {3, 4, 7, 8} & set(known)  # blank lines are not executable
    assert reports["json"].timestamp_source == "meta.timestamp"
    assert reports["xml"].timestamp_source == "timestamp attribute"
    assert reports["lcov"].timestamp_source == "file modification time"
    for report in reports.values():
        assert report.timestamp is not None and abs(report.timestamp - reports["json"].timestamp) < 120  # type: ignore[operator]


def test_a_cobertura_report_from_another_tool_resolves_paths_through_its_sources(shop: ScratchRepo) -> None:
    shop.commit(f"scale\n\n{CLAUDE}", {"src/app/calc.py": AI_CALC}, author=BOB)
    xml = f"""<?xml version="1.0" ?>
<coverage line-rate="0.5" timestamp="4102444800000" version="gcovr 7.0">
  <sources><source>{shop.path / "src"}</source></sources>
  <packages><package name="app"><classes>
    <class name="calc" filename="app/calc.py"><methods/><lines>
      <line number="5" hits="3"/><line number="6" hits="3"/><line number="9" hits="1"/><line number="10" hits="0"/>
      <line number="11" hits="0"/>
    </lines></class>
  </classes></package></packages>
</coverage>"""
    report = parse_report(xml.encode(), "gcovr.xml")
    assert report.timestamp == 4102444800.0  # milliseconds, read as seconds since the epoch
    v = verdict(shop, [report])
    below = [f for f in v.findings if f.rule == "coverage.below-minimum"]
    assert len(below) == 1 and "3 of 5" in below[0].message and "lines 10, 11" in below[0].message


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b'{"files": {"a.py": {"executed_lines": ["x"]}}}', "must be a list of line numbers"),
        (b'{"meta": {"timestamp": "yesterday"}, "files": {}}', "not an ISO 8601 time"),
        (b'{"files": [1]', "not valid JSON"),
        (b'{"totals": {}}', "no `files` object"),
        (b"<coverage><packages><package><classes><class>", "not well-formed XML"),
        (b"<report/>", "not <coverage>"),
        (b'<coverage><class filename="a.py"><lines><line number="x" hits="1"/></lines></class></coverage>', "numbers"),
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><coverage/>', "DTD or entities"),
        (b'<coverage timestamp="soon"/>', "not a number"),
        (b"SF:a.py\nDA:one,1\nend_of_record\n", "malformed line record"),
        (b"DA:1,1\n", "before any SF"),
        (b"hello world\n", "not an LCOV record"),
        (b"TN:\n", "no SF: file records"),
        (b"SF:a.py\nDA:1,1\n\xff\n", "not UTF-8"),
    ],
)
def test_malformed_reports_are_clear_input_errors(data: bytes, words: str) -> None:
    with pytest.raises(InputError) as info:
        parse_report(data, "report")
    assert words in info.value.message, info.value.message
    assert info.value.message.startswith("report")


def test_a_billion_laughs_report_is_refused_not_expanded() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><coverage>&lol2;</coverage>'
    )
    with pytest.raises(InputError, match="DTD or entities"):
        parse_report(bomb, "bomb.xml")


def test_missing_or_directory_report_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        read_report(tmp_path / "nope.json")
    with pytest.raises(InputError, match="is a directory"):
        read_report(tmp_path)


# -- the check -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_untested_ai_lines_fail_and_tested_ones_pass_in_every_format(
    shop: ScratchRepo, tmp_path: Path, fmt: str
) -> None:
    shop.commit(f"scale\n\n{CLAUDE}", {"src/app/calc.py": AI_CALC}, author=BOB)
    poor = read_report(measure(shop, tmp_path / "poor", "calc.add(1, 2)")[fmt])
    v = verdict(shop, [poor])
    assert cov(v) == [("coverage.below-minimum", True)]
    below = next(f for f in v.findings if f.rule == "coverage.below-minimum")
    assert below.path == "src/app/calc.py" and below.line == 6 and below.tier == "yellow"
    assert (
        "2 of 5" in below.message
        and "lines 6, 10, 11" in below.message
        and "AI-assisted (claude-code)" in below.message
    )
    good = read_report(measure(shop, tmp_path / "good", "calc.scale([1], 2)\ncalc.risky(0)\ncalc.risky(2)")[fmt])
    v = verdict(shop, [good])
    assert cov(v) == []
    summary = next(f for f in v.findings if f.rule == "coverage.summary")
    assert "AI-assisted 5/5 (100%)" in summary.message


def test_ai_and_human_lines_are_counted_apart(shop: ScratchRepo, tmp_path: Path) -> None:
    shop.commit("human\n\nAssisted-by: none", {"src/app/calc.py": BASE_CALC + "\n\ndef neg(x):\n    return -x\n"})
    shop.commit(
        f"ai\n\n{CLAUDE}",
        {"src/app/calc.py": BASE_CALC + "\n\ndef neg(x):\n    return -x\n\n\ndef half(x):\n    return x / 2\n"},
        author=BOB,
    )
    report = read_report(measure(shop, tmp_path / "c", "calc.neg(1)")["json"])
    v = verdict(shop, [report])
    summary = next(f for f in v.findings if f.rule == "coverage.summary")
    assert "AI-assisted 1/2 (50%)" in summary.message and "human 2/2 (100%)" in summary.message
    assert cov(v) == [("coverage.below-minimum", True)]


def test_a_missing_report_blocks_only_where_the_tier_requires_it(shop: ScratchRepo) -> None:
    shop.commit("human\n\nAssisted-by: none", {"src/app/calc.py": AI_CALC}, author=BOB)
    assert cov(verdict(shop, None)) == []  # human lines: no evidence needed
    shop.commit(f"ai\n\n{CLAUDE}", {"src/app/calc.py": AI_CALC + "\nX = 1\n"}, author=BOB)
    v = verdict(shop, None)
    assert cov(v) == [("coverage.missing", True)]
    shop.commit(f"docs\n\n{CLAUDE}", {"docs/readme.py": "x = 1\n"}, author=BOB)  # green tier: no minimum
    assert [f.path for f in verdict(shop, None).findings if f.rule == "coverage.missing"] == ["src/app/calc.py"]


def test_a_file_the_report_does_not_measure_is_missing_evidence(shop: ScratchRepo, tmp_path: Path) -> None:
    shop.commit(
        f"new\n\n{CLAUDE}", {"src/app/calc.py": AI_CALC, "src/app/other.py": "def f():\n    return 1\n"}, author=BOB
    )
    report = read_report(measure(shop, tmp_path / "c", "calc.scale([1], 2)\ncalc.risky(1)")["json"])
    data = json.loads(Path(report.file).read_text())
    data["files"] = {k: v for k, v in data["files"].items() if k.endswith("calc.py")}
    Path(report.file).write_text(json.dumps(data))
    missing = [f for f in verdict(shop, [read_report(report.file)]).findings if f.rule == "coverage.missing"]
    assert [(f.path, f.blocking) for f in missing] == [("src/app/other.py", True)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_report_older_than_the_head_commit_is_stale(shop: ScratchRepo, tmp_path: Path, fmt: str) -> None:
    shop.commit(f"scale\n\n{CLAUDE}", {"src/app/calc.py": AI_CALC}, author=BOB)
    path = measure(shop, tmp_path / "c", "calc.scale([1], 2)\ncalc.risky(0)\ncalc.risky(2)")[fmt]
    old = 1_700_000_000  # 2023, before every commit of the scratch repository
    if fmt == "json":
        data = json.loads(path.read_text())
        data["meta"]["timestamp"] = "2023-11-14T22:13:20+00:00"
        path.write_text(json.dumps(data))
    elif fmt == "xml":
        text = path.read_text()
        start = text.index('timestamp="') + len('timestamp="')
        path.write_text(text[:start] + str(old * 1000) + text[text.index('"', start) :])
    else:
        os.utime(path, (old, old))
    v = verdict(shop, [read_report(path)])
    assert cov(v) == [("coverage.stale", True)]
    stale = next(f for f in v.findings if f.rule == "coverage.stale")
    assert "older than the head commit" in stale.message


def test_check_command_takes_repeated_coverage_reports_and_rejects_malformed_ones(
    shop: ScratchRepo, tmp_path: Path
) -> None:
    shop.commit(f"scale\n\n{CLAUDE}", {"src/app/calc.py": AI_CALC}, author=BOB)
    first = measure(shop, tmp_path / "a", "calc.scale([1], 2)")["lcov"]
    second = measure(shop, tmp_path / "b", "calc.risky(0)\ncalc.risky(2)")["xml"]
    out = run("check", "--repo", shop.path, "--base", "main", "--format", "json", "--coverage", first)
    rules = {(f["rule"], f["blocking"]) for f in json.loads(out.stdout)["findings"]}
    assert ("coverage.below-minimum", True) in rules
    out = run("check", "--repo", shop.path, "--base", "main", "--format", "json", "--coverage", first,
              "--coverage", second)  # fmt: skip
    rules = {(f["rule"], f["blocking"]) for f in json.loads(out.stdout)["findings"]}
    assert not any(r.startswith("coverage.") and b for r, b in rules)  # the two runs together cover all
    bad = tmp_path / "bad.lcov"
    bad.write_text("SF:x.py\nDA:zero,1\n")
    out = run("check", "--repo", shop.path, "--base", "main", "--coverage", bad)
    assert out.returncode == 2 and "bad.lcov:2: malformed line record" in out.stderr and "Traceback" not in out.stderr


# -- the policy key ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ('"80%"', "must be a number of percent"),
        ("true", "must be a number of percent"),
        ("101", "between 0 and 100"),
        ("-1", "between 0 and 100"),
        ("0.8", "reads as 0.8 percent"),
        ("nan", "between 0 and 100"),
    ],
)
def test_min_ai_line_coverage_bad_values_name_file_line_and_key(value: str, words: str) -> None:
    text = POLICY.replace("min_ai_line_coverage = 75", f"min_ai_line_coverage = {value}")
    with pytest.raises(ConfigError) as info:
        parse_policy(text)
    line = text.splitlines().index(f"min_ai_line_coverage = {value}") + 1
    (problem,) = info.value.problems
    assert problem.line == line and problem.key == "tiers[1].min_ai_line_coverage" and words in problem.message


def test_min_ai_line_coverage_defaults_to_none_and_reads_percent() -> None:
    policy = parse_policy(POLICY)
    assert [t.min_ai_line_coverage for t in policy.tiers] == [None, 75.0, None]
    assert parse_policy(POLICY.replace("= 75", "= 62.5")).tiers[1].min_ai_line_coverage == 62.5
