"""The scan step on a 20-file change against scanning the whole repository, in the same run.

Builds a scratch repository whose base holds every Python file of vouched's own ``src/`` and ``tests/``
(about 100 files, 30,000 lines), then a change that edits 20 of them (40 added lines each, a few of them
vulnerable, one with a credential). It times, alternating rounds:

* ``change``: the gate's scan check on that change, as ``vouched check`` runs it (git reads of the 20
  files at head, Ruff + Bandit as the tier requires, the changed-line filter, de-duplication, secrets
  on the added lines, ``git blame`` of the flagged lines);
* ``repository``: the same scanners and secrets detector on every Python file of the head revision,
  every line counted as changed (what a scan of the repository instead of the change costs);
* ``ruff`` / ``bandit`` alone on the 20 files, to show where the time goes.

Each scanner's one-time start-up (importing Bandit's plugins, detect-secrets) is paid once before the
rounds, as it is once per ``vouched check``; it is reported on its own.

    .venv/bin/python benchmarks/bench_scan_speed.py [--runs 7] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from vouched.gate.engine import evaluate
from vouched.git import Git, ScratchRepo
from vouched.scan.bandit import BanditScanner
from vouched.scan.check import scan_check
from vouched.scan.interface import SourceFile
from vouched.scan.ruff import RuffScanner
from vouched.scan.run import Target, run_scan
from vouched.scan.secrets import find_secrets

ROOT = Path(__file__).resolve().parents[1]
POLICY = """\
version = 1
levels = ["dev"]

[[tiers]]
name = "code"
paths = ["**"]
[tiers.scan]
scanners = ["ruff", "bandit"]
"""
PEOPLE = '[people.dev]\nname = "Dev"\nlevel = "dev"\nemails = ["dev@example.org"]\n'
ADDED = '''

def _bench_helper_{n}(db, name, cmd, items):
    """Added by the benchmark's change."""
    total = 0
    for i, item in enumerate(items):
        if item is None:
            continue
        total += len(str(item)) * (i + 1)
    rows = db.execute("SELECT * FROM t WHERE name = '%s'" % name).fetchall()
    import subprocess

    subprocess.run(cmd, shell=True)
    result = {{"total": total, "rows": rows}}
    for key, value in sorted(result.items()):
        if not value:
            result[key] = None
    api_key = "{key}"
    return result, api_key


def _bench_other_{n}(values):
    out = []
    for v in values:
        if isinstance(v, int) and v > 0:
            out.append(v * 2)
        elif isinstance(v, str):
            out.append(v.strip())
    return out
'''


def build(path: Path) -> tuple[ScratchRepo, list[str]]:
    repo = ScratchRepo(path)
    files: dict[str, str | bytes | None] = {".vouched/policy.toml": POLICY, ".vouched/people.toml": PEOPLE}
    for sub in ("src", "tests"):
        for f in sorted((ROOT / sub).rglob("*.py")):
            files[str(f.relative_to(ROOT))] = f.read_bytes()
    repo.commit("base", files, author=("Dev", "dev@example.org"))
    repo.git("checkout", "-q", "-b", "change")
    py = sorted(p for p in files if p.endswith(".py") and p.startswith("src/"))
    chosen = py[:: max(1, len(py) // 20)][:20]
    edits: dict[str, str | bytes | None] = {}
    for n, p in enumerate(chosen):
        data = files[p]
        assert isinstance(data, bytes)
        key = "0123456789abcdef" * 2 if n else "8f1" + "4e45fceea167a5a36dedd4bea2543"
        edits[p] = data.decode() + ADDED.format(n=n, key=key)
    repo.commit(
        "change 20 files\n\nCo-Authored-By: Claude <noreply@anthropic.com>", edits, author=("Dev", "dev@example.org")
    )
    return repo, chosen


def _cpu() -> float:
    """CPU seconds of this process and its finished children (Ruff, git): what load does not skew."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vouched-bench-scan-") as tmp:
        repo, chosen = build(Path(tmp) / "repo")
        git = Git(repo.path)
        ev = evaluate(git, "main", "change", ledger=False)
        head = git.resolve("change")
        every = [p for p in git.tracked_files(head) if p.endswith(".py")]
        scanners = {"ruff": RuffScanner(), "bandit": BanditScanner()}
        start = time.perf_counter()
        scanners["bandit"].scan([SourceFile("warm.py", b"x = 1\n")])
        find_secrets("warm.py", [(1, "token = 'abcdefghijklmnop0123'")])
        warm = time.perf_counter() - start
        check = scan_check(git, scanners)
        changed = [SourceFile(p, data or b"") for p, data in git.read_files(head, chosen).items()]

        def scan_change() -> int:
            return len(list(check(ev)))

        def scan_repository() -> int:
            blobs = git.read_files(head, every)
            targets = []
            for p, data in blobs.items():
                if data is None:
                    continue
                lines = tuple(enumerate(data.decode("utf-8", "replace").splitlines(), start=1))
                targets.append(Target(p, data, lines, ("ruff", "bandit")))
            report = run_scan(targets, scanners)
            return len(report.findings) + len(report.secrets)

        timings: dict[str, list[float]] = {"change": [], "repository": [], "ruff": [], "bandit": []}
        counts: dict[str, int] = {}
        jobs = {
            "change": scan_change,
            "repository": scan_repository,
            "ruff": lambda: len(scanners["ruff"].scan(changed).findings),
            "bandit": lambda: len(scanners["bandit"].scan(changed).findings),
        }
        cpu: dict[str, list[float]] = {name: [] for name in jobs}
        for _ in range(args.runs):
            for name, job in jobs.items():
                t, c = time.perf_counter(), _cpu()
                counts[name] = job()
                timings[name].append(time.perf_counter() - t)
                cpu[name].append(_cpu() - c)
        med = {k: statistics.median(v) for k, v in timings.items()}
        med_cpu = {k: statistics.median(v) for k, v in cpu.items()}
        lines = sum(len(d.data.splitlines()) for d in changed)
        added = ADDED.count("\n")
        print(f"repository: {len(every)} Python files; change: {len(chosen)} files ({lines:,} lines), +{added} each")
        load, version = os.getloadavg()[0], sys.version.split()[0]
        print(f"cores: {os.cpu_count()}, load average {load:.1f}, Python {version}, {args.runs} rounds")
        print(f"one-time start-up (Bandit plugins, detect-secrets): {warm:.2f} s")
        print("| step | median wall time | median CPU time (this process and its children) | findings |")
        print("|---|---|---|---|")
        for name in jobs:
            print(f"| {name} | {med[name]:.3f} s | {med_cpu[name]:.3f} s | {counts[name]} |")
        print(
            f"ratio repository / change: {med['repository'] / med['change']:.1f}x; goal for the change < 2 s: "
            f"{'met' if med['change'] + warm < 2 else 'NOT met'} ({med['change'] + warm:.2f} s with start-up)"
        )
        if args.json:
            doc = {"medians": med, "cpu": med_cpu, "warm": warm, "counts": counts}
            args.json.write_text(json.dumps(doc, indent=2) + "\n")


if __name__ == "__main__":
    main()
