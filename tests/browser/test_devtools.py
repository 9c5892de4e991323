"""The page-load benchmark's Chromium, driven over the DevTools pipe, against a real runserver.

``python -m tests.benchmarks.bench_page`` times loads with it; these tests keep what it
measures true: a load ends after the page and its files, and with the switch
on a reload asks the server for every file, while a plain reload does not.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.benchmarks.bench_page import FILES, prepared_scratch, revalidated_all, switched_on
from tests.support.devtools import Tab, chromium
from tests.support.live import LiveServer, run_server

PAGE = f"/many/?n={FILES}"


@pytest.fixture(scope="module")
def live() -> Iterator[LiveServer]:
    scratch = prepared_scratch()
    month_ago = time.time() - 30 * 24 * 3600  # a plain reload then reuses them for days
    for image in (scratch / "static-source" / "many").iterdir():
        os.utime(image, (month_ago, month_ago))
    env = {"NOCACHE_TEST_SCRATCH": str(scratch), "NOCACHE_TEST_DB": tempfile.mktemp(dir=scratch)}
    with run_server(env=env) as server:
        yield server
    shutil.rmtree(scratch, ignore_errors=True)


def files_asked(live: LiveServer) -> int:
    log = Path(live.log_path).read_text()
    return log.count('"GET /static/many/')


def test_a_load_is_timed_after_the_page_and_all_its_files(live: LiveServer) -> None:
    with chromium() as browser:
        tab = Tab(browser)
        elapsed = tab.goto(live.url + PAGE)
        loaded = tab.evaluate("document.querySelectorAll('img').length")
        complete = tab.evaluate("[...document.images].every(image => image.complete)")
        tab.close()
    assert elapsed > 0
    assert (loaded, complete) == (FILES, True)


def test_with_the_switch_on_a_reload_asks_for_every_file(live: LiveServer) -> None:
    with chromium() as browser:
        switched = Tab(browser, switched_on(live.url), live.url)
        switched.goto(live.url + PAGE)
        before = files_asked(live)
        switched.reload()
        assert revalidated_all(switched)
        assert files_asked(live) - before == FILES
        plain = Tab(browser)  # switch off: the images' Last-Modified makes them reusable
        plain.goto(live.url + PAGE)
        plain.reload()
        assert not revalidated_all(plain)


def test_disable_cache_fetches_every_file_again(live: LiveServer) -> None:
    with chromium() as browser:
        tab = Tab(browser, cache_disabled=True)
        tab.goto(live.url + PAGE)
        before = files_asked(live)
        tab.reload()
        assert files_asked(live) - before == FILES
