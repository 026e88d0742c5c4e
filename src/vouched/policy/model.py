"""The policy and the roster as values: tiers, tier resolution, clearance levels, people.

Nothing here reads files or git; :mod:`vouched.policy.parse` builds these values from TOML and is the only
place that reports configuration errors. The values are frozen and cheap to share.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from vouched.model import AddedLine

try:  # pathspec >= 1.0
    from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern as _GitPattern
except ImportError:  # pragma: no cover - pathspec 0.12
    from pathspec.patterns.gitwildmatch import GitWildMatchPattern as _GitPattern

if TYPE_CHECKING:
    from vouched.provenance import Marker

__all__ = [
    "BUG_SEVERITIES",
    "DEFAULT_DEPS_BLOCK",
    "DEFAULT_DEPS_WARN",
    "DEFAULT_SEVERITY_MAP",
    "DEPS_SIGNALS",
    "POLICY_DIR",
    "SCANNERS",
    "SEVERITIES",
    "STAGES",
    "DepsException",
    "DepsPolicy",
    "DepsRules",
    "MetricsConfig",
    "People",
    "Person",
    "Policy",
    "ScanSettings",
    "Tier",
    "TierMatch",
    "compile_path_pattern",
]

POLICY_DIR = ".vouched"
# The sign-off stages a tier may require, in the order work happens (a tier may list them in any order).
STAGES = ("requirements", "design", "implementation", "review")
# The code scanners a tier may require (vouched.scan has one backend module for each), and the severity
# scale their findings use, least to most severe.
SCANNERS = ("ruff", "bandit", "semgrep")
SEVERITIES = ("low", "medium", "high", "critical")


@dataclass(frozen=True, slots=True)
class ScanSettings:
    """A tier's ``[tiers.scan]`` table: which code scanners must read its changed files, what blocks.

    The default requires Ruff's security rules (installed with vouched, native and fast): a policy that
    says nothing still gets the scan, and a tier opts out with ``scanners = []``. Secrets are scanned in
    every tier whatever this says.
    """

    scanners: tuple[str, ...] = ("ruff",)
    block_severity: str = "medium"  # findings at or above this severity block; below it, warnings
    context_lines: int = 0  # findings this many lines from a changed line count as on it


# What the dependency gate can find about a dependency a change brings in (see vouched.deps.gate).
DEPS_SIGNALS = (
    "vulnerable",  # an advisory affects a version the manifest admits
    "nonexistent",  # the registry has no such package (a hallucinated name, or one to be squatted)
    "suspicious-new",  # new, tiny, single-release, no project links, not popular
    "typosquat",  # a name close to a far more popular package
    "yanked",  # the version is yanked (PEP 592)
    "deprecated",  # the package or version is deprecated (npm), or PEP 792 deprecated/archived/quarantined
    "inactive",  # PyPI "Development Status :: 7 - Inactive"
    "unmaintained",  # no release for a long time
    "licence",  # a licence the policy denies, or one it does not allow
    "unknown",  # vouched could not tell (registry unreachable, unreadable range or manifest, ...)
)
# Fail closed: what is plainly dangerous or unknown blocks in every tier unless a tier says otherwise.
DEFAULT_DEPS_BLOCK = ("vulnerable", "nonexistent", "unknown", "yanked", "deprecated", "typosquat", "licence")
DEFAULT_DEPS_WARN = ("suspicious-new", "inactive", "unmaintained")

DepsAction = Literal["block", "warn", "note"]


@dataclass(frozen=True, slots=True)
class DepsRules:
    """A tier's ``[tiers.deps]``: which dependency signals block, which warn; any other is a note."""

    block: tuple[str, ...] = DEFAULT_DEPS_BLOCK
    warn: tuple[str, ...] = DEFAULT_DEPS_WARN

    def action(self, signal: str) -> DepsAction:
        if signal in self.block:
            return "block"
        return "warn" if signal in self.warn else "note"


@dataclass(frozen=True, slots=True)
class DepsException:
    """An accepted risk: one package (optionally one ecosystem, advisory or signal), why, and until when.

    An exception applies up to and including its ``expires`` date (UTC); after that it no longer applies
    and the gate reports it. ``line`` is where it is written in the policy file.
    """

    package: str
    reason: str
    expires: dt.date
    ecosystem: str | None = None
    advisory: str | None = None
    signal: str | None = None
    line: int | None = None

    def expired(self, today: dt.date) -> bool:
        return today > self.expires

    def describe(self) -> str:
        what = self.package if self.ecosystem is None else f"{self.ecosystem}:{self.package}"
        if self.advisory is not None:
            what += f" {self.advisory}"
        if self.signal is not None:
            what += f" ({self.signal})"
        return what


@dataclass(frozen=True, slots=True)
class DepsPolicy:
    """The policy's ``[deps]`` table: the dependency gate's settings shared by every tier."""

    max_db_age_days: int = 7
    licence_allow: tuple[str, ...] = ()  # SPDX ids; empty: any licence not denied
    licence_deny: tuple[str, ...] = ()
    new_package_days: int = 30  # a package first published within this many days is new
    allow_neighbours: tuple[str, ...] = ()  # names that are not typosquats though close to a popular one
    exceptions: tuple[DepsException, ...] = ()


# Severity levels of the metrics report, most to least severe; "unknown" when the tracker says nothing usable.
BUG_SEVERITIES = ("critical", "high", "medium", "low", "unknown")
# A tracker's priority or severity word (lower-cased, after any "severity:"/"priority:"/"sev" prefix is
# dropped) -> one of BUG_SEVERITIES. Jira's default priorities, P0-P4, S1-S4/sev1-sev4 and plain words.
DEFAULT_SEVERITY_MAP: dict[str, str] = {
    "blocker": "critical",
    "critical": "critical",
    "highest": "critical",
    "urgent": "critical",
    "p0": "critical",
    "s0": "critical",
    "1": "critical",
    "s1": "critical",
    "high": "high",
    "major": "high",
    "p1": "high",
    "2": "high",
    "s2": "high",
    "medium": "medium",
    "normal": "medium",
    "moderate": "medium",
    "p2": "medium",
    "3": "medium",
    "s3": "medium",
    "low": "low",
    "lowest": "low",
    "minor": "low",
    "trivial": "low",
    "p3": "low",
    "p4": "low",
    "4": "low",
    "s4": "low",
}


@dataclass(frozen=True)
class MetricsConfig:
    """How ``vouched report`` reads a team's conventions: the ``[metrics]`` table of the policy.

    Every field has a default, so a policy without ``[metrics]`` (every policy written before it existed)
    stays valid. The command line can override ``tag_pattern``. Regexes are Python regexes.
    """

    # A commit whose subject matches one of these is a bug fix even when it names no tracker issue.
    fix_patterns: tuple[str, ...] = (r"^fix(\(.+\))?!?:", r"(?i)\bbug ?fix", r"(?i)\bhot ?fix\b")
    # Trailer keys that link a commit to the issue (or, for a commit id, the commit) it fixes.
    fix_trailers: tuple[str, ...] = ("Fixes", "Closes", "Resolves")
    # Tracker keys such as PROJ-123 (``#123`` and GitHub issue URLs are always recognised).
    issue_key_pattern: str = r"\b[A-Z][A-Z0-9_]+-[1-9][0-9]*\b"
    # Tags that are releases; the version is the named group "version", else group 1, else the whole tag.
    tag_pattern: str = r"^v?(?P<version>[0-9]+(\.[0-9]+)*.*)$"
    version_scheme: str = "pep440"  # or "semver": how release versions are ordered
    # Labels (GitHub, Jira, generic) that make an issue a bug; Jira's Issue Type "Bug" always does.
    bug_labels: tuple[str, ...] = ("bug", "defect", "regression", "type: bug", "kind/bug", "incident")
    # Labels that mark a bug as reported by a customer; the generic format also has a customer_reported field.
    customer_labels: tuple[str, ...] = ("customer", "customer-reported", "customer reported", "escalation")
    # Extra or overriding entries of DEFAULT_SEVERITY_MAP (keys compared lower-cased).
    severity: tuple[tuple[str, str], ...] = ()
    # Below this many bug-introducing commits in either group, the report warns that it cannot say much.
    min_events: int = 10

    def severity_map(self) -> dict[str, str]:
        merged = dict(DEFAULT_SEVERITY_MAP)
        merged.update((k.strip().lower(), v) for k, v in self.severity)
        return merged


@dataclass(frozen=True, slots=True)
class _PathRule:
    pattern: str
    include: bool
    regex: re.Pattern[str]


def compile_path_pattern(pattern: str) -> _PathRule:
    """Compile one gitignore-style pattern; ValueError says why it is unusable.

    Patterns mean what they mean in ``.gitignore`` and CODEOWNERS: ``src/**`` is everything under ``src``
    at the root, ``*.tf`` is any ``.tf`` file at any depth, ``/setup.py`` is only the root one, ``docs/``
    is any ``docs`` directory. A leading ``!`` takes paths back out of the tier.
    """
    if "\n" in pattern or "\r" in pattern:
        raise ValueError("a pattern cannot contain a line break")
    try:
        compiled = _GitPattern(pattern)
    except re.error:  # the glob became a regex that does not compile: a bad [...] class
        raise ValueError("it has an invalid [...] character class or range") from None
    except Exception as exc:  # pathspec raises ValueError and friends for other bad globs
        raise ValueError(str(exc) or type(exc).__name__) from None
    regex = compiled.regex
    if compiled.include is None or regex is None:
        stripped = pattern.strip()
        if not stripped:
            why = "it is blank"
        elif stripped.startswith("#"):
            why = "gitignore reads a leading # as a comment (write \\# for a literal #)"
        elif stripped == "/":
            why = "a lone / matches nothing"
        else:
            why = "it has an unclosed or invalid [...] range, which git ignores"
        raise ValueError(f"the pattern matches nothing: {why}")
    if not isinstance(regex.pattern, str):  # pragma: no cover - we only pass str patterns
        raise ValueError("the pattern did not compile to a text regex")
    return _PathRule(pattern, bool(compiled.include), re.compile(regex.pattern))


@dataclass(frozen=True)
class Tier:
    """One risk tier. ``rank`` is its position in the policy file: 0 is the least risky.

    ``paths`` are gitignore-style patterns evaluated in order, the last matching one deciding (so
    ``!pattern`` removes paths again); ``content`` are Python regexes searched in a file's added lines.
    """

    name: str
    rank: int
    paths: tuple[str, ...]
    content: tuple[str, ...]
    min_level: str
    ai_min_level: str
    ai_allowed: bool
    approvals: int
    approver_min_level: str
    require_rationale: bool
    require_declaration: bool
    stages: tuple[str, ...]
    # Whether unsigned (forge) approvals count here. Default: true, unless the tier lists signed `stages`.
    accept_unsigned_approvals: bool = True
    scan: ScanSettings = ScanSettings()
    deps: DepsRules = DepsRules()  # the tier's [tiers.deps]: which dependency signals block or warn
    # Percent (0-100) of the AI-assisted added executable lines the tests must run; None: no coverage needed.
    min_ai_line_coverage: float | None = None
    _path_rules: tuple[_PathRule, ...] = field(init=False, repr=False, compare=False)
    _content_rules: tuple[re.Pattern[str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_path_rules", tuple(compile_path_pattern(p) for p in self.paths))
        object.__setattr__(self, "_content_rules", tuple(re.compile(c) for c in self.content))

    def match_path(self, path: str) -> str | None:
        """The pattern that puts ``path`` in this tier, or None (the last matching pattern decides)."""
        decided: _PathRule | None = None
        for rule in self._path_rules:
            if rule.regex.match(path):
                decided = rule
        return decided.pattern if decided is not None and decided.include else None

    def match_content(self, added_lines: Sequence[tuple[int, str]]) -> tuple[str, int] | None:
        """The first content regex that an added line matches, and that line's number."""
        for regex in self._content_rules:
            for number, text in added_lines:
                if regex.search(text):
                    return regex.pattern, number
        return None


@dataclass(frozen=True, slots=True)
class TierMatch:
    """The tier a path takes and why, in words fit for a report: ``path src/auth/**``."""

    tier: Tier
    reason: str


_ADDED = Iterable[tuple[int, str] | AddedLine]


def _lines(added_lines: _ADDED) -> tuple[tuple[int, str], ...]:
    out: list[tuple[int, str]] = []
    for item in added_lines:
        if isinstance(item, AddedLine):
            out.append((item.number, item.text))
        else:
            number, text = item
            out.append((number, text))
    return tuple(out)


def _is_policy_path(path: str) -> bool:
    return path == POLICY_DIR or path.startswith(POLICY_DIR + "/")


@dataclass(frozen=True)
class Policy:
    """A parsed ``.vouched/policy.toml``.

    ``unknown_author_level`` is None when authors missing from the roster have no clearance at all.
    ``markers`` are the team's own AI markers (the ``[[ai_markers]]`` extension table). ``digest`` is
    ``sha256:<hex>`` of the file's bytes, so a verdict can name exactly which policy judged it.
    """

    version: int
    levels: tuple[str, ...]
    tiers: tuple[Tier, ...]
    unknown_author_level: str | None
    markers: tuple[Marker, ...]
    digest: str
    file: str
    retro_review_days: int = 7  # a break-glass override needs a review sign-off within this many days
    deps: DepsPolicy = DepsPolicy()  # the [deps] table: the dependency gate's settings
    metrics: MetricsConfig = field(default_factory=MetricsConfig)  # the [metrics] table (the report, not the gate)

    def __post_init__(self) -> None:
        if not self.levels:
            raise ValueError("a policy needs at least one level")
        if not self.tiers:
            raise ValueError("a policy needs at least one tier")

    def rank(self, level: str | None) -> int:
        """The level's position in ``levels`` (0 = least trusted); None or "none" is -1, below all."""
        if level is None or level == "none":
            return -1
        try:
            return self.levels.index(level)
        except ValueError:
            raise ValueError(f"{level!r} is not a level of {self.file}: {', '.join(self.levels)}") from None

    def tier(self, name: str) -> Tier:
        for t in self.tiers:
            if t.name == name:
                return t
        raise KeyError(f"{name!r} is not a tier of {self.file}")

    @property
    def riskiest(self) -> Tier:
        return self.tiers[-1]

    def resolve(self, path: str, added_lines: _ADDED = ()) -> TierMatch:
        """The riskiest tier that claims ``path``, by a path pattern or a content regex on an added line.

        A path under ``.vouched/`` is always in the riskiest tier (a change to the policy is judged as the
        riskiest change there is), and so is a path no tier claims: unknown is not fine.
        """
        return self._resolve(path, _lines(added_lines))

    def resolve_change(self, paths: Sequence[str], added_lines: _ADDED = ()) -> TierMatch:
        """The riskiest tier over all names of one file (old and new, for a rename or copy)."""
        if not paths:
            raise ValueError("resolve_change needs at least one path")
        lines = _lines(added_lines)
        best: TierMatch | None = None
        best_path = paths[-1]
        for path in reversed(paths):  # the new name first: it wins a tie
            match = self._resolve(path, lines)
            if best is None or match.tier.rank > best.tier.rank:
                best, best_path = match, path
        if best is None:  # pragma: no cover - paths is not empty
            raise ValueError("resolve_change needs at least one path")
        if best_path != paths[-1]:
            from vouched.git import display

            return TierMatch(best.tier, f"{best.reason} (as {display(best_path)}, its old name)")
        return best

    def _resolve(self, path: str, lines: tuple[tuple[int, str], ...]) -> TierMatch:
        for tier in reversed(self.tiers):
            pattern = tier.match_path(path)
            if pattern is not None:
                reason = f"path {pattern}"
            else:
                hit = tier.match_content(lines) if lines else None
                if hit is None:
                    continue
                reason = f"content '{hit[0]}' on line {hit[1]}"
            if tier is not self.riskiest and _is_policy_path(path):
                break
            return TierMatch(tier, reason)
        if _is_policy_path(path):
            return TierMatch(self.riskiest, f"edits {POLICY_DIR}/ (the policy itself)")
        return TierMatch(self.riskiest, "no tier claims this path: treated as the riskiest")


@dataclass(frozen=True, slots=True)
class Person:
    """One engineer on the roster. ``id`` is the table name: ``[people.alice]`` is ``alice``."""

    id: str
    name: str
    level: str
    emails: tuple[str, ...] = ()
    github: str | None = None
    keys: tuple[str, ...] = ()
    break_glass: bool = False  # may sign break-glass overrides


@dataclass(frozen=True)
class People:
    """A parsed ``.vouched/people.toml``: who is who, at which clearance level."""

    persons: tuple[Person, ...]
    file: str
    _emails: dict[str, Person] = field(init=False, repr=False, compare=False)
    _logins: dict[str, Person] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        emails: dict[str, Person] = {}
        logins: dict[str, Person] = {}
        for p in self.persons:
            for email in p.emails:
                emails.setdefault(email.casefold(), p)
            if p.github is not None:
                logins.setdefault(p.github.casefold(), p)
        object.__setattr__(self, "_emails", emails)
        object.__setattr__(self, "_logins", logins)

    def by_email(self, email: str) -> Person | None:
        """The person with this commit email (case-insensitive), or None."""
        return self._emails.get(email.strip().casefold())

    def by_github(self, login: str) -> Person | None:
        """The person with this forge login (case-insensitive, a leading @ ignored), or None."""
        return self._logins.get(login.strip().removeprefix("@").casefold())

    def by_id(self, person_id: str) -> Person | None:
        for p in self.persons:
            if p.id == person_id:
                return p
        return None
