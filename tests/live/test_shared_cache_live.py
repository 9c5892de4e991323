"""gunicorn with two worker processes sharing the log and the switch through a real
redis-server or the file-based cache: the panel sees every file, a flip applies at once,
and a cache that stops or hangs leaves files served."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.files import write
from tests.support.live import Browser, LiveServer, gunicorn, redis_server, run_server

FILES = 12
WARNING = "The shared cache 'shared' failed"
POLL_SECONDS = 2.0  # the panel polls its feed every 2 seconds while open
PAGE = f"/many/?n={FILES}"
# The worker's pid on each access-log line: which worker answered what.
TWO_WORKERS = gunicorn(
    "tests.project.wsgi:application",
    "--workers=2",
    "--threads=2",
    "--access-logfile=-",
    "--access-logformat=worker=%(p)s %(U)s %(s)s",
)


@contextmanager
def two_workers(cache_location: str) -> Iterator[LiveServer]:
    env = {"NOCACHE_SHARED_CACHE": cache_location}
    with run_server(env=env, command=TWO_WORKERS) as server:
        for number in range(FILES):
            write(server.static_source / "many" / f"{number}.png", b"\x89PNG %d" % number)
        yield server


@pytest.fixture(params=["redis", "file"])
def cache_location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "file":
        yield str(tmp_path / "cache")
        return
    with redis_server() as (url, _process):
        yield url


def _load_page_and_files(browser: Browser) -> dict[str, str]:
    """Load the page and its files as a browser would; the panel's rows by path → status.

    The feed is read as the panel reads it, polling: a worker adds a record once
    the response's body closed, which can be just after the browser has it all.
    """
    page = browser.request(PAGE)
    assert page.status == 200
    since = browser.visit_since(page)
    referer = {"Referer": browser.base + PAGE}
    for number in range(FILES):
        assert browser.request(f"/static/many/{number}.png", headers=referer).status == 200
    deadline = time.monotonic() + POLL_SECONDS
    while True:
        feed = browser.request(f"/__debug__/nocache/records/?url={PAGE}&since={since}")
        assert feed.status == 200, feed.body[:300]
        rows = json.loads(feed.body)["rows"]
        found = dict(re.findall(r'data-nocache-path="([^"]+)" data-nocache-status="(\d*)"', rows))
        if len(found) >= FILES or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def _workers_that_served(server: LiveServer, path_part: str) -> set[str]:
    return set(re.findall(rf"worker=<(\d+)> [^ ]*{re.escape(path_part)}", server.log()))


def test_every_workers_files_show_in_the_panel_on_three_loads(cache_location: str) -> None:
    with two_workers(cache_location) as server:
        browser = Browser(server.url)
        assert browser.set_switch(True).status == 200
        for _load in range(3):
            rows = _load_page_and_files(browser)
            expected = {f"/static/many/{n}.png" for n in range(FILES)}
            assert expected <= set(rows), sorted(expected - set(rows))
            assert {rows[path] for path in expected} <= {"200", "304"}
        assert len(_workers_that_served(server, "/static/many/")) == 2


def test_a_flip_applies_on_both_workers_at_once(cache_location: str) -> None:
    with two_workers(cache_location) as server:
        browser = Browser(server.url)
        for enabled in (False, True, False, True):
            # Both workers answer for this browser first, and so know its choice...
            for _ in range(10):
                browser.request("/static/many/0.png")
            assert browser.set_switch(enabled).status == 200
            # ...and the very next requests, on either worker, follow the flip.
            for number in range(FILES):
                headers = browser.request(f"/static/many/{number}.png").headers
                assert ("Cache-Control" in headers) is enabled, (enabled, number)
        assert len(_workers_that_served(server, "/static/many/")) == 2


@pytest.mark.parametrize("how", ["stopped", "hung"])
def test_a_redis_that_stops_or_hangs_mid_run_leaves_files_served(how: str) -> None:
    with redis_server() as (url, process), two_workers(url) as server:
        browser = Browser(server.url)
        assert browser.set_switch(True).status == 200
        assert _load_page_and_files(browser)
        redis_pid = int(
            subprocess.run(
                ["pgrep", "-P", str(process.pid)], capture_output=True, text=True, check=True
            ).stdout.split()[0]
        )
        if how == "stopped":
            process.terminate()
            process.wait(10)
        else:
            os.kill(redis_pid, signal.SIGSTOP)
        try:
            for _ in range(3):
                for number in range(FILES):
                    response = browser.request(f"/static/many/{number}.png")
                    assert response.status == 200
                    assert response.body == b"\x89PNG %d" % number
            # A hung Redis is noticed when a call times out (half a second here),
            # maybe in the thread that writes records, after the responses.
            deadline = time.monotonic() + 5
            while WARNING not in server.log() and time.monotonic() < deadline:
                time.sleep(0.1)
            log = server.log()
        finally:
            if how == "hung":
                os.kill(redis_pid, signal.SIGCONT)
    # One warning per worker process and outage, not one per request.
    assert 1 <= log.count(WARNING) <= 2
    assert " 500" not in "\n".join(line for line in log.splitlines() if "worker=" in line)


def test_workers_that_recycle_hand_in_every_record_before_they_exit() -> None:
    """gunicorn --max-requests: a worker replaced after 5 requests still writes its last
    records to Redis (a bounded flush at exit), so none of 40 is lost, even with a Redis
    that takes 0.1 s a write."""
    import redis

    recycling = gunicorn(
        "tests.project.wsgi:application", "--workers=2", "--threads=2", "--max-requests=5"
    )
    with redis_server() as (url, _process):
        env = {"NOCACHE_SHARED_CACHE": url, "NOCACHE_SLOW_REDIS_WRITES": "0.1"}
        with run_server(env=env, command=recycling) as server:
            write(server.static_source / "site.css", b"h1 {}")
            browser = Browser(server.url)
            for _request in range(40):
                assert browser.request("/static/site.css").status == 200
            client = redis.Redis.from_url(url)
            (served,) = [k for k in client.scan_iter() if k.endswith(b":served")]
            deadline = time.monotonic() + 30  # the last worker writes as it goes
            while client.llen(served) < 40 and time.monotonic() < deadline:
                time.sleep(0.1)
            assert client.llen(served) == 40
