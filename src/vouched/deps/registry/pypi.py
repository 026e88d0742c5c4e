"""PyPI: the simple API's JSON form (PEP 691; existence, files, PEP 592 yanks, PEP 792 status) and the
JSON API (metadata: classifiers, licence, project URLs, per-release upload times and yank reasons).

The simple API is the standard every index and mirror serves, so it decides whether a project exists;
the JSON API is PyPI's own and adds what the simple API lacks. Either may fail alone: the answer then
says what is known from the other, and the fields only the failed one gives stay None (unknown).
"""

from __future__ import annotations

import datetime as dt
import logging
import urllib.parse
from collections.abc import Mapping
from typing import Any

from packaging.utils import InvalidSdistFilename, InvalidWheelFilename, parse_sdist_filename, parse_wheel_filename

from vouched.deps.advisories.versions import normalise_name
from vouched.deps.registry._http import DEFAULT_TIMEOUT, HttpAnswer, get_json, redact
from vouched.deps.registry._shape import BadShape, opt_str, parse_time, sort_versions
from vouched.deps.registry.interface import Ecosystem, PackageInfo, Release

__all__ = ["INACTIVE_CLASSIFIER", "PYPI_JSON_URL", "PYPI_SIMPLE_URL", "SIMPLE_JSON", "PyPIRegistry"]

logger = logging.getLogger(__name__)

PYPI_SIMPLE_URL = "https://pypi.org/simple"
PYPI_JSON_URL = "https://pypi.org/pypi"
SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"
INACTIVE_CLASSIFIER = "Development Status :: 7 - Inactive"
_MAX_LICENCE_CHARS = 100  # longer ``license`` fields are the licence's whole text, not its name


class PyPIRegistry:
    """PyPI, or a mirror: ``simple_url`` serves PEP 691 JSON, ``json_url`` PyPI's JSON API (None: skip it,
    for indexes that only serve the simple API)."""

    def __init__(
        self,
        simple_url: str = PYPI_SIMPLE_URL,
        json_url: str | None = PYPI_JSON_URL,
        *,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self._simple = simple_url.rstrip("/")
        self._json = None if json_url is None else json_url.rstrip("/")
        self.timeout = timeout

    @property
    def ecosystem(self) -> Ecosystem:
        return "PyPI"

    @property
    def registry(self) -> str:
        return redact(self._simple)

    def lookup(self, name: str) -> PackageInfo:
        """What PyPI says about ``name`` (normalised here); never raises for network or data problems."""
        norm = normalise_name("PyPI", name)
        quoted = urllib.parse.quote(norm, safe="")
        now = dt.datetime.now(dt.UTC)
        simple = get_json(f"{self._simple}/{quoted}/", accept=SIMPLE_JSON, timeout=self.timeout)
        meta = (
            HttpAnswer(None, reason="no JSON API configured")
            if self._json is None
            else get_json(f"{self._json}/{quoted}/json", timeout=self.timeout)
        )
        return self._combine(norm, simple, meta, now)

    def _combine(self, norm: str, simple: HttpAnswer, meta: HttpAnswer, now: dt.datetime) -> PackageInfo:
        reg = self.registry
        simple_part: _Simple | None = None
        meta_part: _Meta | None = None
        reasons: list[str] = []
        if simple.found:
            try:
                simple_part = _read_simple(simple.data)
            except BadShape as exc:
                reasons.append(f"{reg}/{norm}/: unexpected answer ({exc})")
        elif simple.found is None:
            reasons.append(simple.reason or "simple API: no answer")
        if meta.found:
            try:
                meta_part = _read_meta(meta.data)
            except BadShape as exc:
                reasons.append(f"JSON API for {norm}: unexpected answer ({exc})")
        elif meta.found is None and self._json is not None:
            reasons.append(meta.reason or "JSON API: no answer")
        elif meta.found is False and simple.found:
            reasons.append(f"the JSON API has no entry for {norm} (HTTP 404): licence, classifiers and links unknown")

        if simple.found is False and meta_part is None:
            return PackageInfo.missing("PyPI", norm, reg, fetched_at=now)
        if simple_part is None and meta_part is None:
            return PackageInfo.unknown("PyPI", norm, reg, "; ".join(reasons) or "no answer")
        try:
            return _build(norm, reg, now, simple_part, meta_part, "; ".join(reasons) or None)
        except BadShape as exc:
            return PackageInfo.unknown("PyPI", norm, reg, f"{reg}/{norm}/: unexpected answer ({exc})")


class _Simple:
    __slots__ = ("files", "name", "sizes", "status", "status_reason", "versions")

    def __init__(self) -> None:
        self.name: str | None = None
        self.versions: list[str] | None = None
        self.files: dict[str, list[tuple[dt.datetime | None, bool, str | None]]] = {}
        self.sizes: dict[str, int] = {}
        self.status: str | None = None
        self.status_reason: str | None = None


class _Meta:
    __slots__ = ("info", "releases")

    def __init__(self, info: Mapping[str, Any], releases: dict[str, Release]) -> None:
        self.info = info
        self.releases = releases


def _version_of(filename: str) -> str | None:
    try:
        if filename.endswith(".whl"):
            return str(parse_wheel_filename(filename)[1])
        return str(parse_sdist_filename(filename)[1])
    except (InvalidSdistFilename, InvalidWheelFilename, ValueError):
        return None  # an egg, an exe, a legacy name: its version stays unknown


def _read_simple(data: object) -> _Simple:
    if not isinstance(data, dict):
        raise BadShape("the project page is not a JSON object")
    out = _Simple()
    out.name = opt_str(data.get("name"), "name")
    files = data.get("files")
    if not isinstance(files, list):
        raise BadShape("'files' is not a list")
    versions = data.get("versions")
    if versions is not None:
        if not isinstance(versions, list) or not all(isinstance(v, str) for v in versions):
            raise BadShape("'versions' is not a list of strings")
        out.versions = list(versions)
    for i, f in enumerate(files):
        if not isinstance(f, dict):
            raise BadShape(f"files[{i}] is not an object")
        filename = opt_str(f.get("filename"), f"files[{i}].filename") or ""
        yanked = f.get("yanked", False)
        if not isinstance(yanked, bool | str):
            raise BadShape(f"files[{i}].yanked is neither a boolean nor a string")
        uploaded = parse_time(f.get("upload-time"), f"files[{i}].upload-time")
        version = _version_of(filename)
        if version is not None:
            reason = yanked if isinstance(yanked, str) and yanked else None
            out.files.setdefault(version, []).append((uploaded, yanked is not False, reason))
            size = f.get("size")
            if isinstance(size, int) and not isinstance(size, bool):
                out.sizes[version] = max(size, out.sizes.get(version, 0))
    status = data.get("project-status")
    if status is not None:
        if not isinstance(status, dict):
            raise BadShape("'project-status' is not an object")
        out.status = opt_str(status.get("status"), "project-status.status")
        out.status_reason = opt_str(status.get("reason"), "project-status.reason")
    return out


def _read_meta(data: object) -> _Meta:
    if not isinstance(data, dict) or not isinstance(data.get("info"), dict):
        raise BadShape("no 'info' object")
    raw = data.get("releases", {})
    if not isinstance(raw, dict):
        raise BadShape("'releases' is not an object")
    releases: dict[str, Release] = {}
    for version, files in raw.items():
        if not isinstance(files, list):
            raise BadShape(f"releases[{version!r}] is not a list")
        times: list[dt.datetime] = []
        sizes: list[int] = []
        yanks: list[bool] = []
        reason: str | None = None
        for j, f in enumerate(files):
            if not isinstance(f, dict):
                raise BadShape(f"releases[{version!r}][{j}] is not an object")
            where = f"releases[{version!r}][{j}]"
            t = parse_time(f.get("upload_time_iso_8601") or f.get("upload_time"), f"{where}.upload_time")
            if t is not None:
                times.append(t)
            if isinstance(f.get("size"), int) and not isinstance(f.get("size"), bool):
                sizes.append(f["size"])
            y = f.get("yanked", False)
            if not isinstance(y, bool):
                raise BadShape(f"{where}.yanked is not a boolean")
            yanks.append(y)
            reason = reason or opt_str(f.get("yanked_reason"), f"{where}.yanked_reason") or None
        releases[version] = Release(
            version=version,
            uploaded=min(times) if times else None,
            yanked=all(yanks) if yanks else None,
            yanked_reason=reason if yanks and all(yanks) else None,
            size=max(sizes) if sizes else None,
        )
    return _Meta(data["info"], releases)


def _licence(info: Mapping[str, Any]) -> tuple[str | None, str | None]:
    expr = opt_str(info.get("license_expression"), "info.license_expression")
    if expr and expr.strip():
        return expr.strip(), "license_expression"
    text = opt_str(info.get("license"), "info.license")
    if text and text.strip() and "\n" not in text.strip() and len(text.strip()) <= _MAX_LICENCE_CHARS:
        return text.strip(), "license"
    names = [c.split(" :: ")[-1] for c in _classifiers(info) or () if c.startswith("License ::")]
    names = [n for n in names if n not in ("OSI Approved", "License")]
    if names:
        return " AND ".join(dict.fromkeys(names)), "classifier"
    return None, None


def _classifiers(info: Mapping[str, Any]) -> tuple[str, ...] | None:
    raw = info.get("classifiers")
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(isinstance(c, str) for c in raw):
        raise BadShape("info.classifiers is not a list of strings")
    return tuple(raw)


def _urls(info: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    urls: list[tuple[str, str]] = []
    for key, label in (("home_page", "Homepage"), ("download_url", "Download")):
        value = opt_str(info.get(key), f"info.{key}")
        if value and value.strip() and value.strip().upper() != "UNKNOWN":
            urls.append((label, value.strip()))
    raw = info.get("project_urls")
    if raw is not None:
        if not isinstance(raw, dict):
            raise BadShape("info.project_urls is not an object")
        for label, value in raw.items():
            if isinstance(value, str) and value.strip():
                urls.append((str(label), value.strip()))
    return tuple(dict.fromkeys(urls))


def _build(
    norm: str, reg: str, now: dt.datetime, simple: _Simple | None, meta: _Meta | None, reason: str | None
) -> PackageInfo:
    releases: dict[str, Release] = dict(meta.releases) if meta is not None else {}
    if simple is not None:
        listed = simple.versions if simple.versions is not None else list(simple.files)
        for version in listed:
            files = simple.files.get(version, [])
            times = [t for t, _, _ in files if t is not None]
            yanked = all(y for _, y, _ in files) if files else None
            why = next((r for _, y, r in files if y and r), None)
            old = releases.get(version)
            if old is None:
                releases[version] = Release(version, min(times) if times else None, yanked, why if yanked else None)
            elif yanked is not None:
                # The simple API is the index's own statement of yanks (PEP 592); it wins over the JSON API.
                releases[version] = Release(
                    version,
                    old.uploaded or (min(times) if times else None),
                    yanked,
                    (why or old.yanked_reason) if yanked else None,
                    size=old.size if old.size is not None else simple.sizes.get(version),
                )
    ordered = tuple(releases[v] for v in sort_versions("PyPI", releases))
    times = [r.uploaded for r in ordered if r.uploaded is not None]
    info = meta.info if meta is not None else None
    classifiers = _classifiers(info) if info is not None else None
    licence, licence_source = _licence(info) if info is not None else (None, None)
    status = simple.status if simple is not None else None
    status_reason = simple.status_reason if simple is not None else None
    deprecated: bool | None = None
    deprecated_reason: str | None = None
    if status == "deprecated":
        deprecated, deprecated_reason = True, status_reason or "project status: deprecated (PEP 792)"
    elif status is not None:
        deprecated = False
    inactive: bool | None = None
    if status == "archived" or (classifiers is not None and INACTIVE_CLASSIFIER in classifiers):
        inactive = True
    elif classifiers is not None:
        inactive = False
    latest = opt_str(info.get("version"), "info.version") if info is not None else None
    if latest is None:
        not_yanked = [r.version for r in ordered if not r.yanked]
        latest = not_yanked[-1] if not_yanked else None
    display = (opt_str(info.get("name"), "info.name") if info is not None else None) or (
        simple.name if simple is not None else None
    )
    return PackageInfo(
        ecosystem="PyPI",
        name=norm,
        registry=reg,
        exists=True,
        reason=reason,
        fetched_at=now,
        display_name=display,
        releases=ordered,
        latest=latest,
        first_published=min(times) if times else None,
        last_published=max(times) if times else None,
        status=status,
        status_reason=status_reason,
        deprecated=deprecated,
        deprecated_reason=deprecated_reason,
        inactive=inactive,
        licence=licence,
        licence_source=licence_source,
        classifiers=classifiers,
        project_urls=_urls(info) if info is not None else None,
        summary=opt_str(info.get("summary"), "info.summary") if info is not None else None,
    )
