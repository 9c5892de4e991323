"""Load against a live threaded runserver on 127.0.0.1 (run once, on the newest stack).

32 concurrent clients, 5,000 requests: files, 304s, ranges, switch flips and panel
feeds, all at once: no error, no deadlock (every request has a timeout, the whole
run a deadline), and the log holds exactly its bound afterwards. And an outsider's
long paths, against Django's own serving. Loopback only; bounded in count and time.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

from tests.support.files import write
from tests.support.live import Browser, LiveServer

CLIENTS = 32
REQUESTS = 5000
DEADLINE_SECONDS = 240


def client_run(live: LiveServer, number: int, count: int, deadline: float) -> list[str]:
    """One browser's share of the load; returns what went wrong."""
    browser = Browser(live.url)
    problems: list[str] = []
    etag = ""
    switched = False
    for step in range(count):
        if time.monotonic() > deadline:
            return [*problems, f"client {number}: deadline passed at step {step}"]
        kind = step % 10
        try:
            if kind == 0:
                switched = not switched
                response = browser.set_switch(switched)
                expected: tuple[int, ...] = (200,)
            elif kind == 1:
                response = browser.request("/__debug__/nocache/records/?url=/&since=0")
                expected = (200,)
            elif kind == 2:
                response = browser.request("/media/big.bin", headers={"Range": "bytes=100-199"})
                expected = (206,)
                if response.status == 206 and len(response.body) != 100:
                    problems.append(f"client {number}: range body of {len(response.body)}")
            elif kind == 3 and etag:
                response = browser.request("/static/site.css", headers={"If-None-Match": etag})
                expected = (200, 304)
            else:
                response = browser.request(f"/media/f{(number + step) % 20}.png")
                expected = (200,)
                etag = response.headers.get("ETag", etag)
            if response.status not in expected:
                problems.append(f"client {number} step {step}: status {response.status}")
        except OSError as exc:
            problems.append(f"client {number} step {step}: {exc!r}")
    return problems


def test_concurrent_clients_finish_without_errors(live: LiveServer) -> None:
    for number in range(20):
        write(live.media_root / f"f{number}.png", b"\x89PNG" + bytes([number]) * 2000)
    write(live.media_root / "big.bin", bytes(range(256)) * 4096)
    write(live.static_source / "site.css", b"h1 { color: red }")
    mark = len(live.log())
    shares = [REQUESTS // CLIENTS + (1 if n < REQUESTS % CLIENTS else 0) for n in range(CLIENTS)]
    assert sum(shares) == REQUESTS
    deadline = time.monotonic() + DEADLINE_SECONDS
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        futures = [
            pool.submit(client_run, live, number, share, deadline)
            for number, share in enumerate(shares)
        ]
        problems = [problem for future in futures for problem in future.result()]
    assert problems == [], problems[:20]
    assert "Traceback" not in live.log()[mark:]

    feed = json.loads(Browser(live.url).request("/__debug__/nocache/records/?url=/&since=0").body)
    assert feed["logged"] == feed["capacity"] == 500


def test_long_unknown_paths_grow_our_runserver_no_more_than_stock() -> None:
    """An outsider's 400 requests for unknown 58 KB media paths (one non-BMP character in
    each makes Python keep 4 bytes a character): what stock runserver keeps, and no more."""
    from urllib.parse import quote

    from tests.support.live import peak_rss_kib, run_server, server_pid
    from tests.support.spellings import get

    def growth_mib(env: dict[str, str]) -> float:
        with run_server(env=env) as server:
            get(server, "/media/warm-up.txt")
            pid = server_pid(server)
            before = peak_rss_kib(pid)
            for number in range(400):
                path = f"/media/{number}" + "a" * 58_000 + quote("😀")
                status, _headers, _body = get(server, path)
                assert status == 404, status
            return (peak_rss_kib(pid) - before) / 1024

    ours = growth_mib({})
    stock = growth_mib({"NOCACHE_STOCK_RUNSERVER": "1", "NOCACHE_WITH": "no-nocache-middleware"})
    assert ours <= stock + 8, (ours, stock)
