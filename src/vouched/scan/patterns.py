"""The team's pattern library, executable: ``.vouched/patterns/*.yml``, matched structurally with ast-grep.

A wiki page of "AI patterns that caused incidents" is read once and forgotten; a pattern file is run on
every change. Each file holds one pattern::

    id: py-yaml-load-unsafe              # required: lower-case letters, digits, '.', '_', '-'; unique
    title: yaml.load without SafeLoader  # required: one line a reviewer reads
    languages: [python]                  # required: ast-grep language names (see LANGUAGES)
    status: caused-issue                 # required: caused-issue (blocks) or worked (the house way)
    tiers: [yellow, red]                 # caused-issue only: tiers where a hit blocks (default: every tier)
    rule: yaml.load($$$ARGS)             # required: an ast-grep pattern, or an ast-grep rule mapping
    why: Untrusted YAML built objects... # required: what happened, or why this is the house way
    fix: Use yaml.safe_load(data).       # optional: what to write instead
    links: [INC-2024-017, https://...]   # optional: the incident or change that taught it
    examples:
      match: ["yaml.load(data)"]         # required, at least one: code the rule must match
      no_match: ["yaml.safe_load(data)"] # optional: code the rule must not match

``rule`` as a string is an ast-grep pattern (``$X`` one node, ``$$$X`` any number); as a mapping it is an
ast-grep rule object (``pattern``, ``kind``, ``regex``, ``has``, ``inside``, ``not``, ``all``, ``any``...)
given to ast-grep as written. Validation is strict, as for the policy: unknown keys, wrong types, an
unknown language or status, a rule ast-grep refuses, duplicate ids, YAML anchors (which could make a
small file expand without bound) are :class:`~vouched.errors.ConfigError` with file, line and key, every
problem of a file collected. The library is always read from the base revision of a change: a change
cannot switch off the pattern that would stop it.

ast-grep parses with tree-sitter, which recovers from syntax errors: a file that does not parse still has
its well-formed parts matched. Nothing from the repository is executed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vouched.errors import ConfigError

if TYPE_CHECKING:
    import yaml

    from vouched.git import Git

__all__ = [
    "LANGUAGES",
    "PATTERNS_DIR",
    "STATUSES",
    "Library",
    "Match",
    "Pattern",
    "language_for",
    "load_library",
    "parse_pattern",
    "run_examples",
]

log = logging.getLogger(__name__)

PATTERNS_DIR = ".vouched/patterns"
STATUSES = ("caused-issue", "worked")
# ast-grep's built-in languages (all ship in the ast-grep-py wheel) and the file suffixes that select them.
LANGUAGES: dict[str, tuple[str, ...]] = {
    "python": (".py", ".pyi"),
    "javascript": (".js", ".mjs", ".cjs", ".jsx"),
    "typescript": (".ts", ".mts", ".cts"),
    "tsx": (".tsx",),
    "go": (".go",),
    "rust": (".rs",),
    "java": (".java",),
    "kotlin": (".kt", ".kts"),
    "c": (".c", ".h"),
    "cpp": (".cc", ".cpp", ".cxx", ".hpp", ".hh", ".hxx"),
    "csharp": (".cs",),
    "ruby": (".rb",),
    "php": (".php",),
    "swift": (".swift",),
    "scala": (".scala",),
    "lua": (".lua",),
    "bash": (".sh", ".bash"),
    "elixir": (".ex", ".exs"),
    "haskell": (".hs",),
}
_SUFFIXES = {suffix: lang for lang, suffixes in LANGUAGES.items() for suffix in suffixes}
_KEYS = ("id", "title", "languages", "status", "tiers", "rule", "why", "fix", "links", "examples")
_EXAMPLE_KEYS = ("match", "no_match")
_ID = re.compile(r"[a-z0-9][a-z0-9._-]*")
_MAX_FILE = 256 * 1024  # a pattern file larger than this is not a pattern file


def language_for(path: str) -> str | None:
    """The ast-grep language of a file by its suffix, or None when no pattern can apply to it."""
    dot = path.rfind(".")
    if dot < 0 or "/" in path[dot:]:
        return None
    return _SUFFIXES.get(path[dot:].lower())


@dataclass(frozen=True, slots=True)
class Pattern:
    """One entry of the library. ``tiers`` empty means every tier (for ``caused-issue``)."""

    id: str
    title: str
    languages: tuple[str, ...]
    status: str
    rule: str | Mapping[str, Any]
    why: str
    file: str
    line: int = 1
    tiers: tuple[str, ...] = ()
    fix: str = ""
    links: tuple[str, ...] = ()
    positive: tuple[str, ...] = ()
    negative: tuple[str, ...] = ()

    def blocks_in(self, tier: str) -> bool:
        return self.status == "caused-issue" and (not self.tiers or tier in self.tiers)

    def config(self) -> dict[str, Any]:
        """The rule as ast-grep's ``find_all`` takes it."""
        if isinstance(self.rule, str):
            return {"rule": {"pattern": self.rule}}
        return {"rule": _plain(self.rule)}


@dataclass(frozen=True, slots=True)
class Match:
    """A pattern hit: 1-based first and last line, and the matched text."""

    pattern: Pattern
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Library:
    """The patterns of one revision, and the problems of the files that could not be read."""

    patterns: tuple[Pattern, ...]
    problems: tuple[ConfigError, ...] = ()
    files: tuple[str, ...] = ()

    def for_language(self, language: str) -> tuple[Pattern, ...]:
        return tuple(p for p in self.patterns if language in p.languages)

    def match(self, language: str, source: str, patterns: Sequence[Pattern] | None = None) -> list[Match]:
        """Every match of the library's patterns for ``language`` in ``source``."""
        chosen = self.for_language(language) if patterns is None else patterns
        return match_source(chosen, language, source)


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _sg_message(exc: BaseException) -> str:
    """ast-grep's error, without the Rust backtrace it carries when RUST_BACKTRACE is set."""
    text = str(exc).split("\nStack backtrace", 1)[0].split("\nstack backtrace", 1)[0]
    parts = [line.strip() for line in text.splitlines() if line.strip() and line.strip() != "Caused by:"]
    parts = [re.sub(r"^\d+:\s*", "", p) for p in parts]
    return "; ".join(dict.fromkeys(parts)) or type(exc).__name__


def _reraise_fatal(exc: BaseException) -> None:
    if isinstance(exc, KeyboardInterrupt | SystemExit | MemoryError):
        raise exc


def match_source(patterns: Iterable[Pattern], language: str, source: str) -> list[Match]:
    """Parse ``source`` once and run every pattern on it; a pattern ast-grep refuses raises ValueError."""
    from ast_grep_py import SgRoot

    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    root = SgRoot(source, language).root()
    found: list[Match] = []
    for pattern in patterns:
        try:
            nodes = root.find_all(pattern.config())  # type: ignore[call-overload]
        except BaseException as exc:  # ast-grep raises plain Exception, RuntimeError or a pyo3 panic
            _reraise_fatal(exc)
            raise ValueError(f"pattern {pattern.id}: ast-grep refused the rule: {_sg_message(exc)}") from None
        for node in nodes:
            r = node.range()
            found.append(Match(pattern, r.start.line + 1, r.end.line + 1, node.text()))
    return found


def run_examples(pattern: Pattern) -> list[str]:
    """What is wrong with a pattern's examples: each positive must match, each negative must not."""
    failures: list[str] = []
    for language in pattern.languages:
        for kind, examples, want in (("match", pattern.positive, True), ("no_match", pattern.negative, False)):
            for i, example in enumerate(examples):
                try:
                    hit = bool(match_source([pattern], language, example))
                except ValueError as exc:
                    return [str(exc)]
                if hit != want:
                    verb = "does not match" if want else "matches"
                    shown = example.strip().splitlines()[0] if example.strip() else "(empty)"
                    failures.append(
                        f"examples.{kind}[{i}] ({language}) {verb}, and must{'' if want else ' not'}: {shown[:80]}"
                    )
    return failures


# -- reading pattern files ----------------------------------------------------------------------------


class _File:
    """One pattern file being validated: where each key is, and the problems found."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.lines: dict[tuple[str | int, ...], int] = {}
        self.problems: list[ConfigError] = []

    def line(self, path: tuple[str | int, ...]) -> int:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)

    def report(self, path: tuple[str | int, ...], message: str, hint: str | None = None) -> None:
        key = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in path).replace(".[", "[") or None
        self.problems.append(ConfigError(message, file=self.file, line=self.line(path), key=key, hint=hint))


def _walk(node: yaml.Node, path: tuple[str | int, ...], doc: _File, seen: set[int], depth: int = 0) -> None:
    """Record the line of every key; report duplicate keys, anchors reused as aliases, non-string keys."""
    import yaml

    if id(node) in seen:
        doc.report(path, "YAML anchors and aliases are not allowed in pattern files", "write each value out")
        return
    seen.add(id(node))
    if depth > 50:
        doc.report(path, "values are nested too deeply", "a pattern's rule needs a few levels at most")
        return
    doc.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        keys: set[str] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != "tag:yaml.org,2002:str":
                doc.lines.setdefault((*path, "?"), key_node.start_mark.line + 1)
                doc.report((*path, "?"), "keys must be plain strings", "write `key: value`")
                continue
            key = key_node.value
            if key in keys:
                doc.lines[(*path, key, "#dup")] = key_node.start_mark.line + 1
                doc.report((*path, key, "#dup"), f"key {key!r} is given twice", "keep one")
                continue
            keys.add(key)
            doc.lines[(*path, key)] = key_node.start_mark.line + 1
            _walk(value_node, (*path, key), doc, seen, depth + 1)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*path, i), doc, seen, depth + 1)


def _yaml(text: str, doc: _File) -> object:
    import yaml  # only when there are pattern files: `vouched check` on a repository without any never pays

    try:
        loader = yaml.SafeLoader(text)  # the reader already refuses control characters here
    except yaml.YAMLError as exc:
        doc.problems.append(ConfigError(f"this is not valid YAML: {_yaml_problem(exc)}", file=doc.file, line=1))
        return None
    try:
        node = loader.get_single_node()
        if node is None:
            doc.report((), "the file is empty", "write a pattern: id, title, languages, status, rule, why, examples")
            return None
        _walk(node, (), doc, set())
        if doc.problems:
            return None
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = exc.problem or exc.context or "malformed YAML"
        doc.problems.append(
            ConfigError(f"this is not valid YAML: {problem}", file=doc.file, line=line, hint="check the indentation")
        )
    except (yaml.YAMLError, RecursionError, ValueError, TypeError, OverflowError) as exc:
        doc.problems.append(ConfigError(f"this is not valid YAML: {exc}", file=doc.file, hint="check the syntax"))
    finally:
        loader.dispose()
    return None


def _yaml_problem(exc: yaml.YAMLError) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]


def _decode(source: bytes | str, file: str) -> str:
    if isinstance(source, str):
        return source
    if len(source) > _MAX_FILE:
        raise ConfigError(f"the file is {len(source)} bytes: pattern files are at most {_MAX_FILE}", file=file)
    try:
        return source.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = source[: exc.start].count(b"\n") + 1
        raise ConfigError("the file is not valid UTF-8", file=file, line=line, hint="save it as UTF-8") from None


def _text(doc: _File, data: Mapping[str, Any], key: str, *, required: bool = True, one_line: bool = False) -> str:
    if key not in data:
        if required:
            doc.report((), f"the pattern has no {key}", f"add `{key}: ...`")
        return ""
    value = data[key]
    if not isinstance(value, str) or not value.strip():
        doc.report((key,), f"{key} must be a non-empty string, not {type(value).__name__}", f"write `{key}: text`")
        return ""
    if one_line and "\n" in value.strip():
        doc.report((key,), f"{key} must be one line", "move the detail to `why`")
    return value.strip()


def _strings(doc: _File, data: Mapping[str, Any], path: tuple[str | int, ...], value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        doc.report(path, "must be a list, not a single string", f"write `{path[-1]}: [{value!r}]`")
        return ()
    if not isinstance(value, list):
        doc.report(path, f"must be a list of strings, not {type(value).__name__}")
        return ()
    out: list[str] = []
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            doc.report((*path, i), f"entry {i + 1} must be a non-empty string, not {type(item).__name__}")
        else:
            out.append(item)
    return tuple(out)


def _close(word: str, choices: Sequence[str]) -> str:
    import difflib

    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f'did you mean "{found[0]}"? ' if found else ""


def parse_pattern(source: bytes | str, file: str, tiers: Sequence[str] | None = None) -> Pattern:
    """Parse and check one pattern file; every mistake is reported in one ConfigError (file, line, key).

    ``tiers``: the policy's tier names, when known, so that a pattern naming an unknown tier is a mistake.
    """
    text = _decode(source, file)
    doc = _File(file)
    data = _yaml(text, doc)
    if doc.problems:
        raise ConfigError.combine(doc.problems)
    if not isinstance(data, dict):
        raise ConfigError(
            f"a pattern file holds one mapping, not {type(data).__name__}",
            file=file,
            line=1,
            hint="write `id: ...`, `title: ...` and the other keys at the top level",
        )
    for key in data:
        if key not in _KEYS:
            doc.report((key,), f"unknown key {key!r}", _close(key, _KEYS) + f"the keys are: {', '.join(_KEYS)}")
    pid = _text(doc, data, "id", one_line=True)
    if pid and not _ID.fullmatch(pid):
        doc.report(("id",), f"id {pid!r} must be lower-case letters, digits, '.', '_' or '-'", "e.g. py-yaml-load")
    title = _text(doc, data, "title", one_line=True)
    why = _text(doc, data, "why")
    fix = _text(doc, data, "fix", required=False)
    status = _text(doc, data, "status")
    if status and status not in STATUSES:
        doc.report(("status",), f"unknown status {status!r}", _close(status, STATUSES) + "write caused-issue or worked")
    languages: tuple[str, ...] = ()
    if "languages" not in data:
        doc.report((), "the pattern has no languages", "add `languages: [python]`")
    else:
        languages = _strings(doc, data, ("languages",), data["languages"])
        if not languages and isinstance(data["languages"], list):
            doc.report(("languages",), "languages must name at least one language", "add `languages: [python]`")
        for i, lang in enumerate(languages):
            if lang not in LANGUAGES:
                doc.report(
                    ("languages", i),
                    f"unknown language {lang!r}",
                    _close(lang, list(LANGUAGES)) + f"the languages are: {', '.join(LANGUAGES)}",
                )
    pattern_tiers = _strings(doc, data, ("tiers",), data["tiers"]) if "tiers" in data else ()
    if pattern_tiers and status == "worked":
        doc.report(("tiers",), "tiers applies to caused-issue patterns only", "remove it, or set status: caused-issue")
    for i, tier in enumerate(pattern_tiers):
        if tiers is not None and tier not in tiers:
            doc.report(
                ("tiers", i), f"unknown tier {tier!r}", _close(tier, tiers) + f"the tiers are: {', '.join(tiers)}"
            )
    links = _strings(doc, data, ("links",), data["links"]) if "links" in data else ()
    rule: str | Mapping[str, Any] = ""
    if "rule" not in data:
        doc.report((), "the pattern has no rule", "add `rule: yaml.load($$$ARGS)`, an ast-grep pattern")
    elif isinstance(data["rule"], str) and data["rule"].strip():
        rule = data["rule"].strip()
    elif isinstance(data["rule"], dict) and data["rule"]:
        rule = data["rule"]
    else:
        doc.report(("rule",), "rule must be an ast-grep pattern (a string) or an ast-grep rule (a mapping)")
    positive: tuple[str, ...] = ()
    negative: tuple[str, ...] = ()
    if "examples" not in data:
        doc.report((), "the pattern has no examples", "add `examples: {match: [...], no_match: [...]}`")
    elif not isinstance(data["examples"], dict):
        doc.report(("examples",), "examples must be a mapping with match and no_match lists")
    else:
        ex = data["examples"]
        for key in ex:
            if key not in _EXAMPLE_KEYS:
                doc.report(
                    ("examples", key),
                    f"unknown key {key!r} in examples",
                    _close(str(key), _EXAMPLE_KEYS) + "the keys are: match, no_match",
                )
        positive = _strings(doc, data, ("examples", "match"), ex.get("match", []))
        negative = _strings(doc, data, ("examples", "no_match"), ex.get("no_match", []))
        if not positive and "match" not in ex:
            doc.report(("examples",), "examples needs at least one `match` example", "add code the rule must match")
        elif not positive and isinstance(ex.get("match"), list):
            doc.report(("examples", "match"), "examples.match needs at least one example")
    if doc.problems:
        raise ConfigError.combine(doc.problems)
    pattern = Pattern(
        id=pid,
        title=title,
        languages=languages,
        status=status,
        rule=rule,
        why=why,
        file=file,
        line=1,
        tiers=pattern_tiers,
        fix=fix,
        links=links,
        positive=positive,
        negative=negative,
    )
    _check_rule(pattern, doc)
    if doc.problems:
        raise ConfigError.combine(doc.problems)
    return pattern


def _check_rule(pattern: Pattern, doc: _File) -> None:
    """ast-grep compiles a rule when it first runs: run it once per language on an empty file."""
    for language in pattern.languages:
        try:
            match_source([pattern], language, "")
        except ValueError as exc:
            doc.report(("rule",), str(exc).split(": ", 1)[-1], "see https://ast-grep.github.io/guide/rule-config.html")
            return


def is_pattern_file(path: str) -> bool:
    return (
        path.startswith(PATTERNS_DIR + "/")
        and "/" not in path[len(PATTERNS_DIR) + 1 :]
        and path.endswith((".yml", ".yaml"))
    )


def parse_files(files: Mapping[str, bytes | None], tiers: Sequence[str] | None = None) -> Library:
    """A library from ``{path: content}``; each bad file becomes problems, the good ones still load."""
    patterns: list[Pattern] = []
    problems: list[ConfigError] = []
    ids: dict[str, str] = {}
    for path in sorted(files):
        data = files[path]
        if data is None:
            continue
        try:
            pattern = parse_pattern(data, path, tiers)
        except ConfigError as err:
            problems.extend(err.problems)
            continue
        if pattern.id in ids:
            problems.append(
                ConfigError(
                    f"id {pattern.id!r} is also used by {ids[pattern.id]}",
                    file=path,
                    line=1,
                    key="id",
                    hint="give each pattern its own id",
                )
            )
            continue
        ids[pattern.id] = path
        patterns.append(pattern)
    return Library(tuple(patterns), tuple(problems), tuple(sorted(p for p in files if files[p] is not None)))


def load_library(git: Git, rev: str, tiers: Sequence[str] | None = None) -> Library:
    """The library as committed at ``rev`` (for a change: its base revision, never the change itself)."""
    paths = [p for p in git.list_folder(rev, PATTERNS_DIR) if is_pattern_file(p)]
    return parse_files(git.read_files(rev, paths), tiers)


def load_worktree(root: str, tiers: Sequence[str] | None = None) -> Library:
    """The library in a working tree (for `vouched patterns` before committing)."""
    from pathlib import Path

    folder = Path(root) / PATTERNS_DIR
    files: dict[str, bytes | None] = {}
    if folder.is_dir():
        for entry in sorted(folder.iterdir()):
            if entry.is_file() and entry.suffix in (".yml", ".yaml"):
                files[f"{PATTERNS_DIR}/{entry.name}"] = entry.read_bytes()
    return parse_files(files, tiers)
