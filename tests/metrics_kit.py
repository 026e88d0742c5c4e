"""A synthetic history whose bug-introducing commits are known by construction, for the report's tests.

Six modules; each is written by one commit (AI-assisted for modules 0, 2, 4 and 5, human for 1 and 3), then
releases are tagged, then fixes change a line of some modules. A fix changes only a line its module's
first commit wrote, so SZZ must blame exactly that commit. Issues #1..#4 are the tracker's view.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from vouched.git import ScratchRepo

HUMAN = ("Hana Human", "hana@bank.example")
AI_TRAILER = "\n\nCo-authored-by: Claude <noreply@anthropic.com>\n"
POLICY = """version = 1
levels = ["junior", "senior"]

[[tiers]]
name = "green"
paths = ["**"]

[[tiers]]
name = "red"
paths = ["src/pay/**"]

[metrics]
min_events = 2
"""


def iso(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def module(i: int, bad_line: str | None = None) -> str:
    lines = [f"def f{i}_{k}(x):\n    return x + {k}\n" for k in range(5)]
    if bad_line is not None:
        lines[2] = bad_line
    return "".join(lines)


def build(repo: ScratchRepo) -> dict[str, object]:
    """Build the history; return what the tests know about it."""
    shas: dict[str, str] = {}
    shas["policy"] = repo.commit("chore: policy", {".vouched/policy.toml": POLICY}, author=HUMAN)
    ai_modules = {0, 2, 4, 5}
    for i in range(6):
        path = f"src/pay/mod{i}.py" if i == 5 else f"src/mod{i}.py"
        msg = f"feat: module {i}" + (AI_TRAILER if i in ai_modules else "")
        shas[f"mod{i}"] = repo.commit(msg, {path: module(i)}, author=HUMAN)
        if i == 2:
            repo.git("tag", "v1.0.0")
    repo.git("tag", "-a", "v1.1.0", "-m", "release 1.1.0")
    repo.git("tag", "v1.x-broken")  # matches the tag pattern but is not a version: skipped, counted
    repo.git("tag", "nightly")  # not a release tag at all
    # Fixes: #1 (mod0, AI) by trailer, #2 (mod1, human) by reference, mod4 (AI) by convention only,
    # mod5 (AI) with a Fixes: <sha> trailer (ground truth).
    shas["fix0"] = repo.commit(
        "Correct f0\n\nFixes: #1\n", {"src/mod0.py": module(0, "def f0_2(x):\n    return x - 2\n")}, author=HUMAN
    )
    shas["fix1"] = repo.commit(
        "Correct f1, see #2", {"src/mod1.py": module(1, "def f1_2(x):\n    return x - 2\n")}, author=HUMAN
    )
    shas["fix4"] = repo.commit(
        "fix(mod4): wrong constant", {"src/mod4.py": module(4, "def f4_2(x):\n    return x * 2\n")}, author=HUMAN
    )
    shas["fix5"] = repo.commit(
        f'Repair pay\n\nFixes: {shas["mod5"][:12]} ("feat: module 5")\n',
        {"src/pay/mod5.py": module(5, "def f5_2(x):\n    return 0\n")},
        author=HUMAN,
    )
    repo.git("tag", "v2.0.0")
    return {"shas": shas}


def issues_json(repo: ScratchRepo, shas: dict[str, str], title: str = "Crash in f0") -> str:
    """GitHub issues: #1 (critical, customer, resolved in 2 days), #2 (open), #3 a feature, #4 not planned."""
    t = ScratchRepo.EPOCH
    return json.dumps(
        [
            {
                "number": 1, "title": title, "createdAt": iso(t + 3600 * 12), "closedAt": iso(t + 3600 * 60),
                "state": "CLOSED", "stateReason": "COMPLETED",
                "labels": [{"name": "bug"}, {"name": "severity: critical"}, {"name": "customer"}],
            },
            {
                "number": 2, "title": "f1 is off", "createdAt": iso(t + 3600 * 12), "closedAt": None,
                "state": "OPEN", "labels": [{"name": "bug"}, {"name": "P2"}], "milestone": None,
            },
            {"number": 3, "title": "feature", "createdAt": iso(t), "state": "OPEN", "labels": []},
            {
                "number": 4, "title": "nope", "createdAt": iso(t), "closedAt": iso(t + 10), "state": "CLOSED",
                "stateReason": "NOT_PLANNED", "labels": [{"name": "bug"}],
            },
        ]
    )  # fmt: skip


def build_sample(repo: ScratchRepo, commits: int = 300, seed: int = 1) -> str:
    """A larger history for the README: AI-assisted and human commits, planted bugs and their fixes,
    tags every 60 commits, and a GitHub issues export (returned as JSON text).

    Each feature commit appends a function to a module; with some probability (higher for AI-assisted
    commits, and for the payments modules) one of its lines is "wrong", and a later commit fixes that very
    line, either naming the issue (``Fixes: #N``) or by convention (``fix: ...``).
    """
    import random

    rng = random.Random(seed)  # noqa: S311 (reproducible sample data)
    repo.commit("chore: policy", {".vouched/policy.toml": POLICY.replace("min_events = 2", "min_events = 10")})
    modules: dict[str, list[str]] = {}
    pending: list[tuple[int, str, int, int]] = []  # (due commit, path, line index, time it was introduced)
    issues: list[dict[str, object]] = []
    number = 0
    for i in range(commits):
        if i and i % 60 == 0:
            repo.git("tag", f"v1.{i // 60}.0")
        due = [p for p in pending if p[0] <= i]
        if due and rng.random() < 0.7:
            _, path, index, introduced = due[0]
            pending.remove(due[0])
            modules[path][index] = modules[path][index].replace("x - 1", "x + 1")
            t = ScratchRepo.EPOCH + 3600 * (repo._tick + 1)
            message = f"fix: {path} off by one"
            if rng.random() < 0.6:  # a tracked bug: reported after it was introduced, closed by the fix
                number += 1
                reported = rng.randint(introduced + 3600, t - 1800)
                severity = rng.choice(["severity: critical", "severity: high", "P2", "P3", "P3"])
                labels = [{"name": "bug"}, {"name": severity}]
                labels += [{"name": "customer"}] if rng.random() < 0.4 else []
                issues.append({"number": number, "title": f"wrong result in {path}", "createdAt": iso(reported),
                               "closedAt": iso(t + 3600 * rng.randint(0, 48)), "state": "CLOSED",
                               "stateReason": "COMPLETED", "labels": labels})  # fmt: skip
                message = f"Correct {path}\n\nFixes: #{number}\n"
            repo.commit(message, {path: "".join(modules[path])}, author=HUMAN)
            continue
        ai = rng.random() < 0.4
        pay = rng.random() < 0.2
        path = f"src/pay/p{rng.randint(0, 3)}.py" if pay else f"src/app/m{rng.randint(0, 11)}.py"
        lines = modules.setdefault(path, [])
        size = rng.randint(1, 6)
        bad_index = -1
        rate = (0.22 if ai else 0.12) * (1.6 if pay else 1.0) * (1 + size / 6)
        if rng.random() < rate:
            bad_index = len(lines) + rng.randint(0, size - 1)
        for k in range(size):
            body = "x - 1" if len(lines) == bad_index else f"x * {k + 2}"
            lines.append(f"def f{i}_{k}(x): return {body}  # {path} {i}\n")
        if bad_index >= 0:
            pending.append((i + rng.randint(5, 40), path, bad_index, ScratchRepo.EPOCH + 3600 * (repo._tick + 1)))
        trailer = ""
        if ai:
            trailer = rng.choice(
                ["\n\nCo-authored-by: Claude <noreply@anthropic.com>\n", "\n\nAssisted-by: GitHub Copilot\n"]
            )
        repo.commit(f"feat: extend {path}{trailer}", {path: "".join(lines)}, author=HUMAN)
    for k in range(4):  # bugs still open: no fix yet, so no introducing commit is known
        number += 1
        created = iso(ScratchRepo.EPOCH + 3600 * 24 * (k + 5))
        issues.append({"number": number, "title": "slow page", "createdAt": created, "state": "OPEN",
                       "labels": [{"name": "bug"}, {"name": "P3"}]})  # fmt: skip
    return json.dumps(issues, indent=1)


if __name__ == "__main__":  # python tests/metrics_kit.py DIR: the README's sample repository and export
    import sys
    from pathlib import Path

    target = Path(sys.argv[1])
    sample = ScratchRepo(target / "repo")
    (target / "issues.json").write_text(build_sample(sample))
