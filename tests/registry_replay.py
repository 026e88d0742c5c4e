"""The loopback HTTP server of the tests: recorded registry answers (tests/fixtures/registry/routes.json),
and ad-hoc routes a test builds itself (a PyPI project, an npm package, an OSV export zip). No test touches
the network.

Binds 127.0.0.1 on an ephemeral port, serves each request on its own thread (so a route that sleeps
past the client's timeout does not hold up the others), and logs every request it got, so a test can
check that a cached answer really asked nothing. PyPI's simple API is under ``/simple/``, its JSON API
under ``/pypi/``, npm under ``/npm/``; any other path is a 404 with an empty body.

A route is a dict: ``file`` (under the fixtures folder) or ``body`` (bytes), and optionally ``status``
(default 200), ``content_type`` (default JSON), ``headers`` (more response headers) and ``sleep`` (seconds
to wait before answering). ``RegistryReplay(routes, recorded=False)`` serves only the routes given.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "registry"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    routes: dict[str, dict[str, Any]]
    log: list[tuple[str, str]]
    lock: threading.Lock


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read .requests instead
        pass

    def do_GET(self) -> None:
        with self.server.lock:
            self.server.log.append((self.path, self.headers.get("Accept", "")))
        route = self.server.routes.get(self.path)
        if route is None:
            self._send(404, b"", "text/plain")
            return
        if route.get("sleep"):
            time.sleep(float(route["sleep"]))
        body = route["body"] if "body" in route else (FIXTURES / route["file"]).read_bytes()
        status = int(route.get("status", 200))
        self._send(status, body, route.get("content_type", "application/json"), route.get("headers", {}))

    def _send(self, status: int, body: bytes, content_type: str, headers: Mapping[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test): nothing to do


class RegistryReplay:
    """``with RegistryReplay() as replay:`` then ``replay.url`` is the base URL."""

    def __init__(self, extra_routes: Mapping[str, dict[str, Any]] | None = None, *, recorded: bool = True) -> None:
        self.routes: dict[str, dict[str, Any]] = {}
        if recorded:
            data = json.loads((FIXTURES / "routes.json").read_text(encoding="utf-8"))
            self.routes.update((r["path"], r) for r in data["routes"])
        self.routes.update(extra_routes or {})
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> RegistryReplay:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.routes = self.routes
        server.log = []
        server.lock = threading.Lock()
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def simple_url(self) -> str:
        return f"{self.url}/simple"

    @property
    def json_url(self) -> str:
        return f"{self.url}/pypi"

    @property
    def npm_url(self) -> str:
        return f"{self.url}/npm"

    @property
    def requests(self) -> list[tuple[str, str]]:
        """(path, Accept header) of every request so far."""
        assert self._server is not None
        with self._server.lock:
            return list(self._server.log)

    @property
    def paths(self) -> list[str]:
        """The path of every request so far."""
        return [path for path, _ in self.requests]


# -- ad-hoc routes -----------------------------------------------------------------------------------


def _iso(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _json_route(doc: Any, content_type: str = "application/json") -> dict[str, Any]:
    return {"body": json.dumps(doc).encode(), "content_type": content_type}


def pypi_project(
    name: str,
    releases: Mapping[str, dt.datetime],
    *,
    licence: str | None = "MIT",
    yanked: Mapping[str, str] | None = None,
    urls: bool = True,
    classifiers: tuple[str, ...] = (),
) -> dict[str, dict[str, Any]]:
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
        f"/simple/{name}/": _json_route(simple, "application/vnd.pypi.simple.v1+json"),
        f"/pypi/{name}/json": _json_route(meta),
    }


def npm_package(
    name: str,
    releases: Mapping[str, dt.datetime],
    *,
    licence: str = "MIT",
    deprecated: Mapping[str, str] | None = None,
) -> dict[str, dict[str, Any]]:
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
    return {f"/{name}": _json_route(doc)}
