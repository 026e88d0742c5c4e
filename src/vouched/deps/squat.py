"""Probable typosquats: a name that looks like a popular package's name, where the popular one is far
more popular.

A name is compared with the popular list (``popularity.py``) in two forms. Its *plain* form is the
registry's normal form (PEP 503 for PyPI, lower case for npm; Unicode NFKC) without separators
(``-_.``). Its *skeleton* also folds look-alike characters (``0``->``o``; ``1``, ``i``, ``|``->``l``;
``rn``->``m``; ``vv``->``w``; Cyrillic and Greek letters that look Latin). A popular name is a
neighbour when:

- the skeletons are equal but the names are not: a **separator** game (``urllib-3``, ``crossenv``) or
  a **homoglyph** (``djang0``, ``rnatplotlib``, a Cyrillic ``р`` in ``раndas``);
- the plain forms are at Damerau distance 1 (optimal string alignment: an adjacent swap is one edit),
  or 2 when both are long (``LONG_NAME`` characters or more) and the popular one is among the top
  ``DISTANCE_2_TOP``: a **typo** (a character changed, missing or extra) or a **swap**; never for
  names shorter than ``MIN_EDIT_LENGTH`` (every short name has dozens of neighbours), and for a scoped
  npm name the length is its own part's (``@types/bull`` is a 4-letter name);
- one is the other with a word of ``AFFIXES`` added or dropped at either end (``python-``, ``py-``,
  ``-py``, ``-python``, ``node-``, ``-js``, ``js-``, ``-lib``...), or both are the same core with
  different affixes (``yaml-js``/``js-yaml``): an **affix**.

Fast over the whole list: candidates come from hash lookups, never from scanning every popular name.
Edit-distance neighbours use deletion neighbourhoods (the SymSpell idea): two strings within distance
``d`` share a string reachable from each by at most ``d`` deletions, so the index maps every such
deletion variant of every popular name to its names, and a query looks up its own variants, then
verifies the few candidates with a real distance.

A neighbour is only a squat suspect when it is far more popular: the queried name is not in the list
at all, or both are and the queried one's popularity score (downloads, or ``1/rank`` where the list
has no counts) is at least ``ratio`` times smaller (100 by default: over the shipped lists that leaves
26 PyPI and 31 npm names flagged, each then reviewed into the allowlist; see the benchmark). Pairs in
the shipped allowlist (``data/squat-allowlist.tsv``) or passed by the caller (a policy's allowlist) are
never reported.
"""

from __future__ import annotations

import itertools
import logging
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

from vouched.deps.popularity import PopularityList, load_popularity, normalise_for_popularity
from vouched.deps.registry.interface import Ecosystem
from vouched.errors import InputError

__all__ = [
    "AFFIXES",
    "DEFAULT_RATIO",
    "DISTANCE_2_TOP",
    "LONG_NAME",
    "MIN_EDIT_LENGTH",
    "SquatIndex",
    "SquatKind",
    "SquatMatch",
    "check_squat",
    "default_index",
    "load_allowlist",
    "normalise",
    "osa_distance",
    "skeleton",
]

logger = logging.getLogger(__name__)

SquatKind = Literal["separator", "homoglyph", "typo", "swap", "affix"]

DEFAULT_RATIO = 100.0
LONG_NAME = 10
# Distance-2 neighbours are only looked for among the most popular packages: those are the ones worth
# squatting, and further down the list two edits apart is mostly just two different names.
DISTANCE_2_TOP = 2000
MIN_EDIT_LENGTH = 4
# Words that a squatter adds to or drops from a popular name (as whole separator-delimited words).
AFFIXES: frozenset[str] = frozenset(
    {"python", "py", "python3", "py3", "python2", "node", "nodejs", "js", "lib", "official"}
)
_SEPARATORS = "-_."
_MULTI = (("rn", "m"), ("vv", "w"))
_SINGLE = str.maketrans(
    {
        "0": "o",
        "1": "l",
        "i": "l",
        "|": "l",
        # Cyrillic and Greek letters that render like Latin ones (after NFKC and lower-casing).
        "а": "a",
        "с": "c",
        "ԁ": "d",
        "е": "e",
        "һ": "h",
        "і": "l",
        "ј": "j",
        "к": "k",
        "о": "o",
        "р": "p",
        "ѕ": "s",
        "ԛ": "q",
        "ν": "v",
        "ѡ": "w",
        "х": "x",
        "у": "y",
        "α": "a",
        "ο": "o",
        "ρ": "p",
        "τ": "t",
        "ι": "l",
        "κ": "k",
        "ı": "l",
    }
)


def normalise(ecosystem: str, name: str) -> str:
    """The name the registry indexes: PEP 503 for PyPI, lower case for npm."""
    return normalise_for_popularity(ecosystem, name)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower().translate(_SINGLE)
    for seq, repl in _MULTI:
        text = text.replace(seq, repl)
    return text


def _plain(ecosystem: str, name: str) -> str:
    """``name`` normalised (NFKC, lower case) without separators, look-alikes kept: what edit distances
    are measured on (folding ``rn`` to ``m`` first would make ``learn``/``leran`` two edits apart)."""
    text = unicodedata.normalize("NFKC", normalise(ecosystem, name)).lower()
    return "".join(ch for ch in text if ch not in _SEPARATORS)


def skeleton(ecosystem: str, name: str) -> str:
    """``name`` normalised, look-alikes folded, separators removed: what a reader's eye sees."""
    folded = _fold(normalise(ecosystem, name))
    return "".join(ch for ch in folded if ch not in _SEPARATORS)


def _core_key(ecosystem: str, name: str) -> str:
    """The skeleton of ``name`` with ``AFFIXES`` words stripped from both ends of its unscoped part
    (keeping at least one word); "" when there was no affix word to strip."""
    norm = normalise(ecosystem, name)
    scope, slash, base = norm.rpartition("/")
    folded = _fold(base)
    for sep in _SEPARATORS[1:]:
        folded = folded.replace(sep, "-")
    tokens = [t for t in folded.split("-") if t]
    kept = list(tokens)
    while len(kept) > 1 and kept[0] in AFFIXES:
        kept.pop(0)
    while len(kept) > 1 and kept[-1] in AFFIXES:
        kept.pop()
    if len(kept) == len(tokens):
        return ""
    prefix = "".join(c for c in _fold(scope) if c not in _SEPARATORS) + "/" if slash else ""
    return prefix + "".join(kept)


def osa_distance(a: str, b: str, limit: int | None = None) -> int:
    """Damerau-Levenshtein distance, optimal string alignment variant (an adjacent swap costs 1).

    With ``limit``, any distance above it is reported as ``limit + 1`` (and computed faster)."""
    if a == b:
        return 0
    if limit is not None and abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            best = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                best = min(best, prev2[j - 2] + 1)
            cur[j] = best
        if limit is not None and min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1] if limit is None else min(prev[-1], limit + 1)


def _is_swap(a: str, b: str) -> bool:
    if len(a) != len(b):
        return False
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]


def _deletions(word: str, depth: int) -> set[str]:
    """Every string made from ``word`` by deleting at most ``depth`` characters (``word`` included)."""
    out = {word}
    frontier = out
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        out = out | frontier
    return out


def _edit_length(sk: str) -> int:
    """The length that decides how many edits are allowed: a scoped npm name's own part (``@types/bull``
    and ``@types/uuid`` are two 4-letter names, not two 11-letter ones)."""
    return len(sk.rpartition("/")[2])


def _max_distance(length: int) -> int:
    if length < MIN_EDIT_LENGTH:
        return 0
    return 2 if length >= LONG_NAME else 1


@dataclass(frozen=True, slots=True)
class SquatMatch:
    """``name`` looks like the popular ``target``. ``kinds`` says how (several may apply), ``distance``
    is between the skeletons (0 for separator and homoglyph games), ``ratio`` how many times more
    popular the target is (None: ``name`` is not in the popular list at all). ``evidence`` explains it
    in words a reviewer can check."""

    ecosystem: Ecosystem
    name: str
    target: str
    kinds: tuple[SquatKind, ...]
    distance: int
    name_rank: int | None
    target_rank: int
    ratio: float | None
    evidence: tuple[str, ...]


def _pair(ecosystem: str, a: str, b: str) -> frozenset[str]:
    return frozenset((normalise(ecosystem, a), normalise(ecosystem, b)))


def load_allowlist(path: Path | None = None) -> dict[Ecosystem, frozenset[frozenset[str]]]:
    """The legitimate neighbour pairs: ``ecosystem<TAB>name<TAB>neighbour<TAB>why`` lines (``#``
    comments), read from ``path`` or the shipped ``data/squat-allowlist.tsv``. Pairs are unordered."""
    if path is None:
        ref = resources.files("vouched.deps").joinpath("data", "squat-allowlist.tsv")
        text, source = ref.read_text(encoding="utf-8"), "vouched/deps/data/squat-allowlist.tsv"
    else:
        text, source = path.read_text(encoding="utf-8"), str(path)
    pairs: dict[Ecosystem, set[frozenset[str]]] = {"PyPI": set(), "npm": set()}
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) < 4 or cols[0] not in pairs or not cols[1].strip() or not cols[2].strip() or not cols[3].strip():
            raise InputError(f"{source}:{lineno}: expected ecosystem<TAB>name<TAB>neighbour<TAB>why")
        eco: Ecosystem = "PyPI" if cols[0] == "PyPI" else "npm"
        pairs[eco].add(_pair(eco, cols[1].strip(), cols[2].strip()))
    return {eco: frozenset(found) for eco, found in pairs.items()}


class SquatIndex:
    """The popular names of one ecosystem, indexed for look-alike queries (build once, query often)."""

    def __init__(
        self,
        popularity: PopularityList,
        *,
        allowlist: Iterable[frozenset[str]] = (),
        ratio: float = DEFAULT_RATIO,
    ) -> None:
        self.ecosystem: Ecosystem = popularity.ecosystem
        self.popularity = popularity
        self.ratio = ratio
        self.allowlist = frozenset(allowlist)
        self._skeleton: dict[str, list[str]] = {}
        self._core: dict[str, list[str]] = {}
        self._deletes: dict[str, list[str]] = {}
        self._d2 = frozenset(popularity.names[:DISTANCE_2_TOP])
        deletes = self._deletes
        for rank0, name in enumerate(popularity.names):
            self._skeleton.setdefault(skeleton(self.ecosystem, name), []).append(name)
            sk = _plain(self.ecosystem, name)
            core = _core_key(self.ecosystem, name)
            if core:
                self._core.setdefault(core, []).append(name)
            depth = (
                _max_distance(_edit_length(sk)) if rank0 < DISTANCE_2_TOP else min(1, _max_distance(_edit_length(sk)))
            )
            for variant in _deletions(sk, depth):
                bucket = deletes.get(variant)
                if bucket is None:
                    deletes[variant] = [name]
                else:
                    bucket.append(name)

    def _candidates(self, norm: str, sk: str, plain: str) -> Iterator[tuple[str, SquatKind | None]]:
        """Popular names that may be neighbours of ``norm``, with the kind when it is already known."""
        for other in self._skeleton.get(sk, ()):
            if other != norm:
                differs_only_by_separators = "".join(c for c in other if c not in _SEPARATORS) == "".join(
                    c for c in norm if c not in _SEPARATORS
                )
                yield other, "separator" if differs_only_by_separators else "homoglyph"
        core = _core_key(self.ecosystem, norm)
        if core:  # the queried name has an affix word: is the rest (or a look-alike of it) popular?
            for other in itertools.chain(self._skeleton.get(core, ()), self._core.get(core, ())):
                yield other, "affix"
        for other in self._core.get(sk, ()):  # a popular name has an affix word the queried one lacks
            yield other, "affix"
        depth = _max_distance(_edit_length(plain))
        if depth:
            for variant in _deletions(plain, depth):
                for other in self._deletes.get(variant, ()):
                    yield other, None

    def check(
        self,
        name: str,
        *,
        allow: Iterable[tuple[str, str]] = (),
        trusted: Iterable[str] = (),
    ) -> tuple[SquatMatch, ...]:
        """The popular packages ``name`` probably imitates, most popular first; () when none.

        ``allow`` adds legitimate pairs (a policy's allowlist) to the shipped ones; a name in ``trusted``
        is never reported. Never raises for any string.
        """
        eco = self.ecosystem
        norm = normalise(eco, name)
        if not norm or norm in {normalise(eco, t) for t in trusted}:
            return ()
        extra = {_pair(eco, a, b) for a, b in allow}
        sk = skeleton(eco, norm)
        plain = _plain(eco, norm)
        own_score = self.popularity.score(norm)
        own_rank = self.popularity.rank(norm)
        found: dict[str, set[SquatKind]] = {}
        distances: dict[str, int] = {}
        measured: set[str] = set()
        for other, kind in self._candidates(norm, sk, plain):
            if other == norm or (kind is None and other in measured):
                continue
            pair = frozenset((norm, other))
            if pair in self.allowlist or pair in extra:
                continue
            other_score = self.popularity.score(other)
            if other_score is None or (own_score is not None and other_score < self.ratio * own_score):
                continue
            if kind is None:
                measured.add(other)
                other_plain = _plain(eco, other)
                limit = min(
                    _max_distance(_edit_length(plain)),
                    _max_distance(_edit_length(other_plain)),
                    2 if other in self._d2 else 1,
                )
                if limit == 0:
                    continue
                dist = osa_distance(plain, other_plain, limit)
                if dist > limit or dist == 0:
                    continue
                kind = "swap" if _is_swap(plain, other_plain) else "typo"
                distances[other] = dist
            else:
                distances.setdefault(other, 0)
            found.setdefault(other, set()).add(kind)
        matches = [
            self._match(norm, other, kinds, distances[other], own_rank, own_score) for other, kinds in found.items()
        ]
        matches.sort(key=lambda m: (m.target_rank, m.target))
        return tuple(matches)

    def _match(
        self, norm: str, other: str, kinds: set[SquatKind], dist: int, own_rank: int | None, own_score: float | None
    ) -> SquatMatch:
        pop = self.popularity
        target_rank = pop.rank(other)
        assert target_rank is not None  # noqa: S101 - candidates come from the list
        target_score = pop.score(other) or 0.0
        ratio = None if own_score is None or own_score == 0 else target_score / own_score
        order = ("separator", "homoglyph", "swap", "typo", "affix")
        kinds_sorted = tuple(k for k in order if k in kinds)
        how = {
            "separator": "differs only in separators",
            "homoglyph": "differs only in look-alike characters",
            "swap": "two adjacent characters swapped",
            "typo": f"edit distance {dist}",
            "affix": "a word such as python-/-py/-js added or dropped",
        }
        evidence = [f"{norm!r} looks like the popular {other!r}: {', '.join(how[k] for k in kinds_sorted)}"]
        downloads = pop.downloads_of(other)
        listed = f"{other!r} is #{target_rank:,} of the top {len(pop):,} {self.ecosystem} packages"
        if downloads is not None:
            listed += f" ({downloads:,} downloads a month)"
        evidence.append(listed)
        if own_rank is None:
            evidence.append(f"{norm!r} is not in the top {len(pop):,}")
        else:
            evidence.append(
                f"{norm!r} is #{own_rank:,}, {ratio:,.0f} times less popular" if ratio else f"{norm!r} is #{own_rank:,}"
            )
        return SquatMatch(
            self.ecosystem, norm, other, kinds_sorted, dist, own_rank, target_rank, ratio, tuple(evidence)
        )


@lru_cache(maxsize=4)
def default_index(ecosystem: Ecosystem) -> SquatIndex:
    """The index over the shipped popular list and allowlist (built once per process)."""
    return SquatIndex(load_popularity(ecosystem), allowlist=load_allowlist()[ecosystem])


def check_squat(
    ecosystem: Ecosystem, name: str, *, allow: Iterable[tuple[str, str]] = (), trusted: Iterable[str] = ()
) -> tuple[SquatMatch, ...]:
    """:meth:`SquatIndex.check` on the default index for ``ecosystem``."""
    return default_index(ecosystem).check(name, allow=allow, trusted=trusted)
