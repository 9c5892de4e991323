"""Pages at loopback speed: our runserver and gunicorn path against the usual alternatives.

    python -m tests.benchmarks.bench_page

Needs the test requirements plus gunicorn and whitenoise, and Debian's chromium.
Prints four ratios, each from one run with the sides interleaved, medians of 5:

1. 30 kept-alive requests of a 2 KB file: ours vs Django's stock runserver (<= 0.1x);
2. a 100-file page's first load in Chromium: ours vs stock runserver (<= 0.6x);
3. a reload with the switch on (100 revalidations) vs stock runserver with the
   browser cache disabled (DevTools' "Disable cache"), what a person does instead (<= 0.5x);
4. a 10 MB file under gunicorn (gthread, 8 threads, 8 clients): server CPU per
   request, ours vs WhiteNoise's middleware in the same project, as it runs there
   under DEBUG, where ours serves: looking each file up per request so that edits
   show (<= 1.0x; ``bench_whitenoise`` takes the same side). For scale: against
   WhiteNoise with headers built once at startup, as in production (after an edit
   it still sends the old ``Content-Length`` and ``ETag``), and against WhiteNoise
   wrapping the WSGI application, outside Django.

Chromium is driven over its DevTools pipe (``tests.support.devtools``), as a person's
browser runs: no driver is told of every request. Only the stock side of the
reload has the Network domain on, as DevTools must be open for "Disable cache".

Beside the two Chromium figures, the floor: the same page and files replayed from
memory by a server that does nothing else (``tests.support.memory_server``). On a slow
2-core VM Chromium's own work per file bounds both figures; the floor shows how
close to that bound our server is.
"""

from __future__ import annotations

import http.client
import os
import shutil
import statistics
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.devtools import Tab, chromium, first_load_ms
from tests.support.images import solid_png
from tests.support.live import Browser, Command, LiveServer, gunicorn, run_server, runserver
from tests.support.memory_server import capture, replaying

ROUNDS = 5
FILES = 100
# Images that cost the browser almost nothing to decode: the server's part shows.
PNG = solid_png((200, 60, 20), size=8)


def prepared_scratch() -> Path:
    """A scratch folder with the benchmark's files, made before any server starts."""
    scratch = Path(tempfile.mkdtemp(prefix="nocache-bench-"))
    many = scratch / "static-source" / "many"
    many.mkdir(parents=True)
    for number in range(FILES):
        (many / f"{number}.png").write_bytes(PNG)
    (scratch / "static-source" / "small.css").write_bytes(b"a" * 2048)
    (scratch / "static-source" / "big.bin").write_bytes(os.urandom(10 * 1024 * 1024))
    return scratch


@contextmanager
def server(
    scratch: Path,
    env: dict[str, str] | None = None,
    command: Command = runserver,
) -> Iterator[LiveServer]:
    """A server over the shared scratch folder, with a database of its own."""
    database = tempfile.mktemp(suffix=".sqlite3", dir=scratch)
    environment = {"NOCACHE_TEST_SCRATCH": str(scratch), "NOCACHE_TEST_DB": database}
    with run_server(env={**environment, **(env or {})}, command=command) as live:
        yield live


def interleaved(*sides: Callable[[], float]) -> tuple[float, ...]:
    """Medians of ROUNDS measurements of each side, rotating which goes first."""
    taken: list[list[float]] = [[] for _ in sides]
    for number in range(ROUNDS):
        for offset in range(len(sides)):
            index = (number + offset) % len(sides)
            taken[index].append(sides[index]())
    return tuple(statistics.median(values) for values in taken)


def show(label: str, ours: float, theirs: float, unit: str, target: float) -> None:
    ratio = ours / theirs
    verdict = "ok" if ratio <= target else f"OVER {target:.2f}x"
    print(f"{label:<62} {ratio:5.2f}x  ({ours:8.2f} vs {theirs:8.2f} {unit})  {verdict}")


def show_floor(floor: float, theirs: float) -> None:
    """The same figure for a server answering from memory: the best any server gets here."""
    label = "  floor: a server replaying the answers from memory"
    print(f"{label:<62} {floor / theirs:5.2f}x  ({floor:8.2f} vs {theirs:8.2f} ms)")


def keep_alive_ms(live: LiveServer) -> float:
    """30 requests of a 2 KB file on one kept-alive connection."""
    import time

    connection = http.client.HTTPConnection(live.url.removeprefix("http://"), timeout=30)
    start = time.perf_counter()
    for _ in range(30):
        connection.request("GET", "/static/small.css")
        response = connection.getresponse()
        assert response.status == 200
        assert len(response.read()) == 2048
    elapsed = time.perf_counter() - start
    connection.close()
    return elapsed * 1000


def switched_on(url: str) -> dict[str, str]:
    """The cookies of a new session with the switch on, turned on as the panel does."""
    browser = Browser(url)
    assert browser.set_switch(True).status == 200
    return {cookie.name: cookie.value or "" for cookie in browser.jar}


def revalidated_all(tab: Tab) -> bool:
    """Did the last load ask the server for every image (none reused from the cache)?"""
    asked = "performance.getEntriesByType('resource').filter(e => e.transferSize > 0)"
    images = f"{asked}.filter(e => e.name.includes('/static/many/')).length"
    return tab.evaluate(images) == FILES  # type: ignore[no-any-return]


def tree_cpu_seconds(root: int) -> float:
    """CPU time of a process's threads and its descendants', from /proc (nanoseconds).

    ``schedstat`` counts each thread's time on a CPU to the nanosecond (the
    ``stat`` ticks are 10 ms); the servers measured keep their threads.
    """
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError):
            continue
        children.setdefault(parent, []).append(int(entry.name))
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, ()))
        try:
            tasks = list(Path(f"/proc/{pid}/task").iterdir())
        except OSError:
            continue
        for task in tasks:
            try:
                total += int((task / "schedstat").read_text().split()[0])
            except OSError:
                continue
    return total / 1e9


def cpu_per_request_ms(live: LiveServer, clients: int = 8, each: int = 24) -> float:
    """Server CPU per 10 MB response with ``clients`` concurrent kept-alive clients."""

    def client() -> None:
        connection = http.client.HTTPConnection(live.url.removeprefix("http://"), timeout=60)
        for _ in range(each):
            connection.request("GET", "/static/big.bin")
            response = connection.getresponse()
            received = 0
            while chunk := response.read(1 << 20):
                received += len(chunk)
            assert response.status == 200
            assert received == 10 * 1024 * 1024
        connection.close()

    before = tree_cpu_seconds(live.process.pid)
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return (tree_cpu_seconds(live.process.pid) - before) * 1000 / (clients * each)


def runserver_figures(scratch: Path) -> None:
    stock_env = {"NOCACHE_STOCK_RUNSERVER": "1"}
    page = f"/many/?n={FILES}"
    with server(scratch) as ours, server(scratch, env=stock_env) as stock:
        show(
            "30 kept-alive requests of a 2 KB file",
            *interleaved(lambda: keep_alive_ms(ours), lambda: keep_alive_ms(stock)),
            "ms",
            0.1,
        )
        with chromium() as browser:
            with replaying(capture(ours.url, page), ours.url) as floor:
                mine, theirs, best = interleaved(
                    lambda: first_load_ms(browser, ours.url + page),
                    lambda: first_load_ms(browser, stock.url + page),
                    lambda: first_load_ms(browser, floor + page),
                )
            show(f"first load of a {FILES}-file page in Chromium", mine, theirs, "ms", 0.6)
            show_floor(best, theirs)
            cookies = switched_on(ours.url)
            ours_tab = Tab(browser, cookies, ours.url)
            ours_tab.goto(ours.url + page)
            # What a person does instead: DevTools open, "Disable cache" ticked.
            stock_tab = Tab(browser, cache_disabled=True)
            stock_tab.goto(stock.url + page)
            cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
            with replaying(capture(ours.url, page, cookie), ours.url) as floor:
                floor_tab = Tab(browser, cookies, floor)
                floor_tab.goto(floor + page)
                mine, theirs, best = interleaved(
                    ours_tab.reload, stock_tab.reload, floor_tab.reload
                )
            assert revalidated_all(ours_tab), "the switch did not make the browser ask"
            label = "reload, switch on vs stock with DevTools' Disable cache"
            show(label, mine, theirs, "ms", 0.5)
            show_floor(best, theirs)


def gunicorn_figures(scratch: Path) -> None:
    options = ("--workers=1", "--threads=8", "--log-level=warning")
    project = gunicorn("tests.project.wsgi:application", *options)
    with (
        server(scratch, command=project) as ours,
        server(scratch, env={"NOCACHE_WHITENOISE": "development"}, command=project) as dev,
        server(scratch, env={"NOCACHE_WHITENOISE": "1"}, command=project) as production,
        server(
            scratch, command=gunicorn("tests.project.wsgi:whitenoise_outside_django()", *options)
        ) as bare,
    ):
        show(
            "gunicorn, 10 MB file, server CPU/request vs WhiteNoise under DEBUG",
            *interleaved(lambda: cpu_per_request_ms(ours), lambda: cpu_per_request_ms(dev)),
            "ms",
            1.0,
        )
        for label, theirs in (
            ("  for scale: vs WhiteNoise, headers built at startup", production),
            ("  for scale: vs WhiteNoise wrapping WSGI, outside Django", bare),
        ):
            ours_ms, their_ms = interleaved(
                lambda: cpu_per_request_ms(ours),
                lambda: cpu_per_request_ms(theirs),  # noqa: B023
            )
            print(
                f"{label:<62} {ours_ms / their_ms:5.2f}x  ({ours_ms:8.2f} vs {their_ms:8.2f} ms)"
            )


def main() -> None:
    """All four figures; ``runserver`` or ``gunicorn`` as an argument for those alone."""
    scratch = prepared_scratch()
    chosen = sys.argv[1:] or ["runserver", "gunicorn"]
    try:
        if "runserver" in chosen:
            runserver_figures(scratch)
        if "gunicorn" in chosen:
            gunicorn_figures(scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
