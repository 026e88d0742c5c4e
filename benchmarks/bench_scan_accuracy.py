"""How much of labelled vulnerable Python code the scan finds, and how often it cries wolf.

Data (read from ../shared/data, never copied into the repository):

* SALLM (``sallm/dataset.jsonl``): 100 vulnerable samples, the CWE in each id (``..._cwe502_0.py``).
  All are vulnerable, so it measures recall only.
* OWASP Benchmark for Python v0.1 (``owasp-benchmark-python/``, GPL-3.0: read here, never copied):
  1,243 Flask test cases, 457 truly vulnerable and 786 safe look-alikes, ground truth in
  ``expectedresults-0.1.csv``. It measures recall and precision.

Each file is scanned whole (every line counts as changed), by each scanner alone and by vouched's
combined pipeline (Ruff + Bandit + the secrets detector, de-duplicated as the gate does). A sample counts
as found when a finding's CWE matches the labelled one:

* ``strict``: the same CWE number;
* ``family``: the same CWE or a close relative, from this fixed table (scanners and labellers pick
  different members of the same family): {77, 78, 88} command injection, {94, 95} code injection (plus
  Ruff S307 / Bandit B307, ``eval``, which Bandit files under 78), {22, 23, 36} path traversal,
  {326, 327, 328} weak cryptography and hashes, {330, 338} weak randomness, {20, 611, 776} XML,
  {377, 379} temporary files, {259, 798} hard-coded credentials.

OWASP is scored as its own scorecard does: a test case is a true positive when its CWE (family) is
reported, a false positive when a safe case gets a finding of its CWE (family); findings of other CWEs
are ignored for that case. ``flagged`` is the share of cases with any finding at all.

    .venv/bin/python benchmarks/bench_scan_accuracy.py [--data ../shared/data] [--json out.json]
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

from vouched.scan.bandit import BanditScanner
from vouched.scan.interface import ScanFinding, SourceFile
from vouched.scan.ruff import RuffScanner
from vouched.scan.run import deduplicate
from vouched.scan.secrets import find_secrets

FAMILIES = [{77, 78, 88}, {94, 95}, {22, 23, 36}, {326, 327, 328}, {330, 338}, {20, 611, 776}, {377, 379}, {259, 798}]
EVAL_RULES = {"S307", "B307"}


def family(cwe: int) -> set[int]:
    for group in FAMILIES:
        if cwe in group:
            return group
    return {cwe}


def cwes_of(f: ScanFinding, *, strict: bool) -> set[int]:
    out = set(f.cwe)
    if not strict:
        for n in f.cwe:
            out |= family(n)
        if any(s.split(":", 1)[1] in EVAL_RULES for s in f.scanners):
            out |= family(94)
    return out


def secrets_scan(files: list[SourceFile]) -> list[ScanFinding]:
    out: list[ScanFinding] = []
    for f in files:
        text = f.data.decode("utf-8", "replace")
        out += find_secrets(f.path, list(enumerate(text.splitlines(), start=1)))
    return out


def run_all(files: list[SourceFile]) -> tuple[dict[str, list[ScanFinding]], dict[str, set[str]], dict[str, float]]:
    """Findings per scanner and combined; paths each scanner could not read; seconds per scanner."""
    results: dict[str, list[ScanFinding]] = {}
    unread: dict[str, set[str]] = {}
    seconds: dict[str, float] = {}
    scanners: dict[str, Callable[[list[SourceFile]], tuple[list[ScanFinding], set[str]]]] = {
        "ruff": lambda fs: _code(RuffScanner(), fs),
        "bandit": lambda fs: _code(BanditScanner(), fs),
        "secrets": lambda fs: (secrets_scan(fs), set()),
    }
    for name, scan in scanners.items():
        start = time.perf_counter()
        results[name], unread[name] = scan(files)
        seconds[name] = time.perf_counter() - start
    results["combined"] = deduplicate([f for name in scanners for f in results[name]])
    unread["combined"] = unread["ruff"] & unread["bandit"]
    return results, unread, seconds


def _code(scanner: RuffScanner | BanditScanner, files: list[SourceFile]) -> tuple[list[ScanFinding], set[str]]:
    result = scanner.scan(files)
    if any(p.path is None for p in result.problems):
        sys.exit(f"{scanner.name} failed: {[p.reason for p in result.problems if p.path is None]}")
    return list(result.findings), {p.path for p in result.problems if p.path is not None}


def sallm(data: Path) -> dict[str, object]:
    files: list[SourceFile] = []
    label: dict[str, int] = {}
    for line in (data / "sallm" / "dataset.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        m = re.search(r"cwe(\d+)", rec["id"], re.IGNORECASE)
        if m is None:
            continue
        path = rec["id"] if rec["id"].endswith(".py") else rec["id"] + ".py"
        files.append(SourceFile(path, rec["insecure_code"].encode()))
        label[path] = int(m.group(1))
    results, unread, seconds = run_all(files)
    out: dict[str, object] = {"samples": len(files)}
    for name, findings in results.items():
        by_path: dict[str, list[ScanFinding]] = {}
        for f in findings:
            by_path.setdefault(f.path, []).append(f)
        strict = sum(1 for p, cwe in label.items() if any(cwe in cwes_of(f, strict=True) for f in by_path.get(p, [])))
        fam = sum(
            1 for p, cwe in label.items() if any(family(cwe) & cwes_of(f, strict=False) for f in by_path.get(p, []))
        )
        anything = sum(1 for p in label if by_path.get(p))
        out[name] = {
            "recall_strict": strict / len(label),
            "recall_family": fam / len(label),
            "any_finding": anything / len(label),
            "not_scanned": len(unread[name]),
            "seconds": round(seconds.get(name, 0.0), 2),
        }
    return out


def owasp(data: Path) -> dict[str, object]:
    root = data / "owasp-benchmark-python"
    truth: dict[str, tuple[bool, int]] = {}
    with (root / "expectedresults-0.1.csv").open(encoding="utf-8") as fh:
        for row in csv.reader(fh):
            if not row or row[0].startswith("#"):
                continue
            truth[row[0].strip() + ".py"] = (row[2].strip() == "true", int(row[3]))
    files = [SourceFile(name, (root / "testcode" / name).read_bytes()) for name in sorted(truth)]
    results, unread, seconds = run_all(files)
    out: dict[str, object] = {"cases": len(files), "vulnerable": sum(v for v, _ in truth.values())}
    for name, findings in results.items():
        by_path: dict[str, list[ScanFinding]] = {}
        for f in findings:
            by_path.setdefault(f.path, []).append(f)
        tp = fp = fn = tn = 0
        for path, (vulnerable, cwe) in truth.items():
            hit = any(family(cwe) & cwes_of(f, strict=False) for f in by_path.get(path, []))
            if vulnerable and hit:
                tp += 1
            elif vulnerable:
                fn += 1
            elif hit:
                fp += 1
            else:
                tn += 1
        safe = fp + tn
        out[name] = {
            "tp": tp,
            "fp": fp,
            "fn": fn,
            "tn": tn,
            "recall": tp / (tp + fn),
            "precision": tp / (tp + fp) if tp + fp else 0.0,
            "false_positive_rate": fp / safe if safe else 0.0,
            "flagged": sum(1 for p in truth if by_path.get(p)) / len(truth),
            "not_scanned": len(unread[name]),
            "seconds": round(seconds.get(name, 0.0), 2),
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    report = {"python": sys.version.split()[0], "sallm": sallm(args.data), "owasp": owasp(args.data)}
    s, o = report["sallm"], report["owasp"]
    assert isinstance(s, dict) and isinstance(o, dict)
    print(f"SALLM: {s['samples']} vulnerable samples (Python {report['python']})")
    print("| scanner | recall (same CWE) | recall (CWE family) | any finding | not scanned |")
    print("|---|---|---|---|---|")
    for name in ("ruff", "bandit", "secrets", "combined"):
        r = s[name]
        print(
            f"| {name} | {r['recall_strict']:.0%} | {r['recall_family']:.0%} | {r['any_finding']:.0%} "
            f"| {r['not_scanned']} |"
        )
    print()
    print(f"OWASP Benchmark Python: {o['cases']} cases, {o['vulnerable']} vulnerable (CWE family match)")
    print("| scanner | TP | FP | FN | recall | precision | false-positive rate | any finding | not scanned | time |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name in ("ruff", "bandit", "secrets", "combined"):
        r = o[name]
        print(
            f"| {name} | {r['tp']} | {r['fp']} | {r['fn']} | {r['recall']:.1%} | {r['precision']:.1%} "
            f"| {r['false_positive_rate']:.1%} | {r['flagged']:.0%} | {r['not_scanned']} | {r['seconds']} s |"
        )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
