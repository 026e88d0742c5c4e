#!/usr/bin/env python3
"""Benchmark the local advisory database against a baseline that re-reads the advisory files.

Usage (from the repository root, with the environment vouched is installed in)::

    .venv/bin/python benchmarks/bench_deps_db.py [--data DIR] [--runs 5] [--lookups 500] [--json FILE]

a. ``AdvisoryDB.import_path`` of the PyPA advisory snapshot (2,661 YAML files) into a new database in a
   temporary folder: median wall time of ``--import-runs`` imports; the goal is under 10 s.
b. ``--lookups`` (package, version) questions, drawn once with a fixed seed from the snapshot (a mix of
   affected versions, fixed versions, versions past every fix and versions that are not PEP 440), asked
   in alternating rounds (database, baseline, database, baseline, ...) after one untimed warm-up round,
   so that a busy machine slows both sides alike:
   - database: open the database (its row cache empty) and ask every question with ``db.lookup``;
   - baseline: for each question, read and parse every advisory file of that package
     (``vulns/<package>/*.yaml``, with the same safe YAML loader and the same evaluation), which is what
     answering without an index costs; it is told which folder to read, which flatters it.
   Both sides must give the same advisory ids for every question; the script stops if they differ.

It prints medians and the median of the per-round ratios and never asserts on time. See
benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from vouched.deps.advisories import AdvisoryDB, Status, evaluate, normalise_name, parse_record
from vouched.deps.advisories.versions import normalise_version

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parents[1] / "shared" / "data" / "pypa-advisory-database"
GOAL_IMPORT_SECONDS = 10.0
GOAL_LOOKUP_SECONDS = 1.0
SEED = 20261128
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def draw_questions(vulns: Path, count: int) -> list[tuple[str, str]]:
    """(package folder, version) pairs: affected, fixed, far-future and invalid versions, seeded."""
    rng = random.Random(SEED)  # noqa: S311 (a reproducible draw, not a secret)
    folders = sorted(p for p in vulns.iterdir() if p.is_dir() and not p.name.startswith("."))
    questions: list[tuple[str, str]] = []
    while len(questions) < count:
        folder = rng.choice(folders)
        files = sorted(folder.glob("*.yaml"))
        doc = yaml.load(rng.choice(files).read_bytes(), Loader=_LOADER)  # noqa: S506 (a safe loader)
        listed = [v for a in doc.get("affected") or [] for v in a.get("versions") or []]
        fixed = [
            e["fixed"]
            for a in doc.get("affected") or []
            for r in a.get("ranges") or []
            if r.get("type") == "ECOSYSTEM"
            for e in r.get("events") or []
            if "fixed" in e
        ]
        kind = rng.random()
        if kind < 0.45 and listed:
            version = rng.choice(listed)
        elif kind < 0.75 and fixed:
            version = rng.choice(fixed)
        elif kind < 0.95:
            version = f"{rng.randint(90, 99)}.0"
        else:
            version = "not-a-version"
        questions.append((folder.name, str(version)))
    return questions


def database_round(db_path: Path, questions: list[tuple[str, str]]) -> tuple[float, list[list[str]]]:
    start = time.perf_counter()
    with AdvisoryDB.open(db_path) as db:
        answers = [[m.id for m in db.lookup("PyPI", name, version)] for name, version in questions]
    return time.perf_counter() - start, answers


def baseline_round(vulns: Path, questions: list[tuple[str, str]]) -> tuple[float, list[list[str]]]:
    start = time.perf_counter()
    answers: list[list[str]] = []
    for name, version in questions:
        wanted = normalise_name("PyPI", name)
        ids: list[str] = []
        for file in sorted((vulns / name).glob("*.yaml")):
            record = parse_record(yaml.load(file.read_bytes(), Loader=_LOADER))  # noqa: S506 (a safe loader)
            if record.withdrawn is not None:
                continue
            for affected in record.affected:
                if affected.ecosystem != "PyPI" or normalise_name("PyPI", affected.name) != wanted:
                    continue
                listed = {normalise_version("PyPI", v) for v in affected.versions}
                if evaluate("PyPI", affected.ranges, listed, version).status is not Status.NOT_AFFECTED:
                    ids.append(record.id)
                    break
        answers.append(sorted(ids))
    return time.perf_counter() - start, answers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the PyPA advisory database snapshot")
    parser.add_argument("--runs", type=int, default=5, help="timed lookup rounds per side (default 5)")
    parser.add_argument("--import-runs", type=int, default=3, help="timed imports (default 3)")
    parser.add_argument("--lookups", type=int, default=500, help="questions per round (default 500)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    vulns = args.data / "vulns"
    if not vulns.is_dir():
        print(f"no advisory snapshot at {args.data} (give --data)", file=sys.stderr)
        return 2
    result: dict[str, Any] = {"lookups": args.lookups, "runs": args.runs}
    with tempfile.TemporaryDirectory(prefix="vouched-bench-deps-") as tmp:
        db_path = Path(tmp) / "advisories.sqlite3"
        imports: list[float] = []
        for run in range(args.import_runs):
            start = time.perf_counter()
            report = AdvisoryDB.import_path(args.data, db_path)
            imports.append(time.perf_counter() - start)
            print(
                f"import {run + 1}: {imports[-1]:.2f} s ({report.advisories} advisories, "
                f"{report.withdrawn} withdrawn, {len(report.skipped)} skipped)",
                flush=True,
            )
        result["import_median_s"] = statistics.median(imports)
        result["db_bytes"] = db_path.stat().st_size

        questions = draw_questions(vulns, args.lookups)
        _, want = database_round(db_path, questions)  # warm-up, and the sanity check
        _, base = baseline_round(vulns, questions)
        if want != base:
            bad = next(i for i, (a, b) in enumerate(zip(want, base, strict=True)) if a != b)
            print(f"database and baseline disagree on {questions[bad]}: {want[bad]} vs {base[bad]}", file=sys.stderr)
            return 1
        hits = sum(1 for a in want if a)
        print(f"{len(questions)} questions, {hits} with a match; both sides agree on every answer", flush=True)
        ours: list[float] = []
        theirs: list[float] = []
        for run in range(args.runs):
            ours.append(database_round(db_path, questions)[0])
            theirs.append(baseline_round(vulns, questions)[0])
            print(
                f"round {run + 1}: database {ours[-1] * 1000:.1f} ms, baseline {theirs[-1] * 1000:.1f} ms", flush=True
            )
    result["lookup_median_s"] = statistics.median(ours)
    result["baseline_median_s"] = statistics.median(theirs)
    result["speedup_median"] = statistics.median(b / a for a, b in zip(ours, theirs, strict=True))
    print()
    met = "met" if result["import_median_s"] < GOAL_IMPORT_SECONDS else "NOT met"
    print(
        f"import PyPA snapshot:        {result['import_median_s']:>8.2f} s   goal < {GOAL_IMPORT_SECONDS:.0f} s: {met}"
    )
    print(f"database size:               {result['db_bytes'] / 1e6:>8.1f} MB")
    met = "met" if result["lookup_median_s"] < GOAL_LOOKUP_SECONDS else "NOT met"
    print(
        f"{args.lookups} lookups, database:     {result['lookup_median_s'] * 1000:>8.1f} ms  "
        f"goal < {GOAL_LOOKUP_SECONDS:.0f} s: {met}"
    )
    print(f"{args.lookups} lookups, baseline:     {result['baseline_median_s'] * 1000:>8.1f} ms")
    print(f"baseline / database:         {result['speedup_median']:>8.1f} x  (median of per-round ratios)")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
