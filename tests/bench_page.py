"""Pages at loopback speed: our runserver and gunicorn path against the usual alternatives.

    python -m tests.bench_page

Needs the test requirements plus gunicorn and whitenoise, and Debian's chromium.
Prints four ratios, each from one run with the sides interleaved, medians of 5:

1. 30 kept-alive requests of a 2 KB file: ours vs Django's stock runserver (<= 0.1x);
2. a 100-file page's first load in Chromium: ours vs stock runserver (<= 0.6x);
3. a reload with the switch on (100 revalidations) vs stock runserver with the
   browser cache disabled through CDP, what a person does instead (<= 0.5x);
4. a 10 MB file under gunicorn (gthread, 8 threads, 8 clients): server CPU per
   request, ours vs WhiteNoise's middleware in the same project, headers built once
   at startup as in production (<= 1.0x); the same against WhiteNoise as it runs
   under DEBUG (looking files up on each request, as we do), and, for scale,
   against WhiteNoise wrapping the WSGI application, outside Django.

Beside the two Chromium figures, the floor: the same page and files replayed from
memory by a server that does nothing else (``tests.memory_server``). On a slow
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

from tests.conftest import CHROMIUM_FLAGS
from tests.images import solid_png
from tests.live import Command, LiveServer, gunicorn, run_server, runserver
from tests.memory_server import capture, replaying

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


def load_ms(page: object) -> float:
    return float(
        page.evaluate(  # type: ignore[attr-defined]
            "performance.getEntriesByType('navigation')[0].loadEventEnd"
        )
    )


def first_load_ms(browser: object, url: str) -> float:
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(f"{url}/many/?n={FILES}")
    elapsed = load_ms(page)
    context.close()
    return elapsed


def reload_ms(page: object) -> float:
    page.reload()  # type: ignore[attr-defined]
    elapsed = load_ms(page)
    # The panel's script asks the server about the page once it has loaded:
    # let that finish, or it runs during the next side's measurement.
    page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
    return elapsed


def switch_on(live: LiveServer, context: object) -> None:
    request = context.request  # type: ignore[attr-defined]
    token = request.get(live.url + "/__debug__/nocache/toggle/").json()["csrf"]
    answer = request.post(
        live.url + "/__debug__/nocache/toggle/",
        form={"enabled": "1"},
        headers={"X-CSRFToken": token, "Referer": live.url + "/"},
    )
    assert answer.ok, answer.text()


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
    from playwright.sync_api import sync_playwright

    stock_env = {"NOCACHE_STOCK_RUNSERVER": "1"}
    page = f"/many/?n={FILES}"
    with server(scratch) as ours, server(scratch, env=stock_env) as stock:
        show(
            "30 kept-alive requests of a 2 KB file",
            *interleaved(lambda: keep_alive_ms(ours), lambda: keep_alive_ms(stock)),
            "ms",
            0.1,
        )
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=shutil.which("chromium"), args=CHROMIUM_FLAGS
            )
            with replaying(capture(ours.url, page), ours.url) as floor:
                mine, theirs, best = interleaved(
                    lambda: first_load_ms(browser, ours.url),
                    lambda: first_load_ms(browser, stock.url),
                    lambda: first_load_ms(browser, floor),
                )
            show(f"first load of a {FILES}-file page in Chromium", mine, theirs, "ms", 0.6)
            show_floor(best, theirs)
            switched = browser.new_context()
            switch_on(ours, switched)
            cookie = "; ".join(f"{c['name']}={c['value']}" for c in switched.cookies())
            ours_page = switched.new_page()
            ours_page.goto(ours.url + page)
            uncached = browser.new_context()
            cdp = uncached.new_cdp_session(stock_page := uncached.new_page())
            cdp.send("Network.enable")
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
            stock_page.goto(stock.url + page)
            with replaying(capture(ours.url, page, cookie), ours.url) as floor:
                floor_page = browser.new_context().new_page()
                floor_page.goto(floor + page)
                mine, theirs, best = interleaved(
                    lambda: reload_ms(ours_page),
                    lambda: reload_ms(stock_page),
                    lambda: reload_ms(floor_page),
                )
            label = "reload, switch on vs stock with DevTools' Disable cache"
            show(label, mine, theirs, "ms", 0.5)
            show_floor(best, theirs)
            browser.close()


def gunicorn_figures(scratch: Path) -> None:
    options = ("--workers=1", "--threads=8", "--log-level=warning")
    project = gunicorn("tests.wsgi:application", *options)
    with (
        server(scratch, command=project) as ours,
        server(scratch, env={"NOCACHE_WHITENOISE": "development"}, command=project) as dev,
        server(scratch, env={"NOCACHE_WHITENOISE": "1"}, command=project) as production,
        server(
            scratch, command=gunicorn("tests.wsgi:whitenoise_outside_django()", *options)
        ) as bare,
    ):
        show(
            "gunicorn, 10 MB file, server CPU/request vs WhiteNoiseMiddleware",
            *interleaved(lambda: cpu_per_request_ms(ours), lambda: cpu_per_request_ms(production)),
            "ms",
            1.0,
        )
        for label, theirs in (
            ("  the same, WhiteNoise as under DEBUG (files looked up per request)", dev),
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
    """All four figures; ``python -m tests.bench_page gunicorn`` for the last alone."""
    scratch = prepared_scratch()
    try:
        if sys.argv[1:] != ["gunicorn"]:
            runserver_figures(scratch)
        gunicorn_figures(scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
