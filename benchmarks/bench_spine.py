#!/usr/bin/env python3
"""Benchmark the spine of vouched against the git work it cannot avoid.

Usage (from the repository root, with the environment vouched is installed in)::

    .venv/bin/python benchmarks/bench_spine.py [--commits 50000] [--runs 5] [--keep] [--json FILE]

It builds (once, then reuses) a synthetic repository with ``git fast-import``: a long ``main`` with
several authors, AI markers in about 15% of the messages, merges, renames and the policy files, plus a
``feature`` branch of 50 commits touching 200 files and a GitHub reviews JSON file for it. Then it times,
in alternating rounds (vouched, baseline, vouched, baseline, ...), so that a noisy machine slows both
sides alike:

a. ``vouched provenance --format jsonl`` over the whole history vs a bare ``git log -z`` printing the
   same fields vouched reads;
b. ``vouched check`` on the feature branch vs the git plumbing such a check needs, run back to back,
   with Python start-up and ``import vouched.cli`` timed alongside;
c. the peak resident memory of ``vouched provenance`` vs that of the bare ``git log``.

It reports medians and ratios, and never asserts on time: the goals are printed as met or not met.
See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import platform
import pstats
import random
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from _results import Row, fmt, print_table

HERE = Path(__file__).resolve().parent
DEFAULT_WORK = HERE / ".work"
# Bump when the generated history changes, so that cached repositories are rebuilt.
GENERATOR_VERSION = 3
DEFAULT_SEED = 20260101
START = 1_420_070_400  # 2015-01-01T00:00:00Z; each commit is committed 30 minutes after the last
TICK = 1800

# The fields `vouched.git.Git.iter_commits` asks git for, in the same layout.
LOG_FORMAT = "%x1e%H%x1f%P%x1f%T%x1f%an%x1f%ae%x1f%at%x1f%cn%x1f%ce%x1f%ct%x1f%B%x1f"
POLICY_FILES = (".vouched/policy.toml", ".vouched/people.toml")

GOAL_PROVENANCE_RATIO = 1.5
GOAL_CHECK_SECONDS = 0.5
GOAL_CHECK_RATIO = 2.0
GOAL_RSS_MB = 200.0
GOAL_RSS_AT = 100_000


class BenchError(Exception):
    """A failure the user can act on: printed as one message, exit status 2."""


# -- the people and the policy ------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    key: str
    name: str
    email: str
    login: str | None
    level: str | None  # None: not in people.toml
    tz: str


ALICE = Person("alice", "Alice Archer", "alice@bank.example", "alice-archer", "senior", "+0000")
BOB = Person("bob", "Bob Baker", "bob@bank.example", "bob-baker", "mid", "+0100")
CAROL = Person("carol", "Carol Chen", "carol@bank.example", "carol-chen", "junior", "-0500")
DAVE = Person("dave", "Dave Diaz", "dave@bank.example", "dave-diaz", None, "+0530")
ERIN = Person("erin", "Erin Evans", "erin@contractor.example", None, None, "-0800")
PEOPLE = (ALICE, BOB, CAROL, DAVE, ERIN)
PEOPLE_WEIGHTS = (30, 30, 25, 9, 6)
ALICE_NOREPLY = "1001+alice-archer@users.noreply.github.com"
COPILOT_BOT = ("copilot-swe-agent[bot]", "198982749+Copilot@users.noreply.github.com")
GITHUB = ("GitHub", "noreply@github.com")

# The example policy of docs/contract.md, verbatim.
POLICY_TOML = r"""version = 1

# Clearance levels, least to most trusted.
levels = ["junior", "mid", "senior"]

# Tiers, listed from least to most risky. A file takes the riskiest tier that claims it:
# by a gitignore-style path pattern, or by a `content` regex matching one of its added lines.
[[tiers]]
name = "green"
paths = ["**"]                 # the catch-all
min_level = "junior"           # lowest level that may change these files at all
ai_min_level = "junior"        # lowest level that may land AI-assisted changes here
approvals = 1                  # distinct approvers, none of them an author of the change
approver_min_level = "junior"

[[tiers]]
name = "yellow"
paths = ["src/**"]
min_level = "junior"
ai_min_level = "mid"
approvals = 1
approver_min_level = "mid"
require_rationale = true       # every AI-assisted commit explains why the AI's work was accepted

[[tiers]]
name = "red"
paths = ["src/payments/**", "src/auth/**", "migrations/**", ".vouched/**"]
content = ['^\s*import (hashlib|hmac|ssl|secrets)\b']
min_level = "senior"           # "senior only, AI optional"
ai_min_level = "senior"
ai_allowed = true              # false: no AI-assisted commit may touch this tier
approvals = 2
approver_min_level = "senior"
require_rationale = true
require_declaration = true     # every commit says `Assisted-by: <agent>` or `Assisted-by: none`
stages = ["requirements", "design", "implementation", "review"]   # signed sign-offs (ledger)

[unknown_authors]
level = "none"                 # authors missing from people.toml: no clearance, or a named level
"""


def people_toml() -> str:
    blocks = []
    for p in PEOPLE:
        if p.level is None:
            continue
        emails = [p.email, ALICE_NOREPLY] if p is ALICE else [p.email]
        blocks.append(
            f"[people.{p.key}]\n"
            f'name = "{p.name}"\n'
            f'level = "{p.level}"\n'
            f"emails = {json.dumps(emails)}\n"
            f'github = "{p.login}"\n'
        )
    return "\n".join(blocks)


# -- words for messages and files -----------------------------------------------------------------------

PACKAGES = ("api", "billing", "core", "jobs", "models", "search", "ui", "util")
VERBS = (
    "fix", "add", "tidy", "speed up", "document", "handle", "refactor", "guard", "log", "validate",
    "simplify", "drop", "cache", "retry", "harden",
)  # fmt: skip
OBJECTS = (
    "session expiry", "the retry loop", "rounding in totals", "empty input", "config loading",
    "error messages", "pagination", "timeouts", "the login form", "token refresh", "currency codes",
    "search ranking", "a flaky test", "type hints", "the CSV export", "audit events", "rate limits",
)  # fmt: skip
WORDS = (
    "the", "request", "handler", "now", "checks", "that", "token", "before", "reading", "cache", "and",
    "returns", "early", "when", "input", "is", "empty", "this", "keeps", "old", "callers", "working",
    "while", "new", "code", "path", "uses", "stricter", "rules", "for", "expired", "sessions", "we",
    "measured", "no", "slowdown", "on", "large", "accounts", "follow-up", "will", "remove", "flag",
    "after", "rollout", "tests", "cover", "both", "branches", "a", "migration", "is", "not", "needed",
)  # fmt: skip
RATIONALES = (
    "the change is mechanical and every call site is covered by the existing tests",
    "I reviewed each hunk against the spec and rewrote the error handling by hand",
    "the generated parser matched the reference output on the full fixture corpus",
    "small refactor; I checked the diff line by line and ran the integration suite",
)


def sentence(rng: random.Random, lo: int = 7, hi: int = 16) -> str:
    return " ".join(rng.choices(WORDS, k=rng.randint(lo, hi))).capitalize() + "."


def wrap(text: str, width: int = 72) -> str:
    lines: list[str] = []
    line = ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    return "\n".join(lines)


# -- the history, as a fast-import stream -----------------------------------------------------------------


@dataclass
class Planted:
    """What the generator put in the history, to compare with what vouched reports."""

    commits: int = 0
    merges: int = 0
    assisted: int = 0
    declared_none: int = 0
    renames: int = 0
    deletes: int = 0


@dataclass
class Message:
    text: str
    author: tuple[str, str] | None = None  # overrides the human author (bots)
    assisted: bool = False
    declared_none: bool = False


class History:
    """Writes a deterministic history to a `git fast-import` stream, a chunk at a time."""

    def __init__(self, out: IO[bytes], seed: int) -> None:
        self.out = out
        self.rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
        self.files: dict[str, list[str]] = {}
        self.areas: dict[str, list[str]] = {}
        self.mark = 0
        self.tick = 0
        self.counter = 0
        self.planted = Planted()
        self._buf: list[bytes] = []
        self._size = 0

    # -- stream plumbing

    def _put(self, data: bytes) -> None:
        self._buf.append(data)
        self._size += len(data)
        if self._size > 1 << 20:
            self.flush()

    def flush(self) -> None:
        self.out.write(b"".join(self._buf))
        self._buf, self._size = [], 0

    def emit(
        self,
        ref: str,
        author: tuple[str, str],
        committer: tuple[str, str],
        tz: str,
        message: str,
        ops: Sequence[tuple[str, ...]],
        *,
        from_mark: int | None = None,
        merge_mark: int | None = None,
        author_lag: int = 0,
    ) -> int:
        self.mark += 1
        self.tick += 1
        when = START + TICK * self.tick
        msg = message.encode()
        parts = [
            f"commit {ref}\nmark :{self.mark}\n".encode(),
            f"author {author[0]} <{author[1]}> {when - author_lag} {tz}\n".encode(),
            f"committer {committer[0]} <{committer[1]}> {when} {tz}\n".encode(),
            b"data %d\n" % len(msg),
            msg,
            b"\n",
        ]
        if from_mark is not None:
            parts.append(b"from :%d\n" % from_mark)
        if merge_mark is not None:
            parts.append(b"merge :%d\n" % merge_mark)
        for op in ops:
            if op[0] == "M":
                blob = ("\n".join(self.files[op[1]]) + "\n").encode()
                parts.append(b"M 100644 inline %s\ndata %d\n" % (op[1].encode(), len(blob)))
                parts.append(blob)
                parts.append(b"\n")
            elif op[0] == "D":
                parts.append(b"D %s\n" % op[1].encode())
            else:  # rename
                parts.append(b"R %s %s\n" % (op[1].encode(), op[2].encode()))
        parts.append(b"\n")
        self._put(b"".join(parts))
        self.planted.commits += 1
        self.planted.merges += merge_mark is not None
        return self.mark

    def when(self, mark_tick: int | None = None) -> int:
        return START + TICK * (self.tick if mark_tick is None else mark_tick)

    # -- file contents

    @staticmethod
    def area_of(path: str) -> str:
        parts = path.split("/")
        if parts[0] == "src":
            return f"src/{parts[1]}"
        return parts[0] if len(parts) > 1 else "top"

    def add_file(self, path: str, lines: list[str]) -> None:
        if path not in self.files:
            self.areas.setdefault(self.area_of(path), []).append(path)
        self.files[path] = lines

    def new_line(self, path: str) -> str:
        self.counter += 1
        n, r = self.counter, self.rng.randrange(1_000_000)
        if path.endswith(".py"):
            return rng_choice_line(self.rng, n, r)
        return f"{sentence(self.rng, 5, 12)} ({n})"

    def initial_content(self, path: str) -> list[str]:
        if path.endswith(".py"):
            head = [f'"""{path}."""', "", "from __future__ import annotations", ""]
            return head + [self.new_line(path) for _ in range(self.rng.randint(10, 36))]
        if path.endswith(".md"):
            return [f"# {path}", ""] + [self.new_line(path) for _ in range(self.rng.randint(6, 24))]
        return [f"# {path}"] + [self.new_line(path) for _ in range(self.rng.randint(4, 12))]

    def modify(self, path: str) -> None:
        lines = self.files[path]
        roll = self.rng.random()
        at = self.rng.randrange(1, len(lines)) if len(lines) > 1 else 1
        if roll < 0.6 and len(lines) > 1:
            lines[at] = self.new_line(path)
        elif roll < 0.9 or len(lines) < 10:
            lines.insert(at, self.new_line(path))
        else:
            del lines[at]
        if len(lines) > 90:
            del lines[self.rng.randrange(1, len(lines))]

    def pick(self, area_weights: Sequence[tuple[str, int]], exclude: AbstractSet[str] = frozenset()) -> str:
        names = [a for a, _ in area_weights]
        weights = [w for _, w in area_weights]
        while True:
            area = self.rng.choices(names, weights)[0]
            pool = self.areas.get(area)
            if pool:
                path = self.rng.choice(pool)
                if path not in exclude:
                    return path

    # -- messages

    def person(self) -> Person:
        return self.rng.choices(PEOPLE, PEOPLE_WEIGHTS)[0]

    def subject(self, path: str) -> str:
        scope = self.area_of(path).removeprefix("src/")
        return f"{scope}: {self.rng.choice(VERBS)} {self.rng.choice(OBJECTS)}"

    def body(self) -> list[str]:
        roll = self.rng.random()
        count = 0 if roll < 0.4 else 1 if roll < 0.75 else self.rng.randint(2, 3)
        paragraphs = []
        for _ in range(count):
            text = " ".join(sentence(self.rng) for _ in range(self.rng.randint(1, 3)))
            paragraphs.append(wrap(text))
        return paragraphs

    def rationale(self) -> str:
        text = self.rng.choice(RATIONALES)
        if self.rng.random() < 0.4:  # a folded continuation line
            return f"AI-Rationale: {text};\n  {sentence(self.rng, 4, 8)}"
        return f"AI-Rationale: {text}"

    def message(self, subject: str, human: Person, *, ai_rate: float = 0.15, none_rate: float = 0.08) -> Message:
        paragraphs = [subject, *self.body()]
        trailers: list[str] = []
        roll = self.rng.random()
        msg = Message("")
        if roll < ai_rate:
            msg.assisted = True
            kind = self.rng.choices(("claude-code", "assisted-by", "cursor", "copilot", "aider"), (35, 25, 15, 15, 10))[
                0
            ]
            if kind == "claude-code":
                paragraphs.append("🤖 Generated with [Claude Code](https://claude.com/claude-code)")
                trailers.append("Co-Authored-By: Claude <noreply@anthropic.com>")
            elif kind == "assisted-by":
                trailers.append("Assisted-by: Claude:claude-opus-4-5")
            elif kind == "cursor":
                trailers.append("Co-authored-by: Cursor Agent <cursoragent@cursor.com>")
            elif kind == "copilot":
                msg.author = COPILOT_BOT
                trailers.append(f"Co-authored-by: {human.name} <{human.email}>")
            else:
                trailers.append("Assisted-by: aider:gpt-4.1")
            if self.rng.random() < 0.5:
                trailers.append(self.rationale())
        elif roll < ai_rate + none_rate:
            msg.declared_none = True
            trailers.append("Assisted-by: none")
        if self.rng.random() < 0.2:
            trailers.append(f"Signed-off-by: {human.name} <{human.email}>")
        if self.rng.random() < 0.05:
            trailers.append(f"Reviewed-by: {ALICE.name} <{ALICE.email}>")
        if trailers:
            paragraphs.append("\n".join(trailers))
        msg.text = "\n\n".join(paragraphs) + "\n"
        self.planted.assisted += msg.assisted
        self.planted.declared_none += msg.declared_none
        return msg

    def author_of(self, human: Person) -> tuple[str, str]:
        if human is ALICE and self.rng.random() < 0.3:
            return (ALICE.name, ALICE_NOREPLY)
        return (human.name, human.email)


def rng_choice_line(rng: random.Random, n: int, r: int) -> str:
    kind = rng.random()
    if kind < 0.5:
        return f"VALUE_{n} = {r}"
    if kind < 0.8:
        return f"def step_{n}(x: int) -> int: return x + {r}"
    return f"LIMITS_{n} = ({r}, {r % 97}, {r % 13})"


AREA_WEIGHTS = (
    *((f"src/{p}", 45 // len(PACKAGES) + 1) for p in PACKAGES),
    ("src/auth", 8),
    ("src/payments", 4),
    ("docs", 18),
    ("tests", 22),
    ("top", 3),
)


def write_main(h: History, n: int) -> int:
    """The history of `main`: exactly ``n`` commits (merges and their topic commits included)."""
    # 1. The initial tree.
    for pkg in PACKAGES:
        for i in range(40):
            h.add_file(f"src/{pkg}/m{i:02d}.py", [])
    for i in range(40):
        h.add_file(f"src/auth/a{i:02d}.py", [])
    for i in range(20):
        h.add_file(f"src/payments/p{i:02d}.py", [])
    # (directories stay small, as in real projects: fast-import rewrites a whole tree per change in it)
    for sub in ("", "guides/", "reference/"):
        for i in range(40):
            h.add_file(f"docs/{sub}d{i:02d}.md", [])
    for pkg in PACKAGES:
        for i in range(15):
            h.add_file(f"tests/{pkg}/test_m{i:02d}.py", [])
    for name in ("README.md", "CHANGELOG.md", "pyproject.toml"):
        h.add_file(name, [])
    for path in h.files:
        h.files[path] = h.initial_content(path)
    author = (ALICE.name, ALICE.email)
    tip = h.emit("refs/heads/main", author, author, ALICE.tz, "Initial import\n", [("M", p) for p in h.files])
    # 2. The policy, early.
    h.files[POLICY_FILES[0]] = POLICY_TOML.rstrip("\n").split("\n")
    h.files[POLICY_FILES[1]] = people_toml().rstrip("\n").split("\n")
    msg = "Add the vouched policy\n\nRisk tiers and the people who may change them.\n\nAssisted-by: none\n"
    h.planted.declared_none += 1
    tip = h.emit("refs/heads/main", author, author, ALICE.tz, msg, [("M", p) for p in POLICY_FILES])
    pr = 100
    while h.planted.commits < n:
        left = n - h.planted.commits
        if h.rng.random() < 0.025 and left >= 6:
            tip = write_topic(h, tip, pr, h.rng.randint(2, min(4, left - 2)))
            pr += 1
            continue
        tip = write_plain(h, "refs/heads/main")
    return tip


def write_plain(h: History, ref: str, exclude: AbstractSet[str] = frozenset()) -> int:
    human = h.person()
    count = h.rng.choices((1, 2, 3, 4, 5), (50, 30, 10, 6, 4))[0]
    paths: list[str] = []
    for _ in range(count):
        path = h.pick(AREA_WEIGHTS, exclude)
        if path not in paths:
            paths.append(path)
    ops: list[tuple[str, ...]] = []
    roll = h.rng.random()
    if roll < 0.005 and not exclude:  # rename, with a small edit so that -M pairs the two paths
        old = paths[0]
        stem, dot, ext = old.rpartition(".")
        new = f"{stem}_r{h.counter}{dot}{ext}"
        h.counter += 1
        h.areas[h.area_of(old)].remove(old)
        h.add_file(new, h.files.pop(old))
        h.modify(new)
        ops += [("R", old, new), ("M", new)]
        paths = paths[1:]
        h.planted.renames += 1
    elif roll < 0.008 and not exclude and len(h.files) > 400:
        old = paths[0]
        if old not in POLICY_FILES:
            h.areas[h.area_of(old)].remove(old)
            del h.files[old]
            ops.append(("D", old))
            paths = paths[1:]
            h.planted.deletes += 1
    elif roll < 0.02:  # a new file
        area = h.rng.choice([a for a, _ in AREA_WEIGHTS if a != "top"])
        ext = ".md" if area == "docs" else ".py"
        new = f"{area}/n{h.counter}{ext}"
        h.counter += 1
        h.add_file(new, h.initial_content(new))
        ops.append(("M", new))
    for path in paths:
        h.modify(path)
        ops.append(("M", path))
    subject = h.subject(paths[0] if paths else ops[0][-1])
    msg = h.message(subject, human)
    author = msg.author or h.author_of(human)
    committer = GITHUB if msg.author else author
    lag = h.rng.choice((0, 0, 0, 0, 3600, 86_400))
    return h.emit(ref, author, committer, human.tz, msg.text, ops, author_lag=lag)


def write_topic(h: History, fork: int, pr: int, length: int) -> int:
    """A pull request merged with a merge commit: ``length`` topic commits, one commit on main, the merge."""
    human = h.person()
    touched: set[str] = set()
    topic_tip = fork
    first_subject = ""
    for i in range(length):
        paths = {h.pick(AREA_WEIGHTS) for _ in range(h.rng.randint(1, 3))} - set(POLICY_FILES)
        for path in paths:
            h.modify(path)
        touched |= paths
        subject = h.subject(next(iter(sorted(paths)))) if paths else "tidy"
        first_subject = first_subject or subject
        msg = h.message(subject, human)
        author = msg.author or h.author_of(human)
        committer = GITHUB if msg.author else author
        topic_tip = h.emit(
            "refs/heads/_topic",
            author,
            committer,
            human.tz,
            msg.text,
            [("M", p) for p in sorted(paths)],
            from_mark=fork if i == 0 else None,
        )
    # main moves on meanwhile, on other files (so that the merge is clean and its tree is the union)
    write_plain(h, "refs/heads/main", exclude=touched | set(POLICY_FILES))
    text = f"Merge pull request #{pr} from bank/topic-{pr}\n\n{first_subject}\n"
    return h.emit(
        "refs/heads/main",
        (human.name, human.email),
        GITHUB,
        human.tz,
        text,
        [("M", p) for p in sorted(touched)],
        merge_mark=topic_tip,
    )


def write_feature(h: History, main_tip: int) -> list[int]:
    """The change under review: 50 commits from main's tip touching 200 distinct files, all tiers."""
    rng = h.rng
    red = rng.sample(h.areas["src/auth"] + h.areas["src/payments"], 30)
    red += [f"src/auth/flow_{i:02d}.py" for i in range(10)]
    yellow_pool = [p for pkg in PACKAGES for p in h.areas[f"src/{pkg}"]]
    yellow = rng.sample(yellow_pool, 90) + [f"src/api/flag_{i:02d}.py" for i in range(10)]
    green = rng.sample(h.areas["docs"], 40) + rng.sample(h.areas["tests"], 20)
    targets = red + yellow + green
    assert len(set(targets)) == 200
    rng.shuffle(targets)
    crypto = set(rng.sample(yellow, 3))  # yellow paths whose added lines make them red by content
    marks: list[int] = []
    done: list[str] = []
    authors = [ALICE] * 20 + [BOB] * 20 + [CAROL] * 10
    rng.shuffle(authors)
    for i in range(50):
        chunk = targets[4 * i : 4 * i + 4]
        if done and rng.random() < 0.3:
            chunk.append(rng.choice(done))
        ops: list[tuple[str, ...]] = []
        for path in chunk:
            if path not in h.files:
                h.add_file(path, h.initial_content(path))
            else:
                lines = h.files[path]
                at = rng.randrange(1, len(lines) + 1)
                added = [h.new_line(path) for _ in range(rng.randint(3, 6))]
                if path in crypto and path not in done:
                    added.insert(0, "import hashlib")
                lines[at:at] = added
            ops.append(("M", path))
        done += [p for p in chunk if p not in done]
        human = authors[i]
        trailers = []
        if i % 4 == 1:
            trailers += ["Assisted-by: Claude:claude-opus-4-5", h.rationale()]
            h.planted.assisted += 1
        elif i == 6 or i == 30:
            trailers.append("Co-Authored-By: Claude <noreply@anthropic.com>")
            h.planted.assisted += 1
        elif i == 18:
            trailers.append("Co-authored-by: Cursor Agent <cursoragent@cursor.com>")
            h.planted.assisted += 1
        elif i % 4 == 3:
            trailers.append("Assisted-by: none")
            h.planted.declared_none += 1
        paragraphs = [f"feature: {rng.choice(VERBS)} {rng.choice(OBJECTS)} ({i + 1}/50)", *h.body()]
        if trailers:
            paragraphs.append("\n".join(trailers))
        person = (human.name, human.email)
        marks.append(
            h.emit(
                "refs/heads/feature",
                person,
                person,
                human.tz,
                "\n\n".join(paragraphs) + "\n",
                ops,
                from_mark=main_tip if i == 0 else None,
            )
        )
    assert len(done) == 200
    return marks


# -- building and caching the repository ---------------------------------------------------------------


def git_env(home: Path) -> dict[str, str]:
    """An environment that ignores the user's and the system's git configuration.

    Python keeps its bytecode cache in the work directory (never in src/), and writes it even when
    PYTHONDONTWRITEBYTECODE is set: an installed vouched starts from bytecode, so that is what we time.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(home.parent.parent / "pycache")
    env.update(
        {
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "HOME": str(home),
            "LC_ALL": "C",
            "LANGUAGE": "C",
            "GIT_PAGER": "cat",
            "PAGER": "cat",
        }
    )
    return env


def git(repo: Path, env: dict[str, str], *args: str, input: bytes | None = None) -> str:
    proc = subprocess.run(["git", "-C", str(repo), *args], input=input, capture_output=True, env=env, check=False)
    if proc.returncode != 0:
        raise BenchError(f"git {' '.join(args)} failed: {proc.stderr.decode(errors='replace').strip()}")
    return proc.stdout.decode()


@dataclass
class Repo:
    root: Path  # holds repo/, home/, approvals.json, meta.json
    meta: dict[str, Any]

    @property
    def path(self) -> Path:
        return self.root / "repo"

    @property
    def approvals(self) -> Path:
        return self.root / "approvals.json"

    @property
    def env(self) -> dict[str, str]:
        return git_env(self.root / "home")


def ensure_repo(work: Path, commits: int, seed: int, rebuild: bool) -> Repo:
    key = f"spine-{commits}c-seed{seed}-gen{GENERATOR_VERSION}"
    root = work / key
    meta_path = root / "meta.json"
    if meta_path.exists() and not rebuild:
        repo = Repo(root, json.loads(meta_path.read_text()))
        try:
            tip = git(repo.path, repo.env, "rev-parse", "refs/heads/main").strip()
        except BenchError:
            tip = ""
        if tip == repo.meta["main"]:
            log(f"reusing {root} (pass --rebuild to build it again)")
            return repo
        log(f"{root} looks damaged; rebuilding")
    if root.exists():
        shutil.rmtree(root)
    work.mkdir(parents=True, exist_ok=True)
    staging = work / f"{key}.building-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    try:
        meta = build(staging, commits, seed)
        staging.rename(root)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Repo(root, meta)


def build(root: Path, commits: int, seed: int) -> dict[str, Any]:
    repo = root / "repo"
    (root / "home").mkdir(parents=True)
    repo.mkdir()
    env = git_env(root / "home")
    git(repo, env, "init", "-q", "-b", "main")
    log(f"building {commits:,} commits with git fast-import in {repo} ...")
    started = time.perf_counter()
    proc = subprocess.Popen(
        ["git", "-C", str(repo), "fast-import", "--quiet", "--done"],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdin is not None
    h = History(proc.stdin, seed)
    try:
        main_tip = write_main(h, commits)
        feature_marks = write_feature(h, main_tip)
        h._put(b"done\n")
        h.flush()
        proc.stdin.close()
    except BrokenPipeError:
        pass
    err = proc.stderr.read() if proc.stderr else b""
    if proc.wait() != 0:
        raise BenchError(f"git fast-import failed: {err.decode(errors='replace').strip()}")
    git(repo, env, "update-ref", "-d", "refs/heads/_topic")
    # fast-import's pack interleaves commits with blobs and trees; a clone or `git gc` writes commits
    # first. Without this, `git log` touches (and counts as resident) most of the pack: 2.5x its RSS.
    git(repo, env, "repack", "-a", "-d", "-q")
    git(repo, env, "commit-graph", "write", "--reachable", "--no-progress")
    git(repo, env, "reset", "-q", "--hard", "main")
    main = git(repo, env, "rev-parse", "main").strip()
    feature = git(repo, env, "rev-parse", "feature").strip()
    counted = int(git(repo, env, "rev-list", "--count", "main").strip())
    if counted != commits:
        raise BenchError(f"generator bug: main has {counted} commits, wanted {commits}")
    # The pull request's reviews, as GitHub's API lists them: stale, commented, and current approvals.
    older = git(repo, env, "rev-parse", "feature~7").strip()
    base_time = h.when()
    reviews = [
        review(1, CAROL, "APPROVED", older, base_time - 5000, "LGTM"),
        review(2, BOB, "COMMENTED", older, base_time - 4000, "One question on the retry loop."),
        review(3, ALICE, "APPROVED", feature, base_time + 600, ""),
        review(4, DAVE, "APPROVED", feature, base_time + 900, "Looks good."),
        review(5, BOB, "APPROVED", feature, base_time + 1200, ""),
    ]
    (root / "approvals.json").write_text(json.dumps(reviews, indent=2) + "\n")
    planted = h.planted
    meta = {
        "generator": GENERATOR_VERSION,
        "seed": seed,
        "commits": commits,
        "main": main,
        "feature": feature,
        "feature_commits": len(feature_marks),
        "feature_files": 200,
        "planted_on_main": {
            "merges": planted.merges,
            "renames": planted.renames,
            "deletes": planted.deletes,
        },
        "planted_total": {"assisted": planted.assisted, "declared_none": planted.declared_none},
        "build_seconds": round(time.perf_counter() - started, 1),
    }
    # Count on main alone, so that the provenance sanity check has an exact expectation.
    meta["assisted_on_main"] = count_assisted_hint(repo, env)
    (root / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    size = sum(f.stat().st_size for f in (repo / ".git").rglob("*") if f.is_file())
    log(f"built in {meta['build_seconds']} s ({size / 1e6:.0f} MB of .git)")
    return meta


def count_assisted_hint(repo: Path, env: dict[str, str]) -> int:
    """The commits on main whose message or author carries a marker the generator plants."""
    out = git(repo, env, "log", "-z", "--format=%an%n%B", "main")
    markers = ("Co-Authored-By: Claude", "Assisted-by: Claude", "Cursor Agent", "Assisted-by: aider")
    return sum(
        1 for rec in out.split("\0") if rec.startswith("copilot-swe-agent[bot]") or any(m in rec for m in markers)
    )


def review(n: int, who: Person, state: str, sha: str, when: int, body: str) -> dict[str, Any]:
    stamp = dt.datetime.fromtimestamp(when, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "id": 900_000 + n,
        "user": {"login": who.login, "id": 5000 + n, "type": "User"},
        "body": body,
        "state": state,
        "commit_id": sha,
        "submitted_at": stamp,
        "author_association": "MEMBER",
    }


# -- running things -------------------------------------------------------------------------------------


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def snapshot(rev: str, work: Path) -> Path:
    """Extract src/vouched as committed at ``rev`` (once per commit); return the directory to import from."""
    top = HERE.parent
    proc = subprocess.run(
        ["git", "-C", str(top), "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
        capture_output=True,
        check=False,
    )
    sha = proc.stdout.decode().strip()
    if proc.returncode != 0 or not sha:
        raise BenchError(f"--rev {rev}: not a commit of {top}")
    dest = work / f"src-{sha[:12]}"
    if not (dest / "vouched" / "__init__.py").exists():
        staging = work / f"src-{sha[:12]}.extracting-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        with tempfile.TemporaryFile() as archive:
            subprocess.run(
                ["git", "-C", str(top), "archive", "--format=tar", sha, "src/vouched"],
                stdout=archive,
                check=True,
            )
            archive.seek(0)
            with tarfile.open(fileobj=archive) as tar:
                tar.extractall(staging, filter="data")
        shutil.rmtree(dest, ignore_errors=True)
        (staging / "src").rename(dest)
        shutil.rmtree(staging)
    log(f"timing vouched as of {sha[:12]} ({rev}), from {dest}")
    return dest


def find_vouched(explicit: str | None, *, module: bool = False) -> list[str]:
    """The real vouched command: next to this interpreter, else `python -m vouched`."""
    if module:
        cmd = [sys.executable, "-m", "vouched"]
    elif explicit:
        cmd = [explicit]
    else:
        beside = Path(sys.executable).parent / "vouched"
        if beside.exists():
            cmd = [str(beside)]
        elif importlib.util.find_spec("vouched") is not None:
            cmd = [sys.executable, "-m", "vouched"]
        else:
            raise BenchError(
                f"vouched is not installed for {sys.executable}: there is no {beside} and no module "
                "vouched. Run this script with the interpreter of the environment vouched is installed "
                "in (e.g. `.venv/bin/python benchmarks/bench_spine.py`), or pass --baseline-only."
            )
    for sub in ([], ["provenance"], ["check"]):
        proc = subprocess.run([*cmd, *sub, "--help"], capture_output=True, check=False)
        if proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).decode(errors="replace").strip().splitlines()[-3:]
            raise BenchError(
                f"`{' '.join([*cmd, *sub])} --help` exited {proc.returncode}; the vouched CLI "
                f"{'is not usable' if not sub else f'has no working `{sub[0]}` command'} yet:\n  "
                + "\n  ".join(tail)
                + "\n(pass --baseline-only to time the git baselines alone)"
            )
    return cmd


@dataclass(frozen=True)
class Sample:
    wall: float  # seconds
    cpu: float  # user + system seconds of the process and of the processes it waited for (its git)

    def __add__(self, other: Sample) -> Sample:
        return Sample(self.wall + other.wall, self.cpu + other.cpu)


def run(
    cmd: Sequence[str],
    cwd: Path,
    env: dict[str, str],
    *,
    stdin: bytes | None = None,
    ok: Sequence[int] = (0,),
    stdout: int | IO[bytes] = subprocess.DEVNULL,
) -> Sample:
    """Run one command in a fresh process, output discarded; return its wall and CPU time."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            cmd,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
            stdout=stdout,
            stderr=err,
        )
        if proc.stdin is not None:
            proc.stdin.write(stdin or b"")
            proc.stdin.close()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in ok:
            err.seek(0)
            text = err.read().decode(errors="replace").strip()
            raise BenchError(f"`{' '.join(cmd)}` exited {proc.returncode}:\n{text[-2000:]}")
    return Sample(wall, usage.ru_utime + usage.ru_stime)


# Runs a command and prints getrusage(RUSAGE_CHILDREN).ru_maxrss (KiB): the peak RSS of the largest
# process among the command and the processes it waited for. It runs in a small process of its own
# because Linux carries the peak RSS of a process across fork and exec into its children: measured from
# this (larger) script, every command would seem to use at least as much memory as the script itself.
_RSS_PROBE = (
    "import resource, subprocess, sys\n"
    "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
    "print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
)


def peak_rss(cmd: Sequence[str], cwd: Path, env: dict[str, str], ok: Sequence[int] = (0,)) -> float:
    """Max RSS in MB of a fresh process running ``cmd`` and the processes it waited for."""
    proc = subprocess.run(
        [sys.executable, "-S", "-c", _RSS_PROBE, *cmd], cwd=cwd, env=env, capture_output=True, check=False
    )
    *err, last = proc.stderr.decode(errors="replace").strip().splitlines() or [""]
    rc, _, kib = last.partition(" ")
    if proc.returncode != 0 or not rc.lstrip("-").isdigit() or int(rc) not in ok:
        detail = "\n".join(err[-20:]) or last
        raise BenchError(f"`{' '.join(cmd)}` exited {rc or proc.returncode}:\n{detail}")
    return int(kib) / 1024  # Linux reports KiB


# Runs vouched's own entry point in this interpreter and records the process's own peak RSS on exit.
_RSS_WRAPPER = (
    "import atexit, os, resource, sys\n"
    "def _report():\n"
    "    with open(os.environ['BENCH_RSS_FILE'], 'w') as f:\n"
    "        f.write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))\n"
    "atexit.register(_report)\n"
    "from vouched.cli import main\n"
    "sys.argv[0] = 'vouched'\n"
    "sys.exit(main())\n"
)


def alternate(runs: int, a: Callable[[], Sample] | None, b: Callable[[], Sample]) -> tuple[list[Sample], list[Sample]]:
    """Time ``a`` and ``b`` in rounds A,B,A,B,... after one untimed warm-up round."""
    if a is not None:
        a()
    b()
    sa: list[Sample] = []
    sb: list[Sample] = []
    for _ in range(runs):
        if a is not None:
            sa.append(a())
        sb.append(b())
    return sa, sb


# -- results --------------------------------------------------------------------------------------------


# Row, fmt and print_table live in _results.py (shared with bench_metrics.py).


# -- the benchmarks -------------------------------------------------------------------------------------


def bench_provenance(repo: Repo, vouched: list[str] | None, runs: int, keep: Path | None) -> list[Row]:
    env, cwd = repo.env, repo.path
    n = repo.meta["commits"]
    git_log = ["git", "-C", str(cwd), "log", "-z", f"--format={LOG_FORMAT}", "HEAD"]
    cmd = [*vouched, "provenance", "--format", "jsonl"] if vouched else None
    row = Row(f"a1. provenance jsonl, {n:,} commits", baseline_name="git log -z --format=<vouched's fields>")
    cpu = Row(f"a2. provenance CPU (user+sys), {n:,}", baseline_name="the same git log")
    row.goal = f"ratio <= {GOAL_PROVENANCE_RATIO}"
    if cmd:
        sanity_provenance(cmd, repo, keep)
    log(f"a. provenance: {runs} alternating rounds ...")
    measured, baseline = alternate(runs, (lambda: run(cmd, cwd, env)) if cmd else None, lambda: run(git_log, cwd, env))
    row.measured, row.baseline = [m.wall for m in measured], [b.wall for b in baseline]
    cpu.measured, cpu.baseline = [m.cpu for m in measured], [b.cpu for b in baseline]
    if cmd:
        ratio = row.ratio
        row.met = ratio is not None and ratio <= GOAL_PROVENANCE_RATIO
        row.note = f"{n / statistics.median(row.measured):,.0f} commits/s through vouched"
        cpu.note = (
            "vouched's Python and its git child together; unlike wall time, hardly moved by other load "
            "(vouched needs two CPUs at once, the bare git log one)"
        )
    return [row, cpu]


def sanity_provenance(cmd: list[str], repo: Repo, keep: Path | None) -> None:
    """One untimed run whose output is read: every commit once, and about the planted AI markers."""
    with tempfile.TemporaryFile() as out:
        run(cmd, repo.path, repo.env, stdout=out)
        out.seek(0)
        data = out.read()
    if keep:
        (keep / "provenance.jsonl").write_bytes(data)
    objects = assisted = 0
    for line in data.splitlines():
        if line.strip():
            objects += 1
            assisted += bool(json.loads(line).get("ai", {}).get("assisted"))
    want = repo.meta["commits"]
    planted = repo.meta["assisted_on_main"]
    log(f"   provenance printed {objects:,} objects ({assisted:,} assisted; {planted:,} planted)")
    if objects != want:
        log(f"   WARNING: expected one object per commit, {want:,}")


def check_plumbing(repo: Repo) -> Callable[[], Sample]:
    """The git calls a check cannot avoid, run back to back: what a perfect wrapper would cost."""
    env, cwd = repo.env, repo.path
    g = ["git", "-C", str(cwd)]
    base = git(cwd, env, "rev-parse", "main").strip()
    head = repo.meta["feature"]
    fork = git(cwd, env, "merge-base", base, head).strip()
    listing = git(cwd, env, "ls-tree", "-z", "--full-tree", base, "--", *POLICY_FILES)
    oids = [e.split("\t")[0].split(" ")[2] for e in listing.split("\0") if e]
    batch = ("\n".join(oids) + "\n").encode()
    steps: list[tuple[list[str], bytes | None]] = [
        ([*g, "rev-parse", "--git-dir"], None),
        ([*g, "rev-parse", "--verify", "--quiet", "--end-of-options", "main^{commit}"], None),
        ([*g, "rev-parse", "--verify", "--quiet", "--end-of-options", "feature^{commit}"], None),
        ([*g, "merge-base", base, head], None),
        (
            [
                *g,
                *("log", "-z", f"--format={LOG_FORMAT}", "--raw", "-M", "--no-abbrev"),
                *("--diff-merges=dense-combined", f"{fork}..{head}", "--"),
            ],
            None,
        ),
        ([*g, "diff", "-z", "--raw", "-p", "-U0", "-M", "--no-abbrev", fork, head, "--"], None),
        ([*g, "ls-tree", "-z", "--full-tree", base, "--", *POLICY_FILES], None),
        ([*g, "cat-file", "--batch"], batch),
    ]

    def plumbing() -> Sample:
        started = time.perf_counter()
        cpu = sum((run(cmd, cwd, env, stdin=stdin).cpu for cmd, stdin in steps), 0.0)
        return Sample(time.perf_counter() - started, cpu)

    return plumbing


def bench_check(repo: Repo, vouched: list[str] | None, runs: int, keep: Path | None) -> list[Row]:
    env, cwd = repo.env, repo.path
    args = ["check", "--base", "main", "--head", "feature", "--approvals", str(repo.approvals)]
    cmd = [*vouched, *args, "--format", "json"] if vouched else None
    if cmd:
        sanity_check(cmd, repo, keep)
    log(f"b. check: {runs} alternating rounds ...")
    samples, base_samples = alternate(
        runs, (lambda: run(cmd, cwd, env, ok=(0, 1))) if cmd else None, check_plumbing(repo)
    )
    measured, baseline = [m.wall for m in samples], [b.wall for b in base_samples]
    wall = Row("b1. check, 50 commits / 200 files", measured, goal=f"< {GOAL_CHECK_SECONDS} s")
    ratio = Row("b2. check vs its git plumbing", measured, baseline, goal=f"ratio <= {GOAL_CHECK_RATIO}")
    cpu = Row("b3. check CPU (user+sys)", [m.cpu for m in samples], [b.cpu for b in base_samples])
    cpu.baseline_name = "the same git calls"
    ratio.baseline_name = "8 git calls back to back (rev-parse x3, merge-base, log --raw, diff -p, ls-tree, cat-file)"
    if cmd:
        wall.met = statistics.median(measured) < GOAL_CHECK_SECONDS
        r = ratio.ratio
        ratio.met = r is not None and r <= GOAL_CHECK_RATIO

    log(f"b. python start-up and imports: {runs} alternating rounds ...")
    py = sys.executable
    imports_s, bare_s = alternate(
        runs,
        lambda: run([py, "-c", "import vouched.cli"], cwd, env),
        lambda: run([py, "-S", "-c", "pass"], cwd, env),
    )
    imports, bare = [m.wall for m in imports_s], [b.wall for b in bare_s]
    startup = Row("b4. python + import vouched.cli", imports, bare, baseline_name="python -S -c pass")
    if cmd:
        rest = statistics.median(measured) - statistics.median(baseline) - statistics.median(imports)
        startup.note = (
            f"check = plumbing {fmt(statistics.median(baseline), 's')} + start-up and imports "
            f"{fmt(statistics.median(imports), 's')} + the rest (parsing, evaluation, output) "
            f"~ {fmt(rest, 's')}"
        )
    return [wall, ratio, cpu, startup]


def sanity_check(cmd: list[str], repo: Repo, keep: Path | None) -> None:
    with tempfile.TemporaryFile() as out:
        run(cmd, repo.path, repo.env, ok=(0, 1), stdout=out)
        out.seek(0)
        data = out.read()
    if keep:
        (keep / "check.json").write_bytes(data)
    try:
        verdict = json.loads(data)
    except ValueError:
        log("   WARNING: check --format json did not print JSON")
        return
    log(
        f"   check says {verdict.get('verdict')!r}, tier {verdict.get('tier')!r}, "
        f"{len(verdict.get('commits', []))} commits (50 planted), {len(verdict.get('files', []))} files "
        f"(200 planted), {len(verdict.get('findings', []))} findings"
    )


def bench_memory(repo: Repo, vouched: list[str] | None, runs: int) -> list[Row]:
    env, cwd = repo.env, repo.path
    n = repo.meta["commits"]
    git_log = ["git", "-C", str(cwd), "log", "-z", f"--format={LOG_FORMAT}", "HEAD"]
    rounds = max(1, min(runs, 3))
    log(f"c. peak memory: {rounds} rounds ...")
    base: list[float] = []
    goal = f"< {GOAL_RSS_MB:.0f} MB" + ("" if n == GOAL_RSS_AT else f" (set at {GOAL_RSS_AT:,})")
    own = Row(f"c1. provenance peak RSS, python, {n:,}", unit="MB", baseline=base, goal=goal)
    own.baseline_name = "peak RSS of the bare git log"
    tree = Row(f"c2. provenance peak RSS, + git child, {n:,}", unit="MB", baseline=base)
    tree.note = "RUSAGE_CHILDREN of a fresh probe: the larger of vouched's process and its git child"
    if not vouched:
        base += [peak_rss(git_log, cwd, env) for _ in range(rounds)]
        return [own]
    wrapper = [sys.executable, "-c", _RSS_WRAPPER, "provenance", "--format", "jsonl"]
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "rss"
        for _ in range(rounds):
            base.append(peak_rss(git_log, cwd, env))
            tree.measured.append(peak_rss(wrapper, cwd, {**env, "BENCH_RSS_FILE": str(report)}))
            own.measured.append(int(report.read_text()) / 1024)
    own.met = statistics.median(own.measured) < GOAL_RSS_MB
    return [own, tree]


def profile(repo: Repo, only: AbstractSet[str], top: int) -> None:
    """cProfile one run of provenance and of check (as selected); print where the time goes."""
    args = {
        "provenance": ["provenance", "--format", "jsonl"],
        "check": [
            *("check", "--base", "main", "--head", "feature"),
            *("--approvals", str(repo.approvals), "--format", "json"),
        ],
    }
    with tempfile.TemporaryDirectory() as tmp:
        for name, argv in args.items():
            if name not in only:
                continue
            out = Path(tmp) / f"{name}.prof"
            cmd = [sys.executable, "-m", "cProfile", "-o", str(out), "-m", "vouched", *argv]
            run(cmd, repo.path, repo.env, ok=(0, 1))
            for order in ("tottime", "cumulative"):
                print(f"\n=== cProfile of `python -m vouched {name} ...`, top {top} by {order} ===")
                stats = pstats.Stats(str(out), stream=sys.stdout)
                stats.strip_dirs().sort_stats(order).print_stats(top)


def import_breakdown(repo: Repo, top: int = 10) -> list[str]:
    """The slowest imports under `import vouched.cli`, from ``python -X importtime``."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import vouched.cli"],
        capture_output=True,
        env=repo.env,
        cwd=repo.path,
        check=False,
    )
    rows = []
    for line in proc.stderr.decode().splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        self_us, cum_us, name = line.removeprefix("import time:").split("|")
        rows.append((int(cum_us), int(self_us), name.rstrip()))
    rows.sort(key=lambda r: -r[0])
    return [f"{cum / 1000:7.1f} ms cumulative {own / 1000:6.1f} ms self  {name}" for cum, own, name in rows[:top]]


# -- main -----------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--commits", type=int, default=50_000, help="commits on main (default 50000)")
    p.add_argument("--runs", type=int, default=5, help="timed rounds per measurement (default 5)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help="generator seed")
    p.add_argument("--work", type=Path, default=DEFAULT_WORK, help="where repositories are cached")
    p.add_argument("--rebuild", action="store_true", help="build the repository again even if cached")
    p.add_argument("--tmp", action="store_true", help="build in a temporary directory, removed at the end")
    p.add_argument(
        "--keep",
        action="store_true",
        help="keep what is normally thrown away: vouched's output of the untimed sanity runs "
        "(provenance.jsonl, check.json, next to the repository) and, with --tmp, the repository",
    )
    p.add_argument("--json", type=Path, metavar="FILE", help="also write the results as JSON to FILE")
    p.add_argument("--vouched", metavar="PATH", help="the vouched executable (default: next to python)")
    p.add_argument(
        "--rev",
        metavar="REV",
        help="time vouched's source as committed at REV (e.g. HEAD), extracted to the work directory and "
        "run with `python -m vouched`, instead of the (possibly half-edited) working tree",
    )
    p.add_argument("--baseline-only", action="store_true", help="time the git baselines only")
    p.add_argument("--only", choices=("provenance", "check", "memory"), action="append", help="run only these")
    p.add_argument("--profile", action="store_true", help="also print a cProfile of provenance and check")
    args = p.parse_args(argv)
    if args.commits < 100:
        p.error("--commits must be at least 100")
    if args.runs < 1:
        p.error("--runs must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return _main(args)
    except BenchError as exc:
        print(f"bench_spine: {exc}", file=sys.stderr)
        return 2


def _main(args: argparse.Namespace) -> int:
    if shutil.which("git") is None:
        raise BenchError("git is not on PATH")
    if args.rev and not args.baseline_only:
        src = snapshot(args.rev, args.work)
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(src), os.environ.get("PYTHONPATH")]))
        args.vouched = None
        where = subprocess.run(
            [sys.executable, "-c", "import vouched; print(vouched.__file__)"], capture_output=True, check=False
        )
        if not where.stdout.decode().strip().startswith(str(src)):
            raise BenchError(f"--rev: `import vouched` does not load {src}: {where.stdout.decode().strip()}")
    vouched = None if args.baseline_only else find_vouched(args.vouched, module=bool(args.rev))
    tmp = Path(tempfile.mkdtemp(prefix="bench-spine-")) if args.tmp else None
    try:
        repo = ensure_repo(tmp or args.work, args.commits, args.seed, args.rebuild)
        keep = repo.root if args.keep else None
        only = set(args.only or ("provenance", "check", "memory"))
        load_before = os.getloadavg()
        started = time.perf_counter()
        rows: list[Row] = []
        if "provenance" in only:
            rows += bench_provenance(repo, vouched, args.runs, keep)
        if "check" in only:
            rows += bench_check(repo, vouched, args.runs, keep)
        if "memory" in only:
            rows += bench_memory(repo, vouched, args.runs)
        elapsed = time.perf_counter() - started
        load_after = os.getloadavg()
        git_version = subprocess.run(["git", "--version"], capture_output=True, check=False).stdout.decode()
        print()
        print(
            f"vouched spine benchmark: {args.commits:,} commits on main, {args.runs} rounds, "
            f"{'vouched: ' + ' '.join(vouched) if vouched else 'baselines only'}"
        )
        print(
            f"{git_version.strip()}, Python {platform.python_version()}, {os.cpu_count()} CPUs, "
            f"load {load_before[0]:.2f} -> {load_after[0]:.2f}, {elapsed:.0f} s of measuring"
        )
        print(f"repository: {repo.path}")
        print()
        print_table(rows)
        if "check" in only:
            print("\n  slowest imports under `import vouched.cli` (cumulative):")
            for line in import_breakdown(repo):
                print(f"    {line}")
        if keep and vouched:
            print(f"\n  sanity-run outputs kept in {keep}")
        if args.profile and vouched:
            profile(repo, only, 25)
        if args.json:
            report = {
                "commits": args.commits,
                "runs": args.runs,
                "seed": args.seed,
                "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "git": git_version.strip(),
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "load": [load_before[0], load_after[0]],
                "vouched": vouched,
                "rev": args.rev,
                "repository": repo.meta,
                "rows": [r.to_json() for r in rows],
            }
            args.json.write_text(json.dumps(report, indent=2) + "\n")
            print(f"\n  results written to {args.json}")
        return 0
    finally:
        if tmp is not None and not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        elif tmp is not None:
            log(f"kept {tmp}")


if __name__ == "__main__":
    sys.exit(main())
