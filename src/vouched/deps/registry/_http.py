"""The one place registry backends talk HTTP: the standard library, a timeout, no exception escapes.

A registry answer is one of: JSON (``status`` 200 and ``data`` parsed), "not found" (404, or 410), or a
failure with a reason a person can read (timeout, connection refused, 5xx, a body that is not JSON).
Credentials in a base URL (``https://user:token@mirror/...``) are sent as HTTP basic authentication and
never appear in a reason, a log line, or a cache key: :func:`redact` removes them.
"""

from __future__ import annotations

import base64
import json
import logging
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

__all__ = ["DEFAULT_TIMEOUT", "MAX_BODY_BYTES", "USER_AGENT", "HttpAnswer", "get_json", "redact"]

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 10.0
# The largest registry document vouched reads (npm's full documents for big packages reach tens of MB).
MAX_BODY_BYTES = 64 * 1024 * 1024
USER_AGENT = "vouched (dependency audit; +https://github.com/vouched)"


@dataclass(frozen=True, slots=True)
class HttpAnswer:
    """``found`` True with ``data`` (JSON), False for 404/410, None with ``reason`` for any failure."""

    found: bool | None
    data: Any = None
    reason: str | None = None


def redact(url: str) -> str:
    """``url`` without a user name or password, safe to print, log and key a cache with."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def _request(url: str, accept: str) -> urllib.request.Request:
    parts = urllib.parse.urlsplit(url)
    headers = {"Accept": accept, "User-Agent": USER_AGENT}
    if parts.username is not None or parts.password is not None:
        user = urllib.parse.unquote(parts.username or "")
        password = urllib.parse.unquote(parts.password or "")
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        headers["Authorization"] = f"Basic {token}"
    return urllib.request.Request(redact(url), headers=headers, method="GET")  # noqa: S310 - scheme checked


def get_json(url: str, *, accept: str = "application/json", timeout: float = DEFAULT_TIMEOUT) -> HttpAnswer:
    """GET ``url`` and parse its JSON body; never raises for network or data problems."""
    shown = redact(url)
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        return HttpAnswer(None, reason=f"{shown}: only http and https registries are supported")
    try:
        with urllib.request.urlopen(_request(url, accept), timeout=timeout) as resp:  # noqa: S310
            body = resp.read(MAX_BODY_BYTES + 1)
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code in (404, 410):
            return HttpAnswer(False)
        return HttpAnswer(None, reason=f"{shown}: HTTP {exc.code} {exc.reason}".rstrip())
    except TimeoutError:
        return HttpAnswer(None, reason=f"{shown}: timed out after {timeout:g} s")
    except urllib.error.URLError as exc:
        why = exc.reason
        if isinstance(why, TimeoutError | socket.timeout):
            return HttpAnswer(None, reason=f"{shown}: timed out after {timeout:g} s")
        return HttpAnswer(None, reason=f"{shown}: cannot connect ({why})")
    except (OSError, ValueError) as exc:  # reset connections, bad status lines, invalid URLs
        return HttpAnswer(None, reason=f"{shown}: {type(exc).__name__}: {exc}")
    if len(body) > MAX_BODY_BYTES:
        return HttpAnswer(None, reason=f"{shown}: answer larger than {MAX_BODY_BYTES // (1024 * 1024)} MB")
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        logger.debug("malformed JSON from %s", shown, exc_info=True)
        return HttpAnswer(None, reason=f"{shown}: malformed JSON ({exc})")
    return HttpAnswer(True, data=data)
