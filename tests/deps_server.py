"""A loopback HTTP server for the dependency gate's tests: registry answers (PyPI simple + JSON API, npm)
and osv.dev-style export zips, from a table of routes. No test touches the network."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

Route = tuple[int, bytes, str]  # status, body, content type


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: Mapping[str, Route] = {}
    seen: list[str] = []  # noqa: RUF012 - replaced per server by serve()

    def do_GET(self) -> None:
        self.seen.append(self.path)
        status, body, ctype = self.routes.get(self.path, (404, b'{"message": "Not Found"}', "application/json"))
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Last-Modified", "Fri, 27 Nov 2026 06:00:00 GMT")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return


@contextmanager
def serve(routes: Mapping[str, Route]) -> Iterator[tuple[str, list[str]]]:
    """Serve ``routes`` on 127.0.0.1; yields the base URL and the list of paths requested."""
    seen: list[str] = []
    handler = type("Handler", (_Handler,), {"routes": dict(routes), "seen": seen})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def _iso(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def pypi_project(
    name: str,
    releases: Mapping[str, dt.datetime],
    *,
    licence: str | None = "MIT",
    yanked: Mapping[str, str] | None = None,
    urls: bool = True,
    classifiers: tuple[str, ...] = (),
) -> dict[str, Route]:
    """The two routes PyPI serves for a project: ``/simple/<name>/`` (PEP 691 JSON) and ``/pypi/<name>/json``."""
    yanked = dict(yanked or {})
    files = []
    rel: dict[str, list[dict[str, Any]]] = {}
    for version, when in releases.items():
        reason = yanked.get(version)
        files.append(
            {
                "filename": f"{name.replace('-', '_')}-{version}-py3-none-any.whl",
                "url": f"https://files.example/{name}-{version}.whl",
                "hashes": {"sha256": "0" * 64},
                "upload-time": _iso(when),
                "yanked": reason if reason else (version in yanked),
                "size": 40_000,
            }
        )
        rel[version] = [
            {
                "upload_time_iso_8601": _iso(when),
                "yanked": version in yanked,
                "yanked_reason": reason,
                "size": 40_000,
            }
        ]
    simple = {"meta": {"api-version": "1.1"}, "name": name, "files": files, "versions": list(releases)}
    info: dict[str, Any] = {
        "name": name,
        "version": list(releases)[-1],
        "summary": f"{name}: a package",
        "license_expression": licence,
        "classifiers": list(classifiers),
        "project_urls": {"Source": f"https://github.com/example/{name}"} if urls else None,
        "home_page": None,
    }
    meta = {"info": info, "releases": rel}
    return {
        f"/simple/{name}/": (200, json.dumps(simple).encode(), "application/vnd.pypi.simple.v1+json"),
        f"/pypi/{name}/json": (200, json.dumps(meta).encode(), "application/json"),
    }


def npm_package(
    name: str,
    releases: Mapping[str, dt.datetime],
    *,
    licence: str = "MIT",
    deprecated: Mapping[str, str] | None = None,
) -> dict[str, Route]:
    """npm's package document at ``/<name>``."""
    deprecated = dict(deprecated or {})
    versions = {
        v: {
            "name": name,
            "version": v,
            "license": licence,
            **({"deprecated": deprecated[v]} if v in deprecated else {}),
        }
        for v in releases
    }
    times = {v: _iso(t) for v, t in releases.items()}
    times["created"] = _iso(min(releases.values()))
    doc = {
        "name": name,
        "dist-tags": {"latest": list(releases)[-1]},
        "versions": versions,
        "time": times,
        "license": licence,
        "homepage": f"https://github.com/example/{name}",
        "repository": {"type": "git", "url": f"git+https://github.com/example/{name}.git"},
    }
    return {f"/{name}": (200, json.dumps(doc).encode(), "application/json")}
