"""Commit-level provenance: which AI assistant a commit's own metadata names, and the exact evidence.

Only the commit is read (author, committer, message, trailers); nothing else, no I/O. This runs on every
commit of long histories, so the common case (a human commit with no marker) costs two memoised
dictionary look-ups (author, committer), one per co-author, and a substring test of the message, and
returns one shared empty :class:`Attribution` without building anything.

What counts as a marker
-----------------------
Identities are the author, the committer and every ``Co-authored-by`` trailer (``Name <email>``). An
identity is an assistant when

* its e-mail address is one an assistant commits with (``noreply@anthropic.com``, ``cursoragent@cursor.com``,
  ``198982749+Copilot@users.noreply.github.com``, ...);
* it is a GitHub App bot of an assistant (``claude[bot]``, ``copilot-swe-agent[bot]``, ...), recognised by
  the login in a ``<id>+<login>@users.noreply.github.com`` address, or by a ``<login>[bot]`` name when the
  address is not a GitHub no-reply address. When the address *is* a GitHub no-reply address, the address
  decides: ``41898282+github-actions[bot]@users.noreply.github.com`` named "Copilot" or "claude[bot]" is
  GitHub Actions, not an assistant;
* its name ends in `` (aider)`` (aider's default for author and committer), or it is a co-author named
  ``Cursor Agent``, ``Gemini ...`` at a ``google.com`` address, ``Amazon Q ...`` at an ``amazon.com``
  address, or named ``Gemini CLI``.

Names alone never count otherwise: "Claude Monet <claude@monet.example>" is a person.

Message markers: the Claude Code footer on a line of its own (``🤖 Generated with [Claude Code](URL)``, any
URL, with or without the emoji or the link), a subject starting ``aider: ``, and the trailers
``Claude-Session``, ``Replit-Commit-Author: Agent|Assistant`` and ``Assisted-by`` (below). A message that
merely talks about Copilot or Claude is not a marker.

``Assisted-by: AGENT:MODEL [TOOL ...]`` (see docs/contract.md): AGENT is mapped to a fixed tool id (``Claude``
and ``Claude Code`` give ``claude-code``, ``GitHub Copilot`` gives ``copilot``, ...; any other agent keeps its
own name, lower-cased), MODEL goes through :func:`normalise_model`, and the trailing TOOLs (non-AI tools
such as coccinelle, with or without brackets) stay in the evidence only. ``Assisted-by: none`` declares that
no assistant was used. The value may also lack the colon (``Assisted-by: GitHub Copilot``: agent only),
or be an identity (``Assisted-by: Claude <noreply@anthropic.com>``), read as a co-author would be. As the
contract says, any other Assisted-by value declares assistance, even one that names a person.

Models: from the Assisted-by MODEL, from a Claude or Gemini co-author's name (``Claude Opus 4.5 <noreply@
anthropic.com>`` gives ``claude-opus-4-5``; a trailing parenthetical such as "(1M context)" is dropped),
and from aider's ``aider (openai/gpt-4o) <aider@aider.chat>`` co-author, which gives ``gpt-4o``: every model
is normalised the same way, and normalising drops the provider prefix, so that the same model reads the
same whichever tool reported it.

Policy markers (:class:`Marker`, from the team's policy file) add the team's own conventions. A marker
fires when ANY of its criteria matches (trailer present, e-mail regex, name regex, message regex).

Evidence strings, one per marker found, in the order found, without duplicates:

* ``author NAME <EMAIL>``, ``committer NAME <EMAIL>``
* ``trailer KEY: VALUE`` with the key as the commit spells it (``trailer Co-Authored-By: Claude
  <noreply@anthropic.com>``, ``trailer Assisted-by: Claude:claude-opus-4-5 coccinelle``)
* ``footer Generated with [Claude Code]`` (every variant of the footer gives this one string)
* ``subject SUBJECT`` for aider's ``aider: `` subjects
* ``message TEXT`` for a policy marker's message regex, TEXT being what it matched (at most 80 characters)
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from vouched.model import Commit
from vouched.provenance.model import Attribution
from vouched.trailers import parse_identity

__all__ = [
    "TOOL_IDS",
    "AssistedBy",
    "Marker",
    "attribute",
    "normalise_model",
    "parse_assisted_by",
    "tool_for_agent",
]

TOOL_IDS = frozenset(
    {
        "claude-code",
        "copilot",
        "cursor",
        "aider",
        "codex",
        "devin",
        "jules",
        "openhands",
        "gemini",
        "amazon-q",
        "replit",
        "warp",
    }
)

_CLAUDE, _COPILOT, _CURSOR, _AIDER, _CODEX = "claude-code", "copilot", "cursor", "aider", "codex"
_DEVIN, _JULES, _OPENHANDS, _GEMINI, _AMAZON_Q = "devin", "jules", "openhands", "gemini", "amazon-q"
_REPLIT, _WARP = "replit", "warp"

# Exact addresses (lower-case) an assistant commits or co-authors with.
_EMAILS: dict[str, str] = {
    "noreply@anthropic.com": _CLAUDE,
    "no-reply@anthropic.com": _CLAUDE,
    "claude@anthropic.com": _CLAUDE,
    "198982749+copilot@users.noreply.github.com": _COPILOT,
    "175728472+copilot@users.noreply.github.com": _COPILOT,
    "cursoragent@cursor.com": _CURSOR,
    "aider@aider.chat": _AIDER,
    "noreply@openai.com": _CODEX,
    "openhands@all-hands.dev": _OPENHANDS,
    "agent@warp.dev": _WARP,
}

# GitHub App bots of assistants, by login (lower-case).
_BOTS: dict[str, str] = {
    "claude[bot]": _CLAUDE,
    "copilot-swe-agent[bot]": _COPILOT,
    "chatgpt-codex-connector[bot]": _CODEX,
    "devin-ai-integration[bot]": _DEVIN,
    "google-labs-jules[bot]": _JULES,
    "gemini-code-assist[bot]": _GEMINI,
    "amazon-q-developer[bot]": _AMAZON_Q,
}
_GH_NOREPLY = "@users.noreply.github.com"

# Agent names as people write them (in Assisted-by, git-ai notes, Agent Trace records) -> tool ids.
# Keys are lower-case with runs of spaces, underscores, dots and hyphens folded to one hyphen.
_AGENTS: dict[str, str] = {
    **{name: name for name in TOOL_IDS},
    "claude": _CLAUDE,
    "claude-cli": _CLAUDE,
    "anthropic-claude": _CLAUDE,
    "anthropic-claude-code": _CLAUDE,
    "claude[bot]": _CLAUDE,
    "github-copilot": _COPILOT,
    "copilot-agent": _COPILOT,
    "copilot-chat": _COPILOT,
    "copilot-swe-agent": _COPILOT,
    "github-copilot-agent": _COPILOT,
    "cursor-agent": _CURSOR,
    "cursor-ai": _CURSOR,
    "aider-chat": _AIDER,
    "openai-codex": _CODEX,
    "codex-cli": _CODEX,
    "chatgpt-codex": _CODEX,
    "devin-ai": _DEVIN,
    "google-jules": _JULES,
    "open-hands": _OPENHANDS,
    "all-hands": _OPENHANDS,
    "opendevin": _OPENHANDS,
    "gemini-cli": _GEMINI,
    "gemini-code-assist": _GEMINI,
    "google-gemini": _GEMINI,
    "amazon-q-developer": _AMAZON_Q,
    "amazonq": _AMAZON_Q,
    "q-developer": _AMAZON_Q,
    "aws-q": _AMAZON_Q,
    "replit-agent": _REPLIT,
    "replit-assistant": _REPLIT,
    "warp-agent": _WARP,
    "warp-ai": _WARP,
}
_AGENT_FOLD = re.compile(r"[\s_.\-]+")

_FOOTER_EVIDENCE = "footer Generated with [Claude Code]"
# The Claude Code footer, alone on its line: "🤖 Generated with [Claude Code](https://claude.com/claude-code)",
# also with claude.ai/code or any other link, without the link or the brackets, and with a "via ..." tail.
_FOOTER = re.compile(
    r"^[^\S\n]*(?:\U0001f916[^\S\n]*)?Generated with (?:\[Claude Code\](?:\([^()\s]*\))?|Claude Code)"
    r"(?:[^\S\n]+via[^\S\n].*)?[^\S\n]*$",
    re.MULTILINE,
)
_REPLIT_AI = frozenset({"agent", "assistant"})
_TRAILING_PAREN = re.compile(r"\s*\([^()]*\)\s*$")
_AIDER_NAME = re.compile(r"aider\s*\((.+)\)", re.IGNORECASE)
_MODEL_JUNK = re.compile(r"[^a-z0-9]+")
_NOT_MODELS = frozenset({"", "unknown", "none", "null", "n-a"})


def normalise_model(text: str) -> str:
    """A model name as a stable lower-case id: "Claude Opus 4.5" -> "claude-opus-4-5".

    Lower-cased; a provider prefix ("openai/gpt-4o", "anthropic/claude-...") dropped; every run of other
    characters than letters and digits becomes one hyphen ("gpt-4.1" -> "gpt-4-1"); no hyphen at either
    end. Dates and versions stay ("claude-opus-4-5-20251101").
    """
    text = text.strip().lower().rpartition("/")[2]
    return _MODEL_JUNK.sub("-", text).strip("-")


def tool_for_agent(agent: str) -> str:
    """The fixed tool id for an agent name ("Claude Code" -> "claude-code"); else the name, lower-cased."""
    plain = " ".join(agent.split()).lower()
    return _AGENTS.get(_AGENT_FOLD.sub("-", plain).strip("-"), plain)


def _model(text: str) -> str | None:
    model = normalise_model(text)
    return None if model in _NOT_MODELS else model


@dataclass(frozen=True, slots=True)
class Marker:
    """A team's own AI marker, from the policy file. It fires when any criterion given matches."""

    tool: str  # tool id to report, lower-case
    trailer: str | None = None  # trailer key (case-insensitive) whose presence marks AI, e.g. "X-Bank-LLM"
    email: re.Pattern[str] | None = None  # searched in author/committer/co-author e-mails
    name: re.Pattern[str] | None = None  # searched in author/committer/co-author names
    message: re.Pattern[str] | None = None  # searched in the whole commit message

    def __post_init__(self) -> None:
        tool = " ".join(self.tool.split()).lower()
        if not tool:
            raise ValueError("a marker needs a tool id")
        object.__setattr__(self, "tool", tool)
        if self.trailer is not None:
            object.__setattr__(self, "trailer", self.trailer.strip())


@dataclass(frozen=True, slots=True)
class AssistedBy:
    """One parsed ``Assisted-by`` value."""

    none: bool  # "Assisted-by: none": no assistant was used
    tool: str | None
    model: str | None
    tools: tuple[str, ...]  # the non-AI tools named after the model


def parse_assisted_by(value: str) -> AssistedBy | None:
    """Parse ``AGENT:MODEL [TOOL ...]``, ``AGENT`` or ``none``; None for an empty value."""
    text = value.strip()
    if not text:
        return None
    if text.lower() == "none":
        return AssistedBy(True, None, None, ())
    ident = parse_identity(text)
    if ident is not None and ident.email:  # "Claude <noreply@anthropic.com>": an identity, not AGENT:MODEL
        hit = _identity(ident.name, ident.email, True)
        if hit is not None:
            return AssistedBy(False, hit[0], hit[1], ())
        return AssistedBy(False, tool_for_agent(ident.name or ident.email), None, ())
    agent, colon, rest = text.partition(":")
    if not colon:
        return AssistedBy(False, tool_for_agent(agent), None, ())
    words = rest.split()
    model = _model(words[0].strip("[]")) if words else None
    extra = tuple(w for w in (w.strip("[]") for w in words[1:]) if w)
    tool = tool_for_agent(agent) if agent.strip() else None
    if tool is None and model is None:
        return None
    return AssistedBy(False, tool, model, extra)


_Hits = tuple[tuple[str, str | None], ...]  # (tool, model) for each marker an identity matches
_CACHE_LIMIT = 1 << 16


class _Rules:
    """Policy markers arranged for fast matching, with a memo of what each identity matched.

    Histories repeat a few identities over and over, so the author and the committer of most commits are
    answered by one dictionary look-up. The memo is bounded: it is emptied when it reaches 65,536 entries.
    """

    __slots__ = ("by_trailer", "coauthors", "emails", "messages", "names", "seen")

    def __init__(self, markers: tuple[Marker, ...]) -> None:
        self.by_trailer: dict[str, list[Marker]] = {}
        for m in markers:
            if m.trailer:
                self.by_trailer.setdefault(m.trailer.lower(), []).append(m)
        self.emails = tuple((m.email, m.tool) for m in markers if m.email is not None)
        self.names = tuple((m.name, m.tool) for m in markers if m.name is not None)
        self.messages = tuple((m.message, m.tool) for m in markers if m.message is not None)
        self.seen: dict[tuple[str, str], _Hits] = {}
        self.coauthors: dict[str, _Hits] = {}

    def identity(self, name: str, email: str) -> _Hits:
        """What an author or committer identity matches (memoised)."""
        key = (name, email)
        hits = self.seen.get(key)
        if hits is None:
            hits = self.match(name, email, False)
            if len(self.seen) >= _CACHE_LIMIT:
                self.seen.clear()
            self.seen[key] = hits
        return hits

    def coauthor(self, value: str) -> _Hits:
        """What a ``Co-authored-by`` value (``Name <email>``, or a bare name) matches (memoised)."""
        hits = self.coauthors.get(value)
        if hits is None:
            co = parse_identity(value)
            name, email = (co.name, co.email) if co is not None else (value.strip(), "")
            hits = self.match(name, email, True)
            if len(self.coauthors) >= _CACHE_LIMIT:
                self.coauthors.clear()
            self.coauthors[value] = hits
        return hits

    def match(self, name: str, email: str, coauthor: bool) -> _Hits:
        hit = _identity(name, email, coauthor)
        hits: list[tuple[str, str | None]] = [hit] if hit is not None else []
        hits += [(tool, None) for pattern, tool in self.emails if pattern.search(email)]
        hits += [(tool, None) for pattern, tool in self.names if pattern.search(name)]
        return tuple(hits)


@functools.lru_cache(maxsize=64)
def _rules(markers: tuple[Marker, ...]) -> _Rules:
    return _Rules(markers)


_NO_RULES = _Rules(())
_NOTHING = Attribution()
_BUILTIN_TRAILERS = frozenset({"co-authored-by", "assisted-by", "claude-session", "replit-commit-author"})


class _Found:
    """What one commit turned up; created only once something is found."""

    __slots__ = ("assisted", "evidence", "models", "tools")

    def __init__(self) -> None:
        self.assisted = False
        self.tools: set[str] = set()
        self.models: set[str] = set()
        self.evidence: list[str] = []

    def add(self, tool: str | None, model: str | None, evidence: str) -> None:
        if tool is not None:
            self.assisted = True
            self.tools.add(tool)
        if model is not None:
            self.assisted = True
            self.models.add(model)
        if evidence not in self.evidence:
            self.evidence.append(evidence)

    def result(self) -> Attribution:
        return Attribution(
            assisted=self.assisted,
            declared=True,
            tools=tuple(sorted(self.tools)),
            models=tuple(sorted(self.models)),
            evidence=tuple(self.evidence),
        )


def _identity(name: str, email: str, coauthor: bool) -> tuple[str, str | None] | None:
    """(tool, model) when this identity is an assistant's."""
    addr = email.strip().lower()
    tool = _EMAILS.get(addr)
    if tool is not None:
        return tool, _model_from_name(tool, name)
    github = addr.endswith(_GH_NOREPLY)
    if github:
        tool = _BOTS.get(addr[: -len(_GH_NOREPLY)].rpartition("+")[2])
        if tool is not None:
            return tool, None
    if name.endswith(" (aider)"):
        return _AIDER, None
    last = name[-1:]
    if last == "]":
        if not github:  # a GitHub address names the account; the display name cannot override it
            tool = _BOTS.get(name.strip().lower())
            if tool is not None:
                return tool, None
        return None
    if not name or last == ">":
        return None
    first = name.lstrip()[:1]
    if first not in ("C", "c", "G", "g", "A", "a"):
        return None  # none of the name rules below can match
    lower = " ".join(name.split()).lower()
    if lower == "gemini cli":
        return _GEMINI, None
    if not coauthor:
        return None
    if lower == "cursor agent":
        return _CURSOR, None
    if lower.startswith("gemini") and (addr.endswith("@google.com") or addr.endswith(".google.com")):
        return _GEMINI, _model_from_name(_GEMINI, name)
    if lower.startswith("amazon q") and (addr.endswith("@amazon.com") or addr.endswith(".amazon.com")):
        return _AMAZON_Q, None
    return None


def _model_from_name(tool: str, name: str) -> str | None:
    """A model named in an assistant's display name ("Claude Opus 4.5", "aider (openai/gpt-4o)")."""
    if tool == _AIDER:
        m = _AIDER_NAME.fullmatch(name.strip())
        return _model(m.group(1)) if m else None
    if tool not in (_CLAUDE, _GEMINI):
        return None
    base = _TRAILING_PAREN.sub("", name).strip()
    words = base.lower().split()
    if len(words) < 2 or words[0] not in ("claude", "gemini"):
        return None
    if words[1:] in (["code"], ["cli"], ["code", "assist"]):
        return None
    return _model(base)


def attribute(commit: Commit, markers: Sequence[Marker] = ()) -> Attribution:
    """What the commit's own metadata says about AI assistance (pure; no I/O)."""
    return attribute_with(commit, rules_for(markers))


def rules_for(markers: Sequence[Marker]) -> _Rules:
    """Policy markers prepared for :func:`attribute_with` (cached)."""
    return _rules(tuple(markers)) if markers else _NO_RULES


def attribute_with(commit: Commit, rules: _Rules) -> Attribution:
    """:func:`attribute` with markers already prepared by :func:`rules_for`."""
    found: _Found | None = None
    message = commit.message

    author, committer = commit.author, commit.committer
    hits = rules.identity(author.name, author.email)
    if hits:
        found = _Found()
        for tool, model in hits:
            found.add(tool, model, f"author {author}")
    hits = rules.identity(committer.name, committer.email)
    if hits:
        found = found or _Found()
        for tool, model in hits:
            found.add(tool, model, f"committer {committer}")

    for trailer in commit.trailers:
        kind = trailer.key.lower()
        policy = rules.by_trailer.get(kind)
        if policy is not None:
            found = found or _Found()
            for marker in policy:
                found.add(marker.tool, None, f"trailer {trailer.key}: {trailer.value}")
        if kind not in _BUILTIN_TRAILERS:
            continue
        if kind == "co-authored-by":
            hits = rules.coauthor(trailer.value)
            if hits:
                found = found or _Found()
                for tool, model in hits:
                    found.add(tool, model, f"trailer {trailer.key}: {trailer.value}")
            continue
        evidence = f"trailer {trailer.key}: {trailer.value}"
        if kind == "assisted-by":
            parsed = parse_assisted_by(trailer.value)
            if parsed is not None:
                found = found or _Found()
                found.add(parsed.tool, parsed.model, evidence)
        elif kind == "claude-session":
            found = found or _Found()
            found.add(_CLAUDE, None, evidence)
        elif kind == "replit-commit-author" and trailer.value.strip().lower() in _REPLIT_AI:
            found = found or _Found()
            found.add(_REPLIT, None, evidence)

    if "Claude Code" in message and _FOOTER.search(message):
        found = found or _Found()
        found.add(_CLAUDE, None, _FOOTER_EVIDENCE)
    if message.startswith("aider: "):
        found = found or _Found()
        found.add(_AIDER, None, f"subject {commit.subject}")
    for pattern, tool in rules.messages:
        m = pattern.search(message)
        if m is not None:
            found = found or _Found()
            found.add(tool, None, f"message {_clip(m.group(0))}")

    return _NOTHING if found is None else found.result()


def _clip(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
