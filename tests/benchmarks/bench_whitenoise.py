"""Our middleware against WhiteNoise's, side by side: in process, and under gunicorn.

    python -m tests.benchmarks.bench_whitenoise

In process: Django's WSGI handler with a bare environ, the project's middleware
with ours or WhiteNoise's first, a static request's cost per call.

gunicorn gthread (one worker, 8 threads) over the same project and files; kept-alive
clients fetch a 2 KB and a 100 KB static file, one client and eight at a time, for
a fixed number of requests. The clients are plain sockets (http.client's own CPU
would be most of what is measured) and, given two CPUs or more, run on one while
both servers run on the others, so that neither side waits for the other's client.
Each figure is WhiteNoise's time over ours (above 1.0x: ours serves more requests
per second), the median of per-round ratios, the two sides taking turns to go
first; against WhiteNoise as it runs in development (``DEBUG``: it looks files up
on each request, so that edits show; the design's bar: never fall behind it) and as
in production (headers built once at startup; the disk never looked at again).
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from tests.benchmarks.bench_page import prepared_scratch, server
from tests.benchmarks.benchutil import compare, setup_django
from tests.support.live import LiveServer, gunicorn

NOCACHE = "nocache_panel.middleware.NoCacheMiddleware"
WHITENOISE = "whitenoise.middleware.WhiteNoiseMiddleware"

REQUESTS = 400
ROUNDS = 15
SIZES = (("/static/small.css", "2 KB"), ("/static/medium.bin", "100 KB"))


def seconds_for(live: LiveServer, path: str, clients: int) -> float:
    """Wall time for ``REQUESTS`` GETs of ``path`` spread over ``clients`` connections."""
    host, port = live.url.removeprefix("http://").rsplit(":", 1)
    request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
    each = REQUESTS // clients

    def client() -> None:
        with socket.create_connection((host, int(port)), timeout=60) as connection:
            reader = connection.makefile("rb")
            for _ in range(each):
                connection.sendall(request)
                status = reader.readline()
                assert status.startswith(b"HTTP/1.1 200"), status
                length = 0
                while (line := reader.readline()) != b"\r\n":
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                assert len(reader.read(length)) == length

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def pin_apart(*servers: LiveServer) -> None:
    """This process (the clients) on one CPU, every thread of the servers on the others."""
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return
    os.sched_setaffinity(0, {cpus[0]})
    for live in servers:
        for pid in _process_tree(live.process.pid):
            for thread in os.listdir(f"/proc/{pid}/task"):
                os.sched_setaffinity(int(thread), set(cpus[1:]))


def _process_tree(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as children:
        return [pid, *(p for child in children.read().split() for p in _process_tree(int(child)))]


def in_process(scratch: Path) -> None:
    """Per-request cost through Django's WSGI handler: ours first, or WhiteNoise's first."""
    os.environ["NOCACHE_TEST_SCRATCH"] = str(scratch)
    setup_django()
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.utils import override_settings

    def handler(first: str, **options: object) -> WSGIHandler:
        middleware = [first if name == NOCACHE else name for name in settings.MIDDLEWARE]
        with override_settings(MIDDLEWARE=middleware, **options):
            return WSGIHandler()

    ours = handler(NOCACHE)
    print("in process, Django's WSGI handler, against WhiteNoiseMiddleware")
    for mode, autorefresh in (
        ("in production (headers built at startup)", False),
        ("in development", True),
    ):
        theirs = handler(
            WHITENOISE, WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=autorefresh
        )
        print(f"  {mode}")
        for path, label in SIZES:
            result = compare(lambda: fetch(ours, path), lambda: fetch(theirs, path), calls=300)  # noqa: B023
            ratio, mine, other = result
            verdict = "ok" if 1 / ratio >= 1.0 else "BEHIND"
            print(
                f"    {label} file: ours serves {1 / ratio:4.2f}x its requests/s "
                f"({mine * 1e6:5.0f} vs {other * 1e6:5.0f} µs a request)  {verdict}"
            )


def fetch(application: Callable[..., Iterable[bytes]], path: str) -> None:
    """A GET through a WSGI application, its body read and closed, as a server would."""
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(),
        "wsgi.url_scheme": "http",
    }
    statuses: list[str] = []
    body = application(environ, lambda status, headers: statuses.append(status))
    for _chunk in body:
        pass
    body.close()  # type: ignore[attr-defined]
    assert statuses[0].startswith("200"), statuses


def main() -> None:
    scratch = prepared_scratch()
    (scratch / "static-source" / "medium.bin").write_bytes(b"m" * 100 * 1024)
    in_process(scratch)
    project = gunicorn(
        "tests.project.wsgi:application", "--workers=1", "--threads=8", "--log-level=warning"
    )
    try:
        for mode in ("1", "development"):
            with (
                server(scratch, command=project) as ours,
                server(scratch, env={"NOCACHE_WHITENOISE": mode}, command=project) as theirs,
            ):
                for live in (ours, theirs):
                    seconds_for(live, "/static/small.css", 8)  # every thread started
                pin_apart(ours, theirs)
                name = "in production" if mode == "1" else "in development"
                print(f"against WhiteNoiseMiddleware {name}")
                for path, label in SIZES:
                    for clients in (1, 8):
                        ratio, mine, other = compare(
                            lambda: seconds_for(ours, path, clients),  # noqa: B023
                            lambda: seconds_for(theirs, path, clients),  # noqa: B023
                            rounds=ROUNDS,
                            calls=1,
                        )
                        verdict = "ok" if 1 / ratio >= 1.0 else "BEHIND"
                        print(
                            f"  {label} file, {clients} client(s): ours serves {1 / ratio:4.2f}x "
                            f"its requests/s ({REQUESTS / mine:6.0f} vs {REQUESTS / other:6.0f})"
                            f"  {verdict}"
                        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
