"""pip requirements files (``requirements*.txt``, ``constraints*.txt``, pip-tools ``.in`` files).

Read as pip reads them, without pip: backslash continuations joined, comments dropped, ``-r``/``-c``
includes followed through the caller's resolver (same revision, relative to the including file),
per-requirement ``--hash`` options kept, environment markers kept, URL, VCS and local-path requirements
told apart from registry ones, ``-e`` editables noted. Global options (index URLs and the like) are
accepted; an option pip does not know is a problem, never a silent skip.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import dataclass, field, replace
from urllib.parse import unquote, urlsplit

from packaging.requirements import InvalidRequirement, Requirement

from vouched.deps.manifests._util import exact_pin, mark_conflicts, pypi_name, unique, valid_pypi_name
from vouched.deps.manifests.model import (
    Dependency,
    IncludeResolver,
    ManifestError,
    ManifestRead,
    ManifestReader,
    Scope,
    Source,
)

__all__ = ["RequirementsReader", "parse_requirement"]

_COMMENT = re.compile(r"(^|\s+)#.*$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_VCS = ("git+", "hg+", "svn+", "bzr+")
_NAME_AT = re.compile(r"^\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?\s*@")
_LEADING_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_ARCHIVE = (".whl", ".zip", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar")
_MAX_DEPTH = 20
# Options pip accepts on a line of their own; the value-taking ones consume the next token.
_GLOBAL_WITH_VALUE = {
    "-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--trusted-host", "--use-feature",
    "--only-binary", "--no-binary", "-Z",
}  # fmt: skip
_GLOBAL_FLAGS = {"--no-index", "--pre", "--prefer-binary", "--require-hashes", "--always-unzip"}
_INDEX_OPTIONS = {"-i", "--index-url", "--extra-index-url", "-f", "--find-links"}
_PER_REQ_WITH_VALUE = {"--config-settings", "-C", "--global-option", "--install-option"}


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """pip's preprocessing: join continuation lines (a comment line ends one), then drop comments."""
    out: list[tuple[int, str]] = []
    pending: list[str] = []
    first = 0
    for number, line in enumerate(text.splitlines(), 1):
        if not line.endswith("\\") or _COMMENT.match(line):
            if _COMMENT.match(line):
                line = " " + line
            if pending:
                pending.append(line)
                out.append((first, "".join(pending)))
                pending = []
            else:
                out.append((number, line))
        else:
            if not pending:
                first = number
            pending.append(line.strip("\\"))
    if pending:
        out.append((first, "".join(pending)))
    return [(n, stripped) for n, line in out if (stripped := _COMMENT.sub("", line).strip())]


def _split_args_options(line: str) -> tuple[str, str]:
    """pip's ``break_args_options``: the requirement, then the options from the first token with ``-``."""
    tokens = line.split(" ")
    args: list[str] = []
    for i, token in enumerate(tokens):
        if token.startswith("-"):
            return " ".join(args), " ".join(tokens[i:])
        args.append(token)
    return " ".join(args), ""


def _source_of(url: str) -> Source:
    lowered = url.lower()
    if lowered.startswith(_VCS):
        return "vcs"
    if lowered.startswith("file:") or not _SCHEME.match(url):
        return "path"
    return "url"


def _looks_like_location(text: str) -> bool:
    """Whether a requirement line is a bare URL or path rather than PEP 508 (``name @ url`` is PEP 508)."""
    if _NAME_AT.match(text):
        return False
    first = re.split(r"[\s;]", text.strip(), maxsplit=1)[0]
    if _SCHEME.match(first) or first.startswith((".", "/", "~")) or "\\" in first:
        return True
    base = first.split("#", 1)[0].split("?", 1)[0].lower()
    return "/" in base or base.endswith(_ARCHIVE)


def _name_from_location(location: str) -> tuple[str | None, tuple[str, ...], str | None]:
    """The project name (and extras, version) a URL or path names: ``#egg=NAME[extras]``, or a wheel
    file name. None when it does not say."""
    parts = urlsplit(location) if _SCHEME.match(location) else None
    fragment = parts.fragment if parts is not None else location.partition("#")[2]
    for item in fragment.split("&"):
        key, _, value = item.partition("=")
        if key == "egg" and value:
            name, _, extras = unquote(value).partition("[")
            found = tuple(sorted(e.strip() for e in extras.rstrip("]").split(",") if e.strip()))
            return (name, found, None) if valid_pypi_name(name) else (None, (), None)
    path = parts.path if parts is not None else location.split("#", 1)[0]
    base = unquote(posixpath.basename(path))
    if base.endswith(".whl"):
        pieces = base[:-4].split("-")
        if len(pieces) >= 5 and valid_pypi_name(pieces[0]):
            return pieces[0], (), pieces[1]
    return None, (), None


def parse_requirement(
    text: str, *, file: str, line: int | None, scope: Scope = "main", group: str | None = None
) -> tuple[Dependency | None, ManifestError | None]:
    """One PEP 508 requirement string as a Dependency, or the problem that stops it being read (with a
    Dependency marked unknown when a name can still be made out)."""
    try:
        req = Requirement(text)
    except InvalidRequirement as exc:
        guess = _LEADING_NAME.match(text)
        problem = ManifestError(
            f"invalid requirement {text!r}: {str(exc).splitlines()[0] if str(exc) else 'unreadable'}",
            file=file,
            line=line,
            package=guess.group(1) if guess else None,
        )
        if guess is None:
            return None, problem
        dep = Dependency("PyPI", pypi_name(guess.group(1)), text, file, line, scope=scope, group=group, unknown=True)
        return dep, problem
    specifier = str(req.specifier)
    source: Source = "registry" if req.url is None else _source_of(req.url)
    dep = Dependency(
        ecosystem="PyPI",
        name=pypi_name(req.name),
        spec=text,
        file=file,
        line=line,
        version=exact_pin(specifier) if req.url is None else None,
        specifier=specifier if req.url is None else None,
        direct=True,
        source=source,
        scope=scope,
        group=group,
        marker=str(req.marker) if req.marker is not None else None,
        extras=tuple(sorted(req.extras)),
        url=req.url,
    )
    return dep, None


@dataclass
class _Reading:
    resolve: IncludeResolver | None
    deps: list[Dependency] = field(default_factory=list)
    problems: list[ManifestError] = field(default_factory=list)
    indexes: list[str] = field(default_factory=list)

    def problem(self, message: str, file: str, line: int | None, package: str | None = None) -> None:
        self.problems.append(ManifestError(message, file=file, line=line, package=package))

    def read_file(self, path: str, text: str, scope: Scope, stack: tuple[str, ...]) -> None:
        for number, line in _logical_lines(text):
            if line.startswith("-"):
                self._option_line(path, number, line, scope, stack)
            else:
                args, options = _split_args_options(line)
                self._requirement(path, number, args, options, scope, editable=False)

    def _tokens(self, path: str, number: int, text: str) -> list[str] | None:
        if not any(c in text for c in "\"'\\"):  # nothing quoted or escaped: what shlex gives, far faster
            return [t for t in re.split(r"[ \t\r\n]+", text) if t]
        try:
            return shlex.split(text, comments=False, posix=True)
        except ValueError as exc:
            self.problem(f"cannot split options {text!r}: {exc}", path, number)
            return None

    def _option_line(self, path: str, number: int, line: str, scope: Scope, stack: tuple[str, ...]) -> None:
        tokens = self._tokens(path, number, line)
        if not tokens:
            return
        option, value, rest = _take_option(tokens)
        if option in ("-r", "--requirement", "-c", "--constraint"):
            if not value:
                self.problem(f"{option} needs a file name", path, number)
                return
            child_scope: Scope = "constraint" if option in ("-c", "--constraint") else scope
            self._include(path, number, value, child_scope, stack)
        elif option in ("-e", "--editable"):
            if not value:
                self.problem(f"{option} needs a path or URL", path, number)
                return
            self._requirement(path, number, value, shlex.join(rest), scope, editable=True)
        elif option in _INDEX_OPTIONS:
            if value:
                self.indexes.append(value)
        elif option in _GLOBAL_WITH_VALUE or option in _GLOBAL_FLAGS:
            return
        else:
            self.problem(f"unknown option {option}", path, number)

    def _include(self, path: str, number: int, target: str, scope: Scope, stack: tuple[str, ...]) -> None:
        if _SCHEME.match(target) and not target.lower().startswith("file:"):
            self.problem(f"include {target} is remote; vouched reads only files in the repository", path, number)
            return
        local = target.removeprefix("file:")
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(path), local))
        if local.startswith("/") or joined == ".." or joined.startswith("../"):
            self.problem(f"include {target} is outside the repository", path, number)
            return
        if joined in stack:
            self.problem(f"include {target} loops back to {joined}", path, number)
            return
        if len(stack) >= _MAX_DEPTH:
            self.problem(f"includes nest deeper than {_MAX_DEPTH} files", path, number)
            return
        if self.resolve is None:
            self.problem(f"include {target} not read (no way to read other files here)", path, number)
            return
        try:
            text = self.resolve(joined)
        except ManifestError as exc:
            self.problems.append(exc)
            self.problem(f"include {target} could not be read", path, number)
            return
        if text is None:
            self.problem(f"include {target} ({joined}) does not exist", path, number)
            return
        self.read_file(joined, text, scope, (*stack, joined))

    def _requirement(self, path: str, number: int, args: str, options: str, scope: Scope, *, editable: bool) -> None:
        args = args.strip()
        hashes, bad = self._options(path, number, options)
        if not args:
            self.problem(f"options {options!r} with no requirement", path, number)
            return
        dep: Dependency | None
        if editable or _looks_like_location(args):
            dep = self._location(path, number, args, scope, editable)
        else:
            dep, problem = parse_requirement(args, file=path, line=number, scope=scope)
            if problem is not None:
                self.problems.append(problem)
        if dep is None:
            return
        if hashes or bad or editable:
            dep = replace(dep, hashes=tuple(hashes), editable=editable, unknown=dep.unknown or bad)
        self.deps.append(dep)

    def _location(self, path: str, number: int, args: str, scope: Scope, editable: bool) -> Dependency:
        location, _, marker_text = args.partition(";")
        location = location.strip()
        if "@" in location.split("://", 1)[0] and not _looks_like_location(location):
            # "name @ url" given after -e: read it as a requirement
            dep, problem = parse_requirement(args, file=path, line=number, scope=scope)
            if problem is not None:
                self.problems.append(problem)
            if dep is not None:
                return dep
        name, extras, version = _name_from_location(location)
        source = _source_of(location)
        unknown = False
        if name is None:
            if source != "path":
                self.problem(
                    f"cannot tell which package {location} provides: write NAME @ URL or add #egg=NAME",
                    path,
                    number,
                )
                unknown = True
            name = location
        else:
            name = pypi_name(name)
        return Dependency(
            ecosystem="PyPI",
            name=name,
            spec=args,
            file=path,
            line=number,
            version=version,
            specifier=None,
            source=source,
            scope=scope,
            marker=marker_text.strip() or None,
            extras=extras,
            url=location,
            unknown=unknown,
        )

    def _options(self, path: str, number: int, options: str) -> tuple[list[str], bool]:
        if not options.strip():
            return [], False
        tokens = self._tokens(path, number, options)
        if tokens is None:
            return [], True
        hashes: list[str] = []
        bad = False
        while tokens:
            option, value, tokens = _take_option(tokens)
            if option == "--hash":
                if not value or ":" not in value:
                    self.problem(f"--hash needs ALGORITHM:DIGEST, got {value!r}", path, number)
                    bad = True
                else:
                    hashes.append(value)
            elif option in _PER_REQ_WITH_VALUE:
                continue
            else:
                self.problem(f"unknown option {option} after a requirement", path, number)
                bad = True
        return hashes, bad


def _take_option(tokens: list[str]) -> tuple[str, str | None, list[str]]:
    """Split the first option off ``tokens``: ``(option, value, the rest)``; flags take no value."""
    head, rest = tokens[0], tokens[1:]
    if head.startswith("--"):
        name, eq, value = head.partition("=")
        if eq:
            return name, value, rest
        if name in _GLOBAL_FLAGS:
            return name, None, rest
        return (name, rest[0], rest[1:]) if rest else (name, None, rest)
    if len(head) > 2 and head.startswith("-"):  # -rfile
        return head[:2], head[2:], rest
    if head in _GLOBAL_FLAGS or not rest:
        return head, None, rest
    return head, rest[0], rest[1:]


class RequirementsReader(ManifestReader):
    format = "requirements"
    ecosystem = "PyPI"

    def matches(self, path: str) -> bool:
        parts = path.lower().split("/")
        base = parts[-1]
        if not base.endswith((".txt", ".in")):
            return False
        if "requirements" in base or base.startswith("constraints"):
            return True
        return len(parts) > 1 and parts[-2] in ("requirements", "reqs")

    def read(self, path: str, text: str, resolve_include: IncludeResolver | None = None) -> ManifestRead:
        reading = _Reading(resolve_include)
        reading.read_file(path, text, "main", (path,))
        deps = mark_conflicts(reading.deps, path, reading.problems)
        indexes = tuple(dict.fromkeys(reading.indexes))
        return ManifestRead(path, tuple(unique(deps)), tuple(reading.problems), indexes=indexes)
