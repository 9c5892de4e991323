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

from nocache_panel.switch import shared_cache as sharing
from nocache_panel.switch.choice import SESSION_KEY, forget_choices, session_digest
from nocache_panel.switch.log import SharedLog, served_log
from tests.support.files import write
from tests.support.live import redis_server


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
    sharing.writer.flush(timeout=60)


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
    store = sharing.shared_store()
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


def test_two_projects_on_one_redis_database_keep_their_logs_apart(shared_cache: str) -> None:
    """Same Redis database, same (default) KEY_PREFIX: the keys carry the project."""
    with override_settings(SECRET_KEY="project-one"):
        served_log().add(_record(1))  # type: ignore[arg-type]
        written_out()
        assert [r["path"] for r in served_log().snapshot()] == ["/static/1.css"]
    with override_settings(SECRET_KEY="project-two"):
        assert served_log().snapshot() == []


def _count_starts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the package's threads started from now on; the check of "is there
    one in this process yet" made slow, as a busy machine may make it."""
    import os
    import threading
    import time

    started: list[str] = []
    real_start, real_getpid = threading.Thread.start, os.getpid

    def counted_start(thread: threading.Thread) -> None:
        if thread.name.startswith("nocache_panel"):
            started.append(thread.name)
        real_start(thread)

    def slow_getpid() -> int:
        time.sleep(0.01)  # widens the window a missing lock leaves open
        return real_getpid()

    monkeypatch.setattr(threading.Thread, "start", counted_start)
    monkeypatch.setattr(os, "getpid", slow_getpid)
    return started


def test_sixteen_first_requests_at_once_start_one_writer(
    shared_cache: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A gthread worker's first burst: one writer thread, however the requests interleave."""
    import threading

    started = _count_starts(monkeypatch)
    monkeypatch.setattr(sharing, "writer", sharing.Writer())  # a process that wrote nothing yet
    barrier = threading.Barrier(16)

    def first_request(number: int) -> None:
        barrier.wait()
        served_log().add(_record(number))  # type: ignore[arg-type]

    threads = [threading.Thread(target=first_request, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert started.count("nocache_panel writer") == 1
    written_out()
    assert len(served_log().snapshot()) == 16


def test_sixteen_first_requests_at_once_start_one_flip_listener(
    redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from nocache_panel.switch.cache_stores import RedisStore

    started = _count_starts(monkeypatch)
    configured = _caches("django.core.cache.backends.redis.RedisCache", redis_url)
    with override_settings(CACHES=configured):
        store = RedisStore(caches["shared"])  # type: ignore[arg-type]
        barrier = threading.Barrier(16)

        def first_request() -> None:
            barrier.wait()
            store.announces_flips(lambda: None)

        threads = [threading.Thread(target=first_request) for _ in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert started == ["nocache_panel flips"]
