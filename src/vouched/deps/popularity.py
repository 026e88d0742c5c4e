"""Which packages are popular: the shipped top lists (``deps/data/pypi-top.tsv``, ``npm-top.tsv``).

The PyPI list is ``rank<TAB>name`` (rank 1 the most downloaded); the npm list adds monthly downloads as a
third column. Names are looked up normalised (PEP 503 for PyPI, lower case for npm). Where there are no
download counts (PyPI), :meth:`PopularityList.score` uses ``1/rank``: downloads on package indexes follow
Zipf's law closely enough (downloads roughly proportional to 1/rank) that a rank ratio stands in for a
download ratio. Loading parses about 15,000 lines per ecosystem once per process (cached). Refresh the
lists with ``tools/refresh_popularity.py`` (see its docstring for the sources).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from vouched.deps.registry.interface import Ecosystem
from vouched.errors import InputError

__all__ = ["DATA_FILES", "PopularityList", "load_popularity", "normalise_for_popularity", "parse_popularity"]

logger = logging.getLogger(__name__)

DATA_FILES: dict[Ecosystem, str] = {"PyPI": "pypi-top.tsv", "npm": "npm-top.tsv"}


def normalise_for_popularity(ecosystem: str, name: str) -> str:
    """PEP 503 for PyPI (runs of ``-_.`` to one ``-``, lower case), lower case for npm."""
    if ecosystem == "PyPI":
        lowered = name.lower()
        if "_" not in lowered and "." not in lowered and "--" not in lowered:
            return lowered  # no run of separators to fold: the common case, kept off the loop below
        out: list[str] = []
        for ch in lowered:
            if ch in "-_.":
                if not out or out[-1] != "-":
                    out.append("-")
            else:
                out.append(ch)
        return "".join(out)
    return name.lower()


@dataclass(frozen=True, slots=True, eq=False)
class PopularityList:
    """One ecosystem's popular packages: normalised name -> rank (1 = most popular), and downloads where
    the list gives them. ``names`` are in rank order, normalised."""

    ecosystem: Ecosystem
    source: str
    names: tuple[str, ...]
    ranks: dict[str, int] = field(repr=False)
    downloads: dict[str, int] = field(repr=False)

    def __len__(self) -> int:
        return len(self.names)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and normalise_for_popularity(self.ecosystem, name) in self.ranks

    def rank(self, name: str) -> int | None:
        """The package's rank, None when it is not in the list (which says nothing about it being bad)."""
        return self.ranks.get(normalise_for_popularity(self.ecosystem, name))

    def downloads_of(self, name: str) -> int | None:
        """Monthly downloads where the list gives them (npm), else None."""
        return self.downloads.get(normalise_for_popularity(self.ecosystem, name))

    def score(self, name: str) -> float | None:
        """A popularity score comparable within this list: downloads, or ``1/rank`` without them."""
        norm = normalise_for_popularity(self.ecosystem, name)
        if norm in self.downloads:
            return float(self.downloads[norm])
        rank = self.ranks.get(norm)
        return None if rank is None else 1.0 / rank


def parse_popularity(ecosystem: Ecosystem, text: str, source: str) -> PopularityList:
    """Parse a ``rank<TAB>name[<TAB>downloads]`` list; a malformed line is an :class:`InputError`."""
    ranks: dict[str, int] = {}
    downloads: dict[str, int] = {}
    names: list[str] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) not in (2, 3) or not cols[0].strip().isdigit() or not cols[1].strip():
            raise InputError(f"{source}:{lineno}: expected rank<TAB>name[<TAB>downloads], got {line[:80]!r}")
        norm = normalise_for_popularity(ecosystem, cols[1].strip())
        if norm in ranks:
            continue  # two spellings of one project: the better rank stands
        ranks[norm] = int(cols[0])
        names.append(norm)
        if len(cols) == 3 and cols[2].strip():
            if not cols[2].strip().isdigit():
                raise InputError(f"{source}:{lineno}: downloads {cols[2]!r} is not a whole number")
            downloads[norm] = int(cols[2])
    names.sort(key=ranks.__getitem__)
    return PopularityList(ecosystem, source, tuple(names), ranks, downloads)


@lru_cache(maxsize=8)
def _load(ecosystem: Ecosystem, path: str | None) -> PopularityList:
    if path is not None:
        return parse_popularity(ecosystem, Path(path).read_text(encoding="utf-8"), path)
    ref = resources.files("vouched.deps").joinpath("data", DATA_FILES[ecosystem])
    return parse_popularity(ecosystem, ref.read_text(encoding="utf-8"), f"vouched/deps/data/{DATA_FILES[ecosystem]}")


def load_popularity(ecosystem: Ecosystem, path: Path | None = None) -> PopularityList:
    """The shipped list for ``ecosystem`` (or the list at ``path``), parsed once per process."""
    if ecosystem not in DATA_FILES:
        raise InputError(f"no popularity list for ecosystem {ecosystem!r}")
    return _load(ecosystem, None if path is None else str(path))
