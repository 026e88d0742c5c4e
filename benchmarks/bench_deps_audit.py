#!/usr/bin/env python3
"""Benchmark auditing a 500-package lockfile against the full local PyPA database, warm, against a naive
baseline that re-reads the advisory files, in the same run.

Usage (from the repository root, with the environment vouched is installed in)::

    .venv/bin/python benchmarks/bench_deps_audit.py [--data DIR] [--packages 500] [--runs 5] [--json FILE]

The lockfile is a ``poetry.lock`` (lock-version 2.0) of ``--packages`` pinned packages, drawn once with a
fixed seed: about two thirds are packages the snapshot has advisories for (at an affected version, a
fixed version or a version past every fix), the rest popular packages it has none for. The database is
imported once (untimed). Then, in alternating rounds after one untimed warm-up round of each:

- **audit**: what ``vouched deps audit poetry.lock`` does with the registries left out (they are the
  network's time, not vouched's): read the lockfile, open the database (its row cache empty, as in a new
  process), judge every package, and turn the results into findings by the default policy;
- **baseline**: read the same lockfile, then for each package read and parse every advisory file of that
  package (``vulns/<package>/*.yaml``, the same safe YAML loader, the same range evaluation), which is
  what an audit without an index costs. It is told which folder to read, which flatters it.

Both must find the same (package, advisory) pairs; the script stops if they differ. A third figure, the
whole command ``vouched deps audit poetry.lock --offline`` in a new process (interpreter start, imports,
the typosquat index over the popular lists, every package unknown to an empty registry cache), is timed
once per round too. It prints medians and the median of the per-round ratios, never asserts on time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from vouched.deps.advisories import AdvisoryDB, Status, evaluate, normalise_name, parse_record
from vouched.deps.advisories.versions import normalise_version
from vouched.deps.gate import DepsOptions, audit_dependencies, findings_for, tier_rules_for
from vouched.deps.manifests import read_manifest
from vouched.policy.model import DepsPolicy

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parents[1] / "shared" / "data" / "pypa-advisory-database"
POPULAR = HERE.parent / "src" / "vouched" / "deps" / "data" / "pypi-top.tsv"
GOAL_SECONDS = 1.0
SEED = 20261128
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def draw_lockfile(vulns: Path, count: int) -> tuple[str, dict[str, str]]:
    """A poetry.lock of ``count`` packages, and the folder each advised package's files are in."""
    rng = random.Random(SEED)  # noqa: S311 (a reproducible draw, not a secret)
    folders = sorted(p for p in vulns.iterdir() if p.is_dir() and not p.name.startswith("."))
    rng.shuffle(folders)
    chosen: dict[str, tuple[str, str | None]] = {}  # normalised name -> (version, folder)
    for folder in folders:
        if len(chosen) >= count * 2 // 3:
            break
        name = normalise_name("PyPI", folder.name)
        doc = yaml.load(sorted(folder.glob("*.yaml"))[0].read_bytes(), Loader=_LOADER)  # noqa: S506 (safe)
        listed = [str(v) for a in doc.get("affected") or [] for v in a.get("versions") or []]
        fixed = [
            str(e["fixed"])
            for a in doc.get("affected") or []
            for r in a.get("ranges") or []
            if r.get("type") == "ECOSYSTEM"
            for e in r.get("events") or []
            if "fixed" in e
        ]
        kind = rng.random()
        version = rng.choice(listed) if kind < 0.5 and listed else rng.choice(fixed) if kind < 0.8 and fixed else "99.0"
        chosen[name] = (version, folder.name)
    for line in POPULAR.read_text(encoding="utf-8").splitlines():
        if len(chosen) >= count:
            break
        parts = line.split("\t")
        if len(parts) < 2 or not parts[0].isdigit():
            continue
        name = normalise_name("PyPI", parts[1])
        if name not in chosen and not (vulns / name).is_dir():
            chosen[name] = (f"{rng.randint(1, 9)}.{rng.randint(0, 30)}.0", None)
    lines = []
    for name, (version, _) in sorted(chosen.items()):
        lines += [
            "[[package]]",
            f'name = "{name}"',
            f'version = "{version}"',
            'description = ""',
            "optional = false",
            'python-versions = "*"',
            'groups = ["main"]',
            "files = []",
            "",
        ]
    lines += ["[metadata]", 'lock-version = "2.0"', 'python-versions = "^3.11"', 'content-hash = "0"', ""]
    return "\n".join(lines), {n: f for n, (_, f) in chosen.items() if f is not None}


def audit_round(lock: Path, db_path: Path) -> tuple[float, set[tuple[str, str]], int]:
    start = time.perf_counter()
    read = read_manifest("poetry.lock", lock.read_bytes())
    assert read is not None and not read.problems
    policy = DepsPolicy(max_db_age_days=100_000)  # the snapshot is as old as it is: judge its content
    options = DepsOptions(db_path=db_path, registries=False)
    report = audit_dependencies([(d, "present", None) for d in read.dependencies], policy, options)
    found = findings_for(report, policy, tier_rules_for(None), dt.date.today())
    elapsed = time.perf_counter() - start
    pairs = {
        (a.dependency.name, i.advisory.id)
        for a in report.audits
        for i in a.issues
        if i.advisory is not None and i.signal == "vulnerable"
    }
    return elapsed, pairs, len(found)


def baseline_round(lock: Path, vulns: Path, folders: dict[str, str]) -> tuple[float, set[tuple[str, str]]]:
    start = time.perf_counter()
    read = read_manifest("poetry.lock", lock.read_bytes())
    assert read is not None
    pairs: set[tuple[str, str]] = set()
    for dep in read.dependencies:
        folder = folders.get(dep.name)
        if folder is None or dep.version is None:
            continue
        for file in sorted((vulns / folder).glob("*.yaml")):
            record = parse_record(yaml.load(file.read_bytes(), Loader=_LOADER))  # noqa: S506 (a safe loader)
            if record.withdrawn is not None:
                continue
            for affected in record.affected:
                if affected.ecosystem != "PyPI" or normalise_name("PyPI", affected.name) != dep.name:
                    continue
                listed = {normalise_version("PyPI", v) for v in affected.versions}
                if evaluate("PyPI", affected.ranges, listed, dep.version).status is Status.AFFECTED:
                    pairs.add((dep.name, record.id))
                    break
    return time.perf_counter() - start, pairs


def command_round(lock: Path, db_path: Path, home: Path) -> float:
    env = {**os.environ, "XDG_CACHE_HOME": str(home / "cache"), "HOME": str(home)}
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "vouched",
            "deps",
            "audit",
            str(lock),
            "--db",
            str(db_path),
            "--offline",
            "--repo",
            str(lock.parent),
        ],
        capture_output=True,
        check=False,
        env=env,
    )
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the PyPA advisory database snapshot")
    parser.add_argument("--packages", type=int, default=500, help="packages in the lockfile (default 500)")
    parser.add_argument("--runs", type=int, default=5, help="timed rounds per side (default 5)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    vulns = args.data / "vulns"
    if not vulns.is_dir():
        print(f"no advisory snapshot at {args.data} (give --data)", file=sys.stderr)
        return 2
    result: dict[str, Any] = {"packages": args.packages, "runs": args.runs}
    with tempfile.TemporaryDirectory(prefix="vouched-bench-audit-") as tmp:
        root = Path(tmp)
        db_path = root / "advisories.sqlite3"
        AdvisoryDB.import_path(args.data, db_path)
        text, folders = draw_lockfile(vulns, args.packages)
        lock = root / "poetry.lock"
        lock.write_text(text, encoding="utf-8")
        _, ours_pairs, findings = audit_round(lock, db_path)  # warm-up, and the sanity check
        _, base_pairs = baseline_round(lock, vulns, folders)
        if ours_pairs != base_pairs:
            print(f"audit and baseline disagree: {sorted(ours_pairs ^ base_pairs)[:5]}", file=sys.stderr)
            return 1
        command_round(lock, db_path, root)
        print(
            f"{args.packages} packages, {len(folders)} with advisories in the snapshot, "
            f"{len(ours_pairs)} (package, advisory) hits, {findings} findings; both sides agree",
            flush=True,
        )
        ours: list[float] = []
        theirs: list[float] = []
        command: list[float] = []
        for run in range(args.runs):
            ours.append(audit_round(lock, db_path)[0])
            theirs.append(baseline_round(lock, vulns, folders)[0])
            command.append(command_round(lock, db_path, root))
            print(
                f"round {run + 1}: audit {ours[-1] * 1000:.0f} ms, baseline {theirs[-1] * 1000:.0f} ms, "
                f"command {command[-1] * 1000:.0f} ms",
                flush=True,
            )
    result["audit_median_s"] = statistics.median(ours)
    result["baseline_median_s"] = statistics.median(theirs)
    result["command_median_s"] = statistics.median(command)
    result["speedup_median"] = statistics.median(b / a for a, b in zip(ours, theirs, strict=True))
    print()
    met = "met" if result["audit_median_s"] < GOAL_SECONDS else "NOT met"
    print(f"audit, {args.packages} packages:        {result['audit_median_s'] * 1000:>8.0f} ms  goal < 1 s: {met}")
    print(f"baseline (re-read files):     {result['baseline_median_s'] * 1000:>8.0f} ms")
    print(f"baseline / audit:             {result['speedup_median']:>8.1f} x  (median of per-round ratios)")
    print(f"whole command, --offline:     {result['command_median_s'] * 1000:>8.0f} ms")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
