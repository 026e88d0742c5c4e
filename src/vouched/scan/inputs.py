"""Screening the change's files before any scanner sees them, and writing them where scanners can read them.

Limits (documented in the README's "Security scan" section), chosen so a scan stays fast and a scanner is
never fed something it would choke on:

* **binary**: git calls the file binary, or its bytes hold a NUL: no scanner reads it;
* **huge**: more than :data:`MAX_BYTES` (1 MiB): generated or vendored code, not reviewable by line;
* **minified**: a line longer than :data:`MAX_LINE` (2,000 bytes): minified or generated code, where a
  finding's line number would point at the whole file;
* **non-UTF-8**: Python source must be UTF-8 for the code scanners; the secrets detector still reads it,
  with undecodable bytes replaced (credentials are ASCII).

A file that fails a limit is not skipped silently: it becomes a :class:`~vouched.scan.interface.Problem`,
which the gate reports as ``scan.not-scanned`` (blocking where the tier requires a scanner for it).
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from vouched.scan.interface import SourceFile

__all__ = ["MAX_BYTES", "MAX_LINE", "is_python", "screen", "staged"]

log = logging.getLogger(__name__)

MAX_BYTES = 1_048_576
MAX_LINE = 2_000
_PY_SHEBANG = re.compile(rb"^#![^\n]*\bpython[0-9.]*\b")
_SAFE = re.compile(r"[^A-Za-z0-9._-]")


def is_python(path: str, data: bytes | None = None) -> bool:
    """A Python source file: ``.py``/``.pyi``, or an extension-less script with a python shebang."""
    name = path.rsplit("/", 1)[-1]
    if name.endswith((".py", ".pyi")):
        return True
    return "." not in name and data is not None and bool(_PY_SHEBANG.match(data))


def screen(file: SourceFile, *, binary: bool = False, text_only: bool = False) -> str | None:
    """Why ``file`` cannot be scanned, or None when it can.

    ``text_only`` (the secrets detector) accepts non-UTF-8 text; code scanners (the default) do not.
    """
    data = file.data
    if binary or b"\0" in data:
        return "binary file"
    if len(data) > MAX_BYTES:
        return f"too large to scan ({len(data):,} bytes; the limit is {MAX_BYTES:,}): generated or vendored?"
    longest = max((len(line) for line in data.split(b"\n")), default=0)
    if longest > MAX_LINE:
        return f"a line of {longest:,} bytes (the limit is {MAX_LINE:,}): minified or generated code"
    if not text_only:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            return f"not UTF-8 (byte {exc.start}): Python source must be UTF-8 to be scanned"
    return None


@contextmanager
def staged(files: list[SourceFile], *, python: bool = True) -> Iterator[dict[str, SourceFile]]:
    """Write ``files`` into a private temporary folder; yield {absolute path written: file}.

    Each file goes to ``<tmp>/<n>/<its base name, made safe>``: no path from the repository decides where
    anything is written, names keep their suffix (Ruff reads ``.pyi`` as a stub), and no configuration
    file of the repository sits beside them. With ``python``, a script without a suffix gets ``.py`` so the
    scanners read it as Python. The folder is removed afterwards.
    """
    with tempfile.TemporaryDirectory(prefix="vouched-scan-") as tmp:
        os.chmod(tmp, 0o700)
        written: dict[str, SourceFile] = {}
        for n, f in enumerate(files):
            raw = f.path.rsplit("/", 1)[-1].encode("utf-8", "surrogateescape").decode("ascii", "replace")
            base = _SAFE.sub("_", raw)
            folder = Path(tmp) / str(n)
            folder.mkdir()
            name = base.lstrip(".") or "file"
            if python and not name.endswith((".py", ".pyi")):
                name += ".py"
            target = folder / name
            target.write_bytes(f.data)
            written[str(target)] = f
        log.debug("staged %d file(s) in %s", len(files), tmp)
        yield written
