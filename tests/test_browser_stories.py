"""The stale-file story in a real Chromium against the demo under a real runserver.

Each test is one user story from the README: the problem, the fix, media, and
the switch living in one browser's session only.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from .browsing import open_panel
from .images import solid_png
from .live import REPO, LiveServer, free_port, run_server

pytestmark = pytest.mark.browser
MONTH = 30 * 24 * 3600
RED, GREEN, BLUE = "rgb(180, 30, 30)", "rgb(20, 120, 20)", "rgb(20, 20, 160)"


@pytest.fixture(scope="module")
def demo() -> Iterator[tuple[LiveServer, Path]]:
    folder = Path(tempfile.mkdtemp(prefix="nocache-demo-")) / "demo"
    shutil.copytree(REPO / "demo", folder, ignore=shutil.ignore_patterns("db.sqlite3", "media"))
    env = {"DEMO_DB": str(folder / "db.sqlite3"), "DEMO_MEDIA_ROOT": str(folder / "media")}
    with run_server("demo_site.settings", env=env, cwd=folder) as server:
        yield server, folder
    shutil.rmtree(folder.parent, ignore_errors=True)


@pytest.fixture
def site(demo: tuple[LiveServer, Path]) -> tuple[LiveServer, Path]:
    """The demo with a stylesheet and an avatar last modified a month ago."""
    server, folder = demo
    css = folder / "demo_site" / "static" / "demo" / "site.css"
    original = (REPO / "demo" / "demo_site" / "static" / "demo" / "site.css").read_bytes()
    age(css, original)
    age(folder / "media" / "avatar.png", (REPO / "demo" / "seed" / "avatar.png").read_bytes())
    return server, folder


def age(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    stamp = path.stat().st_mtime - MONTH
    os.utime(path, (stamp, stamp))


def css_path(folder: Path) -> Path:
    return folder / "demo_site" / "static" / "demo" / "site.css"


def recolour(folder: Path, colour: str, *, mtime_ns: int | None = None) -> None:
    path = css_path(folder)
    path.write_text(
        re.sub(r"h1 \{ color: rgb\([^)]*\); \}", f"h1 {{ color: {colour}; }}", path.read_text())
    )
    if mtime_ns is not None:
        os.utime(path, ns=(mtime_ns, mtime_ns))


@pytest.fixture
def context(chromium: Browser) -> Iterator[BrowserContext]:
    context = chromium.new_context()
    context.set_default_timeout(15_000)
    yield context
    context.close()


def title_colour(page: Page) -> str:
    return str(page.evaluate("getComputedStyle(document.getElementById('title')).color"))


def avatar_pixel(page: Page) -> list[int]:
    return list(
        page.evaluate(
            """() => { const img = document.getElementById('avatar');
            const c = document.createElement('canvas'); c.width = c.height = 8;
            const g = c.getContext('2d'); g.drawImage(img, 0, 0, 8, 8);
            return Array.from(g.getImageData(4, 4, 1, 1).data.slice(0, 3)); }"""
        )
    )


def switch_on(page: Page) -> None:
    open_panel(page)
    switch = page.get_by_role("switch", name=re.compile("no-cache"))
    expect(switch).to_have_attribute("aria-checked", "false")
    with page.expect_navigation():
        switch.click()
    page.wait_for_load_state("load")
    expect(page.locator("#djdt-NoCachePanel small")).to_have_text(re.compile("^on"))


def edited_then_f5(page: Page, url: str, folder: Path) -> None:
    """Load the page, edit its month-old stylesheet, press F5: the old style stays."""
    page.goto(url)
    assert title_colour(page) == RED
    recolour(folder, GREEN)
    page.reload()
    page.wait_for_load_state("load")
    assert title_colour(page) == RED  # the browser kept its copy: edits do not show


def expect_only_the_stylesheet_stale(page: Page) -> None:
    rows = page.locator("#NoCachePanel .djdt-nocache-rows")
    css = rows.locator('tr[data-nocache-path="/static/demo/site.css"]')
    expect(css).to_have_attribute("data-nocache-state", "stale")
    expect(css).to_have_attribute("data-nocache-status", "")  # the browser never asked
    avatar = rows.locator('tr[data-nocache-path="/media/avatar.png"]')
    expect(avatar).not_to_have_attribute("data-nocache-state", "stale")
    expect(rows.locator('tr[data-nocache-state="stale"]')).to_have_count(1)
    summary = page.locator("#NoCachePanel .djdt-nocache-summary")
    expect(summary).to_contain_text("1 file is stale in your browser: site.css")


def test_the_problem_f5_keeps_an_edited_stylesheet_and_the_panel_names_it(
    site: tuple[LiveServer, Path], context: BrowserContext
) -> None:
    server, folder = site
    page = context.new_page()
    edited_then_f5(page, server.url + "/", folder)
    open_panel(page)
    expect_only_the_stylesheet_stale(page)


def test_the_panel_names_the_stale_file_after_a_server_restart(
    chromium: Browser, tmp_path: Path
) -> None:
    folder = tmp_path / "demo"
    shutil.copytree(REPO / "demo", folder, ignore=shutil.ignore_patterns("db.sqlite3", "media"))
    age(css_path(folder), css_path(folder).read_bytes())
    env = {"DEMO_DB": str(folder / "db.sqlite3"), "DEMO_MEDIA_ROOT": str(folder / "media")}
    port = free_port()
    context = chromium.new_context()
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        with run_server("demo_site.settings", env=env, cwd=folder, port=port) as first:
            page.goto(first.url + "/")
            assert title_colour(page) == RED
        recolour(folder, GREEN)  # while no server runs: its log of the first load is gone
        with run_server("demo_site.settings", env=env, cwd=folder, port=port):
            page.reload()
            page.wait_for_load_state("load")
            assert title_colour(page) == RED
            open_panel(page)
            expect_only_the_stylesheet_stale(page)
    finally:
        context.close()


def test_re_fetch_stale_files_shows_the_edit_with_the_switch_off(
    site: tuple[LiveServer, Path], context: BrowserContext
) -> None:
    server, folder = site
    page = context.new_page()
    edited_then_f5(page, server.url + "/", folder)
    open_panel(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Re-fetch stale files").click()
    page.wait_for_load_state("load")
    assert title_colour(page) == GREEN
    expect(page.locator("#djdt-NoCachePanel small")).to_have_text(re.compile("^off"))


def test_the_fix_the_switch_shows_every_edit_and_revalidates(
    site: tuple[LiveServer, Path], context: BrowserContext
) -> None:
    server, folder = site
    page = context.new_page()
    edited_then_f5(page, server.url + "/", folder)
    switch_on(page)
    assert title_colour(page) == GREEN  # the panel re-fetched the cached copy, then reloaded

    # Edited again within the same second: Last-Modified alone would say "unchanged".
    second = int(css_path(folder).stat().st_mtime)
    recolour(folder, BLUE, mtime_ns=second * 10**9 + 100_000_000)
    page.reload()
    assert title_colour(page) == BLUE
    recolour(folder, GREEN, mtime_ns=second * 10**9 + 900_000_000)
    page.reload()
    assert title_colour(page) == GREEN

    page.reload()  # no edit: the server answers 304
    page.wait_for_load_state("load")
    open_panel(page)
    css_row = page.locator("#NoCachePanel .djdt-nocache-rows tr").filter(
        has_text="/static/demo/site.css"
    )
    expect(css_row).to_contain_text("304")
    expect(css_row).to_contain_text("revalidated: unchanged")


def test_media_an_avatar_replaced_under_the_same_name(
    site: tuple[LiveServer, Path], context: BrowserContext
) -> None:
    server, _folder = site
    page = context.new_page()
    page.goto(server.url + "/")
    assert avatar_pixel(page) == [30, 90, 200]

    page.set_input_files(
        "input[name=image]",
        files=[{"name": "me.png", "mimeType": "image/png", "buffer": solid_png((240, 140, 0))}],
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Upload").click()
    page.wait_for_load_state("load")
    assert avatar_pixel(page) == [30, 90, 200]  # the old picture, from the browser's cache

    switch_on(page)
    assert avatar_pixel(page) == [240, 140, 0]


def test_the_switch_follows_the_browser_and_no_one_else(
    site: tuple[LiveServer, Path], chromium: Browser, context: BrowserContext
) -> None:
    server, _folder = site
    page = context.new_page()
    page.goto(server.url + "/")
    switch_on(page)

    new_tab = context.new_page()
    new_tab.goto(server.url + "/")
    expect(new_tab.locator("#djdt-NoCachePanel small")).to_have_text(re.compile("^on"))
    css = new_tab.request.get(server.url + "/static/demo/site.css")
    assert css.headers["cache-control"] == "no-cache"

    other = chromium.new_context()
    try:
        stranger = other.new_page()
        stranger.goto(server.url + "/")
        expect(stranger.locator("#djdt-NoCachePanel small")).to_have_text(re.compile("^off"))
        css = stranger.request.get(server.url + "/static/demo/site.css")
        assert "cache-control" not in css.headers
    finally:
        other.close()
