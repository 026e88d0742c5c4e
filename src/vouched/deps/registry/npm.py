"""The npm registry (or a mirror serving its API): one full package document per name.

Scoped names are asked for as ``@scope%2Fname``, as the registry expects. A package whose every version
was unpublished answers 200 with ``time.unpublished`` and no versions: it cannot be installed, so it is
reported as not existing, with the reason.
"""

from __future__ import annotations

import datetime as dt
import logging
import urllib.parse
from collections.abc import Mapping
from typing import Any

from vouched.deps.registry._http import DEFAULT_TIMEOUT, get_json, redact
from vouched.deps.registry._shape import BadShape, opt_str, parse_time, sort_versions
from vouched.deps.registry.interface import Ecosystem, PackageInfo, Release

__all__ = ["NPM_URL", "NpmRegistry", "npm_path"]

logger = logging.getLogger(__name__)

NPM_URL = "https://registry.npmjs.org"
_SPECIAL_TIME_KEYS = frozenset({"created", "modified", "unpublished"})


def npm_path(name: str) -> str:
    """The URL path segment for ``name``: ``@scope/pkg`` -> ``@scope%2Fpkg``; everything else quoted."""
    return urllib.parse.quote(name, safe="@")


class NpmRegistry:
    """The npm registry at ``base_url``."""

    def __init__(self, base_url: str = NPM_URL, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self._base = base_url.rstrip("/")
        self.timeout = timeout

    @property
    def ecosystem(self) -> Ecosystem:
        return "npm"

    @property
    def registry(self) -> str:
        return redact(self._base)

    def lookup(self, name: str) -> PackageInfo:
        """What the registry says about ``name``; never raises for network or data problems."""
        now = dt.datetime.now(dt.UTC)
        answer = get_json(f"{self._base}/{npm_path(name)}", timeout=self.timeout)
        if answer.found is False:
            return PackageInfo.missing("npm", name, self.registry, fetched_at=now)
        if answer.found is None:
            return PackageInfo.unknown("npm", name, self.registry, answer.reason or "no answer")
        try:
            return _read(name, self.registry, answer.data, now)
        except BadShape as exc:
            where = f"{self.registry}/{npm_path(name)}"
            return PackageInfo.unknown("npm", name, self.registry, f"{where}: unexpected answer ({exc})")


def _licence(value: object, where: str) -> str | None:
    """npm's ``license`` (a string), or the legacy ``{"type": ...}`` object / ``licenses`` list."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        return opt_str(value.get("type"), f"{where}.type")
    if isinstance(value, list):
        names = [_licence(v, f"{where}[]") for v in value]
        kept = [n for n in names if n]
        return " OR ".join(kept) if kept else None
    raise BadShape(f"{where} is a {type(value).__name__}")


def _url(value: object) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict) and isinstance(value.get("url"), str):
        return str(value["url"]).strip() or None
    return None


def _read(name: str, reg: str, data: object, now: dt.datetime) -> PackageInfo:
    if not isinstance(data, dict):
        raise BadShape("the package document is not a JSON object")
    if data.get("error") is not None and "versions" not in data:
        raise BadShape(f"error document: {str(data.get('error'))[:80]}")
    times_raw = data.get("time", {})
    if not isinstance(times_raw, dict):
        raise BadShape("'time' is not an object")
    versions_raw = data.get("versions", {})
    if not isinstance(versions_raw, dict):
        raise BadShape("'versions' is not an object")
    if not versions_raw and isinstance(times_raw.get("unpublished"), dict | str):
        when = times_raw["unpublished"]
        stamp = when.get("time") if isinstance(when, dict) else when
        return PackageInfo(
            ecosystem="npm",
            name=name,
            registry=reg,
            exists=False,
            reason=f"every version was unpublished ({stamp})",
            fetched_at=now,
            releases=(),
        )
    releases: dict[str, Release] = {}
    for version, manifest in versions_raw.items():
        if not isinstance(manifest, dict):
            raise BadShape(f"versions[{version!r}] is not an object")
        dep = manifest.get("deprecated")
        if dep is not None and not isinstance(dep, str | bool):
            raise BadShape(f"versions[{version!r}].deprecated is a {type(dep).__name__}")
        deprecated = bool(dep) if dep is not None else False
        dist = manifest.get("dist")
        size = dist.get("unpackedSize") if isinstance(dist, dict) else None
        releases[version] = Release(
            version=version,
            uploaded=parse_time(times_raw.get(version), f"time[{version!r}]"),
            yanked=None,
            deprecated=deprecated,
            deprecated_reason=dep if isinstance(dep, str) and dep else None,
            licence=_licence(manifest.get("license") or manifest.get("licenses"), f"versions[{version!r}].license"),
            size=size if isinstance(size, int) and not isinstance(size, bool) else None,
        )
    ordered = tuple(releases[v] for v in sort_versions("npm", releases))
    times = [r.uploaded for r in ordered if r.uploaded is not None]
    created = parse_time(times_raw.get("created"), "time.created")
    first = min([*times, created]) if created is not None else (min(times) if times else None)
    tags = data.get("dist-tags", {})
    if not isinstance(tags, dict):
        raise BadShape("'dist-tags' is not an object")
    latest = opt_str(tags.get("latest"), "dist-tags.latest")
    if latest is None and ordered:
        latest = ordered[-1].version
    latest_release = releases.get(latest) if latest is not None else None
    latest_manifest: Mapping[str, Any] = versions_raw.get(latest, {}) if latest is not None else {}
    licence = _licence(data.get("license") or data.get("licenses"), "license")
    if licence is None and latest_release is not None:
        licence = latest_release.licence
    urls: list[tuple[str, str]] = []
    for key, label in (("homepage", "Homepage"), ("repository", "Repository"), ("bugs", "Issues")):
        value = _url(data.get(key)) or _url(latest_manifest.get(key))
        if value:
            urls.append((label, value))
    return PackageInfo(
        ecosystem="npm",
        name=name,
        registry=reg,
        exists=True,
        fetched_at=now,
        display_name=opt_str(data.get("name"), "name"),
        releases=ordered,
        latest=latest,
        first_published=first,
        last_published=max(times) if times else None,
        deprecated=latest_release.deprecated if latest_release is not None else None,
        deprecated_reason=latest_release.deprecated_reason if latest_release is not None else None,
        licence=licence,
        licence_source="license" if licence is not None else None,
        project_urls=tuple(urls),
        summary=opt_str(data.get("description"), "description"),
    )
