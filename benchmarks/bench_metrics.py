#!/usr/bin/env python3
"""Benchmark history ingest and SZZ against PyDriller, on the same repositories and commits, in one run.

Usage (from the repository root, with the environment vouched is installed in)::

    pip install pydriller                      # the baseline; not a dependency of vouched
    .venv/bin/python benchmarks/bench_metrics.py [--commits 5000] [--big 100000] [--runs 3]
        [--fixes 20] [--repo PATH ...] [--no-big] [--json FILE]

Repositories: a synthetic one of ``--commits`` commits built with `git fast-import` by bench_spine.py's
generator (cached in benchmarks/.work/), plus a local clone of each ``--repo`` (default: the repository
this script lives in), so that nothing runs in the original. On each of them, in alternating rounds
(vouched, PyDriller, vouched, ...) after an untimed warm-up:

a. full-history ingest: :meth:`vouched.metrics.HistoryStore.ingest` into a fresh cache, against PyDriller's
   ``Repository(path).traverse_commits()`` reading every commit's ``modified_files`` added and deleted
   lines. The per-commit line counts of both are compared (they must agree).
b. SZZ for the ``--fixes`` most recent fixes (non-merge commits whose subject says "fix" and that delete
   lines; when there are fewer, the most recent non-merge commits that delete lines fill up), with
   :func:`vouched.metrics.find_introducers` and its commit-graph (built once, untimed, and reported on its
   own; one run without it is shown too), against PyDriller's ``get_commits_last_modified_lines``. The
   candidate sets are compared: with vouched's defaults, and with PyDriller's own settings (no ``-M``, its
   comment filter), where they must be identical; every difference is listed with its cause.

Then, on the ``--big`` synthetic repository (bench_spine's 100,000-commit history, built once, ~100 s):
c. vouched's full ingest (wall, CPU, peak RSS of a fresh process), the second, incremental run, and a bare
   single `git log --numstat -M` over the same history for scale (no PyDriller: it would take hours).

Medians and ratios are printed; goals are reported as met or not, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_WORK = HERE / ".work"
GOAL_INGEST_RATIO = 10.0
GOAL_SZZ_RATIO = 4.0
GOAL_BIG_SECONDS = 60.0

sys.path.insert(0, str(HERE))
import bench_spine  # noqa: E402  (the synthetic history generator lives there)
from _results import Row, print_table  # noqa: E402  (shared with bench_spine)


class BenchError(Exception):
    pass


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def pydriller_or_exit() -> Any:
    try:
        import pydriller
    except ImportError:
        raise BenchError(
            "PyDriller, the baseline, is not installed in this environment: "
            f"`{sys.executable} -m pip install pydriller` (it is not a dependency of vouched)"
        ) from None
    return pydriller


@dataclass
class Timing:
    wall: float
    cpu: float


def timed(fn: Callable[[], Any]) -> tuple[Timing, Any]:
    t0, c0 = time.perf_counter(), os.times()
    value = fn()
    t1, c1 = time.perf_counter(), os.times()
    cpu = (c1.user - c0.user) + (c1.system - c0.system) + (c1.children_user - c0.children_user)
    cpu += c1.children_system - c0.children_system
    return Timing(t1 - t0, cpu), value


# -- the two sides ------------------------------------------------------------------------------------------


def vouched_ingest(repo: Path) -> dict[str, tuple[int, int]]:
    from vouched.git import Git
    from vouched.metrics import HistoryStore

    with tempfile.TemporaryDirectory(prefix="bench-metrics-") as tmp, HistoryStore.open(Path(tmp) / "c.db") as store:
        store.ingest(Git(repo))
        return {c.sha: (c.added, c.deleted) for c in store.commits()}


def pydriller_ingest(repo: Path) -> dict[str, tuple[int, int]]:
    from pydriller import Repository

    counts: dict[str, tuple[int, int]] = {}
    for commit in Repository(str(repo)).traverse_commits():
        added = deleted = 0
        for m in commit.modified_files:
            added += m.added_lines
            deleted += m.deleted_lines
        counts[commit.hash] = (added, deleted)
    return counts


def pydriller_useless(path: str, text: str) -> bool:
    """PyDriller's own filter (GitRepository._useless_line), for the like-for-like comparison."""
    line = text.strip()
    return not line or line.startswith(("//", "#", "/*", "'''", '"""', "*"))


def build_commit_graph(repo: Path, directory: Path) -> None:
    from vouched.git import Git

    shutil.rmtree(directory, ignore_errors=True)
    Git(repo).with_commit_graph(directory).write_commit_graph()


def vouched_szz(repo: Path, fixes: Sequence[str], **options: Any) -> dict[str, frozenset[str]]:
    from vouched.git import Git
    from vouched.metrics import Fix, find_introducers

    result = find_introducers(Git(repo), [Fix(s) for s in fixes], **options)
    return {s: result.candidates(s) for s in fixes}


def pydriller_szz(repo: Path, fixes: Sequence[str]) -> dict[str, frozenset[str]]:
    from pydriller import Git as PdGit

    gr = PdGit(str(repo))
    found: dict[str, frozenset[str]] = {}
    try:
        for sha in fixes:
            by_path = gr.get_commits_last_modified_lines(gr.get_commit(sha))
            found[sha] = frozenset(s for shas in by_path.values() for s in shas)
    finally:
        gr.clear()
    return found


# -- choosing the fixes ---------------------------------------------------------------------------------------


def recent_fixes(repo: Path, want: int) -> tuple[list[str], str]:
    """The ``want`` most recent non-merge commits that say "fix" and delete lines (newest first)."""
    out = subprocess.run(
        ["git", "-C", str(repo), "log", "--no-merges", "--format=%x1e%H%x1f%P%x1f%s", "--numstat", "-M", "HEAD"],
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8", "replace")
    fixes: list[str] = []
    others: list[str] = []
    for record in out.split("\x1e")[1:]:
        head, _, stats = record.partition("\n")
        sha, parents, subject = head.split("\x1f", 2)
        if not parents:
            continue  # a root commit: nothing to blame
        rows = (line.split("\t") for line in stats.split("\n"))
        deletes = any(len(p) > 2 and p[1].isdigit() and int(p[1]) > 0 for p in rows)
        if not deletes:
            continue
        (fixes if re.search(r"\bfix", subject, re.I) else others).append(sha)
        if len(fixes) >= want:
            break
    chosen = fixes[:want]
    note = f"{len(chosen)} commits whose subject says 'fix'"
    if len(chosen) < want:
        extra = others[: want - len(chosen)]
        note += f" and {len(extra)} other recent commits that delete lines (too few fixes)"
        chosen += extra
    return chosen, note


# -- the comparisons ----------------------------------------------------------------------------------------


def alternate(runs: int, a: Callable[[], Any], b: Callable[[], Any]) -> tuple[list[Timing], list[Timing], Any, Any]:
    va, vb = a(), b()  # warm-up, and the values compared
    ta: list[Timing] = []
    tb: list[Timing] = []
    for _ in range(runs):
        ta.append(timed(a)[0])
        tb.append(timed(b)[0])
    return ta, tb, va, vb


def compare_repo(label: str, repo: Path, runs: int, want_fixes: int, report: dict[str, Any]) -> list[Row]:
    commits = int(subprocess.run(["git", "-C", str(repo), "rev-list", "--count", "HEAD"], capture_output=True,
                                 check=True).stdout)  # fmt: skip
    log(f"[{label}] ingest: vouched vs PyDriller, {commits:,} commits, {runs} rounds ...")
    tv, tp, ours, theirs = alternate(runs, lambda: vouched_ingest(repo), lambda: pydriller_ingest(repo))
    mismatched = sorted(s for s in set(ours) | set(theirs) if ours.get(s) != theirs.get(s))
    ingest = Row(
        f"{label}: full ingest, {commits:,} commits",
        [t.wall for t in tv],
        [t.wall for t in tp],
        "PyDriller traverse_commits + modified_files added/deleted lines",
        goal=f">= {GOAL_INGEST_RATIO:.0f}x faster",
    )
    ingest.met = (ingest.speedup or 0) >= GOAL_INGEST_RATIO
    ingest.note = (
        f"per-commit added/deleted lines agree on all {len(ours):,} commits"
        if not mismatched
        else f"{len(mismatched)} commits differ in line counts, e.g. {mismatched[:3]}"
    )
    cpu = Row(f"{label}: full ingest, CPU", [t.cpu for t in tv], [t.cpu for t in tp], "the same, CPU (user+sys)")

    fixes, fix_note = recent_fixes(repo, want_fixes)
    graph = repo.parent / f"{repo.parent.name}-{repo.name}.commit-graph"
    built, _ = timed(lambda: build_commit_graph(repo, graph))
    log(f"[{label}] SZZ: vouched vs PyDriller, {len(fixes)} fixes, {runs} rounds ...")
    sv, sp, ours_szz, theirs_szz = alternate(
        runs, lambda: vouched_szz(repo, fixes, commit_graph=graph), lambda: pydriller_szz(repo, fixes)
    )
    plain_timing, plain = timed(lambda: vouched_szz(repo, fixes))
    if plain != ours_szz:
        raise BenchError(f"[{label}] SZZ with and without the commit-graph disagree")
    like = vouched_szz(repo, fixes, moves=False, skip_line=pydriller_useless, commit_graph=graph)
    no_moves = vouched_szz(repo, fixes, moves=False, commit_graph=graph)
    differences: list[dict[str, Any]] = []
    for sha in fixes:
        if ours_szz[sha] == theirs_szz[sha]:
            continue
        causes = []
        if like[sha] != theirs_szz[sha]:
            causes.append("UNEXPLAINED: differs even with PyDriller's settings")
        else:
            if no_moves[sha] != ours_szz[sha]:
                causes.append("-M: a line moved within the file is blamed on the commit that wrote it")
            if no_moves[sha] != like[sha]:
                causes.append("comment filter: vouched's is per language, PyDriller's is one list for all")
        differences.append(
            {
                "fix": sha,
                "only_vouched": sorted(ours_szz[sha] - theirs_szz[sha]),
                "only_pydriller": sorted(theirs_szz[sha] - ours_szz[sha]),
                "causes": causes,
            }
        )
    same_like = sum(like[s] == theirs_szz[s] for s in fixes)
    same_default = len(fixes) - len(differences)
    szz = Row(
        f"{label}: SZZ, {len(fixes)} most recent fixes",
        [t.wall for t in sv],
        [t.wall for t in sp],
        "PyDriller get_commits_last_modified_lines, one fix after another",
        goal=f">= {GOAL_SZZ_RATIO:.0f}x faster",
    )
    szz.met = (szz.speedup or 0) >= GOAL_SZZ_RATIO
    szz_cpu = Row(f"{label}: SZZ, CPU", [t.cpu for t in sv], [t.cpu for t in sp], "the same, CPU (user+sys)")
    szz_cold = Row(
        f"{label}: SZZ without the commit-graph (1 run)",
        [plain_timing.wall],
        note=f"building the commit-graph with Bloom filters (once; then refreshed when refs move): "
        f"{built.wall:.2f} s wall, {built.cpu:.2f} s CPU",
    )
    szz.note = (
        f"fixes: {fix_note}; same candidate sets: {same_default}/{len(fixes)} with vouched's defaults, "
        f"{same_like}/{len(fixes)} with PyDriller's settings (no -M, its comment filter); "
        f"{sum(len(v) for v in ours_szz.values())} candidates (fix, commit) in all"
    )
    report[label] = {
        "repository": str(repo),
        "commits": commits,
        "fixes": fixes,
        "ingest_mismatches": mismatched[:20],
        "szz_differences": differences,
        "szz_same_with_pydriller_settings": same_like,
    }
    return [ingest, cpu, szz, szz_cpu, szz_cold]


# -- the big history ----------------------------------------------------------------------------------------

_INGEST_CHILD = """
import json, os, resource, sys, tempfile, time
from pathlib import Path
from vouched.git import Git
from vouched.metrics import HistoryStore
tmp = tempfile.mkdtemp(prefix="bench-metrics-big-")
path = Path(tmp) / "cache.sqlite"
t0 = time.perf_counter(); c0 = os.times()
with HistoryStore.open(path) as store:
    first = store.ingest(Git(sys.argv[1]))
t1 = time.perf_counter(); c1 = os.times()
with HistoryStore.open(path) as store:
    second = store.ingest(Git(sys.argv[1]))
    t2 = time.perf_counter()
    n = sum(1 for _ in store.commits())
t3 = time.perf_counter()
cpu = (c1.user - c0.user) + (c1.system - c0.system) + (c1.children_user - c0.children_user)
cpu += c1.children_system - c0.children_system
print(json.dumps({"first": t1 - t0, "cpu": cpu, "second": t2 - t1, "read": t3 - t2, "commits": n,
                  "new": first.new, "rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "db_bytes": path.stat().st_size}))
for p in Path(tmp).iterdir():
    p.unlink()
os.rmdir(tmp)
"""


def bench_big(repo: Path, runs: int) -> list[Row]:
    count = int(subprocess.run(["git", "-C", str(repo), "rev-list", "--count", "HEAD"], capture_output=True,
                               check=True).stdout)  # fmt: skip
    log(f"[big] vouched ingest of {count:,} commits vs one bare `git log --numstat -M`, {runs} rounds ...")
    samples: list[dict[str, Any]] = []
    bare: list[float] = []
    fields = bench_spine.LOG_FORMAT

    def child() -> dict[str, Any]:
        out = subprocess.run([sys.executable, "-c", _INGEST_CHILD, str(repo)], capture_output=True, check=False)
        if out.returncode != 0:
            raise BenchError(f"the ingest child failed:\n{out.stderr.decode(errors='replace')[-3000:]}")
        result: dict[str, Any] = json.loads(out.stdout)
        return result

    def git_log() -> float:
        t0 = time.perf_counter()
        subprocess.run(
            ["git", "-C", str(repo), "log", "-z", "--numstat", "-M", f"--format={fields}", "HEAD"],
            stdout=subprocess.DEVNULL,
            check=True,
        )
        return time.perf_counter() - t0

    for _ in range(runs):
        samples.append(child())
        bare.append(git_log())
    if any(s["commits"] != count or s["new"] != count for s in samples):
        raise BenchError(f"the ingest did not store all {count} commits: {samples}")
    first = Row(
        f"big: full ingest, {count:,} commits (wall)",
        [s["first"] for s in samples],
        bare,
        "one bare `git log -z --numstat -M` of the same fields (a single git process, output discarded)",
        goal=f"< {GOAL_BIG_SECONDS:.0f} s",
    )
    first.met = (first.value or 1e9) < GOAL_BIG_SECONDS
    cpu = Row("big: full ingest, CPU (user+sys, with git)", [s["cpu"] for s in samples])
    second = Row("big: second run, nothing new", [s["second"] for s in samples])
    read = Row(f"big: read back all {count:,} commits", [s["read"] for s in samples])
    rss = Row(
        "big: peak RSS of the ingesting process", [s["rss_kib"] / 1024 for s in samples], unit="MB",
        note=f"cache file {samples[-1]['db_bytes'] / 1e6:.0f} MB",
    )  # fmt: skip
    return [first, cpu, second, read, rss]


# -- main ---------------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--commits", type=int, default=5000, help="synthetic repository for the PyDriller comparison")
    p.add_argument("--big", type=int, default=100_000, help="synthetic repository for vouched's ingest alone")
    p.add_argument("--no-big", action="store_true", help="skip the big ingest")
    p.add_argument("--runs", type=int, default=3, help="timed rounds per measurement (after a warm-up)")
    p.add_argument("--fixes", type=int, default=20, help="how many recent fixes SZZ runs on")
    p.add_argument("--repo", action="append", type=Path, help="a real repository to compare on (cloned first)")
    p.add_argument("--no-repo", action="store_true", help="compare on the synthetic repository only")
    p.add_argument("--seed", type=int, default=bench_spine.DEFAULT_SEED)
    p.add_argument("--work", type=Path, default=DEFAULT_WORK, help="where repositories are built and cached")
    p.add_argument("--json", type=Path, help="also write the figures as JSON to this file")
    return p.parse_args(argv)


def clone(src: Path, work: Path) -> Path:
    top = subprocess.run(["git", "-C", str(src), "rev-parse", "--show-toplevel"], capture_output=True, check=False)
    if top.returncode != 0:
        raise BenchError(f"{src} is not a git repository")
    if subprocess.run(["git", "-C", str(src), "rev-parse", "--is-shallow-repository"], capture_output=True,
                      check=True).stdout.strip() == b"true":  # fmt: skip
        raise BenchError(f"{src} is a shallow clone: SZZ and ingest need the full history")
    dst = work / f"clone-{Path(top.stdout.decode().strip()).name}"
    if dst.exists():
        shutil.rmtree(dst)
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(src), str(dst)], check=True)
    return dst


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return _main(args)
    except (BenchError, bench_spine.BenchError) as exc:
        print(f"bench_metrics: {exc}", file=sys.stderr)
        return 2


def _main(args: argparse.Namespace) -> int:
    pydriller_or_exit()
    os.environ.update({"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "LC_ALL": "C"})
    args.work.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    started = time.perf_counter()
    rows: list[Row] = []
    details: dict[str, Any] = {}
    synthetic = bench_spine.ensure_repo(args.work, args.commits, args.seed, False)
    rows += compare_repo("synthetic", synthetic.path, args.runs, args.fixes, details)
    if not args.no_repo:
        for src in args.repo or [ROOT]:
            repo = clone(src, args.work)
            rows += compare_repo(src.resolve().name, repo, args.runs, args.fixes, details)
    if not args.no_big:
        big = bench_spine.ensure_repo(args.work, args.big, args.seed, False)
        rows += bench_big(big.path, args.runs)
    elapsed = time.perf_counter() - started
    load_after = os.getloadavg()
    git_version = subprocess.run(["git", "--version"], capture_output=True, check=False).stdout.decode().strip()
    print()
    print(f"vouched metrics benchmark: {args.runs} rounds, PyDriller {metadata.version('pydriller')}")
    print(
        f"{git_version}, Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"load {load_before[0]:.2f} -> {load_after[0]:.2f}, {elapsed:.0f} s of measuring"
    )
    print()
    print_table(rows, "speedup")
    for label, info in details.items():
        for d in info["szz_differences"]:
            print(f"  {label}: fix {d['fix'][:12]}: only vouched {[s[:12] for s in d['only_vouched']]}, "
                  f"only PyDriller {[s[:12] for s in d['only_pydriller']]}: {'; '.join(d['causes'])}")  # fmt: skip
    if args.json:
        args.json.write_text(
            json.dumps({"rows": [r.to_json("speedup") for r in rows], "details": details, "git": git_version}, indent=2)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
