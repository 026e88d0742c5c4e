"""The advisory database: importing the real PyPA snapshot, zip and JSON sources, skips, age, location,
atomic replacement, and refusing corrupt or partial databases."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vouched.deps.advisories import AdvisoryDB, AdvisoryDBError, Status, default_db_path
from vouched.errors import InputError, VouchedError

PYPA = Path(__file__).resolve().parents[2] / "shared" / "data" / "pypa-advisory-database"
needs_pypa = pytest.mark.skipif(not PYPA.is_dir(), reason="the shared PyPA advisory snapshot is not here")
UTC = dt.UTC


def record(ident: str, name: str = "demo", eco: str = "PyPI", **extra: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "id": ident,
        "modified": "2025-03-01T12:00:00Z",
        "affected": [
            {
                "package": {"ecosystem": eco, "name": name},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0.0"}]}],
            }
        ],
    }
    rec.update(extra)
    return rec


def write_json(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


# -- the real PyPA snapshot ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pypa(tmp_path_factory: pytest.TempPathFactory) -> Any:
    db_path = tmp_path_factory.mktemp("pypa") / "advisories.sqlite3"
    report = AdvisoryDB.import_path(PYPA, db_path)
    with AdvisoryDB.open(db_path) as db:
        yield report, db


@needs_pypa
def test_pypa_import_counts_everything(pypa: Any) -> None:
    report, db = pypa
    # 2,661 YAML advisories, ten of them withdrawn; every record is valid OSV.
    assert (report.advisories, report.withdrawn, len(report.skipped)) == (2651, 10, 0)
    assert report.by_ecosystem == {"PyPI": 2651}
    assert db.count() == 2651
    # The newest `modified` in the snapshot: jwcrypto/PYSEC-2024-104.yaml.
    assert report.newest_modified == dt.datetime(2024, 10, 10, 17, 22, 0, 587279, tzinfo=UTC)
    assert report.exported_at is None
    assert db.data_time == report.newest_modified
    assert db.age(now=dt.datetime(2024, 10, 17, 17, 22, 0, 587279, tzinfo=UTC)) == dt.timedelta(days=7)
    assert db.age(now=dt.datetime(2000, 1, 1, tzinfo=UTC)) == dt.timedelta(0)


@needs_pypa
def test_pypa_django_pysec_2021_9(pypa: Any) -> None:
    _, db = pypa
    # vulns/django/PYSEC-2021-9.yaml: 2.2 <= v < 2.2.18, 3.0 <= v < 3.0.12, 3.1 <= v < 3.1.6.
    found = {m.id: m for m in db.lookup("PyPI", "Django", "3.1.5")}
    match = found["PYSEC-2021-9"]
    assert match.affected and match.via == "range"
    assert match.aliases == ("CVE-2021-3281", "GHSA-fvgf-6h6h-3322")
    assert match.first_fixed == "3.1.6"
    assert match.affected_range == ">=2.2, <2.2.18 || >=3.0, <3.0.12 || >=3.1, <3.1.6"
    assert match.summary.startswith("In Django 2.2 before 2.2.18")
    assert "PYSEC-2021-9" not in {m.id for m in db.lookup("PyPI", "django", "3.1.6")}
    assert "PYSEC-2021-9" not in {m.id for m in db.lookup("PyPI", "django", "2.1.15")}
    assert "PYSEC-2021-9" in {m.id for m in db.lookup("PyPI", "DJANGO", "2.2.0")}  # PEP 503 name, 2.2.0 == 2.2


@needs_pypa
def test_pypa_requests_pysec_2023_74_git_and_ecosystem_ranges(pypa: Any) -> None:
    _, db = pypa
    # vulns/requests/PYSEC-2023-74.yaml (CVE-2023-32681): ECOSYSTEM 2.3.0 <= v < 2.31.0 beside a GIT range.
    ids = {m.id: m for m in db.lookup("PyPI", "requests", "2.30.0")}
    assert ids["PYSEC-2023-74"].first_fixed == "2.31.0"
    assert "CVE-2023-32681" in ids["PYSEC-2023-74"].aliases
    assert "PYSEC-2023-74" not in {m.id for m in db.lookup("PyPI", "requests", "2.31.0")}
    assert "PYSEC-2023-74" not in {m.id for m in db.lookup("PyPI", "requests", "2.2.1")}
    # The GIT range's fixed commit is not a version of requests.
    assert db.lookup("PyPI", "requests", "74ea7cf7a6a27a4eeb2ae24e162bcc942a6706d5")[0].status is Status.UNKNOWN


@needs_pypa
def test_pypa_severity_last_affected_withdrawn_and_unknown(pypa: Any) -> None:
    _, db = pypa
    werkzeug = {m.id: m for m in db.lookup("PyPI", "Werkzeug", "2.3.7")}["PYSEC-2023-221"]
    assert werkzeug.cvss == "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"
    assert werkzeug.first_fixed == "2.3.8"
    # py/PYSEC-2022-42969.yaml: introduced 0, last_affected 1.11.0.
    assert "PYSEC-2022-42969" in {m.id for m in db.lookup("PyPI", "py", "1.11.0")}
    assert "PYSEC-2022-42969" not in {m.id for m in db.lookup("PyPI", "py", "1.11.1")}
    # loguru/PYSEC-2022-15.yaml is withdrawn: it matches nothing.
    assert "PYSEC-2022-15" not in {m.id for m in db.lookup("PyPI", "loguru", "0.5.0")}
    # binderhub/PYSEC-2021-371.yaml: `fixed: 0.2.0-n653` is not PEP 440, so the answer is unknown.
    (binder,) = [m for m in db.lookup("PyPI", "binderhub", "0.1.0") if m.id == "PYSEC-2021-371"]
    assert binder.status is Status.UNKNOWN and "0.2.0-n653" in binder.reason
    assert db.lookup("PyPI", "no-such-package-anywhere", "1.0") == []


@needs_pypa
def test_pypa_affected_versions_judges_each_candidate(pypa: Any) -> None:
    _, db = pypa
    got = db.affected_versions("PyPI", "requests", ["2.30.0", "2.31.0", "2.32.3", "2.30.0"])
    assert list(got) == ["2.30.0"]
    assert "PYSEC-2023-74" in {m.id for m in got["2.30.0"]}


# -- other sources ------------------------------------------------------------------------------------


def test_zip_export_layout_and_its_timestamp(tmp_path: Path) -> None:
    archive = tmp_path / "PyPI" / "all.zip"
    archive.parent.mkdir()
    stamp = (2025, 6, 1, 8, 30, 0)
    with zipfile.ZipFile(archive, "w") as zf:
        for rec in (record("GHSA-aaaa-bbbb-cccc"), record("PYSEC-2025-1", name="other_pkg")):
            zf.writestr(zipfile.ZipInfo(f"{rec['id']}.json", date_time=stamp), json.dumps(rec))
        zf.writestr(zipfile.ZipInfo("broken.json", date_time=stamp), "{not json")
        zf.writestr(zipfile.ZipInfo("README.txt", date_time=stamp), "hello")
    report = AdvisoryDB.import_path(archive, tmp_path / "db.sqlite3")
    assert report.advisories == 2
    assert sorted(s.origin.rsplit("!", 1)[1] for s in report.skipped) == ["README.txt", "broken.json"]
    assert report.exported_at == dt.datetime(*stamp, tzinfo=UTC)
    with AdvisoryDB.open(tmp_path / "db.sqlite3") as db:
        assert db.data_time == report.exported_at  # the export's time, not its newest `modified`
        assert [m.id for m in db.lookup("pypi", "Other.Pkg", "1.0")] == ["PYSEC-2025-1"]


def test_json_array_file_npm_and_several_sources(tmp_path: Path) -> None:
    npm = record("GHSA-npm1-0000-0000", name="@scope/pkg", eco="npm", modified="2025-01-01T00:00:00Z")
    npm["affected"][0]["ranges"][0] = {"type": "SEMVER", "events": [{"introduced": "1.0.0"}, {"fixed": "1.4.2"}]}
    first = write_json(tmp_path / "a" / "all.json", [npm, record("PYSEC-1")])
    second = write_json(tmp_path / "b" / "one.json", record("PYSEC-2", modified="2025-05-05T00:00:00+02:00"))
    report = AdvisoryDB.import_path([first, second], tmp_path / "db.sqlite3")
    assert report.by_ecosystem == {"PyPI": 2, "npm": 1}
    with AdvisoryDB.open(tmp_path / "db.sqlite3") as db:
        assert [m.id for m in db.lookup("npm", "@scope/pkg", "1.4.1")] == ["GHSA-npm1-0000-0000"]
        assert db.lookup("npm", "@scope/pkg", "1.4.2") == []
        assert db.lookup("npm", "@scope/pkg", "1.5.0-beta.1") == []
        assert db.lookup("npm", "@Scope/pkg", "1.4.1") == []  # npm names are not folded
        # Two sources: the data is as old as the staler one.
        assert db.data_time == dt.datetime(2025, 3, 1, 12, tzinfo=UTC)


def test_data_from_the_future_is_as_old_as_its_import(tmp_path: Path) -> None:
    source = write_json(tmp_path / "a.json", record("PYSEC-1", modified="2099-01-01T00:00:00Z"))
    imported = dt.datetime(2026, 1, 1, tzinfo=UTC)
    report = AdvisoryDB.import_path(source, tmp_path / "db.sqlite3", now=imported)
    assert report.newest_modified == dt.datetime(2099, 1, 1, tzinfo=UTC)
    assert report.data_time == imported
    with AdvisoryDB.open(tmp_path / "db.sqlite3") as db:
        assert db.age(now=imported + dt.timedelta(days=8)) == dt.timedelta(days=8)
        assert db.imported_at == imported


def test_an_explicit_export_time_wins(tmp_path: Path) -> None:
    source = write_json(tmp_path / "a.json", record("PYSEC-1"))
    stamp = dt.datetime(2025, 4, 1, 6, 0, tzinfo=UTC)  # e.g. a download's Last-Modified
    report = AdvisoryDB.import_path(source, tmp_path / "db.sqlite3", exported_at=stamp)
    assert (report.exported_at, report.data_time) == (stamp, stamp)
    assert report.newest_modified == dt.datetime(2025, 3, 1, 12, tzinfo=UTC)


def test_a_folder_in_the_way_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "db.sqlite3").mkdir()
    with pytest.raises(InputError, match="cannot replace"):
        AdvisoryDB.import_path(write_json(tmp_path / "a.json", record("PYSEC-1")), tmp_path / "db.sqlite3")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_malformed_records_are_skipped_with_file_and_reason(tmp_path: Path) -> None:
    tree = tmp_path / "vulns"
    write_json(tree / "ok.json", record("PYSEC-1"))
    write_json(tree / "no-modified.json", {"id": "PYSEC-2", "affected": []})
    bad_range = record("PYSEC-3")
    bad_range["affected"][0]["ranges"][0]["events"] = [{"introduced": "0", "fixed": "1.0"}]
    write_json(tree / "two-in-one.json", bad_range)
    write_json(tree / "z-dup.json", record("PYSEC-1"))
    (tree / "float.yaml").write_text(
        "id: PYSEC-4\nmodified: 2025-01-01T00:00:00Z\naffected:\n"
        "- package: {ecosystem: PyPI, name: x}\n  versions: [1.10]\n",
        encoding="utf-8",
    )
    (tree / "evil.yaml").write_text("!!python/object/apply:os.system ['true']\n", encoding="utf-8")
    (tree / ".hidden.json").write_text("{", encoding="utf-8")
    (tree / "notes.md").write_text("ignored", encoding="utf-8")
    report = AdvisoryDB.import_path(tree, tmp_path / "db.sqlite3")
    assert report.advisories == 1
    reasons = {Path(s.origin).name: s.reason for s in report.skipped}
    assert set(reasons) == {"no-modified.json", "two-in-one.json", "z-dup.json", "float.yaml", "evil.yaml"}
    assert "$.modified" in reasons["no-modified.json"]
    assert "exactly one" in reasons["two-in-one.json"]
    assert "duplicate id PYSEC-1" in reasons["z-dup.json"]
    assert "quote it" in reasons["float.yaml"]
    assert "YAML" in reasons["evil.yaml"]


def test_nothing_usable_is_an_error_and_keeps_the_old_database(tmp_path: Path) -> None:
    db_path = tmp_path / "db.sqlite3"
    AdvisoryDB.import_path(write_json(tmp_path / "good.json", record("PYSEC-1")), db_path)
    before = db_path.read_bytes()
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="no usable OSV advisory"):
        AdvisoryDB.import_path(empty, db_path)
    with pytest.raises(InputError, match="1 skipped"):
        AdvisoryDB.import_path(write_json(tmp_path / "bad.json", {"id": "X"}), db_path)
    with pytest.raises(InputError, match="does not exist"):
        AdvisoryDB.import_path(tmp_path / "missing", db_path)
    with pytest.raises(InputError, match="not an advisory source"):
        AdvisoryDB.import_path(write_json(tmp_path / "x.txt", {}), db_path)
    with pytest.raises(InputError, match="not a readable zip"):
        AdvisoryDB.import_path(write_json(tmp_path / "x.zip", {}), db_path)
    assert db_path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temp files left


def test_reimport_replaces_the_database_whole(tmp_path: Path) -> None:
    db_path = tmp_path / "db.sqlite3"
    AdvisoryDB.import_path(write_json(tmp_path / "one.json", record("PYSEC-1")), db_path)
    with AdvisoryDB.open(db_path) as old:
        AdvisoryDB.import_path(write_json(tmp_path / "two.json", record("PYSEC-2")), db_path)
        assert [m.id for m in old.lookup("PyPI", "demo", "1.0")] == ["PYSEC-1"]  # an open reader keeps its file
    with AdvisoryDB.open(db_path) as new:
        assert [m.id for m in new.lookup("PyPI", "demo", "1.0")] == ["PYSEC-2"]


# -- location ---------------------------------------------------------------------------------------


def test_default_location_honours_xdg_data_home(tmp_path: Path) -> None:
    home = str(tmp_path / "home")
    assert default_db_path({"HOME": home}) == Path(home, ".local/share/vouched/advisories.sqlite3")
    assert default_db_path({"HOME": home, "XDG_DATA_HOME": "/data"}) == Path("/data/vouched/advisories.sqlite3")
    assert default_db_path({"HOME": home, "XDG_DATA_HOME": "rel"}) == Path(
        home, ".local/share/vouched/advisories.sqlite3"
    )


def test_import_and_open_use_the_default_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    report = AdvisoryDB.import_path(write_json(tmp_path / "a.json", record("PYSEC-1")))
    assert report.db_path == tmp_path / "xdg" / "vouched" / "advisories.sqlite3"
    with AdvisoryDB.open() as db:
        assert db.count() == 1


# -- a database that is not whole is an error, never empty --------------------------------------------


@pytest.fixture
def built(tmp_path: Path) -> Path:
    db_path = tmp_path / "db.sqlite3"
    records = [record(f"PYSEC-{i}", name=f"pkg{i}", details="x" * 2000) for i in range(200)]
    AdvisoryDB.import_path(write_json(tmp_path / "all.json", records), db_path)
    return db_path


def test_missing_database(tmp_path: Path) -> None:
    with pytest.raises(AdvisoryDBError, match="no advisory database") as info:
        AdvisoryDB.open(tmp_path / "nope.sqlite3")
    assert info.value.hint and "vouched deps db import" in info.value.hint
    assert isinstance(info.value, VouchedError) and info.value.exit_code == 2


@pytest.mark.parametrize("content", [b"", b"garbage" * 100, b"SQLite format 3\x00" + b"\x00" * 200])
def test_garbage_database(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "db.sqlite3").write_bytes(content)
    with pytest.raises(AdvisoryDBError):
        AdvisoryDB.open(tmp_path / "db.sqlite3")


def test_a_foreign_sqlite_database(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "other.sqlite3")
    conn.execute("CREATE TABLE meta (key TEXT, value TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(AdvisoryDBError, match="not a vouched advisory database"):
        AdvisoryDB.open(tmp_path / "other.sqlite3")


def test_truncated_database(built: Path) -> None:
    data = built.read_bytes()
    built.write_bytes(data[: len(data) // 2])

    def read_everything() -> None:
        with AdvisoryDB.open(built) as db:
            for i in range(200):
                db.lookup("PyPI", f"pkg{i}", "1.0")

    with pytest.raises(AdvisoryDBError):
        read_everything()


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("UPDATE meta SET value = '0' WHERE key = 'complete'", "partial"),
        ("DELETE FROM meta WHERE key = 'complete'", "partial"),
        ("UPDATE meta SET value = '99' WHERE key = 'schema_version'", "schema 99"),
        ("DELETE FROM affected WHERE rowid % 2 = 0", "row counts"),
        ("DROP TABLE meta", "corrupt"),
    ],
)
def test_partial_or_foreign_database(built: Path, sql: str, message: str) -> None:
    conn = sqlite3.connect(built)
    conn.execute(sql)
    conn.commit()
    conn.close()
    with pytest.raises(AdvisoryDBError, match=message):
        AdvisoryDB.open(built)


# -- fuzz: anything in a file is a counted skip or the documented error ---------------------------------


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(st.sampled_from([".json", ".yaml", ".yml"]), st.binary(max_size=200)),
        min_size=1,
        max_size=4,
    )
)
def test_arbitrary_bytes_are_counted_skips_or_input_error(tmp_path: Path, files: list[tuple[str, bytes]]) -> None:
    tree = tmp_path / f"t{abs(hash(tuple(files)))}"  # one folder per example
    tree.mkdir()
    write_json(tree / "anchor.json", record("PYSEC-ANCHOR"))
    for i, (suffix, data) in enumerate(files):
        (tree / f"f{i}{suffix}").write_bytes(data)
    try:
        report = AdvisoryDB.import_path(tree, tree / "db.sqlite3")
    except InputError:
        pytest.fail("the anchor record is valid: the import must succeed")
    assert report.advisories + report.withdrawn >= 1
    assert all(s.reason for s in report.skipped)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=6),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
        max_leaves=10,
    )
)
def test_arbitrary_json_alone_is_input_error_or_a_database(tmp_path: Path, value: Any) -> None:
    source = tmp_path / f"x{abs(hash(json.dumps(value, sort_keys=True)))}.json"
    source.write_text(json.dumps(value), encoding="utf-8")
    try:
        report = AdvisoryDB.import_path(source, tmp_path / "db.sqlite3")
    except InputError as exc:
        problem: InputError | None = exc
    else:
        problem = None
        assert report.advisories + report.withdrawn >= 1
    assert problem is None or "no usable OSV advisory" in problem.message
