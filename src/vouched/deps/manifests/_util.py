"""Helpers the readers share: finding lines, loading TOML and JSON into named problems, type checks."""

from __future__ import annotations

import json
import re
import tomllib
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


class Lines:
    """Finds where a value sits in a file that a parser read without positions (TOML, JSON).

    The line is a best effort for findings: the first line at or after ``start`` holding all the
    needles. None when there is none.
    """

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def find(self, *needles: str, start: int = 1, pattern: re.Pattern[str] | None = None) -> int | None:
        for number in range(max(start, 1), len(self.lines) + 1):
            line = self.lines[number - 1]
            if all(n in line for n in needles) and (pattern is None or pattern.search(line)):
                return number
        return None

    def toml_table(self, *keys: str, array: bool = False, start: int = 1) -> int | None:
        """The line of a TOML table header such as ``[tool.poetry.dependencies]``."""
        parts = r"\s*\.\s*".join(rf"""(?:{re.escape(k)}|"{re.escape(k)}"|'{re.escape(k)}')""" for k in keys)
        header = rf"^\s*\[\[\s*{parts}\s*\]\]" if array else rf"^\s*\[\s*{parts}\s*\](?!\])"
        return self.find(pattern=re.compile(header), start=start)

    def toml_key(self, key: str, start: int = 1) -> int | None:
        """The first line at or after ``start`` that assigns ``key`` (bare or quoted)."""
        pat = rf"""^\s*(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')\s*[=.]"""
        return self.find(pattern=re.compile(pat, re.IGNORECASE), start=start)

    def toml_string(self, value: str, start: int = 1) -> int | None:
        """The first line at or after ``start`` holding ``value`` as a quoted TOML string."""
        for quoted in (json.dumps(value), f"'{value}'", f'"{value}"'):
            found = self.find(quoted, start=start)
            if found is not None:
                return found
        return None

    def json_key(self, key: str, start: int = 1) -> int | None:
        return self.find(json.dumps(key) + ":", start=start) or self.find(json.dumps(key), start=start)


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
