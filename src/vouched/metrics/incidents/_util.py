"""Shared pieces of the importers: reading the file, JSON and CSV with positions, ids and lists."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from vouched.errors import InputError

__all__ = ["bug_key", "decode", "load_json", "read_csv", "split_list"]

csv.field_size_limit(1 << 24)
_DIGITS = re.compile(r"^#?\d+$")


def decode(raw: bytes, file: str) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(f"{file}:{line}: the file is not UTF-8 text", hint="export the file as UTF-8") from None
    if "\0" in text:
        raise InputError(f"{file}: the file holds NUL bytes: it is not a text export", hint="pass the export itself")
    return text


def load_json(text: str, file: str, hint: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{file}:{exc.lineno}: not valid JSON: {exc.msg} (column {exc.colno})", hint=hint) from None
    except RecursionError:
        raise InputError(f"{file}: not usable JSON: nested too deeply", hint=hint) from None


def read_csv(text: str, file: str, hint: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and each non-blank row with the line it starts on; InputError for a broken file."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    try:
        while True:
            line = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = [cell.strip() for cell in row]
            else:
                rows.append((line, row))
    except csv.Error as exc:
        raise InputError(f"{file}:{reader.line_num}: not valid CSV: {exc}", hint=hint) from None
    if header is None:
        raise InputError(f"{file}: the file is empty: no header row", hint=hint)
    return header, rows


def split_list(value: object, *, spaces: bool = False) -> tuple[str, ...]:
    """A list field: a JSON list of strings, or one string separated by ``;`` or ``,`` (and, with ``spaces``,
    whitespace: for commit ids and numbers; labels may hold spaces)."""
    if value is None:
        return ()
    if isinstance(value, list):
        return tuple(str(v).strip() for v in value if isinstance(v, str | int) and str(v).strip())
    if isinstance(value, str | int):
        return tuple(part.strip() for part in re.split(r"[;,\s]" if spaces else r"[;,]", str(value)) if part.strip())
    raise ValueError(f"expected a list or a string, not {type(value).__name__}")


def bug_key(raw: str) -> str:
    """The key commits name a bug by: ``#123`` for numbers, the id as written otherwise."""
    value = raw.strip()
    return "#" + value.lstrip("#") if _DIGITS.match(value) else value
