#!/usr/bin/env python3
"""Benchmark the typosquat check against a naive scan, and measure its false alarms over the top lists.

Usage (from the repository root, with the environment vouched is installed in)::

    .venv/bin/python benchmarks/bench_deps_squat.py [--ecosystem PyPI] [--queries 500] [--runs 3] [--json FILE]
    .venv/bin/python benchmarks/bench_deps_squat.py --false-alarms-only
    .venv/bin/python benchmarks/bench_deps_squat.py --allowlist-candidates > /tmp/pairs.tsv

a. Build: median wall time of building the index (``SquatIndex``) over the shipped popular list, and of
   the full deletion index it replaced (``_FullDeletionIndex``, the "before").
a2. Cold start (``--cold``, also part of the default run): what the first squat check of a NEW PROCESS
   costs, per ecosystem: a child interpreter imports vouched (untimed), then times loading the list and
   allowlist, building the index and answering one name. "after" is ``check_squat`` (the query-side
   index); "before" builds ``_FullDeletionIndex`` (the index as it was) and asks it, or, with
   ``--before-file``, calls ``check_squat`` of an older ``squat.py`` (e.g. one taken from main with
   ``git show main:src/vouched/deps/squat.py > /tmp/squat_main.py``). Alternating rounds, medians and
   the median of the per-round ratios.
a3. Equality (``--equality``, also part of the default run): every name of both top lists and the 500
   queries of b., checked by the query-side index (kept on the query side throughout) and by
   ``_FullDeletionIndex``: every ``SquatMatch`` must be equal; the script stops if one differs.
b. Queries: ``--queries`` names drawn once with a fixed seed: a third one-edit typos of popular names
   (substitution, swap, deletion, insertion), a third popular names themselves, a third random names
   that are nobody's neighbour. Timed in alternating rounds (index, baseline, index, ...) after an
   untimed warm-up of 20 names, so a busy machine slows both alike:
   - index: ``SquatIndex.check`` for every name (candidates from hash lookups, verified by distance);
   - baseline: for every name, the optimal-string-alignment distance to every popular name (their
     separator-free forms computed once, and the same early cut-off at the allowed distance, both of
     which flatter it) and the same ratio rule and allowlist. It takes minutes: ``--runs 1`` for a
     quick look.
   Both must report the same edit-distance neighbours (typo/swap) for every name; the script stops if
   they differ. Homoglyph, separator and affix neighbours only the index looks for.
c. False alarms: every name of both shipped top lists checked against the rest, with and without the
   shipped allowlist and at ratios 10, 100 (the default) and 1000; plus how many pairs of popular
   names are one edit apart (the neighbours the ratio rule has to tell apart from squats).

It prints medians and the median of the per-round ratios and never asserts on time.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import string
import subprocess
import sys
import time
from typing import Any

from vouched.deps.popularity import PopularityList, load_popularity
from vouched.deps.squat import (
    DEFAULT_RATIO,
    DISTANCE_2_TOP,
    SquatIndex,
    _edit_length,
    _FullDeletionIndex,
    _max_distance,
    _plain,
    load_allowlist,
    normalise,
    osa_distance,
)

SEED = 20261128


def draw_queries(pop: PopularityList, count: int) -> list[str]:
    rng = random.Random(SEED)  # noqa: S311 (a reproducible draw, not a secret)
    letters = string.ascii_lowercase
    out: list[str] = []
    while len(out) < count:
        kind = len(out) % 3
        name = rng.choice(pop.names[:3000])
        if kind == 0 and len(name) > 3:
            i = rng.randrange(len(name) - 1)
            op = rng.choice("sdie")
            if op == "s":
                name = name[:i] + rng.choice(letters) + name[i + 1 :]
            elif op == "d":
                name = name[:i] + name[i + 1 :]
            elif op == "i":
                name = name[:i] + rng.choice(letters) + name[i:]
            else:
                name = name[:i] + name[i + 1] + name[i] + name[i + 2 :]
        elif kind == 2:
            name = "".join(rng.choice(letters) for _ in range(rng.randint(6, 16)))
        out.append(name)
    return out


class Baseline:
    """Edit-distance neighbours the slow way: a distance to every popular name (whose separator-free
    forms are computed once, as any sensible scan would)."""

    def __init__(self, pop: PopularityList, allow: frozenset[frozenset[str]]) -> None:
        self.pop = pop
        self.allow = allow
        self.d2 = frozenset(pop.names[:DISTANCE_2_TOP])
        self.plain = [(other, _plain(pop.ecosystem, other)) for other in pop.names]

    def check(self, name: str) -> set[str]:
        eco = self.pop.ecosystem
        norm = normalise(eco, name)
        plain = _plain(eco, name)
        own = self.pop.score(name)
        mine = _max_distance(_edit_length(plain))
        found: set[str] = set()
        if mine == 0:
            return found
        for other, other_plain in self.plain:
            limit = min(mine, _max_distance(_edit_length(other_plain)), 2 if other in self.d2 else 1)
            if limit == 0:
                continue
            dist = osa_distance(plain, other_plain, limit)
            if dist == 0 or dist > limit or other == norm:
                continue
            if own is not None and (self.pop.score(other) or 0.0) < DEFAULT_RATIO * own:
                continue
            if frozenset((norm, other)) in self.allow:
                continue
            found.add(other)
        return found


COLD_NAMES = {"PyPI": ("reqeusts", "python-dateutils"), "npm": ("lodahs", "@typse/node")}
_COLD_CHILD = """
import sys, time
from vouched.deps import squat
from vouched.deps.popularity import load_popularity
eco, name, side, before_file = sys.argv[1:5]
if side == "before" and before_file:
    import importlib.util
    spec = importlib.util.spec_from_file_location("squat_before", before_file)
    old = sys.modules["squat_before"] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(old)
start, cpu = time.perf_counter(), time.process_time()
if side == "after":
    result = squat.check_squat(eco, name)
elif before_file:
    result = old.check_squat(eco, name)
else:
    result = squat._FullDeletionIndex(load_popularity(eco), allowlist=squat.load_allowlist()[eco]).check(name)
print(time.perf_counter() - start, time.process_time() - cpu, len(result))
"""


def cold_round(eco: str, name: str, side: str, before_file: str) -> tuple[float, float, int]:
    """Seconds (wall, then CPU) from a new process's first squat check to its answer (imports excluded),
    and the answer's number of matches. CPU time is what a busy machine does not inflate."""
    out = subprocess.run(
        [sys.executable, "-c", _COLD_CHILD, eco, name, side, before_file],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return float(out[0]), float(out[1]), int(out[2])


def cold_start(runs: int, before_file: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for eco, names in COLD_NAMES.items():
        for name in names:
            before, after, ratios, cpu_before, cpu_after = [], [], [], [], []
            for _ in range(runs):
                b, cb, nb = cold_round(eco, name, "before", before_file)
                a, ca, na = cold_round(eco, name, "after", before_file)
                if nb != na:
                    raise SystemExit(f"cold start: before and after disagree on {name!r}: {nb} vs {na} matches")
                before.append(b)
                after.append(a)
                cpu_before.append(cb)
                cpu_after.append(ca)
                ratios.append(b / a)
            fig = {
                "before s (median)": statistics.median(before),
                "after s (median)": statistics.median(after),
                "speed-up (median of ratios)": statistics.median(ratios),
                "before CPU s (median)": statistics.median(cpu_before),
                "after CPU s (median)": statistics.median(cpu_after),
                "matches": na,
                "runs": runs,
            }
            out[f"{eco} {name}"] = fig
            print(
                f"cold first check in a new process, {eco} {name!r}: before {fig['before s (median)'] * 1000:,.0f} ms, "
                f"after {fig['after s (median)'] * 1000:,.0f} ms, {fig['speed-up (median of ratios)']:.1f}x "
                f"(CPU {fig['before CPU s (median)'] * 1000:,.0f} -> {fig['after CPU s (median)'] * 1000:,.0f} ms) "
                f"(medians of {runs} alternating runs{'; before = ' + before_file if before_file else ''})",
                flush=True,
            )
    return out


def equality(queries_per_eco: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for eco in ("PyPI", "npm"):
        pop = load_popularity(eco)  # type: ignore[arg-type]
        allow = load_allowlist()[eco]  # type: ignore[index]
        fast = SquatIndex(pop, allowlist=allow)
        fast._query_side_limit = 10**9  # the query side for every name, not the switch to the full index
        full = _FullDeletionIndex(pop, allowlist=allow)
        sample = list(pop.names) + draw_queries(pop, queries_per_eco)
        t = time.perf_counter()
        got = [fast.check(n) for n in sample]
        t_fast = time.perf_counter() - t
        t = time.perf_counter()
        want = [full.check(n) for n in sample]
        t_full = time.perf_counter() - t
        differ = [n for n, g, w in zip(sample, got, want, strict=True) if g != w]
        if differ:
            raise SystemExit(f"equality: {eco} answers differ for {differ[:10]}")
        out[eco] = {
            "names": len(sample),
            "flagged": sum(1 for w in want if w),
            "query side s per name": t_fast / len(sample),
            "full index s per name": t_full / len(sample),
        }
        print(
            f"equality, {eco}: {len(sample):,} names ({out[eco]['flagged']} flagged), every SquatMatch equal; "
            f"per name {t_fast / len(sample) * 1000:.2f} ms query side, {t_full / len(sample) * 1000:.2f} ms full",
            flush=True,
        )
    return out


def false_alarms(eco: Any) -> dict[str, Any]:
    pop = load_popularity(eco)
    allow = load_allowlist()[eco]
    out: dict[str, Any] = {"names": len(pop)}
    for ratio in (10.0, 100.0, 1000.0):
        for label, pairs in (("no allowlist", frozenset()), ("allowlist", allow)):
            idx = SquatIndex(pop, allowlist=pairs, ratio=ratio)
            flagged = sum(1 for n in pop.names if idx.check(n))
            out[f"ratio {ratio:g}, {label}"] = {"flagged": flagged, "rate": flagged / len(pop)}
    # popular pairs one edit apart (on the separator-free form), counted once each
    idx = SquatIndex(pop, allowlist=(), ratio=0.0)
    pairs = set()
    for n in pop.names:
        for m in idx.check(n):
            if m.distance == 1 and ("typo" in m.kinds or "swap" in m.kinds):
                pairs.add(frozenset((n, m.target)))
    out["popular pairs one edit apart"] = len(pairs)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ecosystem", default="PyPI", choices=["PyPI", "npm"])
    ap.add_argument("--queries", type=int, default=500)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", help="also write the figures to this file")
    ap.add_argument("--false-alarms-only", action="store_true")
    ap.add_argument("--cold", action="store_true", help="only the cold start (a2) and equality (a3) figures")
    ap.add_argument("--cold-runs", type=int, default=7, help="new processes per side and name (default 7)")
    ap.add_argument("--before-file", default="", help="an older squat.py whose check_squat is the 'before'")
    ap.add_argument("--no-equality", action="store_true", help="skip the equality check (a3, about a minute)")
    ap.add_argument("--allowlist-candidates", action="store_true", help="print pairs the ratio rule flags")
    args = ap.parse_args(argv)

    if args.allowlist_candidates:
        for eco in ("PyPI", "npm"):
            pop = load_popularity(eco)  # type: ignore[arg-type]
            idx = SquatIndex(pop, allowlist=())
            for n in pop.names:
                for m in idx.check(n):
                    print(eco, n, m.target, f"#{m.name_rank} vs #{m.target_rank}, {'/'.join(m.kinds)}", sep="\t")
        return 0

    figures: dict[str, Any] = {}
    if not args.false_alarms_only:
        figures["cold start"] = cold_start(args.cold_runs, args.before_file)
        if not args.no_equality:
            figures["equality"] = equality(args.queries)
    if args.cold:
        if args.json:
            with open(args.json, "w", encoding="utf-8") as fh:
                json.dump(figures, fh, indent=1)
        return 0
    if not args.false_alarms_only:
        pop = load_popularity(args.ecosystem)
        allow = load_allowlist()[args.ecosystem]
        builds, full_builds = [], []
        for _ in range(args.runs):
            t = time.perf_counter()
            _FullDeletionIndex(pop, allowlist=allow)
            full_builds.append(time.perf_counter() - t)
            t = time.perf_counter()
            idx = SquatIndex(pop, allowlist=allow)
            builds.append(time.perf_counter() - t)
        idx._full_deletes()  # b. times queries on the full index, as a long-running process would use
        queries = draw_queries(pop, args.queries)
        baseline = Baseline(pop, allow)
        for q in queries[:20]:  # untimed warm-up of both sides
            idx.check(q)
            baseline.check(q)
        t_idx, t_base, ratios = [], [], []
        for run in range(args.runs):
            t = time.perf_counter()
            fast = [idx.check(q) for q in queries]
            a = time.perf_counter() - t
            t = time.perf_counter()
            slow = [baseline.check(q) for q in queries]
            b = time.perf_counter() - t
            t_idx.append(a)
            t_base.append(b)
            ratios.append(b / a)
            print(f"  round {run + 1}: index {a * 1000:.1f} ms, baseline {b:.1f} s", file=sys.stderr)
            for q, f, sl in zip(queries, fast, slow, strict=True):
                edits = {m.target for m in f if {"typo", "swap"} & set(m.kinds)}
                if edits != sl:
                    print(f"DISAGREE on {q!r}: index {sorted(edits)} baseline {sorted(sl)}", file=sys.stderr)
                    return 1
        flagged = sum(1 for f in fast if f)
        figures["speed"] = {
            "ecosystem": args.ecosystem,
            "popular names": len(pop),
            "queries": len(queries),
            "queries flagged": flagged,
            "index build s (median)": statistics.median(builds),
            "full deletion index build s (median)": statistics.median(full_builds),
            "index check s (median)": statistics.median(t_idx),
            "baseline s (median)": statistics.median(t_base),
            "speed-up (median of ratios)": statistics.median(ratios),
            "runs": args.runs,
        }
        s = figures["speed"]
        print(
            f"{args.ecosystem}: {len(pop):,} popular names; index built in {s['index build s (median)']:.2f} s "
            f"(the full deletion index: {s['full deletion index build s (median)']:.2f} s)\n"
            f"{len(queries)} queries ({flagged} flagged): index {s['index check s (median)'] * 1000:.1f} ms, "
            f"naive scan {s['baseline s (median)']:.2f} s, {s['speed-up (median of ratios)']:,.0f}x faster "
            f"(medians of {args.runs} alternating rounds; same edit-distance answers)"
        )
    for eco in ("PyPI", "npm"):
        fa = false_alarms(eco)
        figures[f"false alarms {eco}"] = fa
        print(f"false alarms over the {eco} top {fa['names']:,} (each name against the rest):")
        for key, value in fa.items():
            if isinstance(value, dict):
                print(f"  {key}: {value['flagged']} ({value['rate']:.2%})")
        print(f"  popular pairs one edit apart: {fa['popular pairs one edit apart']:,}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(figures, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
