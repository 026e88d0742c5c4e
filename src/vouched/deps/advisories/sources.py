"""Where advisories come from: OSV JSON files, osv.dev zip exports, and trees of OSV YAML or JSON files.

Each source yields :class:`Document` values (the file a record came from and its decoded content) or
:class:`Skip` values (a file that could not be decoded, and why). Nothing here raises for a bad record:
only a path that is not a source at all (missing, unreadable, not a zip) raises :class:`InputError`.

- a ``.json`` file: one OSV object, or a JSON array of them (``all.json`` style exports);
- a ``.yaml``/``.yml`` file: one OSV object (the PyPA advisory database's layout);
- a ``.zip`` file: osv.dev's ``<ECOSYSTEM>/all.zip``, one ``<ID>.json`` per member (YAML members too);
  the newest member timestamp is the export's time;
- a directory: every ``.json``, ``.yaml`` and ``.yml`` file below it, in sorted order, skipping hidden
  files and folders (``.git``, PyPA's ``.id-allocator``) and never following symbolic links.

YAML is read with PyYAML's safe loader only (the libyaml-backed ``CSafeLoader`` where PyYAML was built
with it, which constructs exactly what ``yaml.safe_load`` does, nine times faster; otherwise
``SafeLoader``): no tag can construct a Python object. One check is added to it, and to JSON: a mapping
that repeats a key (``fixed`` twice in one event) is skipped as ambiguous, where both formats would
silently keep the last value.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ...errors import InputError

__all__ = ["MAX_RECORD_BYTES", "Document", "Skip", "export_time", "read_source"]

# Far above any real advisory (the largest PyPA file is under 100 KB): a guard against zip bombs.
MAX_RECORD_BYTES = 16 * 1024 * 1024
_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _DuplicateKey(ValueError):
    pass


class _StrictSafeLoader(_SAFE_LOADER):  # type: ignore[misc,valid-type]
    """The safe loader, refusing a mapping that repeats a key (YAML would keep the last one silently)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key = key_node.value
                if key in seen:
                    raise _DuplicateKey(f"duplicate key {key!r} at line {key_node.start_mark.line + 1}")
                seen.add(key)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(f"duplicate key {key!r}")
        out[key] = value
    return out


_SUFFIXES = (".json", ".yaml", ".yml")


@dataclass(frozen=True, slots=True)
class Document:
    origin: str  # the file, or zip!member, or file#index for an array
    content: object


@dataclass(frozen=True, slots=True)
class Skip:
    origin: str
    reason: str


def read_source(path: Path) -> Iterator[Document | Skip]:
    """Every record in ``path`` (a file, a zip or a directory), decoded, or why it could not be."""
    try:
        is_dir = path.is_dir()
        exists = path.exists()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not exists:
        raise InputError(f"{path} does not exist", hint="give an OSV JSON file, an OSV zip export or a directory")
    if is_dir:
        yield from _read_tree(path)
    elif path.suffix.lower() == ".zip":
        yield from _read_zip(path)
    elif path.suffix.lower() in _SUFFIXES:
        yield from _read_file(path)
    else:
        raise InputError(
            f"{path} is not an advisory source",
            hint="give an OSV .json, .yaml or .yml file, an osv.dev .zip export, or a directory of them",
        )


def export_time(path: Path) -> dt.datetime | None:
    """The time an osv.dev zip export was written (its newest member), or ``None`` for other sources."""
    if path.suffix.lower() != ".zip" or not path.is_file():
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            stamps = [info.date_time for info in archive.infolist() if not info.is_dir()]
    except (OSError, zipfile.BadZipFile, ValueError):
        return None
    newest = max(stamps, default=None)
    if newest is None or newest[0] <= 1980:  # 1980-01-01: a reproducible zip without real times
        return None
    try:
        return dt.datetime(*newest, tzinfo=dt.UTC)  # osv.dev writes its exports in UTC
    except ValueError:
        return None


def _read_tree(root: Path) -> Iterator[Document | Skip]:
    found: list[Path] = []
    for folder, dirs, files in os.walk(root, onerror=None, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            if not name.startswith(".") and name.lower().endswith(_SUFFIXES):
                found.append(Path(folder, name))
    for file in sorted(found):
        if file.is_symlink():
            yield Skip(str(file), "a symbolic link: not followed")
            continue
        yield from _read_file(file)


def _read_file(path: Path) -> Iterator[Document | Skip]:
    try:
        size = path.stat().st_size
        if size > MAX_RECORD_BYTES:
            yield Skip(str(path), f"{size} bytes: larger than any advisory ({MAX_RECORD_BYTES} at most)")
            return
        data = path.read_bytes()
    except OSError as exc:
        yield Skip(str(path), f"cannot read: {exc.strerror or exc}")
        return
    yield from decode(str(path), path.name, data)


def _read_zip(path: Path) -> Iterator[Document | Skip]:
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        raise InputError(f"{path} is not a readable zip file: {exc}") from None
    with archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            name = info.filename
            origin = f"{path}!{name}"
            if info.is_dir():
                continue
            if not name.lower().endswith(_SUFFIXES):
                yield Skip(origin, "not a .json, .yaml or .yml member")
                continue
            if info.file_size > MAX_RECORD_BYTES:
                yield Skip(origin, f"{info.file_size} bytes: larger than any advisory ({MAX_RECORD_BYTES} at most)")
                continue
            try:
                with archive.open(info) as member:
                    data = member.read(MAX_RECORD_BYTES + 1)
            except (OSError, zipfile.BadZipFile, ValueError, RuntimeError, EOFError) as exc:
                yield Skip(origin, f"cannot extract: {exc}")
                continue
            if len(data) > MAX_RECORD_BYTES:
                yield Skip(origin, f"inflates past {MAX_RECORD_BYTES} bytes")
                continue
            yield from decode(origin, name, data)


def decode(origin: str, name: str, data: bytes) -> Iterator[Document | Skip]:
    """Decode one file's bytes as JSON or YAML (by ``name``'s suffix) into documents."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield Skip(origin, f"not UTF-8 text: {exc.reason} at byte {exc.start}")
        return
    if name.lower().endswith(".json"):
        try:
            content: object = json.loads(text, object_pairs_hook=_no_duplicates)
        except _DuplicateKey as exc:
            yield Skip(origin, f"ambiguous JSON: {exc}")
            return
        except (ValueError, RecursionError) as exc:
            yield Skip(origin, f"not valid JSON: {str(exc)[:200]}")
            return
        if isinstance(content, list):
            for i, item in enumerate(content):
                yield Document(f"{origin}#{i}", item)
            return
        yield Document(origin, content)
        return
    try:
        content = yaml.load(text, Loader=_StrictSafeLoader)  # noqa: S506 (CSafeLoader or SafeLoader, stricter)
    except _DuplicateKey as exc:
        yield Skip(origin, f"ambiguous YAML: {exc}")
        return
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        yield Skip(origin, f"not valid YAML: {' '.join(str(exc).split())[:200]}")
        return
    yield Document(origin, content)
