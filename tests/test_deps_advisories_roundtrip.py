"""Properties of the store: what a lookup answers is what evaluating the record itself answers, and the
order a range's events are written in never changes an answer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vouched.deps.advisories import AdvisoryDB, Status, evaluate, parse_record
from vouched.deps.advisories.osv import Event, Range
from vouched.deps.advisories.versions import normalise_version

VERSIONS = ["0.1", "0.9", "1.0.dev1", "1.0rc1", "1.0", "1.0.post1", "1.0+local", "1.5", "2.0", "2!0.1", "junk"]
event = st.tuples(st.sampled_from(["introduced", "fixed", "limit"]), st.sampled_from([*VERSIONS[:-1], "0"]))


@st.composite
def ranges(draw: st.DrawFn) -> list[dict[str, Any]]:
    out = []
    for _ in range(draw(st.integers(min_value=0, max_value=2))):
        events = [("introduced", draw(st.sampled_from(["0", *VERSIONS[:-1]]))), *draw(st.lists(event, max_size=4))]
        out.append({"type": "ECOSYSTEM", "events": [{k: v} for k, v in events]})
    if draw(st.booleans()):
        sha = "a" * 40
        out.append(
            {"type": "GIT", "repo": "https://example.org/r.git", "events": [{"introduced": "0"}, {"fixed": sha}]}
        )
    return out


@st.composite
def records(draw: st.DrawFn) -> list[dict[str, Any]]:
    recs = []
    for i in range(draw(st.integers(min_value=1, max_value=4))):
        affected = [
            {
                "package": {"ecosystem": "PyPI", "name": draw(st.sampled_from(["Demo_Pkg", "demo.pkg", "other"]))},
                "ranges": draw(ranges()),
                "versions": draw(st.lists(st.sampled_from(VERSIONS), max_size=3)),
            }
            for _ in range(draw(st.integers(min_value=1, max_value=2)))
        ]
        rec: dict[str, Any] = {"id": f"PYSEC-{i}", "modified": "2025-01-01T00:00:00Z", "affected": affected}
        if i and draw(st.integers(min_value=0, max_value=5)) == 0:  # the first stays in force
            rec["withdrawn"] = "2025-02-01T00:00:00Z"
        recs.append(rec)
    return recs


def expected(recs: list[dict[str, Any]], name: str, version: str) -> dict[str, Status]:
    """Evaluate each parsed record directly, as the schema's IsVulnerable does, per advisory."""
    out: dict[str, Status] = {}
    for raw in recs:
        rec = parse_record(raw)
        if rec.withdrawn is not None:
            continue
        statuses = [
            evaluate("PyPI", a.ranges, {normalise_version("PyPI", v) for v in a.versions}, version).status
            for a in rec.affected
            if a.name.lower().replace("_", "-").replace(".", "-") == name
        ]
        if Status.AFFECTED in statuses:
            out[rec.id] = Status.AFFECTED
        elif Status.UNKNOWN in statuses:
            out[rec.id] = Status.UNKNOWN
    return out


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records(), st.sampled_from(VERSIONS))
def test_a_lookup_answers_what_the_record_says(tmp_path: Path, recs: list[dict[str, Any]], version: str) -> None:
    source = tmp_path / f"r{abs(hash(json.dumps(recs, sort_keys=True)))}.json"
    source.write_text(json.dumps(recs), encoding="utf-8")
    db_path = source.with_suffix(".sqlite3")
    AdvisoryDB.import_path(source, db_path)
    with AdvisoryDB.open(db_path) as db:
        for name in ("demo-pkg", "other"):
            got = {m.id: m.status for m in db.lookup("PyPI", name, version)}
            assert got == expected(recs, name, version)
            many = db.affected_versions("PyPI", name, VERSIONS)
            assert {v: [m.id for m in ms] for v, ms in many.items()} == {
                v: [m.id for m in db.lookup("PyPI", name, v)] for v in VERSIONS if db.lookup("PyPI", name, v)
            }


@settings(max_examples=200)
@given(st.lists(event, min_size=0, max_size=5), st.sampled_from(["0", *VERSIONS[:-1]]), st.data())
def test_the_order_of_events_never_matters(events: list[tuple[str, str]], first: str, data: st.DataObject) -> None:
    written = [("introduced", first), *events]
    shuffled = data.draw(st.permutations(written))
    for version in VERSIONS:
        a = evaluate("PyPI", [Range("ECOSYSTEM", tuple(Event(k, v) for k, v in written))], set(), version)
        b = evaluate("PyPI", [Range("ECOSYSTEM", tuple(Event(k, v) for k, v in shuffled))], set(), version)
        assert (a.status, a.first_fixed) == (b.status, b.first_fixed)
