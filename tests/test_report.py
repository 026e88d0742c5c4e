"""The report formats: text, json, sarif, markdown, rendered from hand-built verdicts."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes

import jsonschema  # type: ignore[import-untyped]
import pytest
from hypothesis import given
from hypothesis import strategies as st

import vouched
from golden.samples import (
    HEAD,
    NON_UTF8_PATH,
    REPOSITORY,
    SAM,
    SAMPLES,
    commit,
    empty,
    failing,
    many,
    non_utf8,
    passing,
    pathless,
)
from vouched.errors import UsageError
from vouched.gate.findings import CommitReport, FileReport, Finding, Severity, Verdict
from vouched.git import display
from vouched.provenance.model import Attribution
from vouched.report import FORMATS, Formatter, formatter
from vouched.report.markdown import escape
from vouched.report.sarif import POLICY_PATH, RuleDoc, SarifFormatter, artifact_uri, repository_uri

REPO_ROOT = Path(__file__).resolve().parents[1]
SARIF_SCHEMA = REPO_ROOT.parent / "shared" / "data" / "schemas" / "sarif-schema-2.1.0.json"
ALL = [*SAMPLES.values(), many]
IDS = [*SAMPLES, "many"]
ANSI = "\x1b"
# RFC 3986 relative-ref made of a path only: unreserved, sub-delims, ":", "@", "/" and %XX escapes.
URI_PATH = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-F]{2})*")


def render(name: str, verdict: Verdict, **kwargs: Any) -> str:
    return formatter(name, **kwargs).render(verdict)


# -- the registry ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FORMATS)
def test_every_format_has_a_formatter(name: str) -> None:
    fmt = formatter(name)
    assert isinstance(fmt, Formatter)
    assert fmt.name == name


def test_unknown_format_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown report format 'xml'") as info:
        formatter("xml")
    assert info.value.hint is not None
    assert "sarif" in info.value.hint


@pytest.mark.parametrize("build", ALL, ids=IDS)
@pytest.mark.parametrize("name", FORMATS)
def test_every_format_renders_every_verdict_to_text_ending_in_a_newline(name: str, build: Any) -> None:
    out = render(name, build())
    assert out.endswith("\n")
    out.encode("utf-8")  # no lone surrogates: printable on any UTF-8 stream


# -- json --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("build", [passing, failing, empty, pathless, many])
def test_json_is_exactly_the_contract(build: Any) -> None:
    verdict = build()
    out = render("json", verdict)
    assert json.loads(out) == verdict.to_json()
    assert out == json.dumps(verdict.to_json(), indent=2, sort_keys=True) + "\n"
    assert out.isascii()


def test_json_verdict_field_follows_blocking_findings() -> None:
    assert json.loads(render("json", passing()))["verdict"] == "pass"
    assert json.loads(render("json", failing()))["verdict"] == "fail"
    assert json.loads(render("json", empty()))["tier"] is None


def test_json_replaces_raw_surrogates_so_strict_parsers_accept_it() -> None:
    out = render("json", non_utf8())
    assert "\\udc" not in out  # no escaped lone surrogates
    doc = json.loads(out)
    assert doc["files"][0]["path"] == "src/auth/caf\ufffd \ufffd#1.py"
    assert doc["findings"][0]["message"] == "possible secret in src/auth/caf\ufffd \ufffd#1.py"
    assert doc["findings"][0]["path"] == doc["files"][0]["path"]


# -- sarif -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sarif_validator() -> Any:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def sarif(verdict: Verdict, **kwargs: Any) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(render("sarif", verdict, **kwargs))
    return doc


@pytest.mark.parametrize("repo_uri", [None, REPOSITORY])
@pytest.mark.parametrize("build", ALL, ids=IDS)
def test_sarif_validates_against_the_official_schema(build: Any, repo_uri: str | None, sarif_validator: Any) -> None:
    doc = sarif(build(), repository_uri=repo_uri)
    errors = sorted(sarif_validator.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


@pytest.mark.parametrize("build", ALL, ids=IDS)
def test_sarif_meets_github_code_scanning_requirements(build: Any) -> None:
    verdict = build()
    doc = sarif(verdict)
    assert doc["version"] == "2.1.0"
    assert doc["$schema"].startswith("https://")
    (run,) = doc["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "vouched"
    assert driver["semanticVersion"] == vouched.__version__
    assert driver["informationUri"].startswith("https://")
    rules = driver["rules"]
    assert [r["id"] for r in rules] == sorted({f.rule for f in verdict.findings})
    for rule in rules:
        assert rule["name"]
        assert rule["shortDescription"]["text"]
        assert rule["fullDescription"]["text"]
        assert rule["help"]["text"]
        assert rule["help"]["markdown"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
        assert "vouched" in rule["properties"]["tags"]
    results = run["results"]
    assert len(results) == len(verdict.findings)
    fingerprints = set()
    for result, finding in zip(results, verdict.findings, strict=True):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == finding.rule
        assert result["level"] == finding.severity.value
        assert display(finding.message) in result["message"]["text"]
        if finding.hint:
            assert f"Fix: {finding.hint}" in result["message"]["text"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert URI_PATH.fullmatch(physical["artifactLocation"]["uri"])
        assert physical["region"]["startLine"] >= 1
        fingerprints.add(result["partialFingerprints"]["vouchedFinding/v1"])
        assert result["properties"]["blocking"] is finding.blocking
        assert result["properties"]["commit"] == finding.commit
        assert result["properties"]["tier"] == finding.tier
    assert len(fingerprints) == len(results)
    assert run["properties"]["verdict"] == ("pass" if verdict.passed else "fail")
    assert run["properties"]["base"] == verdict.base
    assert run["properties"]["head"] == verdict.head


def test_sarif_places_a_finding_without_a_path_at_the_policy_file() -> None:
    (result,) = sarif(pathless())["runs"][0]["results"]
    physical = result["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == POLICY_PATH == ".vouched/policy.toml"
    assert physical["region"]["startLine"] == 1
    assert result["properties"]["placeholderLocation"] is True


def test_sarif_percent_encodes_non_utf8_paths_byte_for_byte() -> None:
    (result,) = sarif(non_utf8())["runs"][0]["results"]
    physical = result["locations"][0]["physicalLocation"]
    uri = physical["artifactLocation"]["uri"]
    assert uri == "src/auth/caf%E9%20%FF%231.py"
    assert unquote_to_bytes(uri) == NON_UTF8_PATH.encode("utf-8", "surrogateescape")
    assert physical["region"]["startLine"] == 1  # the finding said line 0


@given(st.binary(min_size=1, max_size=40).filter(lambda b: b"\x00" not in b))
def test_artifact_uri_is_a_uri_reference_that_round_trips(raw: bytes) -> None:
    uri = artifact_uri(raw.decode("utf-8", "surrogateescape"))
    assert URI_PATH.fullmatch(uri)
    assert ":" not in uri.split("/")[0]  # never mistaken for a scheme
    assert unquote_to_bytes(uri) == raw


def test_sarif_records_the_head_revision_when_the_repository_is_known() -> None:
    run = sarif(failing(), repository_uri="https://x-access-token:s3cret@github.com/example/bank.git")["runs"][0]
    assert run["versionControlProvenance"] == [
        {"repositoryUri": "https://github.com/example/bank.git", "revisionId": HEAD}
    ]
    assert "versionControlProvenance" not in sarif(failing())["runs"][0]


@pytest.mark.parametrize(
    ("remote", "expected"),
    [
        ("https://github.com/example/bank.git", "https://github.com/example/bank.git"),
        ("https://user:token@github.com/example/bank", "https://github.com/example/bank"),
        ("git@github.com:example/bank.git", "ssh://git@github.com/example/bank.git"),
        ("ssh://git@example.com:2222/bank.git", "ssh://git@example.com:2222/bank.git"),
        ("/srv/git/bank.git", None),
        ("", None),
        (None, None),
    ],
)
def test_repository_uri_is_absolute_and_has_no_credentials(remote: str | None, expected: str | None) -> None:
    assert repository_uri(remote) == expected


def test_sarif_fingerprints_are_stable_and_ignore_the_line() -> None:
    verdict = failing()
    first = sarif(verdict)["runs"][0]["results"][0]["partialFingerprints"]
    moved = Verdict(**{**_fields(verdict), "findings": (_replace(verdict.findings[0], line=99), *verdict.findings[1:])})
    assert sarif(moved)["runs"][0]["results"][0]["partialFingerprints"] == first
    findings = (_replace(verdict.findings[0], message="x"), *verdict.findings[1:])
    reworded = Verdict(**{**_fields(verdict), "findings": findings})
    assert sarif(reworded)["runs"][0]["results"][0]["partialFingerprints"] != first


def test_sarif_uses_a_rule_catalogue_when_given() -> None:
    doc = RuleDoc(
        "approvals",
        short="Not enough independent approvals",
        full="The tier asks for more approvals from people who did not author the change.",
        help="Ask reviewers with the tier's approver level to approve.",
        level="error",
        tags=("vouched", "review"),
    )
    rendered = SarifFormatter(rules={"approvals": doc}).render(pathless())
    (rule,) = json.loads(rendered)["runs"][0]["tool"]["driver"]["rules"]
    assert rule["shortDescription"]["text"] == doc.short
    assert rule["help"]["text"] == doc.help
    assert rule["properties"]["tags"] == ["vouched", "review"]


def _fields(verdict: Verdict) -> dict[str, Any]:
    return {name: getattr(verdict, name) for name in Verdict.__dataclass_fields__}


def _replace(finding: Finding, **changes: Any) -> Finding:
    return Finding(**{**{n: getattr(finding, n) for n in Finding.__dataclass_fields__}, **changes})


# -- markdown ----------------------------------------------------------------------------------------

HOSTILE = (
    "@everyone ping @org/security-team fixes #1 <img src=x onerror=alert(1)> <script>x</script> "
    "[click](https://evil.example) ![i](https://evil.example/i.png) **bold** `code` $x^2$ a|b "
    "&#64;admin \x1b[2J \u202eevil www.evil.example\n## heading\n<!-- hide -->"
)


def hostile_verdict() -> Verdict:
    c = commit(1, HOSTILE, author=SAM)
    return Verdict(
        base="1" * 40,
        merge_base="2" * 40,
        head=HEAD,
        tier="red",
        commits=(CommitReport(c, "@mallory", Attribution(assisted=True, tools=("@copilot <b>",), models=("m|x",))),),
        files=(FileReport(f"src/{HOSTILE}.py", "red", HOSTILE),),
        findings=(
            Finding("rule", Severity.ERROR, True, HOSTILE, hint=HOSTILE, path=f"docs/{HOSTILE}", line=3),
            Finding("rule", Severity.WARNING, False, HOSTILE, hint=HOSTILE),
        ),
        notes=(HOSTILE,),
    )


def test_markdown_neutralises_hostile_text() -> None:
    out = render("markdown", hostile_verdict())
    allowed_tags = {"code", "/code", "details", "/details", "summary", "/summary"}
    tags = set(re.findall(r"<(/?[a-z]+)", out))
    assert tags <= allowed_tags, tags
    assert out.count("<!--") == 1  # only our own marker
    assert "&lt;img" in out
    assert "&lt;script&gt;" in out
    assert not re.search(r"@(?!&#8203;)", out), "an @ without a zero-width space could mention someone"
    assert not re.search(r"(?<![\\&])#(?=\d)", out)  # &#8203; is our zero-width space
    assert "#&#8203;1" in out
    assert not re.search(r"(?<!\\)\[", out), "an unescaped [ could start a link"
    assert "](" not in out.replace("\\](", "")
    assert "https://" not in out
    assert "www." not in out
    assert "&amp;\\#&#8203;64;admin" in out  # an entity in the text cannot become an @
    assert not re.search(
        r"(?<!\\)[`*$]",
        out.replace("`1111111`", "").replace(f"`{HEAD[:7]}`", "").replace("`aaaaaa1`", "").replace("**", ""),
    ), "emphasis, code or math from user text"
    assert "\x1b" not in out
    assert "\u202e" not in out
    assert "\n## heading" not in out
    for line in out.splitlines():  # every table row keeps its column count
        if line.startswith("| ") and not line.startswith("| ---"):
            assert len(re.findall(r"(?<!\\)\|", line)) in (4, 5), line


def test_markdown_table_rows_have_the_right_number_of_cells() -> None:
    out = render("markdown", hostile_verdict())
    commit_rows = [line for line in out.splitlines() if line.startswith("| `aaaaaa1`")]
    assert len(commit_rows) == 1
    assert len(re.findall(r"(?<!\\)\|", commit_rows[0])) == 5


@given(st.text(max_size=60))
def test_escape_output_is_inert(text: str) -> None:
    out = escape(text)
    assert "\n" not in out
    assert "<" not in out
    assert ">" not in out
    assert not re.search(r"@(?!&#8203;)", out)
    assert not re.search(r"&(?!amp;|lt;|gt;|#8203;)", out)
    assert not re.search(r"(?<!\\)[\[\]`*_|~$!(){}^]", out.replace("\\\\", ""))


def test_markdown_pass_and_fail_headings() -> None:
    assert render("markdown", passing()).splitlines()[1] == "## ✅ vouched: pass"
    assert render("markdown", failing()).splitlines()[1] == "## ❌ vouched: fail"
    assert "No changes" in render("markdown", empty())


def test_markdown_lists_blocking_findings_and_folds_the_rest() -> None:
    out = render("markdown", failing())
    blocking = out.index("### Blocking findings (2)")
    details = out.index("<details><summary>1 warning and 1 note</summary>")
    assert blocking < details
    assert "**Fix:** have a senior engineer author or take over the change" in out[blocking:details]
    assert "rationale" in out[details:]
    assert "rationale" not in out[blocking:details]
    assert "| **red** | 1 |" in out
    assert "🤖 claude-code \\(claude-opus-4-5\\)" in out
    assert out.startswith("<!-- vouched-report -->\n")


def test_markdown_stays_under_the_github_comment_limit() -> None:
    out = render("markdown", many(5000))
    assert len(out) < 65_536
    assert "more blocking findings" in out
    assert "more warnings and notes" in out


# -- text --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("build", ALL, ids=IDS)
def test_text_has_no_ansi_codes_without_colour(build: Any) -> None:
    assert ANSI not in render("text", build())
    assert ANSI not in render("text", hostile_verdict())


def test_text_uses_colour_when_asked() -> None:
    out = render("text", failing(), color=True)
    assert "\x1b[31m" in out
    assert ANSI not in render("text", failing(), color=False)


def test_text_first_line_is_the_answer() -> None:
    assert render("text", failing()).splitlines()[0] == (
        "FAIL  1111111..9c0ffee  tier red  2 commits, 2 files, 2 blocking, 1 warning, 1 note"
    )
    assert render("text", passing()).splitlines()[0].startswith("PASS  1111111..9c0ffee  tier red")
    assert render("text", empty()) == "PASS  1111111..1111111  no changes\n"


def test_text_shows_files_commits_then_blocking_before_warnings() -> None:
    out = render("text", failing())
    order = [out.index(s) for s in ("Files", "Commits", "Blocking (2)", "Warnings (1)", "Notes (1)")]
    assert order == sorted(order)
    assert "red     src/auth/login.py  path src/auth/**" in out
    assert "carol" in out
    assert "claude-code (claude-opus-4-5)" in out
    assert "sam@elsewhere.example (not in people.toml)  human" in out
    assert "ai-clearance  src/auth/login.py:12  commit aaaaaa1" in out
    assert "fix: have a senior engineer author or take over the change" in out
    assert "unknown-author  (no path)" in out


def test_text_shows_non_utf8_paths_and_control_characters_safely() -> None:
    out = render("text", non_utf8())
    assert "src/auth/caf\ufffd \ufffd#1.py" in out
    hostile = render("text", hostile_verdict())
    assert "\\x1b[2J" in hostile
    assert "\\u202e" in hostile


def test_text_cuts_long_lists_short_but_shows_every_blocking_finding() -> None:
    verdict = many(30)
    out = render("text", verdict)
    assert "... and 190 more yellow files" in out
    assert "... and 89 more commits" in out
    assert out.count("      fix: fix it") == 30
