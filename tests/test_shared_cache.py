"""NOCACHE_PANEL["CACHE"] (test client): the log, the page visits and the switch in a
shared Django cache, against a real redis-server and the file-based cache."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import Client, override_settings

from nocache_panel import shared
from nocache_panel.records import SharedLog, served_log
from nocache_panel.state import SESSION_KEY, forget_choices, session_digest

from .conftest import write
from .live import redis_server


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with redis_server() as (url, _process):
        yield url


def _caches(backend: str, location: str) -> dict[str, dict[str, object]]:
    return {**settings.CACHES, "shared": {"BACKEND": backend, "LOCATION": location}}


@pytest.fixture(params=["redis", "file"])
def shared_cache(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "redis":
        url = request.getfixturevalue("redis_url")
        configured = _caches("django.core.cache.backends.redis.RedisCache", url)
    else:
        configured = _caches(
            "django.core.cache.backends.filebased.FileBasedCache", str(tmp_path / "cache")
        )
    with override_settings(
        CACHES=configured, NOCACHE_PANEL={"CACHE": "shared", "MAX_RECORDS": 50}
    ):
        caches["shared"].clear()
        yield request.param
        caches["shared"].clear()


def written_out() -> None:
    """Wait for the writer thread to store every record: a snapshot waits half a second
    at most, which a busy machine's file cache may need for 130 writes. (The deadline
    guards a hang.)"""
    from nocache_panel import shared

    shared.writer.flush(timeout=60)


def _record(number: int, header: str = "") -> dict[str, object]:
    return {"path": f"/static/{number}.css", "status": 200, "request_headers": {"Referer": header}}


def test_the_log_keeps_the_newest_records_in_order_within_its_bound(shared_cache: str) -> None:
    log = served_log()
    assert isinstance(log, SharedLog)
    for number in range(130):
        log.add(_record(number))  # type: ignore[arg-type]
    written_out()
    kept = log.snapshot()
    assert [r["path"] for r in kept] == [f"/static/{n}.css" for n in range(80, 130)]
    # Bounded in the store too: on Redis one capped list; elsewhere its slots.
    if shared_cache == "redis":
        client = caches["shared"]._cache.get_client()  # type: ignore[attr-defined]
        assert client.dbsize() == 1
        assert client.llen(next(client.scan_iter())) == 50


def test_bytes_stay_bounded_whatever_the_headers(db: None, shared_cache: str) -> None:
    huge = "x" * 60_000
    client = Client(HTTP_REFERER=huge, HTTP_IF_NONE_MATCH=huge)
    write(Path(settings.MEDIA_ROOT) / "a.png", b"\x89PNG")
    for _ in range(120):
        response = client.get("/media/a.png")
        b"".join(response.streaming_content)  # type: ignore[arg-type]
        response.close()  # the shared log takes a record once its body closed
    written_out()
    kept = served_log().snapshot()
    assert len(kept) == 50
    assert all(len(r["request_headers"]["Referer"]) <= 1024 for r in kept)
    if shared_cache == "redis":
        redis = caches["shared"]._cache.get_client()  # type: ignore[attr-defined]
        stored = sum(redis.memory_usage(key) for key in redis.scan_iter())
        assert stored < 50 * 8 * 1024, stored  # under 8 KiB a record


def test_a_flip_reaches_a_process_that_knew_the_old_choice(db: None, shared_cache: str) -> None:
    write(Path(settings.STATIC_SOURCE) / "site.css", b"h1 {}")
    browser = Client()
    token = browser.get("/__debug__/nocache/toggle/").json()["csrf"]
    browser.post("/__debug__/nocache/toggle/", {"enabled": "0"}, HTTP_X_CSRFTOKEN=token)
    store = shared.shared_store()
    assert store is not None
    if shared_cache == "redis":  # flips are announced: this process may remember choices
        _wait_for(lambda: store.announces_flips(forget_choices))
    for _ in range(3):
        assert "Cache-Control" not in browser.get("/static/site.css")

    # Another worker flips it on: it writes the session, then the shared cache.
    session = browser.session
    session[SESSION_KEY] = True
    session.save()
    key = browser.cookies[settings.SESSION_COOKIE_NAME].value
    store.set_choice(session_digest(key) or "", True)
    # Well within the 2 seconds this process remembers a choice for.
    flipped = lambda: browser.get("/static/site.css").get("Cache-Control") == "no-cache"  # noqa: E731
    _wait_for(flipped, seconds=0.5)


def _wait_for(condition: Callable[[], bool], seconds: float = 2.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not within {seconds} seconds"
        time.sleep(0.01)


def test_a_cache_that_is_down_leaves_files_served_and_warns_once(
    db: None, caplog: pytest.LogCaptureFixture
) -> None:
    dead = _caches("django.core.cache.backends.redis.RedisCache", "redis://127.0.0.1:9/0")
    write(Path(settings.STATIC_SOURCE) / "site.css", b"h1 {}")
    with (
        override_settings(CACHES=dead, NOCACHE_PANEL={"CACHE": "shared"}),
        caplog.at_level(logging.WARNING, logger="nocache_panel"),
    ):
        browser = Client()
        for _ in range(5):
            response = browser.get("/static/site.css")
            assert response.status_code == 200
            assert b"".join(response.streaming_content) == b"h1 {}"  # type: ignore[arg-type]
            response.close()
        page = browser.get("/")
        assert page.status_code == 200
    warnings = [r for r in caplog.records if "shared cache 'shared' failed" in r.getMessage()]
    assert len(warnings) == 1
