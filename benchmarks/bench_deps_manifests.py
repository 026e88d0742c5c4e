#!/usr/bin/env python3
"""Benchmark reading manifests and lockfiles, and diffing a change's dependencies.

Usage (from the repository root, with the environment vouched is installed in)::

    .venv/bin/python benchmarks/bench_deps_manifests.py [--packages 500] [--runs 5] [--json FILE]

a. ``read_manifest`` of generated, realistic lockfiles of ``--packages`` entries in every format
   (package-lock.json v3 with one nested copy in ten, poetry.lock, uv.lock, pylock.toml, Pipfile.lock and
   a hashed requirements.txt): median wall time of ``--runs`` reads each.
b. ``diff_dependencies`` over a scratch git repository whose head upgrades one package in ten, adds
   and removes a few, in a package-lock.json and a requirements.txt of that size: median of ``--runs``,
   git calls included.

The issue's budget is auditing a 500-package lockfile in under 1 s warm; reading it is the first step of
that. It prints medians and never asserts on time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from vouched.deps.manifests import changed_paths, diff_dependencies, read_manifest
from vouched.git import Git, ScratchRepo


def package_lock(n: int, bump: int = 0) -> str:
    packages: dict[str, object] = {"": {"name": "app", "dependencies": {f"pkg-{i}": "^1.0.0" for i in range(0, n, 7)}}}
    for i in range(n):
        minor = i + (1 if bump and i % 10 == 0 else 0)
        version = f"1.{minor}.0"
        packages[f"node_modules/pkg-{i}"] = {
            "version": version,
            "resolved": f"https://registry.npmjs.org/pkg-{i}/-/pkg-{i}-{version}.tgz",
            "integrity": "sha512-" + "A" * 86 + "==",
            "dependencies": {f"pkg-{(i + 1) % n}": "^1.0.0"},
            **({"dev": True} if i % 5 == 0 else {}),
        }
        if i % 10 == 3:
            packages[f"node_modules/pkg-{i}/node_modules/pkg-{i + 1}"] = {"version": "0.9.0"}
    return json.dumps({"name": "app", "lockfileVersion": 3, "requires": True, "packages": packages}, indent=2)


def poetry_lock(n: int) -> str:
    body = "".join(
        f'[[package]]\nname = "pkg-{i}"\nversion = "1.{i}.0"\ndescription = "x"\noptional = false\n'
        f'python-versions = ">=3.8"\ngroups = ["main"]\nfiles = [\n'
        f'    {{file = "pkg_{i}-1.{i}.0-py3-none-any.whl", hash = "sha256:{"0" * 64}"}},\n]\n\n'
        f'[package.dependencies]\npkg-{(i + 1) % n} = ">=1"\n\n'
        for i in range(n)
    )
    return body + '[metadata]\nlock-version = "2.1"\npython-versions = "^3.11"\ncontent-hash = "0"\n'


def uv_lock(n: int) -> str:
    head = 'version = 1\nrevision = 2\nrequires-python = ">=3.11"\n\n'
    head += '[[package]]\nname = "app"\nversion = "0.1.0"\nsource = { editable = "." }\ndependencies = [\n'
    head += "".join(f'    {{ name = "pkg-{i}" }},\n' for i in range(0, n, 7)) + "]\n\n"
    return head + "".join(
        f'[[package]]\nname = "pkg-{i}"\nversion = "1.{i}.0"\nsource = {{ registry = "https://pypi.org/simple" }}\n'
        f'wheels = [\n    {{ url = "https://files.example/pkg_{i}.whl", hash = "sha256:{"0" * 64}", size = 1 }},\n]\n\n'
        for i in range(n)
    )


def pylock(n: int) -> str:
    return 'lock-version = "1.0"\ncreated-by = "bench"\n\n' + "".join(
        f'[[packages]]\nname = "pkg-{i}"\nversion = "1.{i}.0"\nindex = "https://pypi.org/simple"\n'
        f'wheels = [{{ url = "https://files.example/pkg_{i}.whl", hashes = {{ sha256 = "{"0" * 64}" }} }}]\n\n'
        for i in range(n)
    )


def pipfile_lock(n: int) -> str:
    default = {
        f"pkg-{i}": {"hashes": [f"sha256:{'0' * 64}"], "index": "pypi", "version": f"==1.{i}.0"} for i in range(n)
    }
    meta = {"pipfile-spec": 6, "sources": [{"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": True}]}
    return json.dumps({"_meta": meta, "default": default, "develop": {}}, indent=4)


def requirements(n: int, bump: int = 0) -> str:
    lines = []
    for i in range(n):
        minor = i + (1 if bump and i % 10 == 0 else 0)
        lines.append(f"pkg-{i}==1.{minor}.0 \\\n    --hash=sha256:{'0' * 64}\n    # via pkg-{(i + 1) % n}")
    return "\n".join(lines) + "\n"


def median_seconds(fn: Callable[[], object], runs: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--packages", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    n = args.packages
    results: dict[str, float] = {}
    files = {
        "package-lock.json": package_lock(n),
        "poetry.lock": poetry_lock(n),
        "uv.lock": uv_lock(n),
        "pylock.toml": pylock(n),
        "Pipfile.lock": pipfile_lock(n),
        "requirements.txt": requirements(n),
    }
    for path, text in files.items():
        data = text.encode()
        found = read_manifest(path, data)
        assert found is not None and not found.problems, (path, found and found.problems[:3])
        results[f"read {path}"] = median_seconds(lambda p=path, d=data: read_manifest(p, d), args.runs)
        print(f"read {path:<18} {n} packages, {len(found.dependencies)} entries: {results[f'read {path}']:.3f} s")
    with tempfile.TemporaryDirectory() as tmp:
        repo = ScratchRepo(Path(tmp) / "repo")
        base = repo.commit("base", {"package-lock.json": package_lock(n), "requirements.txt": requirements(n)})
        head = repo.commit("bump", {"package-lock.json": package_lock(n, 1), "requirements.txt": requirements(n, 1)})
        git = Git(repo.path)
        paths = changed_paths(git.diff(base, head))
        change = diff_dependencies(git, base, head, paths)
        results["diff"] = median_seconds(lambda: diff_dependencies(git, base, head, paths), args.runs)
        kinds = {k: len(getattr(change, k)) for k in ("added", "upgraded", "downgraded", "removed", "changed")}
        print(f"diff_dependencies over package-lock.json + requirements.txt: {results['diff']:.3f} s  {kinds}")
    if args.json:
        args.json.write_text(json.dumps({"packages": n, "runs": args.runs, "seconds": results}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
