"""Reading ``.vouched/policy.toml`` and ``.vouched/people.toml``: strict, with the line of every mistake.

The files are parsed with :mod:`tomllib` and then checked by hand, key by key: an unknown key, a value of
the wrong type, a level or stage that does not exist, a glob or regex that does not compile, is a
:class:`~vouched.errors.ConfigError` that names the file, the line and the key, and says how to fix it.
Nothing is guessed and nothing is ignored: a policy that gates changes must mean exactly what it says.

Every independent mistake is reported, not just the first: one :class:`~vouched.errors.ConfigErrors`
lists them all, by file and line (a single mistake is a plain ConfigError, printed as one). Each unknown
key, each tier and each of its keys, ``[unknown_authors]``, each ``[[ai_markers]]``, each person and each
of their keys, and each duplicate email, login or key is checked whatever the others hold. Checking stops
early only where the rest depends on what failed:

- a file that is not UTF-8 or not TOML is that one problem;
- a ``version`` newer than this vouched reads is the only problem reported (the rest may be right for it);
- when ``levels`` is missing or wrong, level names (in tiers, ``[unknown_authors]`` and people.toml) are
  checked only for being strings: everything else is still checked;
- a list with a non-string entry reports each such entry, and its other entries wait until it holds only
  strings; a table or list of the wrong type hides what is inside it;
- a key that is missing because it is misspelled is reported once, as the misspelling ("did you mean").

:func:`load` and :func:`load_sources` check the roster even when the policy has mistakes (against its
levels when they are usable) and report both files' problems together, the policy's first.

``policy.toml`` (the public contract, see the project documentation)::

    version = 1                          # required; the only supported version
    levels = ["junior", "mid", "senior"] # required; least to most trusted; "none" is reserved

    [[tiers]]                            # one or more, least to most risky
    name = "red"                         # required, unique
    paths = ["src/auth/**"]              # gitignore-style patterns; `!pattern` takes paths back out
    content = ['^\\s*import hashlib']    # Python regexes searched in each added line
    min_level = "senior"                 # default: the lowest level
    ai_min_level = "senior"              # default: the lowest level
    ai_allowed = true                    # default: true
    approvals = 2                        # default: 0
    approver_min_level = "senior"        # default: the lowest level
    require_rationale = true             # default: false
    require_declaration = true           # default: false
    stages = ["design", "review"]        # default: []; any of requirements, design, implementation, review
    accept_unsigned_approvals = true     # default: true, or false when the tier lists stages
    min_ai_line_coverage = 80            # default: none; percent (0-100) of AI-assisted added executable
                                         # lines the tests must run (`vouched check --coverage FILE`)

    [tiers.scan]                         # the security scan of the tier's changed files (optional)
    scanners = ["ruff", "bandit"]        # required code scanners; default ["ruff"]; [] for none;
                                         # any of ruff, bandit, semgrep (secrets are scanned in every tier)
    block_severity = "medium"            # findings at or above block: low, medium (default), high, critical
    context_lines = 0                    # default 0: findings on changed lines only; up to 50 lines around
    [tiers.deps]                         # the dependency gate in this tier (a sub-table of the tier above)
    block = ["vulnerable", "nonexistent", "unknown", "yanked", "deprecated", "typosquat", "licence"]
    warn = ["suspicious-new", "inactive", "unmaintained"]
                                         # each list defaults to the one shown; a signal in neither is
                                         # reported as a note; a signal may not be in both. Signals:
                                         # vulnerable, nonexistent, suspicious-new, typosquat, yanked,
                                         # deprecated, inactive, unmaintained, licence, unknown

    [unknown_authors]
    level = "none"                       # default: "none" (no clearance); or one of the levels

    [ledger]
    retro_review_days = 7                # default 7; may also be written at the top level

    [deps]                               # the dependency gate's settings, for every tier
    max_db_age_days = 7                  # default 7: older advisory data blocks (deps.db-stale)
    licence_allow = ["MIT", "Apache-2.0"]  # SPDX ids; default []: any licence that is not denied
    licence_deny = ["AGPL-3.0-only"]     # SPDX ids; default []; an id may not be in both lists
    new_package_days = 30                # default 30: first published within this many days is "new"
    allow_neighbours = ["requests-oauthlib"]  # names never reported as typosquats; default []

    [[deps.exceptions]]                  # an accepted risk; every key but ecosystem/advisory/signal required
    package = "django"                   # the package (PEP 503 names compare normalised)
    ecosystem = "PyPI"                   # optional: PyPI or npm
    advisory = "GHSA-xxxx-xxxx-xxxx"     # optional: only this advisory (its id or an alias)
    signal = "vulnerable"                # optional: only this signal
    reason = "not reachable: we never call the affected API"   # required, not blank
    expires = 2026-12-31                 # required, a TOML date; after it the exception no longer applies

    [metrics]                            # `vouched report` only (a report, not a gate): read at HEAD
    fix_patterns = ['^fix(\\(.+\\))?!?:', '(?i)\\bbug ?fix', '(?i)\\bhot ?fix\\b']  # subject regexes
    fix_trailers = ["Fixes", "Closes", "Resolves"]   # trailers naming the issue or commit a fix fixes
    issue_key_pattern = '\\b[A-Z][A-Z0-9_]+-[1-9][0-9]*\\b'   # tracker keys (#123 and URLs always)
    tag_pattern = '^v?(?P<version>[0-9]+(\\.[0-9]+)*.*)$'    # release tags; group "version" or 1
    version_scheme = "pep440"            # or "semver": how release versions are ordered
    bug_labels = ["bug", "defect", "regression", "type: bug", "kind/bug", "incident"]
    customer_labels = ["customer", "customer-reported", "customer reported", "escalation"]
    min_events = 10                      # fewer bug-introducing commits in a group: "too few to say"

    [metrics.severity]                   # extra tracker words -> critical, high, medium or low
    "P1" = "critical"

A tier needs at least one path pattern or content regex.

Extension, the team's own AI markers (for tools vouched does not know, or in-house bots)::

    [[ai_markers]]
    tool = "acme-bot"                    # required: the lower-case tool id reported for a match
    trailer = "Generated-by"             # a trailer key whose presence marks the commit
    email = '^acme-bot@ci\\.example$'    # a regex searched in the author and committer emails
    name = '^Acme Bot$'                  # a regex searched in the author and committer names
    message = '\\[acme-bot\\]'           # a regex searched in the commit message

Each marker needs ``tool`` and at least one of ``trailer``, ``email``, ``name``, ``message``. Regexes are
Python regexes used as written (prefix ``(?i)`` to ignore case).

``people.toml``::

    [people.alice]                       # the person's id
    name = "Alice Archer"                # default: the id
    level = "senior"                     # required: one of the policy's levels
    emails = ["alice@bank.example"]      # commit identities; each email belongs to one person only
    github = "alice-archer"              # forge login; each login belongs to one person only
    keys = ["ssh-ed25519 AAAAC3Nza... alice@laptop"]   # OpenSSH Ed25519 public keys
    break_glass = true                   # default false: may sign break-glass overrides
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import difflib
import hashlib
import json
import re
import tomllib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from vouched.errors import ConfigError
from vouched.policy._locate import Locator, PathKey
from vouched.policy.model import (
    BUG_SEVERITIES,
    DEFAULT_DEPS_BLOCK,
    DEFAULT_DEPS_WARN,
    DEPS_SIGNALS,
    SCANNERS,
    SEVERITIES,
    STAGES,
    DepsException,
    DepsPolicy,
    DepsRules,
    MetricsConfig,
    People,
    Person,
    Policy,
    ScanSettings,
    Tier,
    compile_path_pattern,
)

if TYPE_CHECKING:
    from vouched.git import Git
    from vouched.provenance import Marker

__all__ = [
    "PEOPLE_FILE",
    "POLICY_FILE",
    "SUPPORTED_VERSION",
    "load",
    "load_sources",
    "markers_at",
    "parse_people",
    "parse_policy",
]

POLICY_FILE = ".vouched/policy.toml"
PEOPLE_FILE = ".vouched/people.toml"
SUPPORTED_VERSION = 1
INIT_HINT = "run `vouched init`, review and commit .vouched/"

_POLICY_KEYS = (
    "version",
    "levels",
    "tiers",
    "unknown_authors",
    "ai_markers",
    "retro_review_days",
    "ledger",
    "deps",
    "metrics",
)
_DEPS_KEYS = ("max_db_age_days", "licence_allow", "licence_deny", "new_package_days", "allow_neighbours", "exceptions")
_TIER_DEPS_KEYS = ("block", "warn")
_EXCEPTION_KEYS = ("package", "ecosystem", "advisory", "signal", "reason", "expires")
_DEPS_ECOSYSTEMS = ("PyPI", "npm")
_SPDX_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+-]*")
_METRICS_KEYS = (
    "fix_patterns",
    "fix_trailers",
    "issue_key_pattern",
    "tag_pattern",
    "version_scheme",
    "bug_labels",
    "customer_labels",
    "severity",
    "min_events",
)
_VERSION_SCHEMES = ("pep440", "semver")
_LEDGER_KEYS = ("retro_review_days",)
_TIER_KEYS = (
    "name",
    "paths",
    "content",
    "min_level",
    "ai_min_level",
    "ai_allowed",
    "approvals",
    "approver_min_level",
    "require_rationale",
    "require_declaration",
    "stages",
    "accept_unsigned_approvals",
    "deps",
    "min_ai_line_coverage",
    "scan",
)
_SCAN_KEYS = ("scanners", "block_severity", "context_lines")
_MAX_CONTEXT = 50
_UNKNOWN_AUTHORS_KEYS = ("level",)
_MARKER_KEYS = ("tool", "trailer", "email", "name", "message")
_PEOPLE_KEYS = ("people",)
_PERSON_KEYS = ("name", "level", "emails", "github", "keys", "break_glass")

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_TOOL_ID = re.compile(r"[a-z0-9][a-z0-9._-]*")
_TRAILER_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")
_LOGIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_TOML_ERROR = re.compile(r"^(?P<msg>.*?)\s*\(at (?:line (?P<line>\d+), column (?P<col>\d+)|end of document)\)$")
_LINE_KEY = re.compile(r"^\s*([A-Za-z0-9_\-.]+(?:\s*\.\s*[A-Za-z0-9_\-]+)*)\s*=")
_SSH_KEY_TYPES = (
    "ssh-rsa",
    "ssh-dss",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
)


# -- locating and reporting -----------------------------------------------------------------------


def key_name(path: PathKey) -> str:
    """A logical path as a person would write it: ``tiers[2].approvals``, ``people.alice.level``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            text = part if _BARE_KEY.fullmatch(part) else json.dumps(part, ensure_ascii=False)
            out += f".{text}" if out else text
    return out


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _type_name(value: object) -> str:
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int):
        return f"an integer ({value})"
    if isinstance(value, float):
        return f"a number ({value})"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"a string ({json.dumps(shown, ensure_ascii=False)})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return f"a date or time ({value})"


def show(value: str) -> str:
    """A string as TOML would show it: single-quoted as written when possible (regexes, globs)."""
    if "'" not in value and not any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return f"'{value}'"
    return json.dumps(value, ensure_ascii=False)


def _closest(word: str, choices: Sequence[str]) -> str | None:
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if not found:
        found = [c for c in choices if c.casefold() == word.casefold()]
    return found[0] if found else None


class _Doc:
    """One file being validated: its name, where its keys are, and the problems found so far.

    The checks below never stop at a mistake: they record it in :attr:`problems` and return None (or, for
    :meth:`keys`, the keys it reports as misspelled), and the caller carries on with whatever can still be
    checked meaningfully.
    """

    def __init__(self, text: str, file: str) -> None:
        self.file = file
        self.text = text
        self.locator = Locator(text)
        self.problems: list[ConfigError] = []

    def line(self, path: PathKey) -> int:
        return self.locator.line(path) or 1

    def error(self, path: PathKey, message: str, hint: str | None = None) -> ConfigError:
        return ConfigError(message, file=self.file, line=self.line(path), key=key_name(path) or None, hint=hint)

    def report(self, path: PathKey, message: str, hint: str | None = None) -> None:
        self.problems.append(self.error(path, message, hint))

    # -- typed getters: the value, or None when it is wrong (and the mistake is recorded) ------------------

    def table(self, value: object, path: PathKey, example: str) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.report(path, f"must be a table, not {_type_name(value)}", f"write it as {example}")
            return None
        return value

    def keys(self, table: dict[str, Any], path: PathKey, allowed: Sequence[str], where: str) -> set[str]:
        """Report every unknown key; the allowed keys they look like misspellings of.

        A key that is missing because it is misspelled is not reported missing as well: the misspelling
        already says what to write.
        """
        meant: set[str] = set()
        for key in table:
            if key in allowed:
                continue
            close = _closest(key, allowed)
            if close:
                meant.add(close)
            hint = f'did you mean "{close}"? ' if close else ""
            hint += f"the keys of {where} are: {', '.join(allowed)}"
            self.report((*path, key), f"unknown key {json.dumps(key, ensure_ascii=False)} in {where}", hint)
        return meant

    def string(self, value: object, path: PathKey, *, example: str) -> str | None:
        if not isinstance(value, str):
            self.report(path, f"must be a string, not {_type_name(value)}", f"write {key_name(path[-1:])} = {example}")
            return None
        if not value.strip():
            self.report(path, "must not be empty", f"write {key_name(path[-1:])} = {example}")
            return None
        return value

    def boolean(self, value: object, path: PathKey) -> bool | None:
        if not isinstance(value, bool):
            name = key_name(path[-1:])
            self.report(
                path,
                f"must be true or false, not {_type_name(value)}",
                f"write {name} = true or {name} = false, without quotes",
            )
            return None
        return value

    def integer(self, value: object, path: PathKey, *, minimum: int) -> int | None:
        name = key_name(path[-1:])
        if isinstance(value, bool) or not isinstance(value, int):
            example = value.strip() if isinstance(value, str) and value.strip().isdigit() else str(minimum)
            self.report(
                path,
                f"must be a whole number, not {_type_name(value)}",
                f"write {name} = {example}, without quotes",
            )
            return None
        if value < minimum:
            self.report(path, f"must be {minimum} or more, not {value}", f"write {name} = {minimum} or more")
            return None
        return value

    def strings(self, value: object, path: PathKey, *, example: str) -> list[str] | None:
        """A list of strings; None when it is not a list, or when any entry is not a string (each one
        is reported, and the list's other entries are left unchecked until it holds only strings)."""
        name = key_name(path[-1:])
        if not isinstance(value, list):
            hint = f"write {name} = {example}"
            if isinstance(value, str):
                hint = f"write {name} = [{json.dumps(value, ensure_ascii=False)}], a list even for one entry"
            self.report(path, f"must be a list of strings, not {_type_name(value)}", hint)
            return None
        clean = True
        for i, item in enumerate(value):
            if not isinstance(item, str):
                clean = False
                self.report(
                    (*path, i),
                    f"the {_ordinal(i + 1)} entry of {name} must be a string, not {_type_name(item)}",
                    f"write {name} = {example}",
                )
        return value if clean else None

    def level(
        self, value: object, path: PathKey, levels: tuple[str, ...] | None, *, allow_none: bool = False
    ) -> str | None:
        """A level name. With ``levels`` None (the policy's levels are unusable) only its type is checked."""
        name = key_name(path[-1:])
        if levels is None:
            if not isinstance(value, str):
                self.report(
                    path,
                    f"must be a level name, not {_type_name(value)}",
                    f'write {name} = "senior", one of the levels in {POLICY_FILE}',
                )
                return None
            return value
        choices = [*levels, "none"] if allow_none else list(levels)
        if not isinstance(value, str):
            self.report(
                path,
                f"must be a level name, not {_type_name(value)}",
                f'write {name} = "{levels[0]}"; the levels are: {", ".join(choices)}',
            )
            return None
        if value not in choices:
            close = _closest(value, choices)
            hint = f'did you mean "{close}"? ' if close else ""
            if value == "none":
                hint += '"none" (no clearance) is only for [unknown_authors]; '
            self.report(
                path,
                f"unknown level {json.dumps(value, ensure_ascii=False)}",
                hint + f"the levels in {POLICY_FILE} are: {', '.join(choices)}",
            )
            return None
        return value

    def regex(self, value: str, path: PathKey, what: str) -> re.Pattern[str] | None:
        try:
            return re.compile(value)
        except re.error as exc:
            at = f" at position {exc.pos}" if exc.pos is not None else ""
            self.report(
                path,
                f"{what} {show(value)} is not a valid regex: {exc.msg}{at}",
                "use Python regex syntax, in a single-quoted TOML string so backslashes stay as written: "
                "'^\\s*import hashlib'",
            )
        except (OverflowError, RecursionError, ValueError) as exc:
            self.report(path, f"{what} {show(value)} is not a usable regex: {exc}", "simplify the regex")
        return None


# -- decoding ---------------------------------------------------------------------------------------


def _decode(source: bytes | str, file: str) -> tuple[str, bytes]:
    """The text to parse and the bytes to digest."""
    if isinstance(source, str):
        try:
            raw = source.encode("utf-8")
        except UnicodeEncodeError as exc:
            line = source[: exc.start].count("\n") + 1
            raise ConfigError(
                "the file is not valid UTF-8", file=file, line=line, hint="save the file as UTF-8"
            ) from None
        text = source
    else:
        raw = bytes(source)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise ConfigError(
                f"the file is not valid UTF-8 (byte {raw[exc.start]:#04x})",
                file=file,
                line=line,
                hint="TOML files must be UTF-8: save the file as UTF-8",
            ) from None
    return text.removeprefix("\ufeff"), raw


def _toml_hint(message: str) -> str:
    if message.startswith("Invalid value"):
        return (
            "each value needs TOML syntax: strings in quotes (\"red\", or '^\\s*import' for regexes), "
            "lists in [ ], true or false without quotes, numbers without quotes"
        )
    if message.startswith(("Cannot overwrite", "Cannot declare", "Cannot mutate")):
        return "a key may appear only once in a table, and a [table] header only once in the file"
    if message.startswith("Unescaped") or "escape" in message.lower():
        return (
            "in a double-quoted string a backslash starts an escape; write regexes in single quotes, "
            "'^\\s*import', so backslashes stay as written"
        )
    if message.startswith(("Unterminated", "Unclosed")):
        return "close the string, list or table that starts here"
    if message.startswith("Expected '=' after a key"):
        return "each line is `key = value`, a [table] header, or a comment starting with #"
    return "check the TOML syntax (https://toml.io): `key = value`, strings in quotes, lists in [ ]"


def _load_toml(text: str, file: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raw_msg = str(exc.args[0]) if exc.args else str(exc)
        m = _TOML_ERROR.match(raw_msg)
        message = m.group("msg") if m else raw_msg
        line: int | None = getattr(exc, "lineno", None)
        col: int | None = getattr(exc, "colno", None)
        if m and m.group("line"):
            line, col = int(m.group("line")), int(m.group("col"))
        key: str | None = None
        if message.startswith("Cannot overwrite"):
            dupes = Locator(text).duplicates
            if dupes:
                key, line, col = key_name(dupes[0][0]), dupes[0][1], None
        if key is None and line is not None:
            lines = text.split("\n")
            m_key = _LINE_KEY.match(lines[line - 1]) if 0 < line <= len(lines) else None
            key = m_key.group(1).strip() if m_key else None
        if line is None:
            line = text.count("\n") + (0 if text.endswith("\n") else 1)
            where = "at the end of the file"
        else:
            where = f"at column {col}" if col else ""
        described = f"this is not valid TOML: {message}" + (f" ({where})" if where else "")
        raise ConfigError(described, file=file, line=max(line, 1), key=key, hint=_toml_hint(message)) from None
    except RecursionError:
        raise ConfigError(
            "this is not valid TOML: values are nested too deeply",
            file=file,
            line=None,
            hint="flatten the nested lists or tables",
        ) from None


# -- policy.toml --------------------------------------------------------------------------------------


def parse_policy(source: bytes | str, file: str = POLICY_FILE) -> Policy:
    """Parse and check a policy file; every mistake is reported, in one ConfigError, with file, line and key."""
    policy, _, problems = _read_policy(source, file)
    if policy is None or problems:
        raise ConfigError.combine(problems)
    return policy


def _read_policy(source: bytes | str, file: str) -> tuple[Policy | None, tuple[str, ...] | None, list[ConfigError]]:
    """The policy (None when there are problems), its levels (None when unusable) and every problem."""
    try:
        text, raw = _decode(source, file)
        data = _load_toml(text, file)
    except ConfigError as err:  # the file cannot be read as TOML at all: nothing else can be checked
        return None, None, [err]
    doc = _Doc(text, file)
    version = data.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version > SUPPORTED_VERSION:
        # A newer format: the rest of the file may well be right for it, so this is the only mistake to report.
        _version(doc, data)
        return None, None, doc.problems
    meant = doc.keys(data, (), _POLICY_KEYS, "the policy file")
    if "version" not in meant:
        _version(doc, data)
    levels = _levels(doc, data, meant)
    tiers = _tiers(doc, data, levels, meant)
    unknown = _unknown_authors(doc, data, levels)
    markers = _markers(doc, data)
    retro_review_days = _retro_review_days(doc, data)
    deps = _deps(doc, data)
    metrics = _metrics(doc, data)
    if doc.problems or levels is None or retro_review_days is None or deps is None or metrics is None:
        return None, levels, doc.problems
    policy = Policy(
        version=SUPPORTED_VERSION,
        levels=levels,
        tiers=tiers,
        unknown_author_level=unknown,
        markers=markers,
        digest="sha256:" + hashlib.sha256(raw).hexdigest(),
        file=file,
        retro_review_days=retro_review_days,
        deps=deps,
        metrics=metrics,
    )
    return policy, levels, []


def _metrics(doc: _Doc, data: dict[str, Any]) -> MetricsConfig | None:
    """The ``[metrics]`` table (defaults when absent), or None when it has a mistake (each one recorded)."""
    if "metrics" not in data:
        return MetricsConfig()
    path: PathKey = ("metrics",)
    table = doc.table(data["metrics"], path, "[metrics]\ntag_pattern = '^v(?P<version>.+)$'")
    if table is None:
        return None
    before = len(doc.problems)
    doc.keys(table, path, _METRICS_KEYS, "[metrics]")
    values: dict[str, Any] = {}

    def regexes(key: str, example: str) -> None:
        if key not in table:
            return
        found = doc.strings(table[key], (*path, key), example=example)
        if found is not None:
            for i, value in enumerate(found):
                doc.regex(value, (*path, key, i), f"{key} regex")
            values[key] = tuple(found)

    def words(key: str, example: str) -> None:
        if key not in table:
            return
        found = doc.strings(table[key], (*path, key), example=example)
        if found is not None:
            for i, value in enumerate(found):
                if not value.strip():
                    doc.report((*path, key, i), f"the {_ordinal(i + 1)} entry of {key} is blank", "remove it")
            values[key] = tuple(found)

    regexes("fix_patterns", "['^fix(\\(.+\\))?:', '(?i)hotfix']")
    words("fix_trailers", '["Fixes", "Closes", "Resolves"]')
    for i, key in enumerate(values.get("fix_trailers", ())):
        if key.strip() and not _TRAILER_KEY.fullmatch(key):
            doc.report(
                (*path, "fix_trailers", i),
                f"{json.dumps(key, ensure_ascii=False)} is not a trailer key",
                'give only the key, letters, digits and dashes: "Fixes"',
            )
    words("bug_labels", '["bug", "defect"]')
    words("customer_labels", '["customer-reported"]')
    for key, example in (("issue_key_pattern", "'\\b[A-Z]+-[0-9]+\\b'"), ("tag_pattern", "'^v(?P<version>.+)$'")):
        if key in table:
            value = doc.string(table[key], (*path, key), example=example)
            if value is not None and doc.regex(value, (*path, key), key) is not None:
                values[key] = value
    if "version_scheme" in table:
        scheme = table["version_scheme"]
        if scheme not in _VERSION_SCHEMES:
            shown = json.dumps(scheme, ensure_ascii=False) if isinstance(scheme, str) else _type_name(scheme)
            doc.report(
                (*path, "version_scheme"),
                f"unknown version scheme {shown}",
                'write version_scheme = "pep440" or "semver"',
            )
        else:
            values["version_scheme"] = scheme
    if "min_events" in table:
        minimum = doc.integer(table["min_events"], (*path, "min_events"), minimum=1)
        if minimum is not None:
            values["min_events"] = minimum
    if "severity" in table:
        spath: PathKey = (*path, "severity")
        mapping = doc.table(table["severity"], spath, '[metrics.severity]\n"P1" = "critical"')
        if mapping is not None:
            pairs: list[tuple[str, str]] = []
            for word, level in mapping.items():
                if level not in BUG_SEVERITIES[:-1]:
                    shown = json.dumps(level, ensure_ascii=False) if isinstance(level, str) else _type_name(level)
                    doc.report(
                        (*spath, word),
                        f"unknown severity {shown} for {json.dumps(word, ensure_ascii=False)}",
                        f"map each word to one of: {', '.join(BUG_SEVERITIES[:-1])}",
                    )
                else:
                    pairs.append((word, level))
            values["severity"] = tuple(pairs)
    if len(doc.problems) > before:
        return None
    return MetricsConfig(**values)


def _retro_review_days(doc: _Doc, data: dict[str, Any]) -> int | None:
    """``retro_review_days`` at the top level or in a ``[ledger]`` table (not both); default 7."""
    found: list[tuple[PathKey, object]] = []
    if "retro_review_days" in data:
        found.append((("retro_review_days",), data["retro_review_days"]))
    if "ledger" in data:
        table = data["ledger"]
        if not isinstance(table, dict):
            doc.report(
                ("ledger",), f"must be a table, not {_type_name(table)}", "write [ledger]\nretro_review_days = 7"
            )
            return None
        doc.keys(table, ("ledger",), _LEDGER_KEYS, "[ledger]")
        if "retro_review_days" in table:
            found.append((("ledger", "retro_review_days"), table["retro_review_days"]))
    if len(found) > 1:
        doc.report(
            found[1][0], "retro_review_days is set twice", "keep either the top-level key or the one in [ledger]"
        )
        return None
    if not found:
        return 7
    return doc.integer(found[0][1], found[0][0], minimum=1)


def _version(doc: _Doc, data: dict[str, Any]) -> None:
    if "version" not in data:
        doc.report(("version",), "the policy file has no version", f"add `version = {SUPPORTED_VERSION}` at the top")
        return
    version = data["version"]
    if isinstance(version, bool) or not isinstance(version, int) or version != SUPPORTED_VERSION:
        shown = _type_name(version) if not isinstance(version, int) or isinstance(version, bool) else version
        doc.report(
            ("version",),
            f"unsupported policy version {shown}: this vouched reads version {SUPPORTED_VERSION}",
            f"write `version = {SUPPORTED_VERSION}`, or upgrade vouched if the file is for a newer one",
        )


def _levels(doc: _Doc, data: dict[str, Any], meant: set[str]) -> tuple[str, ...] | None:
    """The levels, or None when they are unusable: then level names elsewhere are checked only for type."""
    example = '["junior", "mid", "senior"]'
    if "levels" not in data:
        if "levels" not in meant:
            doc.report(("levels",), "the policy file has no levels", f"add `levels = {example}`, least trusted first")
        return None
    levels = doc.strings(data["levels"], ("levels",), example=example)
    if levels is None:
        return None
    if not levels:
        doc.report(("levels",), "levels must name at least one level", f"write `levels = {example}`")
        return None
    usable = True
    seen: set[str] = set()
    for i, level in enumerate(levels):
        if not level.strip() or level != level.strip():
            doc.report(
                ("levels", i), f"level name {json.dumps(level)} is blank or has spaces around it", "trim the name"
            )
        elif level == "none":
            doc.report(
                ("levels", i),
                'the level name "none" is reserved: it means no clearance at all',
                'pick another name, for example "guest"',
            )
        elif level in seen:
            doc.report(("levels", i), f'level "{level}" is listed twice', "list each level once")
        else:
            seen.add(level)
            continue
        usable = False
    return tuple(levels) if usable else None


def _tiers(doc: _Doc, data: dict[str, Any], levels: tuple[str, ...] | None, meant: set[str]) -> tuple[Tier, ...]:
    """The tiers that are free of mistakes; each tier is checked, whatever the others hold."""
    example = '[[tiers]]\nname = "green"\npaths = ["**"]'
    if "tiers" not in data:
        if "tiers" not in meant:
            doc.report(("tiers",), "the policy file has no tiers", f"add at least one tier:\n{example}")
        return ()
    raw_tiers = data["tiers"]
    if not isinstance(raw_tiers, list) or not all(isinstance(t, dict) for t in raw_tiers):
        doc.report(
            ("tiers",),
            f"tiers must be an array of tables, one [[tiers]] section a tier, not {_type_name(raw_tiers)}",
            f"write each tier as\n{example}",
        )
        return ()
    if not raw_tiers:
        doc.report(("tiers",), "the policy needs at least one tier", f"add a tier:\n{example}")
        return ()
    tiers: list[Tier] = []
    names: dict[str, int] = {}
    for rank, table in enumerate(raw_tiers):
        path: PathKey = ("tiers", rank)
        where = f"the {_ordinal(rank + 1)} [[tiers]]"
        if isinstance(table.get("name"), str):
            where += f' ("{table["name"]}")'
        before = len(doc.problems)
        misspelled = doc.keys(table, path, _TIER_KEYS, where)
        name: str | None = None
        if "name" not in table:
            if "name" not in misspelled:
                doc.report((*path, "name"), f"{where} has no name", 'add `name = "red"` (any unique name)')
        else:
            name = doc.string(table["name"], (*path, "name"), example='"red"')
        if name is not None and name in names:
            doc.report(
                (*path, "name"),
                f'two tiers are named "{name}" (first on line {doc.line(("tiers", names[name], "name"))})',
                "give each tier its own name",
            )
        elif name is not None:
            names[name] = rank
        tier = _tier(doc, table, path, where, name or "", rank, levels, misspelled)
        if tier is not None and len(doc.problems) == before:
            tiers.append(tier)
    return tuple(tiers)


def _tier(
    doc: _Doc,
    table: dict[str, Any],
    path: PathKey,
    where: str,
    name: str,
    rank: int,
    levels: tuple[str, ...] | None,
    misspelled: set[str],
) -> Tier | None:
    """One tier, or None when it has a mistake (every one of its mistakes is recorded)."""
    before = len(doc.problems)
    paths = doc.strings(table.get("paths", []), (*path, "paths"), example='["src/**"]')
    for i, pattern in enumerate(paths or ()):
        try:
            compile_path_pattern(pattern)
        except ValueError as exc:
            doc.report(
                (*path, "paths", i),
                f"path pattern {show(pattern)} is not usable: {exc}",
                "write gitignore-style patterns: src/auth/**, *.tf, /setup.py, docs/",
            )
    if paths and all(p.startswith("!") for p in paths):
        doc.report(
            (*path, "paths"),
            f"{where} only takes paths out (every pattern starts with !), so it claims none",
            'add a pattern that claims paths, e.g. paths = ["src/**", "!src/vendor/**"]',
        )
    content = doc.strings(table.get("content", []), (*path, "content"), example="['^\\s*import hashlib']")
    for i, regex in enumerate(content or ()):
        doc.regex(regex, (*path, "content", i), "content regex")
    if paths == [] and content == [] and not misspelled & {"paths", "content"}:
        doc.report(
            (*path, "paths") if "paths" in table else path,
            f"{where} claims no files: it has no paths and no content",
            "add path patterns (paths = [\"src/pay/**\"]) or content regexes (content = ['^import ssl'])",
        )

    def level(key: str) -> str | None:
        if key not in table:
            return levels[0] if levels else None
        return doc.level(table[key], (*path, key), levels)

    def flag(key: str, default: bool) -> bool | None:
        return doc.boolean(table[key], (*path, key)) if key in table else default

    min_level, ai_min_level, approver_min_level = level("min_level"), level("ai_min_level"), level("approver_min_level")
    ai_allowed = flag("ai_allowed", True)
    require_rationale = flag("require_rationale", False)
    require_declaration = flag("require_declaration", False)
    accept_unsigned = flag("accept_unsigned_approvals", not table.get("stages"))
    approvals = doc.integer(table["approvals"], (*path, "approvals"), minimum=0) if "approvals" in table else 0
    stages = doc.strings(table.get("stages", []), (*path, "stages"), example='["design", "review"]')
    deps = _tier_deps(doc, table["deps"], (*path, "deps"), where) if "deps" in table else DepsRules()
    coverage_ok, min_coverage = _percent(doc, table, (*path, "min_ai_line_coverage"))
    seen: set[str] = set()
    for i, stage in enumerate(stages or ()):
        if stage not in STAGES:
            close = _closest(stage, STAGES)
            doc.report(
                (*path, "stages", i),
                f"unknown stage {json.dumps(stage, ensure_ascii=False)}",
                (f'did you mean "{close}"? ' if close else "") + f"the stages are: {', '.join(STAGES)}",
            )
        elif stage in seen:
            doc.report((*path, "stages", i), f'stage "{stage}" is listed twice', "list each stage once")
        seen.add(stage)
    scan = _scan_settings(doc, table, path, where) if "scan" in table else ScanSettings()
    if (
        len(doc.problems) > before
        or scan is None
        or paths is None
        or content is None
        or stages is None
        or min_level is None
        or ai_min_level is None
        or approver_min_level is None
        or ai_allowed is None
        or require_rationale is None
        or require_declaration is None
        or accept_unsigned is None
        or approvals is None
        or deps is None
        or not coverage_ok
    ):
        return None
    return Tier(
        name=name,
        rank=rank,
        paths=tuple(paths),
        content=tuple(content),
        min_level=min_level,
        ai_min_level=ai_min_level,
        ai_allowed=ai_allowed,
        approvals=approvals,
        approver_min_level=approver_min_level,
        require_rationale=require_rationale,
        require_declaration=require_declaration,
        stages=tuple(stages),
        accept_unsigned_approvals=accept_unsigned,
        deps=deps,
        min_ai_line_coverage=min_coverage,
        scan=scan,
    )


def _percent(doc: _Doc, table: dict[str, Any], path: PathKey) -> tuple[bool, float | None]:
    """``min_ai_line_coverage``: a number of percent, 0 to 100 (80 means 80 %, not 0.8). (usable?, value)"""
    key = str(path[-1])
    if key not in table:
        return True, None
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        shown = value.strip().rstrip("%").strip() if isinstance(value, str) else "80"
        doc.report(path, f"must be a number of percent, not {_type_name(value)}", f"write {key} = {shown or 80}")
        return False, None
    if not 0 <= value <= 100 or value != value:
        doc.report(path, f"must be between 0 and 100 (percent), not {value}", f"write {key} = 80 for 80 %")
        return False, None
    if 0 < value <= 1 and isinstance(value, float):
        doc.report(
            path,
            f"{value} reads as {value} percent: min_ai_line_coverage is in percent, 0 to 100",
            f"write {key} = {value * 100:g} for {value * 100:g} %, or {key} = 1 if you mean one percent",
        )
        return False, None
    return True, float(value)


def _scan_settings(doc: _Doc, table: dict[str, Any], path: PathKey, where: str) -> ScanSettings | None:
    """A tier's ``[tiers.scan]`` table, or None when it has a mistake (each one recorded)."""
    spath: PathKey = (*path, "scan")
    scan = doc.table(table["scan"], spath, '[tiers.scan]\nscanners = ["ruff"]')
    if scan is None:
        return None
    before = len(doc.problems)
    doc.keys(scan, spath, _SCAN_KEYS, f"[tiers.scan] of {where}")
    default = ScanSettings()
    scanners = doc.strings(scan.get("scanners", list(default.scanners)), (*spath, "scanners"), example='["ruff"]')
    seen: set[str] = set()
    for i, name in enumerate(scanners or ()):
        if name not in SCANNERS:
            close = _closest(name, SCANNERS)
            doc.report(
                (*spath, "scanners", i),
                f"unknown scanner {json.dumps(name, ensure_ascii=False)}",
                (f'did you mean "{close}"? ' if close else "")
                + f"the scanners are: {', '.join(SCANNERS)} (secrets are scanned in every tier without naming them)",
            )
        elif name in seen:
            doc.report((*spath, "scanners", i), f'scanner "{name}" is listed twice', "list each scanner once")
        seen.add(name)
    severity: str | None = default.block_severity
    if "block_severity" in scan:
        severity = doc.string(scan["block_severity"], (*spath, "block_severity"), example='"medium"')
        if severity is not None and severity not in SEVERITIES:
            close = _closest(severity, SEVERITIES)
            doc.report(
                (*spath, "block_severity"),
                f"unknown severity {json.dumps(severity, ensure_ascii=False)}",
                (f'did you mean "{close}"? ' if close else "") + f"the severities are: {', '.join(SEVERITIES)}",
            )
            severity = None
    context: int | None = default.context_lines
    if "context_lines" in scan:
        context = doc.integer(scan["context_lines"], (*spath, "context_lines"), minimum=0)
        if context is not None and context > _MAX_CONTEXT:
            doc.report(
                (*spath, "context_lines"),
                f"must be {_MAX_CONTEXT} or less, not {context}",
                "a finding that far from the change is about the code around it, not the change",
            )
            context = None
    if len(doc.problems) > before or scanners is None or severity is None or context is None:
        return None
    return ScanSettings(scanners=tuple(scanners), block_severity=severity, context_lines=context)


def _tier_deps(doc: _Doc, raw: object, path: PathKey, where: str) -> DepsRules | None:
    """A tier's ``[tiers.deps]``: ``block`` and ``warn`` lists of signal names, none in both."""
    table = doc.table(raw, path, '[tiers.deps]\nblock = ["vulnerable", "nonexistent", "unknown"]')
    if table is None:
        return None
    before = len(doc.problems)
    doc.keys(table, path, _TIER_DEPS_KEYS, f"[tiers.deps] of {where}")
    lists: dict[str, tuple[str, ...]] = {"block": DEFAULT_DEPS_BLOCK, "warn": DEFAULT_DEPS_WARN}
    for key in _TIER_DEPS_KEYS:
        if key not in table:
            continue
        names = doc.strings(table[key], (*path, key), example='["vulnerable", "nonexistent"]')
        if names is None:
            continue
        seen: set[str] = set()
        for i, name in enumerate(names):
            if name not in DEPS_SIGNALS:
                close = _closest(name, DEPS_SIGNALS)
                doc.report(
                    (*path, key, i),
                    f"unknown dependency signal {json.dumps(name, ensure_ascii=False)}",
                    (f'did you mean "{close}"? ' if close else "") + f"the signals are: {', '.join(DEPS_SIGNALS)}",
                )
            elif name in seen:
                doc.report((*path, key, i), f'signal "{name}" is listed twice', "list each signal once")
            seen.add(name)
        lists[key] = tuple(names)
    if "warn" not in table:  # what the tier does not block warns, as by default
        lists["warn"] = tuple(n for n in (*DEFAULT_DEPS_WARN, *DEFAULT_DEPS_BLOCK) if n not in lists["block"])
    if "block" not in table:  # block defaulted: what warn names is taken out of it
        lists["block"] = tuple(n for n in lists["block"] if n not in lists["warn"])
    both = [n for n in lists["warn"] if n in lists["block"]]
    if both:
        doc.report(
            (*path, "warn"),
            f"{', '.join(both)} {'is' if len(both) == 1 else 'are'} in both block and warn",
            "list each signal in one of them: block stops the change, warn only reports",
        )
    if len(doc.problems) > before:
        return None
    return DepsRules(block=lists["block"], warn=lists["warn"])


def _deps(doc: _Doc, data: dict[str, Any]) -> DepsPolicy | None:
    """The ``[deps]`` table; the defaults when it is absent, None when it has a mistake."""
    if "deps" not in data:
        return DepsPolicy()
    path: PathKey = ("deps",)
    table = doc.table(data["deps"], path, "[deps]\nmax_db_age_days = 7")
    if table is None:
        return None
    before = len(doc.problems)
    doc.keys(table, path, _DEPS_KEYS, "[deps]")

    def integer(key: str, default: int, minimum: int) -> int | None:
        return doc.integer(table[key], (*path, key), minimum=minimum) if key in table else default

    max_age = integer("max_db_age_days", 7, 1)
    new_days = integer("new_package_days", 30, 0)
    licences: dict[str, tuple[str, ...]] = {}
    for key in ("licence_allow", "licence_deny"):
        ids = doc.strings(table.get(key, []), (*path, key), example='["MIT", "Apache-2.0"]') or []
        for i, ident in enumerate(ids):
            if not _SPDX_ID.fullmatch(ident):
                doc.report(
                    (*path, key, i),
                    f"{json.dumps(ident, ensure_ascii=False)} is not an SPDX licence id",
                    'write SPDX ids such as "MIT", "Apache-2.0", "GPL-3.0-only" (https://spdx.org/licenses/)',
                )
        licences[key] = tuple(ids)
    both = sorted({i.casefold() for i in licences["licence_allow"]} & {i.casefold() for i in licences["licence_deny"]})
    if both:
        doc.report(
            (*path, "licence_deny"),
            f"{', '.join(both)} is both allowed and denied",
            "keep each licence id in one list",
        )
    neighbours = doc.strings(
        table.get("allow_neighbours", []), (*path, "allow_neighbours"), example='["requests-oauthlib"]'
    )
    for i, name in enumerate(neighbours or ()):
        if not name.strip() or name != name.strip():
            doc.report((*path, "allow_neighbours", i), "a package name must not be blank or padded", "trim the name")
    exceptions = _deps_exceptions(doc, table.get("exceptions"), (*path, "exceptions"))
    if len(doc.problems) > before or max_age is None or new_days is None or neighbours is None or exceptions is None:
        return None
    return DepsPolicy(
        max_db_age_days=max_age,
        licence_allow=licences["licence_allow"],
        licence_deny=licences["licence_deny"],
        new_package_days=new_days,
        allow_neighbours=tuple(neighbours),
        exceptions=exceptions,
    )


def _deps_exceptions(doc: _Doc, raw: object, path: PathKey) -> tuple[DepsException, ...] | None:
    example = '[[deps.exceptions]]\npackage = "django"\nreason = "..."\nexpires = 2026-12-31'
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
        doc.report(
            path,
            f"exceptions must be an array of tables, one [[deps.exceptions]] an exception, not {_type_name(raw)}",
            f"write each exception as\n{example}",
        )
        return None
    out: list[DepsException] = []
    clean = True
    for i, table in enumerate(raw):
        at: PathKey = (*path, i)
        where = f"the {_ordinal(i + 1)} [[deps.exceptions]]"
        before = len(doc.problems)
        misspelled = doc.keys(table, at, _EXCEPTION_KEYS, where)
        values: dict[str, str | None] = {}
        for key, required, sample in (
            ("package", True, '"django"'),
            ("reason", True, '"not reachable: we never call the affected API"'),
            ("ecosystem", False, '"PyPI"'),
            ("advisory", False, '"GHSA-xxxx-xxxx-xxxx"'),
            ("signal", False, '"vulnerable"'),
        ):
            if key in table:
                values[key] = doc.string(table[key], (*at, key), example=sample)
            elif required and key not in misspelled:
                doc.report((*at, key), f"{where} has no {key}", f"add `{key} = {sample}`: an exception must say it")
        eco = values.get("ecosystem")
        if eco is not None and eco not in _DEPS_ECOSYSTEMS:
            close = _closest(eco, _DEPS_ECOSYSTEMS)
            doc.report(
                (*at, "ecosystem"),
                f"unknown ecosystem {json.dumps(eco, ensure_ascii=False)}",
                (f'did you mean "{close}"? ' if close else "") + "the ecosystems are: PyPI, npm",
            )
        signal = values.get("signal")
        if signal is not None and signal not in DEPS_SIGNALS:
            close = _closest(signal, DEPS_SIGNALS)
            doc.report(
                (*at, "signal"),
                f"unknown dependency signal {json.dumps(signal, ensure_ascii=False)}",
                (f'did you mean "{close}"? ' if close else "") + f"the signals are: {', '.join(DEPS_SIGNALS)}",
            )
        expires: dt.date | None = None
        if "expires" in table:
            value = table["expires"]
            if isinstance(value, dt.datetime):
                expires = value.date()
            elif isinstance(value, dt.date):
                expires = value
            else:
                doc.report(
                    (*at, "expires"),
                    f"must be a date, not {_type_name(value)}",
                    "write expires = 2026-12-31, a TOML date without quotes",
                )
        elif "expires" not in misspelled:
            doc.report(
                (*at, "expires"),
                f"{where} has no expiry",
                "add `expires = 2026-12-31`: every accepted risk is looked at again",
            )
        if len(doc.problems) > before or expires is None or values.get("package") is None or not values.get("reason"):
            clean = False
            continue
        out.append(
            DepsException(
                package=str(values["package"]),
                reason=str(values["reason"]),
                expires=expires,
                ecosystem=eco,
                advisory=values.get("advisory"),
                signal=signal,
                line=doc.line(at),
            )
        )
    return tuple(out) if clean else None


def _unknown_authors(doc: _Doc, data: dict[str, Any], levels: tuple[str, ...] | None) -> str | None:
    if "unknown_authors" not in data:
        return None
    path: PathKey = ("unknown_authors",)
    table = doc.table(data["unknown_authors"], path, '[unknown_authors]\nlevel = "none"')
    if table is None:
        return None
    doc.keys(table, path, _UNKNOWN_AUTHORS_KEYS, "[unknown_authors]")
    if "level" not in table:
        return None
    level = doc.level(table["level"], (*path, "level"), levels, allow_none=True)
    return None if level == "none" else level


def _markers(doc: _Doc, data: dict[str, Any]) -> tuple[Marker, ...]:
    """The markers that are free of mistakes; each [[ai_markers]] is checked, whatever the others hold."""
    if "ai_markers" not in data:
        return ()
    raw = data["ai_markers"]
    example = "[[ai_markers]]\ntool = \"acme-bot\"\nemail = '^acme-bot@ci\\.example$'"
    if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
        doc.report(
            ("ai_markers",),
            f"ai_markers must be an array of tables, one [[ai_markers]] a marker, not {_type_name(raw)}",
            f"write each marker as\n{example}",
        )
        return ()
    if not raw:
        return ()
    from vouched.provenance import Marker  # provenance imports nothing from policy; keep start-up lean

    markers: list[Marker] = []
    for i, table in enumerate(raw):
        path: PathKey = ("ai_markers", i)
        where = f"the {_ordinal(i + 1)} [[ai_markers]]"
        before = len(doc.problems)
        misspelled = doc.keys(table, path, _MARKER_KEYS, where)
        tool: str | None = None
        if "tool" not in table:
            if "tool" not in misspelled:
                doc.report((*path, "tool"), f"{where} has no tool", 'add `tool = "acme-bot"`, a lower-case tool id')
        else:
            tool = doc.string(table["tool"], (*path, "tool"), example='"acme-bot"')
        if tool is not None and not _TOOL_ID.fullmatch(tool):
            suggestion = re.sub(r"[^a-z0-9._-]+", "-", tool.strip().lower()).strip("-._") or "acme-bot"
            doc.report(
                (*path, "tool"),
                f"tool id {json.dumps(tool, ensure_ascii=False)} must be lower-case letters, digits, '.', '_' or '-'",
                f'write tool = "{suggestion}"',
            )
        looks_for = ("trailer", "email", "name", "message")
        if not any(k in table for k in looks_for) and not misspelled.intersection(looks_for):
            doc.report(path, f"{where} says nothing to look for", "add at least one of trailer, email, name, message")
        trailer: str | None = None
        if "trailer" in table:
            trailer = doc.string(table["trailer"], (*path, "trailer"), example='"Generated-by"')
            if trailer is not None and not _TRAILER_KEY.fullmatch(trailer):
                key = trailer.split(":", 1)[0].strip()
                doc.report(
                    (*path, "trailer"),
                    f"trailer {json.dumps(trailer, ensure_ascii=False)} is not a trailer key",
                    f'give only the key, letters, digits and dashes: trailer = "{key or "Generated-by"}"',
                )
        patterns: dict[str, re.Pattern[str] | None] = {}
        for key in ("email", "name", "message"):
            patterns[key] = None
            if key in table:
                value = doc.string(table[key], (*path, key), example="'^acme-bot@'")
                if value is not None:
                    patterns[key] = doc.regex(value, (*path, key), f"{key} regex")
        if tool is not None and len(doc.problems) == before:
            markers.append(
                Marker(
                    tool=tool,
                    trailer=trailer,
                    email=patterns["email"],
                    name=patterns["name"],
                    message=patterns["message"],
                )
            )
    return tuple(markers)


# -- people.toml --------------------------------------------------------------------------------------


def parse_people(source: bytes | str, policy: Policy, file: str = PEOPLE_FILE) -> People:
    """Parse and check a roster against ``policy``'s levels; every mistake is reported, in one ConfigError."""
    people, problems = _read_people(source, policy.levels, file)
    if people is None or problems:
        raise ConfigError.combine(problems)
    return people


def _read_people(
    source: bytes | str, levels: tuple[str, ...] | None, file: str
) -> tuple[People | None, list[ConfigError]]:
    """The roster (None when there are problems) and every problem; with ``levels`` None (the policy's are
    unusable), each person's level is checked only for type."""
    try:
        text, _ = _decode(source, file)
        data = _load_toml(text, file)
    except ConfigError as err:
        return None, [err]
    doc = _Doc(text, file)
    people = _people(doc, data, levels)
    return (None, doc.problems) if doc.problems else (people, [])


def _people(doc: _Doc, data: dict[str, Any], levels: tuple[str, ...] | None) -> People:
    doc.keys(data, (), _PEOPLE_KEYS, "the people file (each person is a [people.<id>] table)")
    lowest = levels[0] if levels else "senior"
    if "people" not in data:
        return People((), doc.file)
    table = doc.table(data["people"], ("people",), f'[people.alice]\nname = "Alice Archer"\nlevel = "{lowest}"')
    if table is None:
        return People((), doc.file)
    persons: list[Person] = []
    emails: dict[str, tuple[str, PathKey]] = {}
    logins: dict[str, tuple[str, PathKey]] = {}
    keys: dict[str, tuple[str, PathKey]] = {}

    def claim(seen: dict[str, tuple[str, PathKey]], value: str, pid: str, path: PathKey, what: str) -> None:
        norm = value.casefold()
        if norm in seen:
            other, other_path = seen[norm]
            whose = "this person" if other == pid else f"person {other!r}"
            doc.report(
                path,
                f"{what} {json.dumps(value, ensure_ascii=False)} is already listed for {whose} "
                f"(line {doc.line(other_path)})",
                f"a {what} identifies exactly one person: keep it in one place only",
            )
        else:
            seen[norm] = (pid, path)

    for pid, raw in table.items():
        path: PathKey = ("people", pid)
        example = f'[people.{key_name((pid,)) or "alice"}]\nname = "Alice Archer"\nlevel = "{lowest}"'
        entry = doc.table(raw, path, example)
        if entry is None:
            continue
        before = len(doc.problems)
        where = f"[people.{key_name((pid,))}]"
        if not pid.strip():
            doc.report(path, "a person's id must not be blank", "use a short id such as [people.alice]")
        misspelled = doc.keys(entry, path, _PERSON_KEYS, f"a person ({where})")
        level: str | None = None
        if "level" not in entry and "level" not in misspelled:
            names = ", ".join(levels) if levels else f"the levels in {POLICY_FILE}"
            doc.report((*path, "level"), f"{where} has no level", f'add `level = "{lowest}"`; the levels are: {names}')
        elif "level" in entry:
            level = doc.level(entry["level"], (*path, "level"), levels)
        name = doc.string(entry["name"], (*path, "name"), example='"Alice Archer"') if "name" in entry else pid
        person_emails = doc.strings(entry.get("emails", []), (*path, "emails"), example='["alice@bank.example"]')
        for i, email in enumerate(person_emails or ()):
            epath: PathKey = (*path, "emails", i)
            if email != email.strip() or "@" not in email or any(c.isspace() or c in "<>" for c in email):
                doc.report(
                    epath,
                    f"{json.dumps(email, ensure_ascii=False)} is not an email address",
                    'write the address alone, as git records it: "alice@bank.example"',
                )
            else:
                claim(emails, email, pid, epath, "email")
        github: str | None = None
        if "github" in entry:
            github = doc.string(entry["github"], (*path, "github"), example='"alice-archer"')
            if github is not None and not _LOGIN.fullmatch(github):
                doc.report(
                    (*path, "github"),
                    f"{json.dumps(github, ensure_ascii=False)} is not a forge login",
                    f'write the login alone, no @ or URL: github = "{github.strip().lstrip("@") or "alice"}"',
                )
            elif github is not None:
                claim(logins, github, pid, (*path, "github"), "github login")
        person_keys = _person_keys(doc, entry.get("keys", []), path, where)
        break_glass = doc.boolean(entry["break_glass"], (*path, "break_glass")) if "break_glass" in entry else False
        for i, key in person_keys:
            claim(keys, key.split()[1], pid, (*path, "keys", i), "key")
        if (
            len(doc.problems) == before
            and level is not None
            and name is not None
            and person_emails is not None
            and break_glass is not None
        ):
            persons.append(
                Person(
                    id=pid,
                    name=name,
                    level=level,
                    emails=tuple(person_emails),
                    github=github,
                    keys=tuple(k.strip() for _, k in person_keys),
                    break_glass=break_glass,
                )
            )
    return People(tuple(persons), doc.file)


def _person_keys(doc: _Doc, raw: object, path: PathKey, where: str) -> list[tuple[int, str]]:
    """The well-formed public keys of a person, with their index; each wrong one is reported."""
    if not isinstance(raw, list):
        doc.strings(raw, (*path, "keys"), example='["ssh-ed25519 AAAA... alice@laptop"]')
        return []
    if not all(isinstance(item, str) for item in raw):
        for i, item in enumerate(raw):
            if not isinstance(item, str):
                doc.report(
                    (*path, "keys", i),
                    f"the {_ordinal(i + 1)} key must be a string, not {_type_name(item)}",
                    'write keys = ["ssh-ed25519 AAAAC3Nza... alice@laptop"] (~/.ssh/id_ed25519.pub)',
                )
        return []
    usable: list[tuple[int, str]] = []
    for i, key in enumerate(raw):
        problem = ssh_key_problem(key)
        if problem is not None:
            doc.report(
                (*path, "keys", i),
                f"the {_ordinal(i + 1)} key of {where} is not an OpenSSH Ed25519 public key: {problem}",
                "paste the one line of the public key file (~/.ssh/id_ed25519.pub): "
                '"ssh-ed25519 AAAAC3Nza... comment"; make one with `ssh-keygen -t ed25519`',
            )
        else:
            usable.append((i, key))
    return usable


def ssh_key_problem(text: str) -> str | None:
    """Why ``text`` is not an OpenSSH Ed25519 public key line ("ssh-ed25519 AAAA... [comment]"), or None."""
    if "PRIVATE KEY" in text:
        return "this is a PRIVATE key; delete it from the file now and replace the key pair"
    parts = text.split()
    if len(parts) < 2:
        return 'expected "ssh-ed25519 <base64> [comment]"'
    kind, blob64 = parts[0], parts[1]
    if kind != "ssh-ed25519":
        if kind in _SSH_KEY_TYPES:
            return f"it is a {kind} key, and vouched verifies Ed25519 keys only"
        return f'it starts with {json.dumps(kind[:40], ensure_ascii=False)}, not the key type "ssh-ed25519"'
    try:
        blob = base64.b64decode(blob64, validate=True)
    except (binascii.Error, ValueError):
        return "the part after ssh-ed25519 is not valid base64"
    fields: list[bytes] = []
    pos = 0
    while pos < len(blob):
        if pos + 4 > len(blob):
            return "the key data is truncated"
        size = int.from_bytes(blob[pos : pos + 4], "big")
        pos += 4
        if pos + size > len(blob):
            return "the key data is truncated"
        fields.append(blob[pos : pos + size])
        pos += size
    if len(fields) != 2 or fields[0] != b"ssh-ed25519" or len(fields[1]) != 32:
        return "the base64 data is not an Ed25519 public key"
    return None


# -- reading both from git ----------------------------------------------------------------------------


def markers_at(git: Git, rev: str) -> tuple[Marker, ...]:
    """The team's AI markers from the policy committed at ``rev``; none when there is no policy there.

    For commands that read history without judging it (``vouched provenance``): a repository without a
    policy is fine, a broken policy is still a ConfigError.
    """
    source = git.read_files(rev, [POLICY_FILE]).get(POLICY_FILE)
    return () if source is None else parse_policy(source, POLICY_FILE).markers


def load_sources(git: Git, rev: str | None = None) -> tuple[Policy, People]:
    """:func:`load` at ``rev``, or, with None, the files in the working tree (``vouched policy check``)."""
    if rev is not None:
        return load(git, rev)
    from pathlib import Path

    top = Path(git.toplevel())
    texts: dict[str, bytes | ConfigError] = {}
    for name in (POLICY_FILE, PEOPLE_FILE):
        try:
            texts[name] = (top / name).read_bytes()
        except FileNotFoundError:
            what = "policy" if name == POLICY_FILE else "roster"
            texts[name] = ConfigError(f"there is no {what} in the working tree", file=name, hint=INIT_HINT)
        except OSError as exc:
            texts[name] = ConfigError(
                f"cannot read the file: {exc.strerror or exc}", file=name, hint="make it a readable file"
            )
    return _parse_both(texts[POLICY_FILE], texts[PEOPLE_FILE])


def load(git: Git, rev: str) -> tuple[Policy, People]:
    """The policy and the roster as committed at ``rev`` (the base of a change), read in one git call.

    Both files must exist: without a policy there is nothing to judge by, and without a roster nobody has
    clearance, which is a configuration mistake to report rather than a reason to fail every change.
    """
    files = git.read_files(rev, [POLICY_FILE, PEOPLE_FILE])
    policy_src: bytes | ConfigError | None = files.get(POLICY_FILE)
    if policy_src is None:
        policy_src = ConfigError(
            f"there is no policy at revision {rev}: vouched judges a change by the base revision's policy",
            file=POLICY_FILE,
            hint=INIT_HINT,
        )
    people_src: bytes | ConfigError | None = files.get(PEOPLE_FILE)
    if people_src is None:
        people_src = ConfigError(
            f"there is no roster at revision {rev}: without it nobody has clearance",
            file=PEOPLE_FILE,
            hint=INIT_HINT,
        )
    return _parse_both(policy_src, people_src)


def _parse_both(policy_src: bytes | ConfigError, people_src: bytes | ConfigError) -> tuple[Policy, People]:
    """Both files checked, each source the file's bytes or why it could not be read.

    Every problem in both files is reported together, the policy's first. The roster is checked even when
    the policy has mistakes, against the policy's levels when those are usable. When neither file can be
    read (a repository that has not adopted vouched) only the policy's problem is reported: one
    `vouched init` fixes both.
    """
    if isinstance(policy_src, ConfigError) and isinstance(people_src, ConfigError):
        raise policy_src
    policy: Policy | None = None
    levels: tuple[str, ...] | None = None
    people: People | None = None
    problems: list[ConfigError] = []
    if isinstance(policy_src, ConfigError):
        problems.append(policy_src)
    else:
        policy, levels, found = _read_policy(policy_src, POLICY_FILE)
        problems += found
    if isinstance(people_src, ConfigError):
        problems.append(people_src)
    else:
        people, found = _read_people(people_src, levels, PEOPLE_FILE)
        problems += found
    if policy is None or people is None or problems:
        raise ConfigError.combine(problems)
    return policy, people
