"""Rendering the panel's content with 500 records, and the log's memory past its bound.

    python -m tests.benchmarks.bench_panel

Prints the render time against its 15 ms budget and the side bar's against
1 ms (as ratios); the render time also as it is at the machine's fastest speed
in the run, since a shared VM's speed swings up to 2x within seconds; the log's
memory after 1x, 2x and 10x its bound of records (it must stay flat), and its
memory at its bound when every request carries 60 KB headers (under 16 MiB).
"""

from __future__ import annotations

import statistics
import sys
import time
import tracemalloc
from pathlib import Path

from tests.benchmarks.benchutil import setup_django

setup_django()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402

from nocache_panel.switch.log import ServedRecord, served_log  # noqa: E402

BUDGET_MS = 15.0
RENDERS = 30
SIDE_BAR_BUDGET_MS = 1.0
HUGE_HEADERS_BUDGET = 16 * 1024 * 1024


def reference_ms() -> float:
    """A fixed pure-Python workload, in milliseconds: the machine's speed right now."""
    start = time.perf_counter()
    total = 0
    for number in range(20_000):
        total += number * number
    return (time.perf_counter() - start) * 1000


def fake_record(number: int, since: float, root: Path) -> ServedRecord:
    return {
        "time": since + 0.0001 * (number + 1),
        "path": f"/static/css/file{number}.css?v={number}",
        "status": 200 if number % 7 else 304,
        "bytes_sent": 4096,
        "duration_ms": 0.4,
        "entry_point": "runserver",
        "session": None,
        "request_headers": {"Referer": "http://127.0.0.1:8000/", "If-None-Match": '"a-b"'},
        "response_headers": {
            "Cache-Control": "no-cache",
            "ETag": f'"{number:x}-10"',
            "Last-Modified": "Wed, 21 Oct 2015 07:28:00 GMT",
            "Content-Type": "text/css",
            "Content-Length": "4096",
        },
        "root": str(root),
        "file": f"css/file{number}.css",
        "mtime_ns": 1_445_412_480_000_000_000,
        "size": 4096,
    }


def main() -> None:
    from debug_toolbar.store import get_store
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    root = Path(settings.STATIC_SOURCE)
    (root / "css").mkdir(exist_ok=True)
    for number in range(500):
        (root / "css" / f"file{number}.css").write_bytes(b"a" * 4096)

    client = Client()
    client.get("/")
    request_id = list(get_store().request_ids())[-1]
    since = get_store().panel(request_id, "NoCachePanel")["since"]
    log = served_log()
    log.clear()
    for number in range(500):
        log.add(fake_record(number, since, root))

    from debug_toolbar.toolbar import DebugToolbar

    toolbar = DebugToolbar.fetch(request_id)
    assert toolbar is not None
    panel = toolbar.get_panel_by_id("NoCachePanel")
    times = []
    if "--profile" in sys.argv:
        import cProfile

        assert panel.content  # warm: the steady state is what a poll costs
        cProfile.runctx("for _ in range(5): panel.content", globals(), locals(), sort="cumulative")
    # The speed of a shared VM swings up to 2x within seconds: a fixed loop timed
    # just before each render tells which renders ran while the machine was slow.
    speeds = []
    for _ in range(RENDERS):
        speeds.append(reference_ms())
        start = time.perf_counter()
        html = panel.content
        times.append((time.perf_counter() - start) * 1000)
    assert html.count("<tr class=") == 500
    median = statistics.median(times)
    verdict = "ok" if median < BUDGET_MS else "OVER BUDGET"
    print(
        f"panel content, 500 records: {median:.1f} ms median of {RENDERS} "
        f"= {median / BUDGET_MS:.2f}x the {BUDGET_MS:.0f} ms budget  {verdict}"
    )
    fastest = min(speeds)
    paired = zip(times, speeds, strict=True)
    steady = statistics.median(ms * fastest / speed for ms, speed in paired)
    print(
        f"  the machine ran at 1/{max(speeds) / fastest:.2f} to 1x its fastest speed in this run "
        f"(a fixed loop, timed before each render); at its fastest: {steady:.1f} ms "
        f"= {steady / BUDGET_MS:.2f}x the budget"
    )
    side_bar = []
    for _ in range(200):
        start = time.perf_counter()
        subtitle = panel.nav_subtitle
        side_bar.append((time.perf_counter() - start) * 1000)
    assert subtitle.endswith("500 files")
    median = statistics.median(side_bar)
    verdict = "ok" if median < SIDE_BAR_BUDGET_MS else "OVER BUDGET"
    print(
        f"side bar count, 500 records: {median:.3f} ms median of 200 "
        f"= {median / SIDE_BAR_BUDGET_MS:.2f}x the 1 ms budget  {verdict}"
    )

    # The log's memory once full: adding 10x its bound more must not grow it.
    log.clear()
    tracemalloc.start()
    sizes, added = [], 0
    for multiple in (1, 2, 10):
        while added < log.maxlen * multiple:
            log.add(fake_record(added, since, root))
            added += 1
        sizes.append(tracemalloc.get_traced_memory()[0])
    tracemalloc.stop()
    growth = sizes[-1] / sizes[0]
    print(
        "log memory after 1x / 2x / 10x its bound of records: "
        + " / ".join(f"{size / 1024:.0f} KiB" for size in sizes)
        + f"  (10x vs 1x: {growth:.2f}x; flat means about 1.00x)"
    )
    huge_headers(root)


def deep_size(value: object) -> int:
    """Bytes held by a tree of dicts, lists and scalars (shared parts counted each time)."""
    size = sys.getsizeof(value)
    if isinstance(value, dict):
        size += sum(deep_size(k) + deep_size(v) for k, v in value.items())
    elif isinstance(value, (list, tuple)):
        size += sum(deep_size(item) for item in value)
    return size


def huge_headers(root: Path) -> None:
    """550 real requests through the core, each with a 60 KB path, validator, Referer, cookie."""
    from nocache_panel.switch import choice

    (root / "huge.css").write_bytes(b"a {}")
    huge = "x" * 60_000
    client = Client(REMOTE_ADDR="192.0.2.10")  # outside INTERNAL_IPS: no toolbar run
    log = served_log()
    log.clear()
    for number in range(550):
        client.cookies["sessionid"] = f"{number}{huge}"
        client.get(
            f"/static/huge.css?{number}{huge}",
            HTTP_IF_NONE_MATCH=huge,
            HTTP_REFERER="http://testserver/" + huge,
        ).close()
    held = deep_size(log.snapshot()) + deep_size(choice._memo)
    verdict = "ok" if held < HUGE_HEADERS_BUDGET else "OVER BUDGET"
    print(
        f"log and session memo after 550 requests with 60 KB headers ({len(log)} records): "
        f"{held / 2**20:.2f} MiB = {held / HUGE_HEADERS_BUDGET:.2f}x the 16 MiB budget  {verdict}"
    )


if __name__ == "__main__":
    main()
