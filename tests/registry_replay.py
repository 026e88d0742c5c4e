"""A loopback HTTP server that replays recorded registry answers (tests/fixtures/registry/routes.json).

Binds 127.0.0.1 on an ephemeral port, serves each request on its own thread (so a route that sleeps
past the client's timeout does not hold up the others), and logs every request it got, so a test can
check that a cached answer really asked nothing. PyPI's simple API is under ``/simple/``, its JSON API
under ``/pypi/``, npm under ``/npm/``; any other path is a 404 with an empty body.
"""

from __future__ import annotations

import json
import threading
import time
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
        body = (FIXTURES / route["file"]).read_bytes()
        self._send(int(route.get("status", 200)), body, route.get("content_type", "application/json"))

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test): nothing to do


class RegistryReplay:
    """``with RegistryReplay() as replay:`` then ``replay.url`` is the base URL."""

    def __init__(self, extra_routes: dict[str, dict[str, Any]] | None = None) -> None:
        data = json.loads((FIXTURES / "routes.json").read_text(encoding="utf-8"))
        self.routes: dict[str, dict[str, Any]] = {r["path"]: r for r in data["routes"]}
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
