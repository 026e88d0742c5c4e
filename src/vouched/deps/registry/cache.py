"""A disk cache in front of any :class:`Registry`, and the offline mode that answers only from it.

Entries live under ``$XDG_CACHE_HOME/vouched/registry/`` (``~/.cache/vouched/registry/`` when the
variable is unset or relative), one JSON file per (registry, package), written atomically (a temporary
file in the same folder, then ``os.replace``), so a crash never leaves half an entry. An entry that
cannot be read, is of another format version, or is for another registry or name is ignored and fetched
again. Only real answers are stored (the package exists, or the registry said it does not): an
"unknown" answer (timeout, 5xx, garbage) is never cached, so the next run asks again.

Fresh entries are served for ``ttl`` seconds (``negative_ttl`` for "does not exist", shorter, since a
missing name is exactly what an attacker registers next). In offline mode nothing is fetched: a cached
entry of any age is served (its ``fetched_at`` says how old it is), and a package not in the cache is
unknown with the reason "offline, not cached". Cache keys hold the registry URL without credentials.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from vouched.deps.advisories.versions import normalise_name
from vouched.deps.registry.interface import Ecosystem, PackageInfo, Registry, Release

__all__ = [
    "CACHE_FORMAT",
    "DEFAULT_NEGATIVE_TTL",
    "DEFAULT_TTL",
    "OFFLINE_NOT_CACHED",
    "CachedRegistry",
    "RegistryCache",
    "default_cache_dir",
    "info_from_json",
    "info_to_json",
]

logger = logging.getLogger(__name__)

CACHE_FORMAT = 1
DEFAULT_TTL = 24 * 3600.0
DEFAULT_NEGATIVE_TTL = 3600.0
OFFLINE_NOT_CACHED = "offline, not cached"


def default_cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CACHE_HOME/vouched/registry``, or ``~/.cache/vouched/registry`` (a relative
    ``XDG_CACHE_HOME`` is ignored, as the XDG base directory specification says)."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_CACHE_HOME", "")
    root = Path(base) if base and Path(base).is_absolute() else Path(env.get("HOME") or Path.home()) / ".cache"
    return root / "vouched" / "registry"


def _time(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _untime(value: object) -> dt.datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("timestamp is not a string")
    return dt.datetime.fromisoformat(value)


def info_to_json(info: PackageInfo) -> dict[str, Any]:
    """A JSON-ready form of ``info`` (the cache's entry format; also handy for JSON reports)."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(info):
        value = getattr(info, f.name)
        if f.name == "releases":
            value = (
                None
                if value is None
                else [
                    {
                        **dataclasses.asdict(r),
                        "uploaded": _time(r.uploaded),
                    }
                    for r in value
                ]
            )
        elif isinstance(value, dt.datetime):
            value = _time(value)
        elif f.name == "project_urls" and value is not None:
            value = [list(pair) for pair in value]
        elif isinstance(value, tuple):
            value = list(value)
        out[f.name] = value
    return out


def info_from_json(data: Mapping[str, Any]) -> PackageInfo:
    """Inverse of :func:`info_to_json`; raises ValueError/TypeError/KeyError on a malformed entry."""
    kwargs: dict[str, Any] = dict(data)
    names = {f.name for f in dataclasses.fields(PackageInfo)}
    if set(kwargs) != names:
        raise ValueError("fields differ")
    for key in ("fetched_at", "first_published", "last_published"):
        kwargs[key] = _untime(kwargs[key])
    if kwargs["releases"] is not None:
        kwargs["releases"] = tuple(Release(**{**r, "uploaded": _untime(r["uploaded"])}) for r in kwargs["releases"])
    if kwargs["classifiers"] is not None:
        kwargs["classifiers"] = tuple(str(c) for c in kwargs["classifiers"])
    if kwargs["project_urls"] is not None:
        kwargs["project_urls"] = tuple((str(a), str(b)) for a, b in kwargs["project_urls"])
    if kwargs["exists"] not in (True, False, None) or kwargs["ecosystem"] not in ("PyPI", "npm"):
        raise ValueError("bad exists or ecosystem")
    return PackageInfo(**kwargs)


class RegistryCache:
    """The on-disk store of registry answers (see the module docstring)."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = default_cache_dir() if root is None else root

    def path_for(self, ecosystem: Ecosystem, registry: str, name: str) -> Path:
        key = hashlib.sha256(f"{ecosystem}\0{registry}\0{name}".encode()).hexdigest()
        return self.root / ecosystem.lower() / key[:2] / f"{key}.json"

    def get(self, ecosystem: Ecosystem, registry: str, name: str) -> PackageInfo | None:
        """The cached answer, or None when there is none or it is unreadable (then it is ignored)."""
        path = self.path_for(ecosystem, registry, name)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            logger.warning("registry cache entry %s unreadable (%s): fetching again", path, exc)
            return None
        try:
            entry = json.loads(raw)
            if not isinstance(entry, dict) or entry.get("format") != CACHE_FORMAT:
                raise ValueError("not a cache entry of this format")
            if entry.get("registry") != registry or entry.get("name") != name or entry.get("ecosystem") != ecosystem:
                raise ValueError("entry is for another package")
            info = info_from_json(entry["info"])
            if info.exists is None or info.fetched_at is None:
                raise ValueError("an unknown answer is never cached")
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            logger.warning("registry cache entry %s is corrupt (%s): ignored, fetching again", path, exc)
            return None
        return dataclasses.replace(info, from_cache=True)

    def put(self, info: PackageInfo) -> None:
        """Store a real answer atomically; unknown answers are not stored. Errors are logged, not raised:
        a cache that cannot be written only costs a fetch next time."""
        if info.exists is None or info.fetched_at is None:
            return
        path = self.path_for(info.ecosystem, info.registry, info.name)
        entry = {
            "format": CACHE_FORMAT,
            "ecosystem": info.ecosystem,
            "registry": info.registry,
            "name": info.name,
            "info": info_to_json(dataclasses.replace(info, from_cache=False)),
        }
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump(entry, fh, separators=(",", ":"))
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            logger.warning("cannot write registry cache entry %s: %s", path, exc)


class CachedRegistry:
    """``backend`` behind a :class:`RegistryCache`; itself a :class:`Registry`."""

    def __init__(
        self,
        backend: Registry,
        cache: RegistryCache | None = None,
        *,
        ttl: float = DEFAULT_TTL,
        negative_ttl: float = DEFAULT_NEGATIVE_TTL,
        offline: bool = False,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.backend = backend
        self.cache = RegistryCache() if cache is None else cache
        self.ttl = ttl
        self.negative_ttl = negative_ttl
        self.offline = offline
        self._clock: Callable[[], dt.datetime] = clock or (lambda: dt.datetime.now(dt.UTC))

    @property
    def ecosystem(self) -> Ecosystem:
        return self.backend.ecosystem

    @property
    def registry(self) -> str:
        return self.backend.registry

    def lookup(self, name: str) -> PackageInfo:
        key = normalise_name(self.ecosystem, name)
        cached = self.cache.get(self.ecosystem, self.registry, key)
        if self.offline:
            if cached is not None:
                return cached
            return PackageInfo.unknown(self.ecosystem, key, self.registry, OFFLINE_NOT_CACHED)
        if cached is not None and cached.fetched_at is not None:
            age = (self._clock() - cached.fetched_at).total_seconds()
            if 0 <= age < (self.ttl if cached.exists else self.negative_ttl):
                return cached
        info = self.backend.lookup(key)
        self.cache.put(info)
        return info
