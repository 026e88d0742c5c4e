"""Line-level provenance records: which lines of a commit an assistant wrote, from git-ai and Agent Trace.

Both readers are total: any input gives a result plus a list of problems, never an exception. A problem
is a reason in plain words; the caller says which commit or file it concerns. Whatever can still be read
from a damaged record is kept (more lines marked as AI, never fewer), and the problem is reported too.

git-ai authorship logs (Git AI Standard v3.0.0, schema ``authorship/3.0.0``)
---------------------------------------------------------------------------
One git note per commit under ``refs/notes/ai``. The note is an attestation section, a line that is
exactly ``---``, then a JSON metadata object::

    src/main.rs
      abcd1234abcd1234 1-10,15-20
      s_c9883b05a2487d::t_9f8e7d6c5b4a32 25
    "src/my file.rs"
      h_a1b2c3d4e5f678 3
    ---
    {"schema_version": "authorship/3.0.0", "base_commit_sha": "...", "prompts": {"abcd1234abcd1234":
        {"agent_id": {"tool": "cursor", "id": "...", "model": "claude-4.5-opus"}}},
     "sessions": {"s_c9883b05a2487d": {"agent_id": {...}}}, "humans": {...}}

A file path starts a line (double-quoted when it holds whitespace); each entry under it is indented and
holds a key and comma-separated 1-based line numbers or inclusive ``a-b`` ranges, in the commit's version
of the file. Keys are routed as git-ai does: ``h_...`` are human-written lines (not counted), ``s_ID::t_ID``
are looked up by their ``s_`` part in ``sessions``, and a bare hex key (7 to 64 hex digits) in ``prompts``.
Choices where the standard leaves room:

* entries may be indented by any whitespace, not only the two spaces the standard writes;
* a key missing from the metadata still marks its lines as AI (git-ai itself resolves such keys from other
  notes), with no tool or model;
* a ``schema_version`` other than ``authorship/3.x`` is a problem, but the attestations are still read;
* the divider is the *last* line that is exactly ``---`` (a file may be named ``---``; JSON cannot hold
  such a line);
* a note without the ``---`` divider cannot be read at all: a problem, no lines.

Agent Trace (agent-trace.dev, spec v0.1.0, by Cursor), stored as ``.agent-trace/traces.jsonl``
------------------------------------------------------------------------------------------------
One JSON trace record per line: ``{"version", "id", "timestamp", "vcs": {"type": "git", "revision": SHA},
"tool": {"name", "version"}, "files": [{"path", "conversations": [{"contributor": {"type", "model_id"},
"ranges": [{"start_line", "end_line", "contributor"?}]}]}]}``. Choices:

* ``vcs.revision`` names the commit whose version of the files the ranges count lines in (the spec: "line
  numbers ... refer to positions at the recorded revision", and a line is looked up by blaming it to a
  revision, then reading that revision's trace). The reference hook writes ``git rev-parse HEAD`` at edit
  time instead, i.e. the parent of the commit that will hold the edit; such records attach to that parent.
  The revision must be a full hexadecimal commit id; a record without a git revision is a problem, since it
  cannot be tied to a commit;
* contributor ``ai`` and ``mixed`` (AI output a human edited) count as AI lines; ``human`` and ``unknown``
  do not; a range's own contributor overrides its conversation's; no contributor at all means unknown;
* ``id`` and ``timestamp`` are not checked (they do not change what is read); a ``version`` whose major
  number is above 1 is a problem, and the record is still read;
* ``tool.name`` maps to a fixed tool id where it can (``claude-code``, ``cursor``, ...); ``model_id``
  (``anthropic/claude-opus-4-5-20251101``) is normalised like every model (``claude-opus-4-5-20251101``).

Line numbers above 1,000,000 are refused as implausible (a problem), which also bounds memory.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from vouched.provenance.markers import normalise_model, tool_for_agent

__all__ = [
    "AGENT_TRACE",
    "GIT_AI",
    "LineRecord",
    "LinesBuilder",
    "TraceRecords",
    "parse_agent_trace",
    "parse_git_ai_note",
]

GIT_AI = "git-ai"
AGENT_TRACE = "agent-trace"
MAX_LINE = 1_000_000

_RANGE = re.compile(r"([0-9]{1,9})(?:-([0-9]{1,9}))?")  # 9 digits: beyond MAX_LINE, far below int limits
_HEX_KEY = re.compile(r"[0-9a-f]{7,64}")
_FULL_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_AI_TYPES = frozenset({"ai", "mixed"})
_CONTRIBUTOR_TYPES = frozenset({"ai", "mixed", "human", "unknown"})
_NOT_MODELS = frozenset({"", "unknown", "none", "null", "n-a"})

Ranges = tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class LineRecord:
    """The lines of one commit an assistant wrote, by path, as inclusive ranges in that commit's files."""

    commit: str
    source: str  # "git-ai" | "agent-trace" (both, merged: "git-ai+agent-trace")
    files: tuple[tuple[str, Ranges], ...]  # sorted by path; ranges sorted, merged, inclusive
    tools: tuple[str, ...] = ()
    models: tuple[str, ...] = ()

    def ranges(self, path: str) -> Ranges:
        for p, ranges in self.files:
            if p == path:
                return ranges
        return ()

    def lines(self, path: str) -> frozenset[int]:
        """Every AI line number of ``path`` (empty when the record does not name the path)."""
        return frozenset(n for start, end in self.ranges(path) for n in range(start, end + 1))

    def contains(self, path: str, line: int) -> bool:
        return any(start <= line <= end for start, end in self.ranges(path))

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(p for p, _ in self.files)

    @property
    def line_count(self) -> int:
        return sum(end - start + 1 for _, ranges in self.files for start, end in ranges)


@dataclass(slots=True)
class LinesBuilder:
    """Collects AI lines, tools and models from one or more records of one commit."""

    files: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    tools: set[str] = field(default_factory=set)
    models: set[str] = field(default_factory=set)

    def add(self, path: str, start: int, end: int) -> None:
        self.files.setdefault(path, []).append((start, end))

    def add_tool(self, tool: str | None) -> None:
        if tool:
            self.tools.add(tool)

    def add_model(self, model: str | None) -> None:
        if model is not None:
            name = normalise_model(model)
            if name not in _NOT_MODELS:
                self.models.add(name)

    def merge(self, other: LinesBuilder) -> None:
        for path, ranges in other.files.items():
            self.files.setdefault(path, []).extend(ranges)
        self.tools |= other.tools
        self.models |= other.models

    def build(self, commit: str, source: str) -> LineRecord | None:
        """The record, or None when no AI line was found."""
        files = tuple((path, _merge(ranges)) for path, ranges in sorted(self.files.items()) if ranges)
        if not files:
            return None
        return LineRecord(commit, source, files, tuple(sorted(self.tools)), tuple(sorted(self.models)))


def _merge(ranges: Iterable[tuple[int, int]]) -> Ranges:
    out: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if out and start <= out[-1][1] + 1:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return tuple(out)


def _decode(data: bytes, problems: list[str]) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(f"not UTF-8 text (byte {exc.start})")
        return data.decode("utf-8", "replace")


def _short(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- git-ai -------------------------------------------------------------------------------------------


def parse_git_ai_note(data: bytes) -> tuple[LinesBuilder, list[str]]:
    """Read one git-ai authorship note: the AI lines it attests, and every problem found in it."""
    problems: list[str] = []
    text = _decode(data, problems)
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    builder = LinesBuilder()
    try:
        # The last such line: a file may be named `---`, while JSON metadata cannot hold a line that is only
        # `---` (its strings cannot span lines).
        divider = len(lines) - 1 - lines[::-1].index("---")
    except ValueError:
        problems.append("no '---' line between attestations and metadata: not a git-ai authorship log")
        return builder, problems

    prompts, sessions = _git_ai_metadata("\n".join(lines[divider + 1 :]), problems)
    path: str | None = None
    bad_path = False  # the entries under an unreadable path go with the problem already reported
    for number, line in enumerate(lines[:divider], start=1):
        if not line.strip():
            continue
        if line[0] not in (" ", "\t"):
            path = _git_ai_path(line, number, problems)
            bad_path = path is None
            continue
        if bad_path:
            continue
        parts = line.split()
        if len(parts) != 2:
            problems.append(f"attestation line {number}: expected 'KEY LINES', got {_short(line.strip())}")
            continue
        if path is None:
            problems.append(f"attestation line {number} comes before any file path")
            continue
        key, spec = parts
        if key.startswith("h_"):
            continue  # lines a human wrote
        if key.startswith("s_"):
            agent = sessions.get(key.split("::", 1)[0])
        elif _HEX_KEY.fullmatch(key):
            agent = prompts.get(key)
        else:
            problems.append(f"attestation line {number}: unknown key {_short(key)}")
            continue
        ranges = _git_ai_ranges(spec, number, problems)
        for start, end in ranges:
            builder.add(path, start, end)
        if ranges and agent is not None:
            builder.add_tool(agent[0])
            builder.add_model(agent[1])
    return builder, problems


def _git_ai_path(line: str, number: int, problems: list[str]) -> str | None:
    path = line.rstrip()
    if path.startswith('"'):
        if len(path) < 2 or not path.endswith('"'):
            problems.append(f"attestation line {number}: unterminated quoted path {_short(path)}")
            return None
        path = path[1:-1]
    if not path:
        problems.append(f"attestation line {number}: empty file path")
        return None
    return path


def _git_ai_ranges(spec: str, number: int, problems: list[str]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for item in spec.split(","):
        m = _RANGE.fullmatch(item)
        if m is None:
            problems.append(f"attestation line {number}: bad line range {_short(item)}")
            continue
        start = int(m.group(1))
        end = int(m.group(2)) if m.group(2) is not None else start
        reason = _range_problem(start, end)
        if reason:
            problems.append(f"attestation line {number}: {reason}")
            continue
        out.append((start, end))
    return out


def _range_problem(start: int, end: int) -> str | None:
    if start < 1:
        return f"line {start} is not a line number (lines count from 1)"
    if end < start:
        return f"range {start}-{end} ends before it starts"
    if end > MAX_LINE:
        return f"line {end} is implausibly large (over {MAX_LINE:,})"
    return None


_Agents = dict[str, tuple[str | None, str | None]]


def _git_ai_metadata(text: str, problems: list[str]) -> tuple[_Agents, _Agents]:
    try:
        meta = json.loads(text)
    except ValueError as exc:  # json.JSONDecodeError is a ValueError
        problems.append(f"the metadata after '---' is not valid JSON: {exc}")
        return {}, {}
    except RecursionError:
        problems.append("the metadata after '---' is nested too deeply to read")
        return {}, {}
    if not isinstance(meta, dict):
        problems.append("the metadata after '---' is not a JSON object")
        return {}, {}
    version = meta.get("schema_version")
    if not isinstance(version, str) or not version.startswith("authorship/3."):
        problems.append(f"unsupported schema_version {_short(version)}: vouched reads authorship/3.x")
    return _git_ai_agents(meta, "prompts", problems), _git_ai_agents(meta, "sessions", problems)


def _git_ai_agents(meta: dict[str, Any], section: str, problems: list[str]) -> _Agents:
    records = meta.get(section)
    if records is None:
        return {}
    if not isinstance(records, dict):
        problems.append(f"metadata {section!r} is not a JSON object")
        return {}
    out: _Agents = {}
    for key, record in records.items():
        agent = record.get("agent_id") if isinstance(record, dict) else None
        if not isinstance(agent, dict):
            problems.append(f"metadata {section}[{_short(key)}] has no agent_id object")
            out[key] = (None, None)
            continue
        tool, model = agent.get("tool"), agent.get("model")
        out[key] = (
            tool_for_agent(tool) if isinstance(tool, str) and tool.strip() else None,
            model if isinstance(model, str) else None,
        )
    return out


# -- Agent Trace --------------------------------------------------------------------------------------


@dataclass(slots=True)
class TraceRecords:
    """Everything read from one traces.jsonl: AI lines and problems by commit, and problems of no commit."""

    by_commit: dict[str, LinesBuilder] = field(default_factory=dict)
    problems_by_commit: dict[str, list[str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def parse_agent_trace(data: bytes) -> TraceRecords:
    """Read a JSON Lines file of Agent Trace records."""
    out = TraceRecords()
    text = _decode(data, out.problems)
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        problems: list[str] = []
        revision = _trace_record(line, out, problems)
        for reason in problems:
            message = f"line {number}: {reason}"
            if revision is None:
                out.problems.append(message)
            else:
                out.problems_by_commit.setdefault(revision, []).append(message)
    return out


def _trace_record(line: str, out: TraceRecords, problems: list[str]) -> str | None:
    """Read one record into ``out``; return its commit (None when it cannot be tied to one)."""
    try:
        record = json.loads(line)
    except ValueError as exc:
        problems.append(f"not valid JSON: {exc}")
        return None
    except RecursionError:
        problems.append("nested too deeply to read")
        return None
    if not isinstance(record, dict):
        problems.append("not a JSON object")
        return None
    vcs = record.get("vcs")
    if not isinstance(vcs, dict):
        problems.append("no vcs object, so the record cannot be tied to a commit")
        return None
    if vcs.get("type") != "git":
        problems.append(f"vcs type {_short(vcs.get('type'))} is not 'git'")
        return None
    revision = vcs.get("revision")
    if not isinstance(revision, str) or not _FULL_SHA.fullmatch(revision.strip().lower()):
        problems.append(f"vcs revision {_short(revision)} is not a full git commit id")
        return None
    revision = revision.strip().lower()

    version = record.get("version")
    if isinstance(version, str):
        major = version.split(".", 1)[0]
        if not major.isascii() or not major.isdigit() or int(major) > 1:
            problems.append(f"unsupported Agent Trace version {_short(version)}: vouched reads 0.x and 1.x")
    elif version is not None:
        problems.append(f"version {_short(version)} is not a string")

    builder = LinesBuilder()
    tool_info = record.get("tool")
    tool = None
    if isinstance(tool_info, dict) and isinstance(tool_info.get("name"), str) and tool_info["name"].strip():
        tool = tool_for_agent(tool_info["name"])
    elif tool_info is not None and not isinstance(tool_info, dict):
        problems.append("tool is not an object")

    files = record.get("files")
    if not isinstance(files, list):
        problems.append("files is not a list")
        files = []
    for i, entry in enumerate(files):
        _trace_file(entry, f"files[{i}]", builder, problems)
    if builder.files:
        builder.add_tool(tool)
        existing = out.by_commit.get(revision)
        if existing is None:
            out.by_commit[revision] = builder
        else:
            existing.merge(builder)
    return revision


def _trace_file(entry: object, where: str, builder: LinesBuilder, problems: list[str]) -> None:
    if not isinstance(entry, dict):
        problems.append(f"{where} is not an object")
        return
    path = entry.get("path")
    if not isinstance(path, str) or not path:
        problems.append(f"{where}.path is not a non-empty string")
        return
    conversations = entry.get("conversations")
    if not isinstance(conversations, list):
        problems.append(f"{where}.conversations is not a list")
        return
    for j, conv in enumerate(conversations):
        at = f"{where}.conversations[{j}]"
        if not isinstance(conv, dict):
            problems.append(f"{at} is not an object")
            continue
        default = _contributor(conv.get("contributor"), f"{at}.contributor", problems)
        ranges = conv.get("ranges")
        if not isinstance(ranges, list):
            problems.append(f"{at}.ranges is not a list")
            continue
        for k, rng in enumerate(ranges):
            _trace_range(rng, f"{at}.ranges[{k}]", path, default, builder, problems)


_Contributor = tuple[str, str | None]  # (type, model_id)
_UNKNOWN: _Contributor = ("unknown", None)


def _contributor(value: object, where: str, problems: list[str]) -> _Contributor | None:
    """The contributor, or None when absent; an unreadable one is a problem and counts as unknown."""
    if value is None:
        return None
    if not isinstance(value, dict):
        problems.append(f"{where} is not an object")
        return _UNKNOWN
    kind, model = value.get("type"), value.get("model_id")
    if not isinstance(kind, str) or kind not in _CONTRIBUTOR_TYPES:
        problems.append(f"{where}.type {_short(kind)} is not one of ai, mixed, human, unknown")
        kind = "unknown"
    if model is not None and not isinstance(model, str):
        problems.append(f"{where}.model_id is not a string")
        model = None
    return kind, model


def _trace_range(
    rng: object,
    where: str,
    path: str,
    default: _Contributor | None,
    builder: LinesBuilder,
    problems: list[str],
) -> None:
    if not isinstance(rng, dict):
        problems.append(f"{where} is not an object")
        return
    start, end = rng.get("start_line"), rng.get("end_line")
    if type(start) is not int or type(end) is not int:  # bool is an int subclass: refused
        problems.append(f"{where}: start_line and end_line must be integers")
        return
    reason = _range_problem(start, end)
    if reason:
        problems.append(f"{where}: {reason}")
        return
    own = _contributor(rng.get("contributor"), f"{where}.contributor", problems)
    kind, model = own or default or _UNKNOWN
    if kind in _AI_TYPES:
        builder.add(path, start, end)
        builder.add_model(model)
