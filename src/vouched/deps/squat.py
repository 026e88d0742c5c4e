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

Fast over the whole list, and from a cold start: candidates come from hash lookups, never from scanning
every popular name, and the index a process builds first is cheap (see :class:`SquatIndex`). Distance-1
neighbours are the query's own one-edit strings found among the popular names' plain forms; distance-2
ones come from pieces of the long top names; after many queries the process switches to deletion
neighbourhoods (the SymSpell idea: two strings within distance ``d`` share a string reachable from each
by at most ``d`` deletions). Every candidate is verified with a real distance.

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
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal, TypeVar

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

_K = TypeVar("_K")
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
    while len(kept) > 1 and kept[0] in _FOLDED_AFFIXES:
        kept.pop(0)
    while len(kept) > 1 and kept[-1] in _FOLDED_AFFIXES:
        kept.pop()
    if len(kept) == len(tokens):
        return ""
    prefix = "".join(c for c in _fold(scope) if c not in _SEPARATORS) + "/" if slash else ""
    return prefix + "".join(kept)


# The words are compared after look-alike folding (as the name is): `lib` is `llb` then, `official` `offlclal`.
_FOLDED_AFFIXES = frozenset(_fold(word) for word in AFFIXES)


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


def _add(index: dict[_K, list[str]], key: _K, name: str) -> None:
    bucket = index.get(key)
    if bucket is None:
        index[key] = [name]
    else:
        bucket.append(name)


def _one_edit(word: str, alphabet: str) -> set[str]:
    """Every string one edit from ``word``: a deletion, an adjacent swap, or a substitution or insertion
    of a character of ``alphabet`` (``word`` itself too, from a substitution by the same character).
    Comprehensions, not generators: this is the hot loop of a query."""
    cuts = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    spans = [(head, tail[1:]) for head, tail in cuts if tail]
    out = {head + ch + tail for head, tail in cuts for ch in alphabet}
    out.update([head + ch + tail for head, tail in spans for ch in alphabet])
    out.update([head + tail for head, tail in spans])
    out.update([head + tail[1] + tail[0] + tail[2:] for head, tail in cuts if len(tail) > 1])
    return out


# Queries answered from the query side before the full deletion index is built. A query-side check costs
# about 1 ms more than one with the full index (measured over the top lists, same machine and load), and
# building the full index costs about as much as 1,000 of those extra milliseconds: switching there never
# pays more than twice the better choice (the ski-rental rule).
_QUERY_SIDE_LIMIT = 1000
_PIECES = 6  # each of two edits spoils at most two pieces, so at least two are left whole


@lru_cache(maxsize=64)
def _cuts(length: int) -> tuple[tuple[int, int], ...]:
    """``_PIECES`` (start, end) spans cutting ``range(length)`` into near-equal pieces."""
    bounds = [length * i // _PIECES for i in range(_PIECES + 1)]
    return tuple(itertools.pairwise(bounds))


@lru_cache(maxsize=64)
def _piece_probes(length: int) -> tuple[tuple[int, int, int, int], ...]:
    """(popular length, piece number, start, end) of every slice of a ``length``-long query worth looking
    up: each piece of every popular length within two, shifted by up to two places, inside the query."""
    out = []
    for other in range(max(length - 2, LONG_NAME), length + 3):
        for number, (start, end) in enumerate(_cuts(other)):
            for shift in range(-2, 3):
                if start + shift >= 0 and end + shift <= length:
                    out.append((other, number, start + shift, end + shift))
    return tuple(out)


def _deletion_index(entries: Iterable[tuple[str, str, int]]) -> dict[str, list[str]]:
    """Every deletion variant (at most ``depth`` deletions) of each (name, plain, depth): the symmetric
    deletion index, costly to build (about a second over a whole list), then the fastest to query."""
    deletes: dict[str, list[str]] = {}
    for name, plain, depth in entries:
        for variant in _deletions(plain, depth):
            _add(deletes, variant, name)
    return deletes


_DROP_SEPARATORS = str.maketrans("", "", _SEPARATORS)


def _is_plain_ascii(ecosystem: str, name: str) -> bool:
    """Whether ``name`` is ASCII and already in its registry normal form, so that NFKC, lower-casing and
    normalising are all no-ops on it and its forms can be computed in bulk."""
    if not name.isascii() or "\n" in name or name != name.lower():
        return False
    return ecosystem != "PyPI" or ("_" not in name and "." not in name and "--" not in name)


def _bulk_forms(ecosystem: str, names: Sequence[str]) -> tuple[list[str], list[str], list[str]]:
    """``skeleton``, ``_plain`` and ``_core_key`` of every name, in order. Names in plain ASCII normal form
    (nearly all of a popular list) go through ``str.translate``/``replace`` once as one joined string
    (the folds work character by character or on two-letter runs that a newline breaks, so joining
    changes nothing); any other name goes through the functions themselves."""
    is_fast = [_is_plain_ascii(ecosystem, n) for n in names]
    fast = [n for n, ok in zip(names, is_fast, strict=True) if ok]
    joined = "\n".join(fast)
    folded = joined.translate(_SINGLE)
    for seq, repl in _MULTI:
        folded = folded.replace(seq, repl)
    fast_plain = iter(joined.translate(_DROP_SEPARATORS).split("\n") if fast else ())
    fast_skeleton = iter(folded.translate(_DROP_SEPARATORS).split("\n") if fast else ())
    fast_folded = iter(folded.split("\n") if fast else ())
    skeletons: list[str] = []
    plains: list[str] = []
    cores: list[str] = []
    for name, ok in zip(names, is_fast, strict=True):
        if not ok:
            skeletons.append(skeleton(ecosystem, name))
            plains.append(_plain(ecosystem, name))
            cores.append(_core_key(ecosystem, name))
            continue
        skeletons.append(next(fast_skeleton))
        plains.append(next(fast_plain))
        base = next(fast_folded).rpartition("/")[2]
        # _core_key is "" unless the first or last separator-delimited word is an affix word.
        has_separator = "-" in base or "_" in base or "." in base
        words = [w for w in base.replace("_", "-").replace(".", "-").split("-") if w] if has_separator else []
        has_affix = len(words) > 1 and (words[0] in _FOLDED_AFFIXES or words[-1] in _FOLDED_AFFIXES)
        cores.append(_core_key(ecosystem, name) if has_affix else "")
    return skeletons, plains, cores


class SquatIndex:
    """The popular names of one ecosystem, indexed for look-alike queries (build once, query often).

    Built for a cold process: a CLI run checks a handful of names, so the index holds only what is
    cheap to make (three hash maps over the list, computed in bulk for the plain-ASCII names that make up
    nearly all of it) and moves the edit-distance work to the query side. A query generates every string
    one edit away from its own plain form (deletions, adjacent swaps, and substitutions and insertions
    over the characters the list uses, a few hundred strings) and looks them up; only the distance-2
    neighbours use deletion neighbourhoods, over the few hundred long names among the top
    ``DISTANCE_2_TOP``, built on the first query that needs them. The answers are those of the full
    deletion index this replaced (``_FullDeletionIndex``, kept as the reference for tests and the
    benchmark): every verified neighbour is found either way, and verification is unchanged.
    """

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
        self._by_plain: dict[str, list[str]] = {}
        self._d2 = frozenset(popularity.names[:DISTANCE_2_TOP])
        self._plain_of: dict[str, str] = {}
        self._d2_pieces: dict[tuple[int, int, str], list[str]] | None = None
        self._deletes: dict[str, list[str]] | None = None
        self._edit_queries = 0
        self._query_side_limit = _QUERY_SIDE_LIMIT  # tests raise it to exercise the query side at length
        self._build_maps()
        self._alphabet = "".join(sorted({ch for plain in self._by_plain for ch in plain}))

    def _build_maps(self) -> None:
        eco = self.ecosystem
        names = self.popularity.names
        skeletons, plains, cores = _bulk_forms(eco, names)
        self._plain_of = dict(zip(names, plains, strict=True))
        for name, sk, plain, core in zip(names, skeletons, plains, cores, strict=True):
            _add(self._skeleton, sk, name)
            _add(self._by_plain, plain, name)
            if core:
                _add(self._core, core, name)

    def _distance_2_pieces(self) -> dict[tuple[int, int, str], list[str]]:
        """The popular names that may have distance-2 neighbours (long, in the top ``DISTANCE_2_TOP``),
        each cut into ``_PIECES`` pieces, keyed by (length, piece number, piece)."""
        if self._d2_pieces is None:
            pieces: dict[tuple[int, int, str], list[str]] = {}
            for name in self.popularity.names[:DISTANCE_2_TOP]:
                plain = self._plain_of[name]
                if _max_distance(_edit_length(plain)) == 2:
                    for number, (start, end) in enumerate(_cuts(len(plain))):
                        _add(pieces, (len(plain), number, plain[start:end]), name)
            self._d2_pieces = pieces
        return self._d2_pieces

    def _full_deletes(self) -> dict[str, list[str]]:
        """The symmetric deletion index over the whole list (depth 1, or 2 for the long names among the
        top ``DISTANCE_2_TOP``)."""
        if self._deletes is None:
            top = set(self._d2)
            self._deletes = _deletion_index(
                (
                    name,
                    plain,
                    _max_distance(_edit_length(plain)) if name in top else min(1, _max_distance(_edit_length(plain))),
                )
                for name, plain in self._plain_of.items()
            )
        return self._deletes

    def _edit_candidates(self, plain: str, depth: int) -> Iterator[str]:
        """Popular names that may be within ``depth`` (1 or 2) edits of ``plain``: a superset of those
        that are, which the caller verifies with a real distance.

        The first ``_QUERY_SIDE_LIMIT`` queries generate their own one-edit strings and look them up
        (plus the distance-2 pieces); a process that asks more than that (an audit of a big lockfile, the
        benchmark) then builds the full deletion index once, which answers each later query faster. As
        in renting versus buying, neither kind of process pays much more than the best choice for it."""
        self._edit_queries += 1
        if self._deletes is not None or self._edit_queries > self._query_side_limit:
            deletes = self._full_deletes()
            for variant in _deletions(plain, depth):
                yield from deletes.get(variant, ())
            return
        by_plain = self._by_plain
        for variant in by_plain.keys() & _one_edit(plain, self._alphabet):
            yield from by_plain[variant]
        if depth == 2:
            # Two edits (an adjacent swap counts as one but may straddle two pieces) leave at least two
            # of the six pieces of the popular name whole, each shifted by at most two places in the query.
            pieces = self._distance_2_pieces()
            hits: dict[str, set[int]] = {}
            for length, number, start, end in _piece_probes(len(plain)):
                for other in pieces.get((length, number, plain[start:end]), ()):
                    hits.setdefault(other, set()).add(number)
            yield from (other for other, numbers in hits.items() if len(numbers) >= _PIECES - 4)

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
            for other in self._edit_candidates(plain, depth):
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


class _FullDeletionIndex(SquatIndex):
    """The index as it was built before query-side edits: every popular name's forms computed one by one
    and every deletion variant (depth 1, or 2 for long names in the top ``DISTANCE_2_TOP``) of every
    popular name indexed up front, over a second a list. Kept, private, as the straightforward
    reference that tests compare the fast index with and that the benchmark times as "before"."""

    def _build_maps(self) -> None:
        eco = self.ecosystem
        for name in self.popularity.names:
            _add(self._skeleton, skeleton(eco, name), name)
            plain = _plain(eco, name)
            self._plain_of[name] = plain
            _add(self._by_plain, plain, name)
            core = _core_key(eco, name)
            if core:
                _add(self._core, core, name)
        self._full_deletes()


@lru_cache(maxsize=4)
def default_index(ecosystem: Ecosystem) -> SquatIndex:
    """The index over the shipped popular list and allowlist (built once per process)."""
    return SquatIndex(load_popularity(ecosystem), allowlist=load_allowlist()[ecosystem])


def check_squat(
    ecosystem: Ecosystem, name: str, *, allow: Iterable[tuple[str, str]] = (), trusted: Iterable[str] = ()
) -> tuple[SquatMatch, ...]:
    """:meth:`SquatIndex.check` on the default index for ``ecosystem``."""
    return default_index(ecosystem).check(name, allow=allow, trusted=trusted)
