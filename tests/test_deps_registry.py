"""Registry backends, the cache and offline mode, against a loopback server replaying recorded answers."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from vouched.deps.registry import (
    OFFLINE_NOT_CACHED,
    CachedRegistry,
    NpmRegistry,
    PackageInfo,
    PyPIRegistry,
    Registry,
    RegistryCache,
    default_cache_dir,
    default_registries,
    info_from_json,
    info_to_json,
    lookup_many,
    redact,
)
from vouched.deps.registry._http import get_json

from registry_replay import RegistryReplay

TIMEOUT = 0.3  # the replay server's slow routes sleep 1.5 s


@pytest.fixture(scope="module")
def replay() -> Iterator[RegistryReplay]:
    with RegistryReplay() as server:
        yield server


@pytest.fixture
def pypi(replay: RegistryReplay) -> PyPIRegistry:
    return PyPIRegistry(replay.simple_url, replay.json_url, timeout=TIMEOUT)


@pytest.fixture
def npm(replay: RegistryReplay) -> NpmRegistry:
    return NpmRegistry(replay.npm_url, timeout=TIMEOUT)


def test_backends_satisfy_the_protocol(pypi: PyPIRegistry, npm: NpmRegistry) -> None:
    assert isinstance(pypi, Registry)
    assert isinstance(npm, Registry)
    assert isinstance(CachedRegistry(pypi, RegistryCache(Path("/nonexistent"))), Registry)


def test_pypi_healthy_package(pypi: PyPIRegistry) -> None:
    info = pypi.lookup("Requests")
    assert info.exists is True and info.reason is None
    assert info.name == "requests" and info.display_name == "requests"
    assert info.release_count is not None and info.release_count >= 4
    assert info.versions is not None and info.latest == info.versions[-1]
    assert info.first_published is not None and info.last_published is not None
    assert info.first_published <= info.last_published
    assert info.licence is not None and info.licence_source in ("license_expression", "license", "classifier")
    assert info.project_urls and any("github.com/psf/requests" in url for _, url in info.project_urls)
    assert info.deprecated is None  # the simple API here states no PEP 792 status: unknown, not "fine"
    assert info.inactive is False  # classifiers are known and do not say Inactive
    assert info.status is None


def test_pypi_yanked_release_with_reason(pypi: PyPIRegistry) -> None:
    info = pypi.lookup("attrs")
    rel = info.release("21.1.0")
    assert rel is not None and rel.yanked is True
    assert rel.yanked_reason == "Installable but not importable on Python 3.4."
    assert info.release("21.1") is rel  # PEP 440 normal form finds it too
    healthy = [r for r in info.releases or () if r.version != "21.1.0"]
    assert healthy and all(r.yanked is False for r in healthy)
    assert all(r.uploaded is not None for r in info.releases or ())


def test_pypi_inactive_classifier(pypi: PyPIRegistry) -> None:
    info = pypi.lookup("pytest_runner")  # PEP 503: same project as pytest-runner
    assert info.name == "pytest-runner"
    assert info.inactive is True
    assert info.classifiers is not None and "Development Status :: 7 - Inactive" in info.classifiers


@pytest.mark.parametrize(
    ("name", "status", "deprecated", "inactive"),
    [
        ("vouched-fixture-archived", "archived", False, True),
        ("vouched-fixture-quarantined", "quarantined", False, None),
        ("vouched-fixture-deprecated", "deprecated", True, None),
    ],
)
def test_pypi_pep792_status(
    pypi: PyPIRegistry, name: str, status: str, deprecated: bool, inactive: bool | None
) -> None:
    info = pypi.lookup(name)
    assert info.exists is True
    assert info.status == status
    assert info.deprecated is deprecated
    assert info.inactive is inactive
    assert info.reason is not None  # the JSON API did not answer for these: said so, not hidden
    assert info.licence is None and info.project_urls is None and info.classifiers is None


def test_pypi_archived_reason_and_versions(pypi: PyPIRegistry) -> None:
    info = pypi.lookup("vouched-fixture-archived")
    assert info.status_reason == "moved to vouched-fixture-new"
    assert info.versions == ("1.0", "1.1")
    assert info.last_published == dt.datetime(2020, 6, 1, 10, tzinfo=dt.UTC)


def test_pypi_404_is_nonexistent(pypi: PyPIRegistry, replay: RegistryReplay) -> None:
    info = pypi.lookup("vouched-fixture-no-such-package")
    assert info.exists is False
    assert info.releases == ()
    assert "404" in (info.reason or "")


def test_pypi_unknown_name_anywhere_is_404(pypi: PyPIRegistry) -> None:
    assert pypi.lookup("never-recorded-anything").exists is False


def test_pypi_timeout_is_unknown_with_reason(pypi: PyPIRegistry) -> None:
    info = pypi.lookup("vouched-fixture-slow")
    assert info.exists is None
    assert "timed out" in (info.reason or "")


def test_pypi_server_error_is_unknown(pypi: PyPIRegistry) -> None:
    info = pypi.lookup("vouched-fixture-broken")
    assert info.exists is None
    assert "HTTP 500" in (info.reason or "") and "HTTP 503" in (info.reason or "")


def test_pypi_malformed_json_is_unknown(pypi: PyPIRegistry) -> None:
    info = pypi.lookup("vouched-fixture-garbage")
    assert info.exists is None
    assert "malformed JSON" in (info.reason or "")


def test_pypi_wrong_shape_is_unknown(pypi: PyPIRegistry) -> None:
    info = pypi.lookup("vouched-fixture-shape")
    assert info.exists is None
    assert "unexpected answer" in (info.reason or "") and "'files' is not a list" in (info.reason or "")


def test_pypi_simple_only_answer_is_partial(pypi: PyPIRegistry) -> None:
    info = pypi.lookup("vouched-fixture-simple-only")
    assert info.exists is True
    assert "HTTP 502" in (info.reason or "")
    rel = info.release("21.1.0")
    assert rel is not None and rel.yanked is True and rel.yanked_reason  # from the simple API alone
    assert info.licence is None and info.classifiers is None  # only the JSON API says these


def test_pypi_without_json_api(replay: RegistryReplay) -> None:
    info = PyPIRegistry(replay.simple_url, None, timeout=TIMEOUT).lookup("attrs")
    assert info.exists is True and info.reason is None
    assert info.release("21.1.0") is not None


def test_npm_healthy_package(npm: NpmRegistry) -> None:
    info = npm.lookup("left-pad")
    assert info.exists is True and info.latest == "1.3.0"
    assert info.licence == "WTFPL"
    assert info.deprecated is False
    assert info.project_urls and info.project_urls[0][0] == "Repository"
    assert info.versions is not None and info.versions[-1] == "1.3.0"
    assert all(r.yanked is None for r in info.releases or ())  # npm has no yanking: unknown, not False


def test_npm_scoped_name_is_url_encoded(npm: NpmRegistry, replay: RegistryReplay) -> None:
    info = npm.lookup("@types/node")
    assert info.exists is True and info.licence == "MIT"
    assert ("/npm/@types%2Fnode", "application/json") in replay.requests


def test_npm_deprecated(npm: NpmRegistry) -> None:
    info = npm.lookup("vouched-fixture-deprecated")
    assert info.deprecated is True
    assert info.deprecated_reason == "this package is no longer maintained, use vouched-fixture-new"
    old = info.release("1.0.0")
    assert old is not None and old.deprecated and old.deprecated_reason == "1.x is unsafe, use 2.x"
    assert info.first_published == dt.datetime(2015, 1, 1, tzinfo=dt.UTC)


def test_npm_unpublished_is_nonexistent(npm: NpmRegistry) -> None:
    info = npm.lookup("vouched-fixture-unpublished")
    assert info.exists is False and "unpublished" in (info.reason or "")


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("vouched-fixture-no-such-package", None),
        ("vouched-fixture-slow", "timed out"),
        ("vouched-fixture-broken", "HTTP 500"),
        ("vouched-fixture-garbage", "malformed JSON"),
        ("vouched-fixture-shape", "not a JSON object"),
    ],
)
def test_npm_failures(npm: NpmRegistry, name: str, why: str | None) -> None:
    info = npm.lookup(name)
    if why is None:
        assert info.exists is False
    else:
        assert info.exists is None and why in (info.reason or "")


def test_connection_refused_is_unknown() -> None:
    info = NpmRegistry("http://127.0.0.1:9", timeout=TIMEOUT).lookup("left-pad")
    assert info.exists is None and "cannot connect" in (info.reason or "")


def test_credentials_never_leak(replay: RegistryReplay) -> None:
    base = replay.url.replace("http://", "http://alice:s3cr3t-token@")
    reg = PyPIRegistry(f"{base}/simple", f"{base}/pypi", timeout=TIMEOUT)
    assert "s3cr3t" not in reg.registry
    for name in ("requests", "vouched-fixture-broken", "vouched-fixture-slow"):
        info = reg.lookup(name)
        assert "s3cr3t" not in repr(info)
    assert redact("https://u:p@host:8443/x?y=1") == "https://host:8443/x?y=1"
    assert redact("https://host/x") == "https://host/x"


def test_non_http_scheme_refused() -> None:
    answer = get_json("file:///etc/passwd")
    assert answer.found is None and "only http and https" in (answer.reason or "")


# ---- cache and offline mode ---------------------------------------------------------------------------


def test_default_cache_dir_honours_xdg(tmp_path: Path) -> None:
    assert default_cache_dir({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "vouched" / "registry"
    assert default_cache_dir({"XDG_CACHE_HOME": "relative", "HOME": str(tmp_path)}) == (
        tmp_path / ".cache" / "vouched" / "registry"
    )
    assert default_cache_dir() == Path(os.environ["XDG_CACHE_HOME"]) / "vouched" / "registry"


def test_cache_serves_second_lookup_without_asking(pypi: PyPIRegistry, replay: RegistryReplay, tmp_path: Path) -> None:
    cached = CachedRegistry(pypi, RegistryCache(tmp_path))
    first = cached.lookup("attrs")
    asked = len(replay.requests)
    second = cached.lookup("attrs")
    assert len(replay.requests) == asked  # nothing asked the second time
    assert first.from_cache is False and second.from_cache is True
    assert info_to_json(first) == info_to_json(second) | {"from_cache": False}
    files = list(tmp_path.rglob("*.json"))
    assert len(files) == 1 and not list(tmp_path.rglob(".tmp-*"))


def test_cache_expires(pypi: PyPIRegistry, replay: RegistryReplay, tmp_path: Path) -> None:
    clock = [dt.datetime.now(dt.UTC)]
    cached = CachedRegistry(pypi, RegistryCache(tmp_path), ttl=60, clock=lambda: clock[0])
    cached.lookup("requests")
    clock[0] += dt.timedelta(seconds=61)
    asked = len(replay.requests)
    assert cached.lookup("requests").from_cache is False
    assert len(replay.requests) == asked + 2  # simple API and JSON API again


def test_negative_answers_expire_sooner(pypi: PyPIRegistry, tmp_path: Path) -> None:
    clock = [dt.datetime.now(dt.UTC)]
    cached = CachedRegistry(pypi, RegistryCache(tmp_path), ttl=3600, negative_ttl=10, clock=lambda: clock[0])
    assert cached.lookup("vouched-fixture-no-such-package").exists is False
    clock[0] += dt.timedelta(seconds=5)
    assert cached.lookup("vouched-fixture-no-such-package").from_cache is True
    clock[0] += dt.timedelta(seconds=10)
    assert cached.lookup("vouched-fixture-no-such-package").from_cache is False


def test_unknown_answers_are_not_cached(pypi: PyPIRegistry, tmp_path: Path) -> None:
    cached = CachedRegistry(pypi, RegistryCache(tmp_path))
    assert cached.lookup("vouched-fixture-broken").exists is None
    assert not list(tmp_path.rglob("*.json"))


def test_corrupt_cache_entry_is_ignored_and_refetched(
    pypi: PyPIRegistry, replay: RegistryReplay, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = RegistryCache(tmp_path)
    cached = CachedRegistry(pypi, cache)
    cached.lookup("attrs")
    (entry,) = tmp_path.rglob("*.json")
    for garbage in (b"{truncated", b"[]", json.dumps({"format": 1, "info": {}}).encode(), b"\xff\xfe"):
        entry.write_bytes(garbage)
        asked = len(replay.requests)
        info = cached.lookup("attrs")
        assert info.exists is True and info.from_cache is False
        assert len(replay.requests) == asked + 2
        assert "corrupt" in caplog.text
    assert cache.get("PyPI", pypi.registry, "attrs") is not None  # rewritten whole


def test_entry_for_another_registry_is_not_served(pypi: PyPIRegistry, tmp_path: Path) -> None:
    cache = RegistryCache(tmp_path)
    CachedRegistry(pypi, cache).lookup("attrs")
    assert cache.get("PyPI", "https://mirror.example/simple", "attrs") is None


def test_offline_answers_only_from_cache(pypi: PyPIRegistry, replay: RegistryReplay, tmp_path: Path) -> None:
    cache = RegistryCache(tmp_path)
    CachedRegistry(pypi, cache).lookup("requests")
    clock = [dt.datetime.now(dt.UTC) + dt.timedelta(days=365)]  # long past the TTL: offline still serves it
    offline = CachedRegistry(pypi, cache, offline=True, clock=lambda: clock[0])
    asked = len(replay.requests)
    hit = offline.lookup("requests")
    miss = offline.lookup("attrs")
    assert len(replay.requests) == asked  # offline never asks
    assert hit.exists is True and hit.from_cache is True
    assert miss.exists is None and miss.reason == OFFLINE_NOT_CACHED


def test_unwritable_cache_still_answers(pypi: PyPIRegistry, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    info = CachedRegistry(pypi, RegistryCache(blocker / "cache")).lookup("attrs")
    assert info.exists is True


def test_info_json_round_trip(pypi: PyPIRegistry, npm: NpmRegistry) -> None:
    for info in (pypi.lookup("attrs"), npm.lookup("vouched-fixture-deprecated"), pypi.lookup("nope-nothing")):
        assert info_from_json(json.loads(json.dumps(info_to_json(info)))) == info


# ---- many at once ---------------------------------------------------------------------------------------


def test_lookup_many_concurrent_and_deduplicated(replay: RegistryReplay, tmp_path: Path) -> None:
    regs = default_registries(
        cache_dir=tmp_path,
        timeout=TIMEOUT,
        pypi_simple_url=replay.simple_url,
        pypi_json_url=replay.json_url,
        npm_url=replay.npm_url,
    )
    asked = len(replay.requests)
    wanted = [
        ("PyPI", "requests"),
        ("PyPI", "Requests"),
        ("PyPI", "attrs"),
        ("PyPI", "vouched-fixture-slow"),
        ("npm", "left-pad"),
        ("npm", "vouched-fixture-slow"),
        ("npm", "vouched-fixture-no-such-package"),
    ]
    started = dt.datetime.now(dt.UTC)
    got = lookup_many(regs, wanted, workers=8)  # type: ignore[arg-type]
    assert set(got) == set(wanted)
    assert got[("PyPI", "requests")] is got[("PyPI", "Requests")]
    assert got[("PyPI", "vouched-fixture-slow")].exists is None
    assert got[("npm", "vouched-fixture-slow")].exists is None
    assert got[("npm", "vouched-fixture-no-such-package")].exists is False
    simple_requests = [p for p, _ in replay.requests[asked:] if p == "/simple/requests/"]
    assert len(simple_requests) == 1
    # the slow routes ran side by side: three timeouts of 0.3 s in parallel, not one after another
    assert (dt.datetime.now(dt.UTC) - started).total_seconds() < 10


def test_lookup_many_without_registry_or_with_a_crashing_one() -> None:
    class Boom:
        ecosystem = "PyPI"
        registry = "https://boom.example"

        def lookup(self, name: str) -> PackageInfo:
            raise RuntimeError("bug")

    got = lookup_many({"PyPI": Boom()}, [("PyPI", "x"), ("npm", "y")])  # type: ignore[dict-item]
    assert got[("PyPI", "x")].exists is None and "RuntimeError" in (got[("PyPI", "x")].reason or "")
    assert got[("npm", "y")].exists is None and "no registry" in (got[("npm", "y")].reason or "")
