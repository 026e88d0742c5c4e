"""Fuzzing the parsers of user input: pattern files and coverage reports.

Garbage in gives a clear error (ConfigError for pattern files, InputError for reports) or a value, never
another exception, never a crash of the matcher.
"""

from __future__ import annotations

import json

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vouched.errors import ConfigError, InputError
from vouched.scan.coverage import parse_report
from vouched.scan.patterns import Pattern, parse_pattern, run_examples
from vouched.scan.prompts import prompts_for_lines

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

VALID = {
    "id": "p1",
    "title": "t",
    "languages": ["python"],
    "status": "caused-issue",
    "rule": "eval($X)",
    "why": "w",
    "examples": {"match": ["eval(x)"], "no_match": ["int(x)"]},
}
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30), st.binary(max_size=10)
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


def _parse(source: bytes | str) -> Pattern | None:
    try:
        pattern = parse_pattern(source, "fuzz.yml", ["green", "red"])
    except ConfigError as err:
        problems = err.problems
        assert problems and all(p.file == "fuzz.yml" for p in problems)
        return None
    run_examples(pattern)  # a pattern that parses can be run on its examples
    return pattern


@SETTINGS
@given(st.binary(max_size=400))
def test_any_bytes_give_a_pattern_or_a_config_error(data: bytes) -> None:
    _parse(data)


@SETTINGS
@given(st.text(alphabet=st.sampled_from(list("ab:-[]{}&*!|>'\"#\n\t $%@`?,.0")), max_size=200))
def test_yaml_punctuation_soup_gives_a_pattern_or_a_config_error(text: str) -> None:
    _parse(text)


@SETTINGS
@given(st.sampled_from(sorted(VALID)), values)
def test_any_value_for_any_key_gives_a_pattern_or_a_config_error(key: str, value: object) -> None:
    doc = dict(VALID)
    doc[key] = value
    try:
        text = yaml.safe_dump(doc)
    except yaml.YAMLError:
        return
    _parse(text)


@SETTINGS
@given(st.dictionaries(st.sampled_from(["pattern", "kind", "regex", "has", "not", "any", "all", "inside", "nthChild",
                                        "stopBy", "bogus"]), values, min_size=1, max_size=3))  # fmt: skip
def test_any_rule_mapping_gives_a_pattern_or_a_config_error(rule: dict[str, object]) -> None:
    doc = dict(VALID)
    doc["rule"] = rule
    try:
        text = yaml.safe_dump(doc)
    except yaml.YAMLError:
        return
    _parse(text)


def _report(data: bytes) -> None:
    try:
        report = parse_report(data, "fuzz-report", 1.0)
    except InputError as err:
        message = err.message
        assert message.startswith("fuzz-report")
        return
    for lines in report.lines.values():
        assert all(isinstance(n, int) and n > 0 and isinstance(ran, bool) for n, ran in lines.items())


@SETTINGS
@given(st.binary(max_size=400))
def test_any_bytes_give_a_report_or_an_input_error(data: bytes) -> None:
    _report(data)


@SETTINGS
@given(st.lists(st.one_of(st.sampled_from(["SF:a.py", "end_of_record", "TN:", "LF:3", "DA:1,1", "DA:2,0"]),
                          st.text(max_size=20)), max_size=20))  # fmt: skip
def test_lcov_lines_give_a_report_or_an_input_error(lines: list[str]) -> None:
    _report("\n".join(lines).encode())


@SETTINGS
@given(values)
def test_json_documents_give_a_report_or_an_input_error(doc: object) -> None:
    wrapped = {"meta": {"timestamp": "2026-01-01T00:00:00"}, "files": {"a.py": doc}}
    for candidate in (doc, wrapped):
        try:
            text = json.dumps(candidate, default=str)
        except (TypeError, ValueError):
            continue
        _report(text.encode())


@SETTINGS
@given(
    st.lists(st.tuples(st.sampled_from(["class", "line", "lines", "coverage", "source"]),
                       st.dictionaries(st.sampled_from(["filename", "number", "hits", "timestamp"]),
                                       st.text(alphabet="0123456789-xa.", max_size=6), max_size=3)),
             max_size=6)
)  # fmt: skip
def test_cobertura_shaped_xml_gives_a_report_or_an_input_error(elements: list[tuple[str, dict[str, str]]]) -> None:
    inner = "".join("<{} {}/>".format(tag, " ".join(f'{k}="{v}"' for k, v in attrs.items())) for tag, attrs in elements)
    _report(f"<coverage><packages><package><classes><class filename='a.py'><lines>{inner}</lines></class>"
            f"</classes></package></packages>{inner}</coverage>".encode())  # fmt: skip


@SETTINGS
@given(st.lists(st.text(max_size=80), max_size=10))
def test_prompts_never_fail_on_any_text(lines: list[str]) -> None:
    found = prompts_for_lines(list(enumerate(lines, start=1)))
    assert all(numbers and all(1 <= n <= len(lines) for n in numbers) for numbers in found.values())
