"""Credentials on the lines a change adds: every tier blocks them, and no output ever shows them.

Two layers, both run on each added line of every text file of the change:

1. **detect-secrets** (Yelp's maintained detector), used as a library through its per-line plugins:
   AWS, Azure storage, Artifactory, Cloudant, Discord, GitHub, GitLab, IBM, JSON web tokens, Mailchimp,
   npm ``_authToken``, OpenAI, private keys, PyPI, SendGrid, Slack, SoftLayer, Square, Stripe, Telegram,
   Twilio, and ``scheme://user:password@host`` credentials. Its entropy and keyword plugins are left out:
   run on single lines without its file-level filters they flag almost every identifier, and they cost
   most of its time. Nothing of it touches the network (verification is never asked for). It costs about
   0.3 s to import (it pulls in ``requests``), so it is imported only when an added line could hold one of
   the credentials its plugins know (:func:`_plugins_may_match`), and its plugins are loaded once a process.
2. **vouched's own rules**, for what detect-secrets misses or gets wrong: Google API keys (``AIza...``),
   npm access tokens (``npm_...``), GitHub fine-grained tokens (``github_pat_...``), Slack webhooks,
   connection strings with a password (``postgres://user:pw@host``, placeholders such as ``${DB_PASS}``
   or ``password`` excepted), and a high-entropy string assigned to a name like ``password``,
   ``secret``, ``token``, ``api_key`` (quoted: at least 8 characters and 3.0 bits of entropy per
   character; unquoted, as in ``.env`` files: at least 12 characters, letters and digits, 3.5 bits).

**Nothing here keeps the secret.** A finding holds :func:`redact`'s form only (the first few characters and
the length, e.g. ``AKIA… (20 chars)``), so no report format can print it. A line that carries the comment
``vouched: allow-secret`` (a test fixture's fake key) still gives a finding, at severity ``low``: the gate
shows it as a warning for the reviewer instead of blocking.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable
from typing import Any

from vouched.scan.interface import Level, ScanFinding

__all__ = ["ALLOW_PRAGMA", "find_secrets", "redact"]

log = logging.getLogger(__name__)

ALLOW_PRAGMA = "vouched: allow-secret"
CWE_HARDCODED_CREDENTIALS = 798
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9_\-+/=.~]")
# Longer lines (minified code) are read in windows of this size that overlap by _OVERLAP, so the time per
# window is bounded and no credential shorter than the overlap can fall between two windows.
_MAX_LINE = 4_000
_OVERLAP = 600
# A necessary condition for any of the plugins vouched runs to report something on a line, so a line without
# it needs no plugin, and a change without such a line never imports detect-secrets (about 0.3 to 1 s, most
# of it `requests`). Each alternative is implied by a plugin's own patterns: a literal every match of it
# contains (key prefixes, ``://``, ``PRIVATE KEY``...), or, for the plugins that look for a keyword and a
# value (AWS secret key, Cloudant, IBM Cloud IAM and COS HMAC, SoftLayer), the keyword next to a run of 24 or
# more value characters. Character classes use the plugins' own flags (``\d`` is any Unicode digit, and
# IGNORECASE lets ``[a-z]`` match the Kelvin sign), so the condition holds for every line they can match.
# tests/test_scan_secrets_prefilter.py checks it against the plugins themselves (Hypothesis, from their
# patterns), and that findings are the same with and without it.
_PLUGIN_LITERALS = re.compile(
    r"AKC[a-zA-Z0-9]{10}|AP[\dABCDEF][a-zA-Z0-9]{8}"  # Artifactory
    r"|A3T[A-Z0-9]|ABIA|ACCA|AKIA|ASIA"  # AWS key ids
    r"|AccountKey="  # Azure storage
    r"|://"  # credentials in URLs, Cloudant, SoftLayer and Slack webhook URLs
    r"|[MNO][a-zA-Z\d_-]{23,25}\."  # Discord
    r"|gh[pousr]_|gl(?:pat|dt|ft|soat|rt|cbt|imt|ptt|agent|oas)-|GR1348941"  # GitHub, GitLab
    r"|eyJ"  # JSON web tokens
    r"|-us[0-9]"  # Mailchimp
    r"|_authToken="  # npm
    r"|T3BlbkFJ"  # OpenAI
    r"|PRIVATE KEY|PuTTY-User-Key-File-2"  # private keys
    r"|pypi-AgE"  # PyPI
    r"|SG\."  # SendGrid
    r"|(?i:xox[abposr]-)"  # Slack
    r"|sq0csp-"  # Square
    r"|[rs]k_live_"  # Stripe
    r"|\d{8}:"  # Telegram
    r"|(?:AC|SK)[a-z0-9]{32}"  # Twilio
)
_PLUGIN_KEYWORD = re.compile(r"(?i:key|pw|pass|token)")
_PLUGIN_VALUE = re.compile(r"(?i:[a-z0-9_\-/+]{24})")


def _plugins_may_match(line: str) -> bool:
    """False only when no detect-secrets plugin vouched runs can report anything on ``line``."""
    if _PLUGIN_LITERALS.search(line):
        return True
    return _PLUGIN_KEYWORD.search(line) is not None and _PLUGIN_VALUE.search(line) is not None


# Our own rules: (id, title, regex with the secret in group "s").
_RULES: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    (
        "stripe-key",
        "Stripe secret key",
        re.compile(r"(?<![A-Za-z0-9])(?P<s>(?:sk|rk)_(?:live|test)_[0-9a-zA-Z]{16,247})(?![0-9a-zA-Z])"),
    ),
    ("google-api-key", "Google API key", re.compile(r"(?P<s>AIza[0-9A-Za-z_\-]{35})(?![0-9A-Za-z_\-])")),
    ("npm-token", "npm access token", re.compile(r"(?<![A-Za-z0-9_])(?P<s>npm_[A-Za-z0-9]{36})(?![A-Za-z0-9])")),
    ("github-token", "GitHub fine-grained token", re.compile(r"(?P<s>github_pat_[A-Za-z0-9_]{60,})")),
    (
        "github-token",
        "GitHub token",
        re.compile(r"(?<![A-Za-z0-9_])(?P<s>gh[pousr]_[A-Za-z0-9]{36,255})(?![A-Za-z0-9])"),
    ),
    ("gitlab-token", "GitLab token", re.compile(r"(?P<s>gl(?:pat|dt|rt|ptt|cbt|oas)-[A-Za-z0-9_\-]{20,})")),
    (
        "slack-webhook",
        "Slack webhook URL",
        re.compile(r"hooks\.slack\.com/(?:services|workflows)/(?P<s>[A-Za-z0-9+/]{20,})"),
    ),
    (
        "aws-access-key",
        "AWS access key",
        re.compile(r"(?<![A-Z0-9])(?P<s>(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16})(?![A-Z0-9])"),
    ),
    (
        "private-key",
        "Private key",
        re.compile(r"-----BEGIN (?P<s>(?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----"),
    ),
)
# Every rule above starts with one of these: one search a line decides whether to try them one by one.
_PREFIXES = re.compile(
    r"[sr]k_(?:live|test)_|AIza|npm_|github_pat_|gh[pousr]_|gl(?:pat|dt|rt|ptt|cbt|oas)-|hooks\.slack\.com|"
    r"A(?:KIA|SIA|BIA|CCA)|-----BEGIN"
)
_CONNECTION = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]{1,30})://(?P<user>[^\s:/@'\"]{0,128}):(?P<s>[^\s/@'\"]{1,256})@[^\s/'\"]+"
)
_NAMES = (
    r"passw(?:or)?d|passwd|pwd|pass|secret|token|api[_\-]?key|apikey|access[_\-]?key|private[_\-]?key|"
    r"auth[_\-]?key|client[_\-]?secret|credentials?|signing[_\-]?key|encryption[_\-]?key"
)
_NAME_WORDS = ("pass", "pwd", "secret", "token", "key", "credential")  # every name in _NAMES holds one
_QUOTED = re.compile(
    r"(?i)(?P<name>(?:" + _NAMES + r")[A-Za-z0-9_.\-]*)['\"]?\s*(?::=|=>|=|:)\s*"
    r"(?:[rbuRBU]{0,2})(?P<q>['\"])(?P<s>[^'\"\s]{8,512})(?P=q)"
)
_UNQUOTED = re.compile(
    r"(?i)(?P<name>(?:" + _NAMES + r")[A-Za-z0-9_.\-]*)\s*[:=]\s*"
    r"(?P<s>[A-Za-z0-9+/=_\-!@#%^&*~]{12,512})\s*(?:#.*)?$"
)
_PLACEHOLDER = re.compile(
    r"(?i)^(?:\$\{?[A-Za-z_].*|<.*>|\{\{.*\}\}|%\(.*|%s|x{3,}.*|\*{3,}.*|.*(?:changeme|change_me|example|"
    r"placeholder|dummy|your[_\-]|redacted|secret_here|password|passwd|token_here|fake|sample|test(?:ing)?[_\-]?"
    r"(?:key|token|secret|password)).*)$"
)

_DS_SKIP = frozenset({"Base64 High Entropy String", "Hex High Entropy String", "Secret Keyword", "Public IP (ipv4)"})
_DS_IDS = {
    "AWS Access Key": "aws-access-key",
    "Private Key": "private-key",
    "GitHub Token": "github-token",
    "GitLab Token": "gitlab-token",
    "Slack Token": "slack-token",
    "Stripe Access Key": "stripe-key",
    "NPM tokens": "npm-token",
    "PyPI Token": "pypi-token",
    "Basic Auth Credentials": "connection-string",
    "JSON Web Token": "jwt",
}
_plugins: list[Any] | None = None


def entropy(text: str) -> float:
    """Shannon entropy in bits per character."""
    if not text:
        return 0.0
    counts: dict[str, int] = {}
    for ch in text:
        counts[ch] = counts.get(ch, 0) + 1
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def redact(secret: str) -> str:
    """A form that names a secret without giving it away: at most its first 4 characters and its length.

    Short secrets show fewer characters (a quarter of the length), so at most a quarter is ever shown.
    """
    shown = secret[: min(4, len(secret) // 4)]
    return f"{shown}… ({len(secret)} chars)"


def _detect_secrets_plugins() -> list[Any]:
    """detect-secrets' line plugins, loaded once; an empty list when detect-secrets is not installed."""
    global _plugins
    if _plugins is None:
        try:
            from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
            from detect_secrets.settings import default_settings

            with default_settings():
                mapping: dict[str, Any] = get_mapping_from_secret_type_to_class()
                _plugins = [cls() for kind, cls in mapping.items() if kind not in _DS_SKIP]
        except ImportError:  # pragma: no cover - a declared dependency; our own rules still run
            log.warning("detect-secrets is not installed: only vouched's own secret rules run")
            _plugins = []
    return _plugins


def _expand(line: str, value: str) -> str:
    """The whole token around ``value`` in ``line`` (detect-secrets reports only a prefix for some kinds)."""
    at = line.find(value)
    if at < 0:
        return value
    start, end = at, at + len(value)
    while start > 0 and _TOKEN_CHARS.match(line[start - 1]):
        start -= 1
    while end < len(line) and _TOKEN_CHARS.match(line[end]):
        end += 1
    return line[start:end]


def _assignment_secret(value: str, quoted: bool) -> bool:
    if _PLACEHOLDER.match(value):
        return False
    if quoted:
        return entropy(value) >= 3.0 and not value.isalpha()
    has_letter = any(c.isalpha() for c in value)
    has_digit = any(c.isdigit() for c in value)
    return has_letter and has_digit and entropy(value) >= 3.5


def _line_hits(path: str, line: str, *, exhaustive: bool = False) -> list[tuple[str, str, str]]:
    """(rule id, title, secret) for each credential in one line.

    ``exhaustive`` runs detect-secrets' plugins without :func:`_plugins_may_match` first: the reference the
    tests compare the fast path with.
    """
    hits: list[tuple[str, str, str]] = []
    rules = _RULES if _PREFIXES.search(line) else ()
    for rule, title, regex in rules:
        for m in regex.finditer(line):
            hits.append((rule, title, m.group("s")))
    for m in _CONNECTION.finditer(line) if "://" in line else ():
        password = m.group("s")
        if not _PLACEHOLDER.match(password) and not password.startswith(("$", "%", "{", "<")):
            hits.append(("connection-string", f"{m.group('scheme')} connection string with a password", password))
    # detect-secrets' plugins cost about 175 µs a line: only lines that one of them could match reach them.
    candidate = exhaustive or _plugins_may_match(line)
    plugins = _detect_secrets_plugins() if candidate else ()
    for plugin in plugins:
        try:
            found = plugin.analyze_line(filename=path, line=line, line_number=0)
        except Exception:  # a plugin's bug must not stop the scan; our own rules have run
            log.debug("detect-secrets plugin %s failed", type(plugin).__name__, exc_info=True)
            continue
        for potential in found:
            value = potential.secret_value or ""
            if not value:
                continue
            kind = str(potential.type)
            if kind == "Basic Auth Credentials" and (_PLACEHOLDER.match(value) or value.startswith(("$", "%", "{"))):
                continue  # the same placeholders our connection-string rule lets pass
            hits.append((_DS_IDS.get(kind, "credential"), kind, _expand(line, value)))
    low = line.lower()
    named = any(word in low for word in _NAME_WORDS)
    for regex, quoted in ((_QUOTED, True), (_UNQUOTED, False)) if named else ():
        for m in regex.finditer(line):
            value = m.group("s")
            if _assignment_secret(value, quoted):
                hits.append(("secret-assignment", f"high-entropy string assigned to {m.group('name')[:40]}", value))
    return hits


def find_secrets(path: str, lines: Iterable[tuple[int, str]], *, exhaustive: bool = False) -> list[ScanFinding]:
    """Findings for the credentials on ``lines`` ((number, text) of the lines a change adds to ``path``).

    One finding per secret per line: a token two detectors both recognise is reported once, by the more
    specific name (our own rules first, then detect-secrets'). ``exhaustive``: see :func:`_line_hits`.
    """
    out: list[ScanFinding] = []
    for number, raw in lines:
        hits = [
            hit
            for start in range(0, max(1, len(raw) - _OVERLAP), _MAX_LINE - _OVERLAP)
            for hit in _line_hits(path, raw[start : start + _MAX_LINE], exhaustive=exhaustive)
        ]
        if not hits:
            continue
        allowed = ALLOW_PRAGMA in raw
        kept: list[tuple[str, str, str]] = []
        for rule, title, secret in hits:
            if any(secret in k[2] or k[2] in secret for k in kept):
                continue
            kept.append((rule, title, secret))
        for rule, title, secret in kept:
            # A key's header (``RSA PRIVATE KEY``) is not secret, and names the kind of key; the key is on later lines.
            shown = f"a {secret} block" if rule == "private-key" else redact(secret)
            note = f" (allowed by `{ALLOW_PRAGMA}` on the line: confirm it is not a real credential)" if allowed else ""
            out.append(
                ScanFinding(
                    scanner="secrets",
                    rule=rule,
                    title=title,
                    severity=Level.LOW if allowed else Level.CRITICAL,
                    confidence=Level.HIGH if rule != "secret-assignment" else Level.MEDIUM,
                    path=path,
                    line=number,
                    end_line=number,
                    cwe=(CWE_HARDCODED_CREDENTIALS,),
                    message=f"{title}: {shown}{note}",
                )
            )
    return out
