"""A first policy for a repository, for `vouched init`: a proposal to review, never a verdict.

:func:`starter` looks only at the paths the repository tracks. Paths that look like authentication,
sessions, cryptography, secrets, payments, migrations, infrastructure or CI go to the red tier; the rest
of the source to yellow; documentation, tests and everything else to green through the catch-all. Each
proposed pattern matches at least one tracked path (``.vouched/**`` is always red), so every line of the
proposal can be checked against the repository, and each comes with a one-line reason.

The text is commented to teach the format; it always parses with :func:`~vouched.policy.parse_policy`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from vouched.model import Identity
from vouched.policy.model import POLICY_DIR, compile_path_pattern

__all__ = ["Explanation", "Starter", "starter"]

LEVELS = ("junior", "mid", "senior")
_COLLAPSE = 3  # more places than this with the same name: one pattern for all of them

_RED_WORDS: dict[str, str] = {}
for _words, _why in (
    (
        "auth authn authz authentication authorization oauth oauth2 login logins signin sso session sessions",
        "authentication and sessions decide who gets in",
    ),
    ("crypto cryptography security secrets secret", "cryptography, security controls and secrets"),
    ("payment payments billing", "payments and billing move money"),
    ("migration migrations alembic", "database migrations change production data and are hard to undo"),
    ("infra infrastructure terraform k8s kubernetes helm", "infrastructure and deployment configuration"),
):
    for _w in _words.split():
        _RED_WORDS[_w] = _why
# File stems that are red on their own (auth.py, login.ts, billing.go); fewer than for directories.
_RED_FILE_WORDS = {
    w: _RED_WORDS[w]
    for w in (
        "auth",
        "authentication",
        "authorization",
        "oauth",
        "login",
        "session",
        "sessions",
        "crypto",
        "security",
        "secrets",
        "payment",
        "payments",
        "billing",
    )
}
_GREEN_DIRS = {
    "doc",
    "docs",
    "documentation",
    "test",
    "tests",
    "testing",
    "__tests__",
    "spec",
    "specs",
    "e2e",
    "examples",
    "example",
    "fixtures",
    "testdata",
}
_DOC_EXTENSIONS = {".md", ".markdown", ".rst", ".adoc", ".txt", ".png", ".jpg", ".jpeg", ".gif", ".svg"}
_DOC_NAMES = {"license", "licence", "notice", "authors", "contributors", "changelog", "copying", "readme"}
_UNSAFE = re.compile(r"[\x00-\x1f\x7f]|[\ud800-\udfff]")
_GLOB_SPECIAL = re.compile(r"([\\*?\[\]])")
_CRYPTO_IMPORT = r"^\s*(import|from) (hashlib|hmac|ssl|secrets|cryptography|jwt)\b"


class Explanation(NamedTuple):
    tier: str
    pattern: str
    why: str


@dataclass(frozen=True)
class Starter:
    """The proposed ``.vouched/policy.toml`` and ``.vouched/people.toml`` text, and why each pattern."""

    policy: str
    people: str
    explanations: tuple[Explanation, ...]


def _glob_escape(path: str) -> str:
    out = _GLOB_SPECIAL.sub(r"\\\1", path)
    if out.startswith(("!", "#")):
        out = "\\" + out
    if out.endswith(" "):
        out = out[:-1] + "\\ "
    return out


def _toml_str(text: str) -> str:
    """A TOML string for ``text``: literal (as written) when possible, else basic with escapes."""
    if "'" not in text and not _UNSAFE.search(text):
        return f"'{text}'"
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F or 0xD800 <= ord(ch) <= 0xDFFF:
            out.append(f"\\u{ord(ch) if ord(ch) < 0xD800 else 0xFFFD:04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _is_greenish(segs: list[str]) -> bool:
    base = segs[-1].lower()
    if any(s.lower() in _GREEN_DIRS for s in segs[:-1]):
        return True
    stem, dot, ext = base.rpartition(".")
    if dot and f".{ext}" in _DOC_EXTENSIONS and not stem.startswith("requirements"):
        return True
    return (stem if dot else base) in _DOC_NAMES


class _Proposal:
    def __init__(self) -> None:
        # tier -> pattern -> why
        self.patterns: dict[str, dict[str, str]] = {"red": {}, "yellow": {}}

    def add(self, tier: str, pattern: str, why: str) -> None:
        self.patterns[tier].setdefault(pattern, why)


def starter(paths: Sequence[str], authors: Iterable[tuple[str, str] | Identity] = ()) -> Starter:
    """Propose a policy and a roster for a repository that tracks ``paths``.

    ``authors`` (identities or (name, email) pairs, e.g. from the recent history) are optional: each
    distinct email becomes a person at the lowest level, to be reviewed; without them the roster is a
    commented example.
    """
    usable = sorted({p for p in paths if p and not _UNSAFE.search(p) and not p.startswith("/")})
    usable = [p for p in usable if "" not in p.split("/")]
    prop = _Proposal()
    red_dirs: dict[str, set[str]] = defaultdict(set)  # directory name -> prefixes "src/app/auth"
    red_files: dict[str, set[str]] = defaultdict(set)  # file name -> paths
    python = False
    for path in usable:
        segs = path.split("/")
        if segs[0] == POLICY_DIR:
            continue
        base = segs[-1]
        python = python or base.endswith(".py")
        if path.startswith(".github/workflows/"):
            prop.add("red", ".github/workflows/**", "CI workflows run with the repository's secrets")
            continue
        if base == "Dockerfile" or base.startswith("Dockerfile.") or base.endswith(".dockerfile"):
            if base == "Dockerfile":
                pattern = "Dockerfile"
            elif base.endswith(".dockerfile"):
                pattern = "*.dockerfile"
            else:
                pattern = "Dockerfile.*"
            prop.add("red", pattern, "container images define what runs in production")
            continue
        if base.endswith((".tf", ".tfvars")):
            prop.add("red", "*" + base[base.rindex(".") :], "infrastructure as code (Terraform)")
            continue
        if not _is_greenish(segs):
            red = next((i for i, s in enumerate(segs[:-1]) if s.lower() in _RED_WORDS), None)
            if red is not None:
                red_dirs[segs[red]].add("/".join(segs[: red + 1]))
                continue
            if base.split(".", 1)[0].lower() in _RED_FILE_WORDS and "." in base:
                red_files[base].add(path)
                continue
        if len(segs) > 1:
            top = segs[0]
            if top.startswith(".") or top.lower() in _GREEN_DIRS or _is_greenish(segs):
                continue
            prop.add("yellow", _glob_escape(top) + "/**", f"source code under {top}/")
        elif not _is_greenish(segs) and not base.startswith("."):
            stem, dot, ext = base.rpartition(".")
            if dot and stem:
                prop.add("yellow", "/*." + _glob_escape(ext), f"top-level .{ext} files (build and configuration)")
            else:
                prop.add("yellow", "/" + _glob_escape(base), "a top-level build or configuration file")

    for name, prefixes in sorted(red_dirs.items()):
        why = _RED_WORDS[name.lower()]
        if len(prefixes) > _COLLAPSE:
            prop.add("red", f"**/{_glob_escape(name)}/**", why)
        else:
            for prefix in sorted(prefixes):
                prop.add("red", _glob_escape(prefix) + "/**", why)
    for base, files in sorted(red_files.items()):
        why = _RED_FILE_WORDS[base.split(".", 1)[0].lower()]
        if len(files) > _COLLAPSE:
            prop.add("red", _glob_escape(base), why)
        else:
            for f in sorted(files):
                prop.add("red", ("/" if "/" not in f else "") + _glob_escape(f), why)

    # Keep only patterns that compile and claim at least one tracked path.
    for tier in ("red", "yellow"):
        for pattern in list(prop.patterns[tier]):
            try:
                rule = compile_path_pattern(pattern)
            except ValueError:
                del prop.patterns[tier][pattern]
                continue
            if not any(rule.regex.match(p) for p in usable):
                del prop.patterns[tier][pattern]
    prop.add("red", f"{POLICY_DIR}/**", "the policy and the roster themselves: whoever edits them sets the bar")

    explanations = [Explanation("green", "**", "the catch-all: documentation, tests and anything no other tier claims")]
    for tier in ("yellow", "red"):
        explanations += [Explanation(tier, p, why) for p, why in prop.patterns[tier].items()]
    content = [_CRYPTO_IMPORT] if python else []
    if content:
        explanations.append(Explanation("red", _CRYPTO_IMPORT, "added Python code that imports cryptography"))
    return Starter(_policy_text(prop, content), _people_text(authors), tuple(explanations))


def _pattern_lines(patterns: dict[str, str]) -> str:
    width = max((len(_toml_str(p)) for p in patterns), default=0)
    lines = [f"    {_toml_str(p) + ',':<{width + 1}}  # {why}" for p, why in patterns.items()]
    return "\n".join(lines)


def _policy_text(prop: _Proposal, content: list[str]) -> str:
    yellow = prop.patterns["yellow"]
    red = prop.patterns["red"]
    parts = [
        f"""\
# vouched policy: which changes need which bar. A PROPOSAL from `vouched init`: review every line.
#
# This file is read from the BASE revision of a change, never from the change itself, so a change
# cannot lower its own bar. Changes to this file are themselves red tier.
# Unknown keys are errors: a typo never silently weakens the policy.

version = 1

# Clearance levels, least to most trusted. People get a level in people.toml.
levels = [{", ".join(f'"{lv}"' for lv in LEVELS)}]

# Tiers, from least to most risky. A file takes the RISKIEST tier that claims it, by a gitignore-style
# path pattern (like .gitignore or CODEOWNERS: `src/**`, `*.tf`, `/setup.py`; `!pattern` takes paths back
# out) or by a `content` regex (Python syntax) that matches one of the lines the change adds.
# A file that no tier claims is treated as the riskiest tier.

[[tiers]]
name = "green"
paths = ["**"]                  # the catch-all: docs, tests, everything not claimed below
min_level = "junior"            # lowest level that may change these files at all
ai_min_level = "junior"         # lowest level that may land AI-assisted changes here
approvals = 1                   # distinct approvers, none of them an author of the change
approver_min_level = "junior"   # lowest level whose approval counts
""",
    ]
    if yellow:
        parts.append(
            f"""
[[tiers]]
name = "yellow"
paths = [
{_pattern_lines(yellow)}
]
min_level = "junior"
ai_min_level = "mid"
approvals = 1
approver_min_level = "mid"
require_rationale = true        # each AI-assisted commit says why its work was accepted (AI-Rationale:)
"""
        )
    else:
        parts.append("\n# (no yellow tier proposed: nothing in the repository looked like application source)\n")
    content_line = (
        "content = [\n" + "".join(f"    {_toml_str(c)},  # a regex on added lines\n" for c in content) + "]\n"
        if content
        else "# content = ['^\\s*import (hashlib|hmac|ssl)\\b']  # regexes on added lines\n"
    )
    parts.append(
        f"""
[[tiers]]
name = "red"
paths = [
{_pattern_lines(red)}
]
{content_line}min_level = "senior"            # "senior only"
ai_min_level = "senior"
ai_allowed = true               # false: no AI-assisted commit may touch this tier
approvals = 2
approver_min_level = "senior"
require_rationale = true
require_declaration = true      # each commit says `Assisted-by: <agent>` or `Assisted-by: none`
# stages = ["requirements", "design", "implementation", "review"]   # signed sign-offs (ledger)

[unknown_authors]
level = "none"                  # authors missing from people.toml: no clearance; or a level name

# Your team's own AI markers (bots, in-house tools), besides the ones vouched knows:
# [[ai_markers]]
# tool = "acme-bot"               # lower-case tool id to report
# email = '^acme-bot@ci\\.example$' # regex on author/committer email; also: name, message, trailer
"""
    )
    return "".join(parts)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _people_text(authors: Iterable[tuple[str, str] | Identity]) -> str:
    head = """\
# vouched roster: who is who, at which clearance level (levels are defined in policy.toml).
# Read from the BASE revision of a change: a change cannot add its own author or enrol a new key.
#
# [people.alice]                              # the person's id
# name = "Alice Archer"
# level = "senior"                            # one of the policy's levels
# emails = ["alice@bank.example"]             # commit identities (each belongs to one person)
# github = "alice-archer"                     # forge login, for approvals on pull requests
# keys = ["ssh-ed25519 AAAAC3Nza... alice@laptop"]   # OpenSSH Ed25519 keys that sign attestations
"""
    people: dict[str, tuple[str, list[str]]] = {}
    seen_emails: set[str] = set()
    for author in authors:
        name, email = (author.name, author.email) if isinstance(author, Identity) else author
        email = email.strip()
        key = email.casefold()
        if (
            key in seen_emails
            or "@" not in email
            or "[bot]" in email
            or _UNSAFE.search(email)
            or any(c.isspace() or c in "<>" for c in email)
        ):
            continue
        seen_emails.add(key)
        pid = _slug(email.split("@", 1)[0]) or _slug(name) or "person"
        base, n = pid, 2
        while pid in people and people[pid][0] != name:
            pid, n = f"{base}-{n}", n + 1
        if pid in people:
            people[pid][1].append(email)
        else:
            clean = _UNSAFE.sub("\ufffd", name).strip() or pid
            people[pid] = (clean, [email])
    if not people:
        return head
    body = [head, "\n# Everyone below starts at the lowest level: raise levels deliberately, one by one.\n"]
    for pid, (name, emails) in people.items():
        body.append(
            f'\n[people.{pid}]\nname = {_toml_str(name)}\nlevel = "{LEVELS[0]}"\n'
            f"emails = [{', '.join(_toml_str(e) for e in emails)}]\n"
        )
    return "".join(body)
