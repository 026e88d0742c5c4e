"""OSV record validation and the source readers: what is accepted, what is rejected and why."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from vouched.deps.advisories import sources
from vouched.deps.advisories.osv import MalformedRecord, parse_record, parse_timestamp
from vouched.deps.advisories.sources import Document, Skip, export_time, read_source
from vouched.deps.advisories.versions import canonical_ecosystem, normalise_name

UTC = dt.UTC


def base(**extra: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {"id": "GHSA-xxxx-yyyy-zzzz", "modified": "2024-02-29T23:59:60Z"}
    rec.update(extra)
    return rec


def affected(**extra: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"package": {"ecosystem": "npm", "name": "left-pad"}}
    item.update(extra)
    return item


def test_minimal_record() -> None:
    rec = parse_record(base())
    assert rec.id == "GHSA-xxxx-yyyy-zzzz"
    assert rec.modified == dt.datetime(2024, 2, 29, 23, 59, 59, tzinfo=UTC)  # leap second clamped
    assert rec.affected == () and rec.aliases == () and rec.withdrawn is None


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("2021-03-05T19:19:00Z", dt.datetime(2021, 3, 5, 19, 19, tzinfo=UTC)),
        ("2022-01-29T16:47:14.527876Z", dt.datetime(2022, 1, 29, 16, 47, 14, 527876, tzinfo=UTC)),
        ("2022-01-29T16:47:14.5278761234Z", dt.datetime(2022, 1, 29, 16, 47, 14, 527876, tzinfo=UTC)),
        ("2022-01-29T18:47:14+02:00", dt.datetime(2022, 1, 29, 16, 47, 14, tzinfo=UTC)),
        (dt.datetime(2024, 1, 3, 22, 31, 36), dt.datetime(2024, 1, 3, 22, 31, 36, tzinfo=UTC)),  # YAML, naive: UTC
    ],
)
def test_timestamps(text: Any, want: dt.datetime) -> None:
    assert parse_timestamp(text, "$.modified") == want


@pytest.mark.parametrize("text", ["2021-03-05", "2021-03-05T19:19:00", "yesterday", "2021-13-05T19:19:00Z", 17, None])
def test_bad_timestamps(text: Any) -> None:
    with pytest.raises(MalformedRecord) as info:
        parse_timestamp(text, "$.modified")
    assert info.value.where == "$.modified"


@pytest.mark.parametrize(
    ("rec", "where"),
    [
        ([], "$"),
        ({"modified": "2024-01-01T00:00:00Z"}, "$.id"),
        (base(id="has space"), "$.id"),
        ({"id": "X-1"}, "$.modified"),
        (base(withdrawn="soon"), "$.withdrawn"),
        (base(aliases="CVE-1"), "$.aliases"),
        (base(aliases=[1]), "$.aliases[0]"),
        (base(summary=3), "$.summary"),
        (base(affected={}), "$.affected"),
        (base(affected=[{"package": {"name": "x"}}]), "$.affected[0].package.ecosystem"),
        (base(affected=[{"package": {"ecosystem": "npm", "name": ""}}]), "$.affected[0].package.name"),
        (base(affected=[affected(ranges=[{"type": "RANGE", "events": [{"introduced": "0"}]}])]), ".type"),
        (base(affected=[affected(ranges=[{"type": "SEMVER", "events": []}])]), ".events"),
        (base(affected=[affected(ranges=[{"type": "SEMVER", "events": [{"fixed": "1.0.0"}]}])]), ".events"),
        (
            base(affected=[affected(ranges=[{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": 1}]}])]),
            ".events[1].fixed",
        ),
        (
            base(
                affected=[
                    affected(
                        ranges=[
                            {
                                "type": "SEMVER",
                                "events": [{"introduced": "0"}, {"fixed": "1.0.0"}, {"last_affected": "0.9.0"}],
                            }
                        ]
                    )
                ]
            ),
            ".events",
        ),
        (base(affected=[affected(ranges=[{"type": "GIT", "events": [{"introduced": "0"}]}])]), ".repo"),
        (base(affected=[affected(versions=[1.1])]), ".versions[0]"),
        (base(severity=[{"type": "CVSS_V3"}]), "$.severity[0]"),
        (
            base(
                severity=[{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N"}],
                affected=[affected(severity=[{"type": "CVSS_V3", "score": "CVSS:3.1/AV:L"}])],
            ),
            "$.severity",
        ),
    ],
)
def test_rejections_name_the_field(rec: Any, where: str) -> None:
    with pytest.raises(MalformedRecord) as info:
        parse_record(rec)
    assert info.value.where.endswith(where) or info.value.where == where, info.value
    assert info.value.reason


def test_unknown_fields_and_nulls_are_fine() -> None:
    rec = parse_record(
        base(
            schema_version="1.6.0",
            aliases=None,
            affected=[affected(ecosystem_specific={"x": 1}, database_specific=None, ranges=None, versions=None)],
            references=None,
            database_specific={"anything": [1, 2]},
        )
    )
    assert rec.affected[0].ranges == () and rec.affected[0].versions == ()


def test_severity_per_package() -> None:
    rec = parse_record(base(affected=[affected(severity=[{"type": "CVSS_V4", "score": "CVSS:4.0/AV:N"}])]))
    assert rec.affected[0].severity[0].score == "CVSS:4.0/AV:N"


def test_names_and_ecosystems() -> None:
    assert normalise_name("PyPI", "Foo.Bar__baz-QUX") == "foo-bar-baz-qux"
    assert normalise_name("npm", "@Types/Node") == "@Types/Node"
    assert normalise_name("npm", "JSONStream") == "JSONStream"
    assert canonical_ecosystem("pypi") == "PyPI" and canonical_ecosystem("NPM") == "npm"
    assert canonical_ecosystem("Debian:11") == "Debian:11"


# -- sources -------------------------------------------------------------------------------------------


def test_tree_skips_hidden_and_symlinks(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.json").write_text("{}", encoding="utf-8")
    (tmp_path / "real.json").write_text(json.dumps(base()), encoding="utf-8")
    (tmp_path / "link.json").symlink_to(tmp_path / "real.json")
    items = list(read_source(tmp_path))
    assert [type(i) for i in items] == [Skip, Document]
    assert isinstance(items[0], Skip) and "symbolic link" in items[0].reason


def test_bom_and_bad_utf8(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_bytes(b"\xef\xbb\xbf" + json.dumps(base()).encode())
    (tmp_path / "b.json").write_bytes(b'{"id": "\xff"}')
    items = list(read_source(tmp_path))
    assert isinstance(items[0], Document)
    assert isinstance(items[1], Skip) and "UTF-8" in items[1].reason


def test_oversized_records_are_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "MAX_RECORD_BYTES", 64)
    (tmp_path / "big.json").write_text(json.dumps(base(details="x" * 100)), encoding="utf-8")
    archive = tmp_path / "all.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("big.json", json.dumps(base(details="x" * 100)))
    assert all(isinstance(i, Skip) and "bytes" in i.reason for i in read_source(tmp_path / "big.json"))
    assert all(isinstance(i, Skip) for i in read_source(archive))


def test_export_time_ignores_reproducible_zips(tmp_path: Path) -> None:
    archive = tmp_path / "all.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(zipfile.ZipInfo("a.json", date_time=(1980, 1, 1, 0, 0, 0)), "{}")
    assert export_time(archive) is None
    assert export_time(tmp_path) is None


def test_repeated_keys_are_ambiguous(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('{"id": "X-1", "id": "X-2", "modified": "2024-01-01T00:00:00Z"}')
    (tmp_path / "b.yaml").write_text(
        "id: X-3\nmodified: 2024-01-01T00:00:00Z\naffected:\n- package: {ecosystem: PyPI, name: x}\n"
        "  ranges:\n  - type: ECOSYSTEM\n    events:\n    - introduced: '0'\n      introduced: '1.0'\n"
    )
    (tmp_path / "c.yaml").write_text("id: X-4\nmodified: 2024-01-01T00:00:00Z\n")
    items = list(read_source(tmp_path))
    assert [type(i) for i in items] == [Skip, Skip, Document]
    assert isinstance(items[0], Skip) and "duplicate key 'id'" in items[0].reason
    assert isinstance(items[1], Skip) and "duplicate key 'introduced' at line 9" in items[1].reason
