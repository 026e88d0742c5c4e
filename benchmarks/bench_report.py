#!/usr/bin/env python3
"""Benchmark the report's own work: linking, prior defects, statistics and every format, on N commits.

Usage (from the repository root, with the environment vouched is installed in)::

    .venv/bin/python benchmarks/bench_report.py [--commits 100000] [--runs 5] [--json FILE]

The history is N generated :class:`~vouched.metrics.history.CommitStat` values (40% AI-assisted, one in
eight a fix, 1 to 6 files each, 5% of commits blamed by a fix), fed to
:func:`~vouched.metrics.analysis.analyse` with SZZ replaced by a stand-in that returns the planted
introducers instantly: git's part (ingest, blame) is what 6a's benchmark measures, this one measures
what the report adds on top. The baseline, in the same run, is the least any report must do: one pass
over the same commits summing changed lines per provenance. Reported: medians of ``--runs`` alternating
rounds, the ratio to the baseline, the time of each format's rendering, and peak memory of one analysis
(tracemalloc). It never asserts on time.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path

from vouched.git import Git, ScratchRepo
from vouched.metrics.analysis import Report, analyse
from vouched.metrics.history import CommitStat
from vouched.metrics.releases import Release, ReleasePlan
from vouched.metrics.render import FORMATS, renderer
from vouched.metrics.szz import Fix, Introducer, SzzResult
from vouched.model import FileStat, Identity, Trailer
from vouched.policy.model import MetricsConfig

PERSON = Identity("Dev", "dev@example.com")
EPOCH = 1_600_000_000


def history(n: int, seed: int = 1) -> tuple[list[CommitStat], dict[str, list[str]]]:
    rng = random.Random(seed)  # noqa: S311 (reproducible data)
    commits: list[CommitStat] = []
    planted: dict[str, list[str]] = {}
    earlier: list[str] = []
    for i in range(n):
        sha = f"{i:040x}"
        ai = rng.random() < 0.4
        fix = rng.random() < 0.125 and earlier
        files = tuple(
            FileStat(f"src/m{rng.randint(0, 2000)}.py", None, rng.randint(0, 40), rng.randint(0, 20))
            for _ in range(rng.randint(1, 6))
        )
        message = "fix: wrong value" if fix else "feat: more"
        trailers: tuple[Trailer, ...] = ()
        if ai:
            trailers = (Trailer("Co-authored-by", "Claude <noreply@anthropic.com>"),)
        if fix:
            planted[sha] = [rng.choice(earlier) for _ in range(rng.randint(1, 2))]
        commits.append(
            CommitStat(sha, (f"{i - 1:040x}",) if i else (), PERSON, PERSON, EPOCH + 600 * i, EPOCH + 600 * i,
                       message, trailers, ai, ai, ("claude-code",) if ai else (), (), (), files)
        )  # fmt: skip
        if rng.random() < 0.3:
            earlier.append(sha)
    return commits, planted


def median_time(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commits", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    commits, planted = history(args.commits)
    releases = ReleasePlan(
        tuple(Release(f"r{k}", f"{k}", None, EPOCH + 600 * k * args.commits // 20) for k in range(1, 21)), (), "file"
    )

    def szz(fixes: Sequence[Fix]) -> SzzResult:
        return SzzResult(
            {f.sha: tuple(Introducer(s, "x", 1, "blame") for s in planted.get(f.sha, ())) for f in fixes}, ()
        )

    with tempfile.TemporaryDirectory() as tmp:
        scratch = ScratchRepo(Path(tmp) / "r")
        scratch.commit("one", {"a": "1\n"})
        git = Git(scratch.path)

        def run_analysis() -> Report:
            return analyse(git, iter(commits), config=MetricsConfig(), szz=szz, as_of=EPOCH + 600 * args.commits,
                           releases=releases)  # fmt: skip

        def baseline() -> object:
            totals = {True: 0, False: 0}
            for c in commits:
                totals[c.ai] += c.changed_lines
            return totals

        run_analysis()  # warm: imports statsmodels once
        analysis_times, baseline_times = [], []
        for _ in range(args.runs):  # alternate, so that load on the machine hits both alike
            analysis_times.append(median_time(run_analysis, 1))
            baseline_times.append(median_time(baseline, 1))
        report = run_analysis()
        tracemalloc.start()
        run_analysis()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        renders = {fmt: median_time(lambda fmt=fmt: renderer(fmt).render(report), args.runs) for fmt in FORMATS}

    a, b = statistics.median(analysis_times), statistics.median(baseline_times)
    result = {
        "commits": args.commits,
        "runs": args.runs,
        "analysis_s": round(a, 3),
        "baseline_s": round(b, 3),
        "ratio": round(a / b, 1),
        "per_commit_us": round(1e6 * a / args.commits, 1),
        "peak_mb": round(peak / 1e6, 1),
        "render_s": {k: round(v, 3) for k, v in renders.items()},
        "rate_ratio": report.stats.rate_ratio.estimate,
    }
    print(f"{args.commits:,} commits, median of {args.runs} alternating rounds")
    per = result["per_commit_us"]
    print(f"  analyse (link, prior defects, releases, tiers, statistics): {a:.2f} s ({per} µs a commit)")
    print(f"  baseline (one pass summing changed lines):                  {b:.3f} s; ratio {a / b:.0f}x")
    print(f"  peak memory of one analysis (tracemalloc):                  {result['peak_mb']} MB")
    print("  render: " + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in renders.items()))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
