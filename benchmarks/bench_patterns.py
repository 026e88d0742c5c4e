"""The pattern library: its cost on a 20-file change against the whole repository, and what it detects.

Two parts, both printed as a table (and as JSON with ``--json FILE``):

1. **Speed.** A generated repository of ``--files`` Python modules with the starter library
   (``docs/patterns/*.yml``) committed at the base, and a change of two commits (one AI-assisted, one not,
   so the blame of each file is part of the cost) that edits 20 of them. Timed in alternating rounds,
   medians reported: the gate's pattern check on the change (library read from git at the base, changed
   files read at the head, parse, match, keep matches on added lines, blame), against matching the same
   library over every Python file of the repository at the head.
2. **Detection.** Each starter pattern run on the 100 labelled vulnerable samples of
   ``../shared/data/sallm/dataset.jsonl`` (the CWE is in the sample id, ``..._cwe089_...``), on the lines the
   completion added after the prompt. Recall per pattern is over the samples of the CWE its links name;
   hits on other CWEs are listed apart. False alarms are estimated on code that is not labelled
   vulnerable: the prompts alone (the scaffold before the vulnerable completion) and vouched's own
   sources.

    .venv/bin/python benchmarks/bench_patterns.py [--files 400] [--runs 7] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from vouched.gate.engine import evaluate
from vouched.git import Git, ScratchRepo
from vouched.scan.patterns import Pattern, load_library, match_source, parse_pattern
from vouched.scan.patterns_check import pattern_check

ROOT = Path(__file__).resolve().parents[1]
STARTERS = sorted((ROOT / "docs" / "patterns").glob("*.yml"))
DATASET = ROOT.parent / "shared" / "data" / "sallm" / "dataset.jsonl"
POLICY = """\
version = 1
levels = ["junior", "senior"]
[[tiers]]
name = "green"
paths = ["**"]
[[tiers]]
name = "yellow"
paths = ["src/**"]
"""
PEOPLE = '[people.alice]\nlevel = "senior"\nemails = ["alice@bank.example"]\n'
CLAUDE = "Co-Authored-By: Claude <noreply@anthropic.com>"


def module(i: int, extra: str = "") -> str:
    """A plausible module of about 150 lines: classes, loops, string formatting, a few calls."""
    parts = [f'"""Module {i}."""\n\nimport json\nimport logging\nimport os\n\nlog = logging.getLogger(__name__)\n']
    for k in range(12):
        parts.append(
            f"\n\nclass Thing{k}:\n    def __init__(self, name, size):\n        self.name = name\n"
            f"        self.size = size\n\n    def describe(self):\n        return f'{{self.name}} ({{self.size}})'\n\n"
            f"def helper_{k}(items, path):\n    total = 0\n    for item in items:\n        total += len(str(item))\n"
            f"    with open(os.path.join(path, 'out{k}.json'), 'w') as fh:\n        json.dump(items, fh)\n"
            "    return total\n"
        )
    return "".join(parts) + extra


ADDED = """

def lookup(conn, name):
    try:
        return conn.execute(f"SELECT * FROM users WHERE name = '{name}'").fetchall()
    except Exception:
        pass


def archive(path):
    subprocess.run("tar czf backup.tgz " + path, shell=True)
"""


def build(where: Path, files: int) -> ScratchRepo:
    repo = ScratchRepo(where)
    base: dict[str, str | bytes | None] = {".vouched/policy.toml": POLICY, ".vouched/people.toml": PEOPLE}
    for p in STARTERS:
        base[f".vouched/patterns/{p.name}"] = p.read_text()
    for i in range(files):
        base[f"src/pkg{i % 20}/mod{i}.py"] = module(i)
    repo.commit("base\n\nAssisted-by: none", base)
    repo.git("checkout", "-q", "-b", "feature")
    touched = range(0, files, max(1, files // 20))
    repo.commit(f"ai\n\n{CLAUDE}", {f"src/pkg{i % 20}/mod{i}.py": module(i, ADDED) for i in list(touched)[:20]})
    repo.commit("human\n\nAssisted-by: none", {f"src/pkg{i % 20}/mod{i}.py": module(i, ADDED + "\nX = 1\n")
                                               for i in list(touched)[:10]})  # fmt: skip
    return repo


def whole_repository(git: Git) -> int:
    lib = load_library(git, "main")
    paths = [p for p in git.tracked_files("HEAD") if p.endswith(".py")]
    hits = 0
    for data in git.read_files("HEAD", paths).values():
        if data is not None:
            hits += len(match_source(lib.patterns, "python", data.decode("utf-8", "replace")))
    return hits


def speed(files: int, runs: int) -> dict[str, float | int]:
    with tempfile.TemporaryDirectory() as tmp:
        repo = build(Path(tmp) / "repo", files)
        git = Git(repo.path)
        ev = evaluate(git, "main", "feature", None, ledger=False)
        assert len(ev.files) == 20, len(ev.files)
        change_times: list[float] = []
        whole_times: list[float] = []
        findings = hits = 0
        for _ in range(runs):
            t = time.perf_counter()
            findings = len(list(pattern_check(git)(ev)))  # a fresh blame cache every round
            change_times.append(time.perf_counter() - t)
            t = time.perf_counter()
            hits = whole_repository(git)
            whole_times.append(time.perf_counter() - t)
    change, whole = statistics.median(change_times), statistics.median(whole_times)
    return {"files": files, "change_s": change, "whole_s": whole, "ratio": whole / change, "findings": findings,
            "whole_hits": hits}  # fmt: skip


def _cwe(sample_id: str) -> str:
    m = re.search(r"cwe(\d+)", sample_id, re.I)
    return f"CWE-{int(m.group(1))}" if m else "?"


def _targets(p: Pattern) -> set[str]:
    return {f"CWE-{int(n)}" for link in p.links for n in re.findall(r"cwe\.mitre\.org/data/definitions/(\d+)", link)}


def detection() -> dict[str, object]:
    patterns = [parse_pattern(p.read_bytes(), p.name) for p in STARTERS]
    rows = [json.loads(line) for line in DATASET.read_text().splitlines() if line.strip()]
    by_cwe = Counter(_cwe(r["id"]) for r in rows)
    detected: dict[str, set[str]] = defaultdict(set)  # pattern -> sample ids
    prompt_alarms: Counter[str] = Counter()
    for r in rows:
        start = r["prompt"].count("\n") + 1  # the completion's lines come after the prompt's
        for m in match_source(patterns, "python", r["insecure_code"]):
            if m.end > start:
                detected[m.pattern.id].add(r["id"])
        for m in match_source(patterns, "python", r["prompt"]):
            prompt_alarms[m.pattern.id] += 1
    own_alarms: Counter[str] = Counter()
    for path in sorted((ROOT / "src" / "vouched").rglob("*.py")):
        for m in match_source(patterns, "python", path.read_text()):
            own_alarms[m.pattern.id] += 1
    per_pattern = []
    for p in patterns:
        targets = _targets(p)
        ids = detected.get(p.id, set())
        on_target = {i for i in ids if _cwe(i) in targets}
        n = sum(by_cwe[c] for c in targets)
        per_pattern.append({
            "pattern": p.id, "status": p.status, "cwes": sorted(targets), "samples": n, "found": len(on_target),
            "recall": (len(on_target) / n) if n else None, "other_cwe_hits": sorted(_cwe(i) for i in ids - on_target),
            "prompt_alarms": prompt_alarms[p.id], "own_source_alarms": own_alarms[p.id],
        })  # fmt: skip
    any_hit = set().union(*(ids for pid, ids in detected.items() if next(p for p in patterns if p.id == pid).status
                            == "caused-issue")) if detected else set()  # fmt: skip
    covered_cwes = set().union(*(_targets(p) for p in patterns))
    in_scope = [r["id"] for r in rows if _cwe(r["id"]) in covered_cwes]
    return {
        "samples": len(rows),
        "cwes": len(by_cwe),
        "flagged": len(any_hit),
        "in_scope": len(in_scope),
        "in_scope_flagged": len([i for i in in_scope if i in any_hit]),
        "per_pattern": per_pattern,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--files", type=int, default=400, help="Python modules in the repository (default 400)")
    parser.add_argument("--runs", type=int, default=7, help="alternating rounds (default 7)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args()
    result: dict[str, object] = {"speed": speed(args.files, args.runs)}
    s = result["speed"]
    assert isinstance(s, dict)
    print(f"pattern library ({len(STARTERS)} starter patterns), repository of {s['files']} modules, "
          f"medians of {args.runs} rounds")  # fmt: skip
    print(f"  20-file change (check, blame included): {s['change_s'] * 1000:8.1f} ms  ({s['findings']} findings)")
    print(f"  whole repository at head:               {s['whole_s'] * 1000:8.1f} ms  ({s['whole_hits']} matches)")
    print(f"  ratio whole / change:                   {s['ratio']:8.1f}x")
    if DATASET.is_file():
        d = detection()
        result["detection"] = d
        print(f"\ndetection on {DATASET.name}: {d['samples']} vulnerable samples, {d['cwes']} CWEs")
        print(f"  flagged by a caused-issue pattern: {d['flagged']} of {d['samples']}")
        print(f"  of the {d['in_scope']} samples whose CWE a pattern targets: {d['in_scope_flagged']} flagged")
        print(f"  {'pattern':<22}{'CWE':<16}{'found':>7}  {'other CWEs hit':<20}{'prompt':>7}{'own src':>8}")
        for row in d["per_pattern"]:  # type: ignore[attr-defined]
            found = f"{row['found']}/{row['samples']}"
            other = ",".join(sorted(set(row["other_cwe_hits"]))) or "-"
            print(f"  {row['pattern']:<22}{','.join(row['cwes']):<16}{found:>7}  {other:<20}"
                  f"{row['prompt_alarms']:>7}{row['own_source_alarms']:>8}")  # fmt: skip
    else:
        print(f"\n{DATASET} not found: detection skipped", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
