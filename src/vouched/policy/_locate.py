"""Where a key sits in a TOML file: the line numbers `tomllib` does not give us.

`tomllib` returns plain dicts and lists, so an error found while validating ("the `approvls` key of the
3rd ``[[tiers]]`` is unknown") would have no line to point at. :class:`Locator` scans the same source once
and records the line of every key, every table header and every array element, by its *logical path*: the
keys and array indexes one would use to reach the value in the parsed document, for example
``("tiers", 2, "approvls")`` or ``("tiers", 0, "paths", 1)``.

The scanner is only run on text that ``tomllib`` accepted (or, to place a few ``tomllib`` errors, on text
that it rejected), so it is deliberately lenient: it never raises, and whatever it cannot make sense of it
simply does not record. A lookup falls back to the nearest enclosing path it knows (the table header, the
array, the key that holds an inline table), and to ``None`` when it knows nothing.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence

__all__ = ["Locator", "PathKey"]

PathKey = tuple[str | int, ...]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_WS = " \t"
# Characters of a bare value: numbers, booleans, dates and times, inf and nan.
_BARE_VALUE = re.compile(r"[A-Za-z0-9_+\-.:]+")
_DATE_THEN_TIME = re.compile(r"\d{4}-\d{2}-\d{2}$")
_TIME_AFTER_SPACE = re.compile(r" \d{2}:[0-9:.+\-Zz]*")


class _Stop(Exception):
    """The scanner met something it does not understand: keep what it recorded so far."""


class Locator:
    """Line numbers (1-based) of the keys, headers and array elements of one TOML document."""

    def __init__(self, source: str) -> None:
        self._lines: dict[PathKey, int] = {}
        self.duplicates: list[tuple[PathKey, int]] = []  # keys assigned twice: (path, line of 2nd)
        self._src = source
        self._pos = 0
        self._line = 1
        self._arrays: dict[PathKey, int] = {}  # array-of-tables path -> number of elements so far
        try:
            self._document()
        except (_Stop, IndexError, RecursionError, tomllib.TOMLDecodeError, ValueError):
            pass

    # -- lookups -----------------------------------------------------------------------------------

    def line(self, path: Sequence[str | int]) -> int | None:
        """The line of ``path``, or of the nearest enclosing path the scanner recorded."""
        key = tuple(path)
        while key:
            found = self._lines.get(key)
            if found is not None:
                return found
            key = key[:-1]
        return None

    def exact(self, path: Sequence[str | int]) -> int | None:
        """The line of ``path`` itself, without falling back to an enclosing path."""
        return self._lines.get(tuple(path))

    # -- recording ---------------------------------------------------------------------------------

    def _record(self, path: PathKey, line: int, *, assignment: bool = False) -> None:
        if path in self._lines:
            if assignment:
                self.duplicates.append((path, line))
            return
        self._lines[path] = line

    # -- the scanner -------------------------------------------------------------------------------

    def _peek(self, n: int = 1) -> str:
        return self._src[self._pos : self._pos + n]

    def _advance(self, n: int = 1) -> None:
        chunk = self._src[self._pos : self._pos + n]
        self._line += chunk.count("\n")
        self._pos += n

    def _skip_ws(self) -> None:
        while self._pos < len(self._src) and self._src[self._pos] in _WS:
            self._pos += 1

    def _skip_comment(self) -> None:
        if self._peek() == "#":
            end = self._src.find("\n", self._pos)
            self._pos = len(self._src) if end < 0 else end

    def _skip_ws_comments_newlines(self) -> None:
        while self._pos < len(self._src):
            c = self._src[self._pos]
            if c in _WS or c == "\r":
                self._pos += 1
            elif c == "\n":
                self._advance()
            elif c == "#":
                self._skip_comment()
            else:
                return

    def _end_of_line(self) -> None:
        """Skip whitespace and a comment; the rest of the line must be empty."""
        self._skip_ws()
        self._skip_comment()
        if self._peek() == "\r":
            self._pos += 1
        if self._pos < len(self._src) and self._src[self._pos] != "\n":
            raise _Stop

    def _document(self) -> None:
        table: PathKey = ()
        while True:
            self._skip_ws_comments_newlines()
            if self._pos >= len(self._src):
                return
            line = self._line
            if self._peek(2) == "[[":
                self._advance(2)
                keys = self._key()
                self._skip_ws()
                if self._peek(2) != "]]":
                    raise _Stop
                self._advance(2)
                parent = self._resolve(keys[:-1])
                array = (*parent, keys[-1])
                index = self._arrays.get(array, 0)
                self._arrays[array] = index + 1
                table = (*array, index)
                self._record(array, line)
                self._record(table, line)
            elif self._peek() == "[":
                self._advance()
                keys = self._key()
                self._skip_ws()
                if self._peek() != "]":
                    raise _Stop
                self._advance()
                table = self._resolve(keys)
                self._record(table, line)
            else:
                keys = self._key()
                self._assignment(table, keys, line)
            self._end_of_line()

    def _resolve(self, keys: PathKey) -> PathKey:
        """A header's keys as a logical path: each array of tables stands for its latest element."""
        path: PathKey = ()
        for k in keys:
            path = (*path, k)
            count = self._arrays.get(path)
            if count:
                path = (*path, count - 1)
        return path

    def _assignment(self, table: PathKey, keys: PathKey, line: int) -> None:
        self._skip_ws()
        if self._peek() != "=":
            raise _Stop
        self._advance()
        self._skip_ws()
        for i in range(1, len(keys)):
            self._record((*table, *keys[:i]), line)
        path = (*table, *keys)
        self._record(path, line, assignment=True)
        self._value(path)

    def _key(self) -> PathKey:
        keys: list[str | int] = []
        while True:
            self._skip_ws()
            c = self._peek()
            if c in ('"', "'"):
                start = self._pos
                self._string()
                text = self._src[start : self._pos]
                keys.append(str(tomllib.loads(f"k = {text}")["k"]))
            else:
                m = _BARE_KEY.match(self._src, self._pos)
                if not m:
                    raise _Stop
                keys.append(m.group())
                self._pos = m.end()
            self._skip_ws()
            if self._peek() != ".":
                return tuple(keys)
            self._advance()

    def _string(self) -> None:
        """Skip one string of any of the four kinds."""
        for quote in ('"""', "'''"):
            if self._peek(3) == quote:
                end = self._src.find(quote, self._pos + 3)
                while quote == '"""' and end > 0 and _escaped(self._src, end):
                    end = self._src.find(quote, end + 1)
                if end < 0:
                    raise _Stop
                # A closing delimiter may be followed by up to two more quotes that belong to the string.
                end += 3
                for _ in range(2):
                    if self._src[end : end + 1] == quote[0]:
                        end += 1
                self._advance(end - self._pos)
                return
        quote = self._peek()
        i = self._pos + 1
        while i < len(self._src):
            c = self._src[i]
            if c == "\n":
                raise _Stop
            if quote == '"' and c == "\\":
                i += 2
                continue
            if c == quote:
                self._pos = i + 1
                return
            i += 1
        raise _Stop

    def _value(self, path: PathKey, depth: int = 0) -> None:
        if depth > 200:
            raise _Stop
        c = self._peek()
        if c in ('"', "'"):
            self._string()
        elif c == "[":
            self._advance()
            index = 0
            while True:
                self._skip_ws_comments_newlines()
                if self._peek() == "]":
                    self._advance()
                    return
                self._record((*path, index), self._line)
                self._value((*path, index), depth + 1)
                index += 1
                self._skip_ws_comments_newlines()
                if self._peek() == ",":
                    self._advance()
                elif self._peek() != "]":
                    raise _Stop
        elif c == "{":
            self._advance()
            while True:
                self._skip_ws()
                if self._peek() == "}":
                    self._advance()
                    return
                line = self._line
                keys = self._key()
                self._assignment(path, keys, line)
                self._skip_ws()
                if self._peek() == ",":
                    self._advance()
                elif self._peek() != "}":
                    raise _Stop
        else:
            m = _BARE_VALUE.match(self._src, self._pos)
            if not m:
                raise _Stop
            self._pos = m.end()
            # A local date-time may separate the date and the time with a space.
            if _DATE_THEN_TIME.match(m.group()) and self._peek() == " ":
                m2 = _TIME_AFTER_SPACE.match(self._src, self._pos)
                if m2:
                    self._pos = m2.end()


def _escaped(text: str, pos: int) -> bool:
    """Whether the character at ``pos`` is escaped by an odd number of backslashes before it."""
    n = 0
    while pos - n - 1 >= 0 and text[pos - n - 1] == "\\":
        n += 1
    return n % 2 == 1
