"""Requests per second under gunicorn: our middleware against WhiteNoise's, side by side.

    python -m tests.bench_whitenoise

gunicorn gthread (one worker, 8 threads) over the same project and files; kept-alive
clients fetch a 2 KB and a 100 KB static file, one client and eight at a time, for
a fixed number of requests. Each figure is WhiteNoise's time over ours (above 1.0x:
ours serves more requests per second), medians of 5 interleaved rounds, against
WhiteNoise as it runs in development (``DEBUG``: it looks files up on each request,
so that edits show; the design's bar: never fall behind it) and, for scale, as in
production (headers built once at startup; the disk never looked at again).
"""

from __future__ import annotations

import http.client
import shutil
import threading
import time

from tests.bench_page import interleaved, prepared_scratch, server
from tests.live import LiveServer, gunicorn

REQUESTS = 400
SIZES = (("/static/small.css", "2 KB"), ("/static/medium.bin", "100 KB"))


def seconds_for(live: LiveServer, path: str, clients: int) -> float:
    """Wall time for ``REQUESTS`` GETs of ``path`` spread over ``clients`` connections."""
    each = REQUESTS // clients

    def client() -> None:
        connection = http.client.HTTPConnection(live.url.removeprefix("http://"), timeout=60)
        for _ in range(each):
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            assert response.status == 200
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def main() -> None:
    scratch = prepared_scratch()
    (scratch / "static-source" / "medium.bin").write_bytes(b"m" * 100 * 1024)
    project = gunicorn(
        "tests.wsgi:application", "--workers=1", "--threads=8", "--log-level=warning"
    )
    try:
        for mode, bar in (("development", 1.0), ("1", None)):
            with (
                server(scratch, command=project) as ours,
                server(scratch, env={"NOCACHE_WHITENOISE": mode}, command=project) as theirs,
            ):
                name = "in development" if bar else "in production, for scale"
                print(f"against WhiteNoiseMiddleware {name}")
                for path, label in (
                    ("/static/small.css", "2 KB"),
                    ("/static/medium.bin", "100 KB"),
                ):
                    for clients in (1, 8):
                        mine, other = interleaved(
                            lambda: seconds_for(ours, path, clients),  # noqa: B023
                            lambda: seconds_for(theirs, path, clients),  # noqa: B023
                        )
                        ratio = other / mine
                        verdict = "" if bar is None else ("ok" if ratio >= bar else "BEHIND")
                        print(
                            f"  {label} file, {clients} client(s): ours serves {ratio:4.2f}x "
                            f"its requests/s ({REQUESTS / mine:6.0f} vs {REQUESTS / other:6.0f})"
                            f"  {verdict}"
                        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
