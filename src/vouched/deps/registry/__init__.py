"""Registry intelligence: what PyPI and npm say about a package, with a disk cache and an offline mode.

    registries = default_registries(offline=False)          # PyPI + npm, each behind the cache
    infos = lookup_many(registries, [("PyPI", "requests"), ("npm", "left-pad")])
    infos[("PyPI", "requests")].first_published

Every answer is a :class:`PackageInfo`; nothing here raises for a network or data problem: the answer
is then "unknown" (``exists is None``) with the reason. See ``interface.py`` for the fields,
``pypi.py``/``npm.py`` for what each registry is asked, ``cache.py`` for the cache and offline mode.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from vouched.deps.advisories.versions import normalise_name
from vouched.deps.registry._http import DEFAULT_TIMEOUT, redact
from vouched.deps.registry.cache import (
    DEFAULT_NEGATIVE_TTL,
    DEFAULT_TTL,
    OFFLINE_NOT_CACHED,
    CachedRegistry,
    RegistryCache,
    default_cache_dir,
    info_from_json,
    info_to_json,
)
from vouched.deps.registry.interface import PROJECT_STATUSES, Ecosystem, PackageInfo, ProjectStatus, Registry, Release
from vouched.deps.registry.npm import NPM_URL, NpmRegistry
from vouched.deps.registry.pypi import PYPI_JSON_URL, PYPI_SIMPLE_URL, PyPIRegistry

__all__ = [
    "DEFAULT_NEGATIVE_TTL",
    "DEFAULT_TIMEOUT",
    "DEFAULT_TTL",
    "DEFAULT_WORKERS",
    "NPM_URL",
    "OFFLINE_NOT_CACHED",
    "PROJECT_STATUSES",
    "PYPI_JSON_URL",
    "PYPI_SIMPLE_URL",
    "CachedRegistry",
    "Ecosystem",
    "NpmRegistry",
    "PackageInfo",
    "ProjectStatus",
    "PyPIRegistry",
    "Registry",
    "RegistryCache",
    "Release",
    "default_cache_dir",
    "default_registries",
    "info_from_json",
    "info_to_json",
    "lookup_many",
    "redact",
]

logger = logging.getLogger(__name__)

DEFAULT_WORKERS = 8


def default_registries(
    *,
    offline: bool = False,
    cache_dir: Path | None = None,
    ttl: float = DEFAULT_TTL,
    negative_ttl: float = DEFAULT_NEGATIVE_TTL,
    timeout: float = DEFAULT_TIMEOUT,
    pypi_simple_url: str = PYPI_SIMPLE_URL,
    pypi_json_url: str | None = PYPI_JSON_URL,
    npm_url: str = NPM_URL,
) -> dict[Ecosystem, Registry]:
    """PyPI and npm (or mirrors at the given URLs), each behind one shared disk cache."""
    cache = RegistryCache(cache_dir)
    pypi = PyPIRegistry(pypi_simple_url, pypi_json_url, timeout=timeout)
    npm = NpmRegistry(npm_url, timeout=timeout)
    return {
        "PyPI": CachedRegistry(pypi, cache, ttl=ttl, negative_ttl=negative_ttl, offline=offline),
        "npm": CachedRegistry(npm, cache, ttl=ttl, negative_ttl=negative_ttl, offline=offline),
    }


def lookup_many(
    registries: Mapping[Ecosystem, Registry],
    packages: Iterable[tuple[Ecosystem, str]],
    *,
    workers: int = DEFAULT_WORKERS,
) -> dict[tuple[Ecosystem, str], PackageInfo]:
    """Look every (ecosystem, name) up, at most ``workers`` at a time; keys are the names as given.

    Each distinct package is asked once (names compared after normalisation). An ecosystem with no
    registry, or a backend that raises despite its contract, gives an unknown answer with the reason.
    """
    wanted = list(dict.fromkeys(packages))
    distinct: dict[tuple[Ecosystem, str], list[tuple[Ecosystem, str]]] = {}
    for eco, name in wanted:
        distinct.setdefault((eco, normalise_name(eco, name)), []).append((eco, name))

    def one(key: tuple[Ecosystem, str]) -> PackageInfo:
        eco, name = key
        reg = registries.get(eco)
        if reg is None:
            return PackageInfo.unknown(eco, name, "", f"no registry configured for {eco}")
        try:
            return reg.lookup(name)
        except Exception as exc:  # a bug must not pass a package as fine: unknown, with the reason
            logger.debug("registry lookup of %s %s failed", eco, name, exc_info=True)
            return PackageInfo.unknown(eco, name, reg.registry, f"lookup failed ({type(exc).__name__}: {exc})")

    keys = list(distinct)
    results: dict[tuple[Ecosystem, str], PackageInfo] = {}
    if keys:
        with ThreadPoolExecutor(max_workers=max(1, min(workers, len(keys)))) as pool:
            for key, info in zip(keys, pool.map(one, keys), strict=True):
                for original in distinct[key]:
                    results[original] = info
    return results
