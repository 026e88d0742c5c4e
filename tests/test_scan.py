"""The scanners and the secrets detector on real files: findings, problems, limits, properties.

Credentials in this file are built by concatenation at run time, so the file itself carries none.
"""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vouched.scan.bandit import BanditScanner
from vouched.scan.inputs import MAX_BYTES, MAX_LINE, is_python, screen
from vouched.scan.interface import Level, ScanFinding, SourceFile
from vouched.scan.ruff import RULES, RuffScanner
from vouched.scan.ruff import parse_output as parse_ruff
from vouched.scan.run import Target, deduplicate, on_changed_lines, run_scan
from vouched.scan.secrets import entropy, find_secrets, redact
from vouched.scan.semgrep import SemgrepScanner
from vouched.scan.semgrep import parse_output as parse_semgrep

VULNERABLE = b"""\
import pickle
import subprocess


def run(cmd, user_id, blob):
    subprocess.run(cmd, shell=True)
    query = "SELECT * FROM users WHERE id = '%s'" % user_id
    return pickle.loads(blob), query
"""

AWS = "AKIA" + "QWERTYUIOPASDFGH"
GITHUB = "ghp_" + "aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5"
GOOGLE = "AIza" + "SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q"
NPM = "npm_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
STRIPE = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"
PASSWORD = "Xk9#mQ2$vL7" + "@pW4&nR8"
DB_PASSWORD = "s3cr3t" + "Passw0rdZ"


def ruff_findings(data: bytes, path: str = "src/app.py") -> list[ScanFinding]:
    return list(RuffScanner().scan([SourceFile(path, data)]).findings)


# -- Ruff ------------------------------------------------------------------------------------------


def test_ruff_finds_shell_sql_and_pickle_with_cwe() -> None:
    found = {(f.rule, f.line, f.cwe) for f in ruff_findings(VULNERABLE)}
    assert ("S602", 6, (78,)) in found
    assert ("S608", 7, (89,)) in found
    assert ("S301", 8, (502,)) in found


def test_ruff_ignores_noqa_and_the_repositorys_config(tmp_path: Path) -> None:
    silenced = VULNERABLE.replace(b"shell=True)", b"shell=True)  # noqa: S602")
    assert "S602" in {f.rule for f in ruff_findings(silenced)}


def test_ruff_reports_a_file_it_cannot_parse_as_a_problem() -> None:
    result = RuffScanner().scan([SourceFile("src/bad.py", b"def f(:\n    pass\n"), SourceFile("src/ok.py", VULNERABLE)])
    assert [p.path for p in result.problems] == ["src/bad.py"]
    assert "does not parse" in result.problems[0].reason
    assert result.scanned == ("src/ok.py",)
    assert {f.path for f in result.findings} == {"src/ok.py"}


def test_ruff_missing_binary_is_unavailable_and_a_crash_is_a_problem(tmp_path: Path) -> None:
    missing = RuffScanner(binary=str(tmp_path / "no-ruff"))
    assert not missing.available().ok
    assert missing.scan([SourceFile("a.py", b"x = 1\n")]).problems[0].path is None
    crash = tmp_path / "ruff"
    crash.write_text("#!/bin/sh\necho 'panicked at something' >&2\nexit 2\n")
    crash.chmod(crash.stat().st_mode | stat.S_IEXEC)
    result = RuffScanner(binary=str(crash)).scan([SourceFile("a.py", b"x = 1\n")])
    assert not result.findings
    assert result.problems[0].path is None and "panicked" in result.problems[0].reason


def test_every_ruff_s_rule_has_a_cwe_and_agrees_with_bandit() -> None:
    """Where Ruff's S<n> and Bandit's B<n> flag the same line, the CWE is the same (the tables agree)."""
    sample = b"""\
import hashlib, pickle, subprocess, tempfile, yaml, requests, telnetlib, random, marshal, xml.etree.ElementTree as ET
from flask import Flask
assert True
exec("x")
password = "hunter2"
tempfile.mktemp()
open("/tmp/x")
pickle.loads(b"")
marshal.loads(b"")
hashlib.md5(b"")
eval("1")
random.random()
yaml.load("a")
requests.get("https://example.org", verify=False)
subprocess.run("ls", shell=True)
subprocess.run(["ls"])
q = "SELECT * FROM t WHERE a = '%s'" % password
app = Flask(__name__)
app.run(debug=True)
ET.fromstring("<a/>")
try:
    pass
except Exception:
    pass
"""
    ruff = RuffScanner().scan([SourceFile("x.py", sample)]).findings
    bandit = BanditScanner().scan([SourceFile("x.py", sample)]).findings
    by_line = {(f.line, f.rule[1:]): f.cwe for f in bandit}
    compared = 0
    for f in ruff:
        other = by_line.get((f.line, f.rule[1:]))
        if other is not None:
            compared += 1
            assert f.cwe == other, f"{f.rule}: ruff table says {f.cwe}, bandit says {other}"
    assert compared >= 10
    assert all(code.startswith("S") and cwe > 0 for code, (cwe, _, _) in RULES.items())


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=10), c, max_size=4),
        max_leaves=20,
    )
)
@settings(max_examples=150, deadline=None)
def test_ruff_output_reader_never_crashes(doc: object) -> None:
    written = {"/tmp/x/0/a.py": SourceFile("a.py", b"")}
    result = parse_ruff(json.dumps(doc).encode(), written)
    assert all(f.path == "a.py" for f in result.findings)


@given(st.binary(max_size=200))
@settings(max_examples=100, deadline=None)
def test_ruff_and_semgrep_readers_take_any_bytes(raw: bytes) -> None:
    written = {"/tmp/x/0/a.py": SourceFile("a.py", b"")}
    parse_ruff(raw, written)
    parse_semgrep(raw, written)


def test_ruff_reader_keeps_good_diagnostics_beside_bad_ones() -> None:
    written = {"/w/0/a.py": SourceFile("src/a.py", b"")}
    good = {"code": "S602", "filename": "/w/0/a.py", "location": {"row": 3}, "end_location": {"row": 4}, "message": "m"}
    raw = json.dumps([good, {"code": "S602", "filename": "/elsewhere.py", "location": {"row": 1}}, 7]).encode()
    result = parse_ruff(raw, written)
    assert [(f.rule, f.line, f.end_line, f.cwe) for f in result.findings] == [("S602", 3, 4, (78,))]
    assert len(result.problems) == 2


# -- Bandit ----------------------------------------------------------------------------------------


def test_bandit_finds_issues_and_ignores_nosec() -> None:
    data = VULNERABLE.replace(b"shell=True)", b"shell=True)  # nosec")
    found = {(f.rule, f.line, f.cwe, f.severity) for f in BanditScanner().scan([SourceFile("a.py", data)]).findings}
    assert ("B602", 6, (78,), Level.HIGH) in found
    assert ("B608", 7, (89,), Level.MEDIUM) in found


def test_bandit_reports_unparsable_files() -> None:
    result = BanditScanner().scan([SourceFile("bad.py", b"def f(:\n"), SourceFile("ok.py", VULNERABLE)])
    assert [p.path for p in result.problems] == ["bad.py"]
    assert result.scanned == ("ok.py",)


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="3.12 parses its own f-strings")
def test_bandit_on_311_cannot_read_312_syntax_and_says_so() -> None:
    data = b'x = {"a": 1}\nprint(f"{x["a"]}")\n'
    assert not RuffScanner().scan([SourceFile("new.py", data)]).problems  # Ruff's parser reads it
    problems = BanditScanner().scan([SourceFile("new.py", data)]).problems
    assert problems and problems[0].path == "new.py" and "parse" in problems[0].reason


def test_bandit_unavailable_when_its_import_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "bandit", None)
    scanner = BanditScanner()
    assert not scanner.available().ok
    assert scanner.scan([SourceFile("a.py", b"x = 1\n")]).problems[0].path is None


# -- Semgrep (optional) ----------------------------------------------------------------------------


def test_semgrep_needs_the_binary_and_local_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no semgrep on PATH
    absent = SemgrepScanner({"r.yml": b"rules: []"})
    assert not absent.available().ok and "not installed" in absent.available().reason
    assert absent.scan([SourceFile("a.py", b"x = 1\n")]).problems[0].path is None
    assert "no Semgrep rule files" in SemgrepScanner({}, binary=sys.executable).available().reason


def test_semgrep_reader_maps_severity_cwe_and_errors() -> None:
    written = {"/w/0/a.py": SourceFile("src/a.py", b"")}
    doc = {
        "results": [
            {
                "check_id": "team.sql-from-input",
                "path": "/w/0/a.py",
                "start": {"line": 2},
                "end": {"line": 3},
                "extra": {"message": "SQL", "severity": "ERROR", "metadata": {"cwe": ["CWE-89: SQL Injection"]}},
            }
        ],
        "errors": [{"path": "/w/0/a.py", "message": "Syntax error"}],
    }
    result = parse_semgrep(json.dumps(doc).encode(), written)
    (f,) = result.findings
    assert (f.rule, f.line, f.end_line, f.cwe, f.severity) == ("team.sql-from-input", 2, 3, (89,), Level.HIGH)
    assert result.problems[0].path == "src/a.py" and result.scanned == ()


def test_semgrep_runs_with_metrics_off_and_local_rules_only(tmp_path: Path) -> None:
    """A stand-in semgrep records its arguments: vouched never asks for the registry or a login."""
    log = tmp_path / "argv.txt"
    fake = tmp_path / "semgrep"
    fake.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {log}\necho \'{{"results": [], "errors": []}}\'\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    result = SemgrepScanner({"r.yml": b"rules: []\n"}, binary=str(fake)).scan([SourceFile("a.py", b"x = 1\n")])
    assert not result.problems
    argv = log.read_text().split("\n")
    assert argv[:1] == ["scan"] and "--metrics" in argv and argv[argv.index("--metrics") + 1] == "off"
    config = argv[argv.index("--config") + 1]
    assert config.startswith("/") and "auto" not in argv and "login" not in argv


# -- inputs and the scan of a change ---------------------------------------------------------------


def test_screen_limits() -> None:
    assert screen(SourceFile("a.py", b"x = 1\n")) is None
    assert screen(SourceFile("a.py", b"x\0y")) == "binary file"
    assert "too large" in (screen(SourceFile("a.py", b"#\n" * (MAX_BYTES // 2 + 1))) or "")
    assert "minified" in (screen(SourceFile("a.js", b"x" * (MAX_LINE + 1))) or "")
    assert "not UTF-8" in (screen(SourceFile("a.py", b"s = '\xe9'\n")) or "")
    assert screen(SourceFile("a.py", b"s = '\xe9'\n"), text_only=True) is None
    assert is_python("bin/tool", b"#!/usr/bin/env python3\n") and not is_python("bin/tool", b"#!/bin/sh\n")


def finding(
    line: int, end: int, cwe: tuple[int, ...] = (78,), scanner: str = "ruff", rule: str = "S602"
) -> ScanFinding:
    return ScanFinding(scanner, rule, "t", Level.HIGH, Level.HIGH, "a.py", line, end, cwe)


def test_changed_lines_and_context() -> None:
    added = frozenset({10})
    assert on_changed_lines(finding(10, 10), added, 0)
    assert on_changed_lines(finding(8, 12), added, 0)  # a statement spanning the changed line
    assert not on_changed_lines(finding(12, 12), added, 0)
    assert on_changed_lines(finding(12, 12), added, 2)
    assert not on_changed_lines(finding(13, 14), added, 2)


def test_deduplicate_keeps_every_scanner_as_evidence() -> None:
    a = finding(6, 6)
    b = ScanFinding("bandit", "B602", "t", Level.CRITICAL, Level.MEDIUM, "a.py", 6, 7, (78,))
    other = finding(6, 6, cwe=(89,), rule="S608")
    merged = deduplicate([a, b, other])
    assert len(merged) == 2
    shell = next(f for f in merged if f.cwe == (78,))
    assert shell.scanners == ("ruff:S602", "bandit:B602")
    assert shell.severity is Level.CRITICAL and shell.end_line == 7


def test_run_scan_only_changed_lines_both_scanners_merged() -> None:
    target = Target("src/a.py", VULNERABLE, ((6, "    subprocess.run(cmd, shell=True)"),), ("ruff", "bandit"))
    report = run_scan([target], {"ruff": RuffScanner(), "bandit": BanditScanner()})
    assert [(f.line, f.cwe) for f in report.findings] == [(6, (78,))]
    assert set(report.findings[0].scanners) == {"ruff:S602", "bandit:B602"}
    assert report.ran == ("bandit", "ruff")


def test_run_scan_missing_scanner_and_unreadable_files() -> None:
    targets = [
        Target("src/a.py", b"x = 1\n", ((1, "x = 1"),), ("ruff",)),
        Target("src/b.py", b"s = '\xe9'\n", ((1, "s = '?'"),), ("bandit",)),
        Target("img/logo.png", b"\x89PNG\0\0", (), (), binary=True),
    ]
    report = run_scan(targets, {"ruff": RuffScanner(binary="/nonexistent/ruff"), "bandit": BanditScanner()})
    assert [p.scanner for p in report.missing] == ["ruff"]
    assert {(p.scanner, p.path) for p in report.problems} == {("bandit", "src/b.py"), ("secrets", "img/logo.png")}


# -- secrets ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "rule", "secret"),
    [
        (f'AWS_KEY = "{AWS}"', "aws-access-key", AWS),
        (f'token = "{GITHUB}"', "github-token", GITHUB),
        (f"key = '{GOOGLE}'", "google-api-key", GOOGLE),
        (f"//registry.npmjs.org/:_authToken={NPM}", "npm-token", NPM),
        (f'stripe.api_key = "{STRIPE}"', "stripe-key", STRIPE),
        ("-----BEGIN OPENSSH " + "PRIVATE KEY-----", "private-key", None),
        (f'DATABASE_URL = "postgres://app:{DB_PASSWORD}@db.internal:5432/app"', "connection-string", DB_PASSWORD),
        (f'password = "{PASSWORD}"', "secret-assignment", PASSWORD),
        ("API_TOKEN=a8F9kLm2Qz" + "7Rt5Vx1Wc3", "secret-assignment", None),
    ],
)
def test_secrets_are_found_and_never_shown(line: str, rule: str, secret: str | None) -> None:
    found = find_secrets("config.py", [(3, line)])
    assert rule in {f.rule for f in found}, found
    for f in found:
        assert f.severity is Level.CRITICAL and f.line == 3 and f.cwe == (798,)
        if secret is not None:
            assert secret not in f.message and secret not in f.title
            assert redact(secret) in f.message or f.rule != rule


@pytest.mark.parametrize(
    "line",
    [
        'password = os.environ["DB_PASSWORD"]',
        "token = request.headers.get('Authorization')",
        'secret_key = "changeme"',
        'DATABASE_URL = "postgres://app:${DB_PASSWORD}@db:5432/app"',
        'DATABASE_URL = "postgres://app:password@localhost/app"',
        "def check_password(password: str, token: str) -> bool:",
        'PASSWORD_FIELD = "password_confirmation"',
        'api_key = "<your api key here>"',
    ],
)
def test_no_secret_in_ordinary_code(line: str) -> None:
    assert find_secrets("app.py", [(1, line)]) == []


def test_allow_pragma_turns_a_secret_into_a_low_finding() -> None:
    (f,) = find_secrets("tests/fixture.py", [(1, f'token = "{GITHUB}"  # vouched: allow-secret')])
    assert f.severity is Level.LOW and GITHUB not in f.message


@given(
    st.text(
        alphabet=st.characters(min_codepoint=33, max_codepoint=126, blacklist_characters="'\"\\"),
        min_size=16,
        max_size=40,
    )
)
@settings(max_examples=150, deadline=None)
def test_no_finding_ever_contains_the_value_it_found(value: str) -> None:
    lines = [(1, f'api_key = "{value}"'), (2, f"postgres://u:{value}@h/db"), (3, f"ghp_{value}")]
    for f in find_secrets("x.py", lines):
        assert value not in f.message
        assert value not in f.title


@given(st.text(max_size=300))
@settings(max_examples=200, deadline=None)
def test_secrets_detector_takes_any_line(text: str) -> None:
    for f in find_secrets("x", [(1, text)]):
        assert f.line == 1


def test_redact_shows_at_most_a_quarter() -> None:
    assert redact(AWS) == "AKIA… (20 chars)"
    assert redact("abcdefgh") == "ab… (8 chars)"
    assert redact("abc") == "… (3 chars)"
    assert entropy("aaaa") == 0.0 and entropy("abcd") == 2.0


@pytest.mark.parametrize("at", [0, 3390, 3420, 4000, 20_000])
def test_a_secret_anywhere_in_a_minified_line_is_found(at: int) -> None:
    line = "x" * at + f' t="{GITHUB}" ' + "y" * 5_000
    assert [f.rule for f in find_secrets("app.min.js", [(1, line)])] == ["github-token"]


def test_ruff_unavailable_when_its_package_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ruff", None)
    monkeypatch.setitem(sys.modules, "ruff.__main__", None)
    scanner = RuffScanner()
    assert not scanner.available().ok and "not installed" in scanner.available().reason
    assert scanner.scan([SourceFile("a.py", b"x = 1\n")]).problems[0].path is None
