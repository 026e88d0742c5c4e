#!/usr/bin/env python3
"""Refresh the popular-package lists vouched ships (src/vouched/deps/data/pypi-top.tsv, npm-top.tsv).

The typosquat check and the "not among the popular packages" part of ``deps.suspicious-new`` read these
lists. Refresh them every few months; review the diff (a sudden newcomer near the top deserves a look)
and re-run ``benchmarks/bench_deps_squat.py --allowlist-candidates`` to see whether new popular
neighbour pairs need an allowlist line. This script needs the internet; the tests never run it.

Sources:

- PyPI: Hugo van Kemenade's "Top PyPI Packages" (https://hugovk.github.io/top-pypi-packages/), a
  monthly dump of the 30-day download counts from the PyPI BigQuery dataset, as
  ``top-pypi-packages.min.json`` (``{"rows": [{"project": ..., "download_count": ...}]}``). Written as
  ``rank<TAB>name``, rank 1 the most downloaded, the shipped format.
- npm: npm publishes no "top N" list, so the script re-measures candidate names with the registry's
  own download counts API (https://api.npmjs.org/downloads/point/last-month/<names>; up to 128 unscoped
  names per request, scoped names one at a time): the names already in npm-top.tsv, plus any given
  with ``--npm-add FILE`` (one name a line). Written as ``rank<TAB>name<TAB>downloads a month``.

Usage (from the repository root)::

    python tools/refresh_popularity.py                  # both lists, 15,000 names each
    python tools/refresh_popularity.py --only pypi --top 20000
    python tools/refresh_popularity.py --only npm --npm-add more-candidates.txt
    python tools/refresh_popularity.py --out /tmp/lists  # write elsewhere to compare first
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "vouched" / "deps" / "data"
PYPI_SOURCE = "https://hugovk.github.io/top-pypi-packages/top-pypi-packages.min.json"
NPM_DOWNLOADS = "https://api.npmjs.org/downloads/point/last-month/"
NPM_BATCH = 128
USER_AGENT = "vouched refresh_popularity.py"


def get_json(url: str) -> Any:
    req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "application/json"})  # noqa: S310
    for attempt in range(4):
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:  # noqa: S310
                return json.loads(resp.read())
        except OSError as exc:
            if attempt == 3:
                raise
            print(f"  retrying {url[:80]} after {exc}", file=sys.stderr)
            time.sleep(2**attempt)
    raise AssertionError("unreachable")


def refresh_pypi(top: int) -> list[tuple[int, str, int | None]]:
    data = get_json(PYPI_SOURCE)
    rows = sorted(data["rows"], key=lambda r: -int(r["download_count"]))
    return [(i, str(r["project"]), None) for i, r in enumerate(rows[:top], 1)]


def refresh_npm(top: int, extra: list[str]) -> list[tuple[int, str, int | None]]:
    current = [line.split("\t")[1] for line in (DATA / "npm-top.tsv").read_text(encoding="utf-8").splitlines() if line]
    names = list(dict.fromkeys(current + extra))
    counts: dict[str, int] = {}
    plain = [n for n in names if not n.startswith("@")]
    for i in range(0, len(plain), NPM_BATCH):
        batch = plain[i : i + NPM_BATCH]
        answer = get_json(NPM_DOWNLOADS + ",".join(urllib.parse.quote(n, safe="") for n in batch))
        for name, value in answer.items():
            if isinstance(value, dict) and isinstance(value.get("downloads"), int):
                counts[name] = value["downloads"]
        print(f"  npm: {min(i + NPM_BATCH, len(plain)):,}/{len(plain):,} unscoped names", file=sys.stderr)
    for name in (n for n in names if n.startswith("@")):
        answer = get_json(NPM_DOWNLOADS + urllib.parse.quote(name, safe="@"))
        if isinstance(answer, dict) and isinstance(answer.get("downloads"), int):
            counts[name] = answer["downloads"]
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    return [(i, name, downloads) for i, (name, downloads) in enumerate(ranked, 1)]


def write(path: Path, rows: list[tuple[int, str, int | None]]) -> None:
    lines = [f"{rank}\t{name}" + (f"\t{downloads}" if downloads is not None else "") for rank, name, downloads in rows]
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(path)
    print(f"wrote {len(rows):,} names to {path}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", choices=["pypi", "npm"])
    ap.add_argument("--top", type=int, default=15000)
    ap.add_argument("--npm-add", type=Path, help="a file of extra npm candidate names, one a line")
    ap.add_argument("--out", type=Path, default=DATA, help="where to write the lists (default: the package)")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.only in (None, "pypi"):
        write(args.out / "pypi-top.tsv", refresh_pypi(args.top))
    if args.only in (None, "npm"):
        extra = [] if args.npm_add is None else [n.strip() for n in args.npm_add.read_text().splitlines() if n.strip()]
        write(args.out / "npm-top.tsv", refresh_npm(args.top, extra))
    return 0


if __name__ == "__main__":
    sys.exit(main())
