"""Fix commits to bugs (trailers, references, tracker lists, conventions) and releases (tags, a file)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vouched.errors import InputError, UsageError
from vouched.git import Git, ScratchRepo
from vouched.metrics.incidents.model import Bug
from vouched.metrics.linking import Linker, pull_request_of, references
from vouched.metrics.releases import ReleasePlan, assign_by_date, assign_by_tags, from_file, from_tags
from vouched.model import Trailer
from vouched.policy.model import MetricsConfig

CONFIG = MetricsConfig()
KEY = CONFIG.issue_key_pattern
SHA = "a" * 40


def bug(
    id: str, *, is_bug: bool = True, created: int = 100, commits: tuple[str, ...] = (), pulls: tuple[str, ...] = ()
) -> Bug:
    return Bug(id, "", created, None, "unknown", False, is_bug, commits=commits, pulls=pulls)


def test_references() -> None:
    text = "Closes #12 and PROJ-7; https://github.com/o/r/issues/99 https://github.com/o/r/pull/5 &#39; a#3 x-1"
    assert references(text, KEY) == ["#99", "#12", "PROJ-7"]


def test_pull_requests_from_github_subjects() -> None:
    assert pull_request_of("Add a thing (#45)") == "45"
    assert pull_request_of("Merge pull request #7 from a/b") == "7"
    assert pull_request_of("Fix #45 in parser") is None


def link(linker: Linker, message: str, trailers: tuple[Trailer, ...] = (), parents: tuple[str, ...] = ("p",)):  # type: ignore[no-untyped-def]
    return linker.link(SHA, parents, message.split("\n", 1)[0], message, trailers)


def test_trailer_naming_a_known_bug() -> None:
    linker = Linker(CONFIG, [bug("#3", created=50), bug("#4", created=70)])
    found = link(linker, "Repair\n\nFixes: #3\nCloses: #4", (Trailer("Fixes", "#3"), Trailer("Closes", "#4")))
    assert found is not None
    assert (found.bug_ids, found.how, found.reported_at) == (("#3", "#4"), "trailer", 50)


def test_trailer_naming_an_issue_the_export_lacks_still_makes_a_fix_and_is_counted() -> None:
    linker = Linker(CONFIG, [bug("#3")])
    found = link(linker, "Repair\n\nResolves: PROJ-9", (Trailer("Resolves", "PROJ-9"),))
    assert found is not None and found.bug_ids == ("PROJ-9",) and found.reported_at is None
    assert list(linker.unknown_refs) == ["PROJ-9"]


def test_closing_a_feature_is_not_a_fix() -> None:
    linker = Linker(CONFIG, [bug("#3", is_bug=False)])
    assert link(linker, "Add export\n\nCloses: #3", (Trailer("Closes", "#3"),)) is None


def test_reference_in_the_message_to_a_known_bug() -> None:
    linker = Linker(CONFIG, [bug("PROJ-7")])
    found = link(linker, "Handle empty input (PROJ-7)")
    assert found is not None and (found.bug_ids, found.how) == (("PROJ-7",), "reference")
    assert link(linker, "Mention PROJ-8 only") is None  # not a known bug, no trailer, no convention


def test_without_an_export_a_bare_reference_is_not_a_fix() -> None:
    assert link(Linker(CONFIG), "Refactor, see #12") is None


def test_tracker_lists_the_commit_or_its_pull_request() -> None:
    linker = Linker(CONFIG, [bug("INC-1", commits=("aaaaaaa",)), bug("INC-2", pulls=("45",))])
    found = link(linker, "Some change")
    assert found is not None and (found.bug_ids, found.how) == (("INC-1",), "tracker")
    other = linker.link("b" * 40, ("p",), "Tidy (#45)", "Tidy (#45)", ())
    assert other is not None and other.bug_ids == ("INC-2",)


def test_fixes_trailer_with_a_commit_id_is_ground_truth_for_szz() -> None:
    found = link(
        Linker(CONFIG), 'x\n\nFixes: 1234abcd5678 ("subject")', (Trailer("Fixes", '1234abcd5678 ("subject")'),)
    )
    assert found is not None and found.fixed_commits == ("1234abcd5678",) and found.bug_ids == ()


@pytest.mark.parametrize(
    ("subject", "is_fix"),
    [
        ("fix: off by one", True),
        ("fix(parser): off by one", True),
        ("fix!: breaking fix", True),
        ("Bugfix for login", True),
        ("HOTFIX: prod down", True),
        ("feat: add prefix", False),
        ("Prefix handling", False),
        ("fixture update", False),
    ],
)
def test_conventions(subject: str, is_fix: bool) -> None:
    found = link(Linker(CONFIG), subject)
    assert (found is not None) == is_fix
    if found is not None:
        assert found.how == "convention"


def test_conventions_are_configurable() -> None:
    linker = Linker(MetricsConfig(fix_patterns=(r"^\[bug\]",), fix_trailers=("Bug",)))
    assert link(linker, "[bug] nope") is not None
    assert link(linker, "fix: not ours") is None
    assert link(linker, "x\n\nBug: #1", (Trailer("Bug", "#1"),)) is not None


def test_merges_are_never_fixes() -> None:
    assert link(Linker(CONFIG), "fix: merge", parents=("a", "b")) is None


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_fuzz_references_never_crash(text: str) -> None:
    for ref in references(text, KEY):
        assert ref in text or ref.lstrip("#") in text


# -- releases ---------------------------------------------------------------------------------------


def test_tags_in_version_order_with_skips_counted() -> None:
    tags = [("v1.10.0", "c", 5), ("v1.9.0", "b", 9), ("v2.0.0rc1", "d", 1), ("v2.0.0", "e", 2), ("nightly", "n", 3),
            ("v1.x-bad", "z", 4), ("1.9", "b2", 9)]  # fmt: skip
    plan = from_tags(tags, CONFIG.tag_pattern, "pep440")
    assert [r.name for r in plan.releases] == ["1.9", "v1.10.0", "v2.0.0rc1", "v2.0.0"]
    # 1.9 == 1.9.0: the version is tagged twice, the first tag by name is kept
    assert [t for t, _ in plan.skipped_tags] == ["v1.9.0", "v1.x-bad"]


def test_semver_ordering() -> None:
    tags = [("v1.0.0-rc.2", "a", 0), ("v1.0.0-rc.10", "b", 0), ("v1.0.0", "c", 0), ("v1.0", "d", 0)]
    plan = from_tags(tags, CONFIG.tag_pattern, "semver")
    assert [r.name for r in plan.releases] == ["v1.0.0-rc.2", "v1.0.0-rc.10", "v1.0.0"]
    assert plan.skipped_tags == (("v1.0", "'1.0' is not a semver version"),)


def test_tag_pattern_groups() -> None:
    plan = from_tags([("release-2024.1", "a", 0), ("release-2023.12", "b", 0)], r"^release-(.+)$", "pep440")
    assert [r.version for r in plan.releases] == ["2023.12", "2024.1"]


def test_bad_tag_pattern_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="not a valid regex"):
        from_tags([], "(", "pep440")


def test_releases_assigned_by_tag_reachability(repo: ScratchRepo) -> None:
    a = repo.commit("a", {"a": "1"})
    repo.git("tag", "v1.0")
    b = repo.commit("b", {"b": "1"})
    repo.git("tag", "v1.1")
    c = repo.commit("c", {"c": "1"})
    git = Git(repo.path)
    plan = from_tags(git.tags(), CONFIG.tag_pattern, "pep440")
    owner = assign_by_tags(git, plan)
    assert owner == {a: "v1.0", b: "v1.1"}
    assert c not in owner


def test_annotated_tags_are_peeled(repo: ScratchRepo) -> None:
    a = repo.commit("a", {"a": "1"})
    repo.git("tag", "-a", "v3.0", "-m", "three")
    assert Git(repo.path).tags()[0][:2] == ("v3.0", a)


def test_releases_file_csv_and_json(tmp_path: Path) -> None:
    csv_file = tmp_path / "r.csv"
    csv_file.write_text("name,date\n2.0,2024-06-01\n1.0,2024-01-01\n")
    plan = from_file(csv_file)
    assert [r.name for r in plan.releases] == ["1.0", "2.0"]
    owner = assign_by_date({"x": plan.releases[0].at - 5, "y": plan.releases[0].at + 5, "z": 2**40}, plan.releases)
    assert owner == {"x": "1.0", "y": "2.0"}
    json_file = tmp_path / "r.json"
    json_file.write_text(json.dumps([{"name": "a", "date": "2024-01-01"}]))
    assert from_file(json_file).releases[0].name == "a"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name,when\na,2024-01-01\n", r"r\.txt:1: the header must hold"),
        ("name,date\na,soon\n", r"r\.txt:2: not a date"),
        ("name,date\n,2024-01-01\n", r"r\.txt:2: the release has no name"),
        ('[{"name": "a"}]', r"r\.txt\[item 1\]: release 'a' has no date"),
        ('{"a": 1}', "expected a JSON list"),
    ],
)
def test_releases_file_mistakes_name_the_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "r.txt"
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        from_file(path)


@settings(max_examples=150, deadline=None)
@given(raw=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_fuzz_releases_file(tmp_path_factory: pytest.TempPathFactory, raw: bytes) -> None:
    path = tmp_path_factory.mktemp("rel") / "releases"
    path.write_bytes(raw)
    plan: ReleasePlan | InputError
    try:
        plan = from_file(path)
    except InputError as exc:
        plan = exc
    if isinstance(plan, InputError):
        assert plan.message.startswith(str(path))
    else:
        assert [r.at for r in plan.releases] == sorted(r.at for r in plan.releases)
