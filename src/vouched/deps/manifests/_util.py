"""Helpers the readers share: finding lines, loading TOML and JSON into named problems, type checks."""

from __future__ import annotations

import json
import re
import tomllib
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

from vouched.deps.manifests.model import Dependency, ManifestError

_TOML_AT = re.compile(r"\(at line (\d+), column \d+\)")
_NAME = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)


def pypi_name(name: str) -> str:
    """The PEP 503 normal form of a PyPI project name."""
    return canonicalize_name(name)


def valid_pypi_name(name: str) -> bool:
    return bool(_NAME.match(name))


def decode(path: str, data: bytes) -> str:
    """UTF-8 text of a file, or a ManifestError naming the line of the first byte that is not UTF-8."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ManifestError(
            f"not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})", file=path, line=line
        ) from None
    return text.removeprefix("\ufeff")


def load_toml(path: str, text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_AT.search(str(exc))
        message = _TOML_AT.sub("", str(exc)).strip()
        raise ManifestError(
            f"malformed TOML: {message}", file=path, line=int(found.group(1)) if found else None
        ) from None
    except (RecursionError, ValueError) as exc:  # pathological nesting
        raise ManifestError(f"malformed TOML: {exc}", file=path) from None


def load_json(path: str, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ManifestError(f"malformed JSON: {exc.msg}", file=path, line=exc.lineno) from None
    except (RecursionError, ValueError) as exc:
        raise ManifestError(f"malformed JSON: {exc}", file=path) from None


def table(value: object) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None


def strings(value: object) -> list[str] | None:
    """``value`` as a list of strings, or None when it is not one."""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def exact_pin(specifier: str) -> str | None:
    """The one version a PEP 440 specifier set admits (``==1.2`` or ``===1.2``), else None."""
    try:
        specs = list(SpecifierSet(specifier))
    except InvalidSpecifier:
        return None
    if len(specs) == 1 and specs[0].operator in ("==", "===") and not specs[0].version.endswith(".*"):
        return specs[0].version
    return None


def valid_specifier(specifier: str) -> bool:
    try:
        SpecifierSet(specifier)
    except InvalidSpecifier:
        return False
    return True


# Every JSON string in turn, from its opening quote (JSON puts no quote outside strings, so consuming whole
# strings keeps the scan in step); group 2 says whether it is an object key. Matching only `"...":` instead
# would start inside a value such as `""` and read `", "` as a key.
_JSON_KEY = re.compile(r'"((?:[^"\\]|\\.)*)"(\s*:)?')
_TOML_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\[\]]+?)\s*\]")
_TOML_KEY = re.compile(r"""^\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)\s*[=.]""")
_TOML_PART = re.compile(r"""\s*("(?:[^"\\]|\\.)*"|'[^']*'|[^.\s]+)\s*(?:\.|$)""")


def _toml_unquote(part: str) -> str:
    if part.startswith('"'):
        try:
            value = json.loads(part)
        except ValueError:
            return part
        return value if isinstance(value, str) else part
    return part[1:-1] if part.startswith("'") else part


class Lines:
    """Finds where a value sits in a file that a parser read without positions (TOML, JSON).

    The line is a best effort for findings. Keys and table headers are indexed once, so finding every
    entry of a large lockfile stays linear in its size. Lines are 1-based; None means not found.
    """

    def __init__(self, text: str) -> None:
        # only \n ends a line, as for the TOML and JSON parsers' own line numbers (not \x85, \u2028, ...)
        self.lines = [line.removesuffix("\r") for line in text.split("\n")]
        self._json: dict[str, list[int]] | None = None
        self._keys: dict[str, list[int]] | None = None
        self._headers: dict[tuple[bool, tuple[str, ...]], list[int]] | None = None

    @staticmethod
    def _after(found: list[int] | None, start: int) -> int | None:
        if not found:
            return None
        at = bisect_left(found, start)
        return found[at] if at < len(found) else None

    def find(self, *needles: str, start: int = 1, pattern: re.Pattern[str] | None = None) -> int | None:
        """The first line at or after ``start`` holding all the needles (and matching ``pattern``)."""
        for number in range(max(start, 1), len(self.lines) + 1):
            line = self.lines[number - 1]
            if all(n in line for n in needles) and (pattern is None or pattern.search(line)):
                return number
        return None

    def _index_toml(self) -> None:
        self._keys, self._headers = {}, {}
        for number, line in enumerate(self.lines, 1):
            header = _TOML_HEADER.match(line)
            if header:
                parts = tuple(_toml_unquote(p) for p in _TOML_PART.findall(header.group(2)))
                self._headers.setdefault((header.group(1) == "[[", parts), []).append(number)
                continue
            key = _TOML_KEY.match(line)
            if key:
                self._keys.setdefault(_toml_unquote(key.group(1)), []).append(number)

    def toml_table(self, *keys: str, array: bool = False, start: int = 1) -> int | None:
        """The line of a TOML table header such as ``[tool.poetry.dependencies]`` (``[[package]]`` with
        ``array``)."""
        if self._headers is None:
            self._index_toml()
        assert self._headers is not None  # noqa: S101 - set by _index_toml
        return self._after(self._headers.get((array, keys)), start)

    def toml_key(self, key: str, start: int = 1) -> int | None:
        """The first line at or after ``start`` that assigns ``key`` (bare or quoted)."""
        if self._keys is None:
            self._index_toml()
        assert self._keys is not None  # noqa: S101 - set by _index_toml
        return self._after(self._keys.get(key), start)

    def toml_string(self, value: str, start: int = 1) -> int | None:
        """The first line at or after ``start`` holding ``value`` as a quoted TOML string."""
        for quoted in (json.dumps(value), f"'{value}'", f'"{value}"'):
            found = self.find(quoted, start=start)
            if found is not None:
                return found
        return None

    def json_key(self, key: str, start: int = 1) -> int | None:
        """The first line at or after ``start`` where ``key`` is an object key."""
        if self._json is None:
            self._json = {}
            for number, line in enumerate(self.lines, 1):
                for found in _JSON_KEY.finditer(line):
                    if found.group(2):
                        self._json.setdefault(found.group(1), []).append(number)
        for spelling in dict.fromkeys((json.dumps(key, ensure_ascii=False)[1:-1], json.dumps(key)[1:-1])):
            found_at = self._after(self._json.get(spelling), start)
            if found_at is not None:
                return found_at
        return None


def mark_conflicts(deps: list[Dependency], file: str, problems: list[ManifestError]) -> list[Dependency]:
    """Mark unknown every pinned dependency pinned to two different versions under the same marker, and
    name the conflict at the later line."""
    pins: dict[tuple[str, str | None, str | None], list[int]] = {}
    for index, dep in enumerate(deps):
        if dep.version is not None and dep.scope in ("main", "constraint"):
            pins.setdefault((dep.name, dep.marker, dep.group), []).append(index)
    result = list(deps)
    for (name, _, _), indexes in pins.items():
        versions = {deps[i].version for i in indexes}
        if len(versions) < 2:
            continue
        listed = ", ".join(sorted(v for v in versions if v is not None))
        last = deps[indexes[-1]]
        problems.append(
            ManifestError(
                f"conflicting pins for {name}: {listed}",
                file=last.file if last.file else file,
                line=last.line,
                package=name,
                hint="pin the package once, or give each pin a distinct environment marker",
            )
        )
        for i in indexes:
            result[i] = replace(result[i], unknown=True)
    return result


def unique(deps: Iterable[Dependency]) -> Iterator[Dependency]:
    seen: set[Dependency] = set()
    for dep in deps:
        if dep not in seen:
            seen.add(dep)
            yield dep
