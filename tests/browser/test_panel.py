"""The panel in a real Chromium against a real runserver: rows, switch, side bar."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from django.utils.http import http_date
from playwright.sync_api import Browser, Page, Route, expect

from nocache_panel.panel.panel import HAS_TITLE_BAR
from tests.support.browsing import fresh_page, open_panel
from tests.support.files import write
from tests.support.live import LiveServer, run_server

MONTH = 30 * 24 * 3600


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    with fresh_page(chromium) as page:
        yield page


def test_the_panel_lists_the_pages_files_and_flips_the_switch(
    live: LiveServer, page: Page
) -> None:
    write(live.static_source / "site.css", b"h1 { color: rgb(200, 0, 0) }", age=MONTH)
    write(live.media_root / "photo.png", PNG_1PX, age=MONTH)
    page.goto(live.url + "/")
    side_bar = page.locator("#djdt-NoCachePanel small")
    if HAS_TITLE_BAR:
        # Toolbar 8+: the script comes with the title bar and counts the files at once.
        expect(side_bar).to_have_text(re.compile(r"^off · \d+ files$"))
        open_panel(page)
    else:
        # Older toolbars load the panel's script with its content: state first, then count.
        expect(side_bar).to_have_text("off")
        open_panel(page)
        expect(side_bar).to_have_text(re.compile(r"^off · \d+ files$"))
        expect(page.locator("#NoCachePanel .djdt-nocache-content-switch")).to_be_visible()
    css_row = page.locator('#NoCachePanel tr[data-nocache-path="/static/site.css"]')
    image_row = page.locator('#NoCachePanel tr[data-nocache-path="/media/photo.png"]')
    expect(css_row).to_have_attribute("data-nocache-state", "heuristic")
    expect(css_row).to_contain_text("reused without asking for 3 days more")
    expect(css_row).to_contain_text("no Cache-Control")
    # The file's mtime as Last-Modified says it, so that the two read side by side.
    mtime = (live.static_source / "site.css").stat().st_mtime
    expect(css_row).to_contain_text(http_date(mtime))
    expect(image_row).to_have_attribute("data-nocache-status", "200")
    summary = page.locator("#NoCachePanel .djdt-nocache-summary")
    expect(summary).to_contain_text("2 files may be reused without asking for up to 3 days")

    switch = page.get_by_role("switch", name=re.compile("no-cache"))
    expect(switch).to_have_attribute("aria-checked", "false")
    with page.expect_navigation():
        switch.click()
    expect(page.locator("#djdt-NoCachePanel small")).to_have_text(re.compile(r"^on"))
    open_panel(page)
    switch = page.get_by_role("switch", name=re.compile("no-cache"))
    expect(switch).to_have_attribute("aria-checked", "true")
    css_row = page.locator('#NoCachePanel tr[data-nocache-path="/static/site.css"]')
    expect(css_row).to_have_attribute("data-nocache-state", "revalidate")
    expect(css_row).to_contain_text("no-cache")

    switch.click()
    expect(switch).to_have_attribute("aria-checked", "false")
    expect(page.locator("#djdt-NoCachePanel small")).to_have_text(re.compile(r"^off"))


def test_the_open_table_takes_in_late_files_and_leaves_unchanged_rows_alone(
    live: LiveServer, page: Page
) -> None:
    # A month old: its verdict ("fresh for 3 days") does not tick between polls.
    write(live.static_source / "site.css", b"h1 {}", age=MONTH)
    write(live.media_root / "late.png", PNG_1PX)
    page.goto(live.url + "/")
    open_panel(page)
    rows = page.locator("#NoCachePanel .djdt-nocache-rows tr")
    url_cell = rows.filter(has_text="/static/site.css").locator("code")
    expect(url_cell).to_be_visible()
    # Let the refresh that opening the panel starts land before selecting: it adds the
    # browser's copy's Last-Modified to the row (its answer alone may arrive before).
    expect(rows.filter(has_text="/static/site.css")).to_contain_text("GMT")
    url_cell.select_text()
    feed = re.compile(r"/nocache/records/")
    for _ in range(2):  # two polls that bring the same rows
        with page.expect_response(feed):
            pass
    selected = url_cell.evaluate("el => el.getRootNode().getSelection?.().toString() ?? ''")
    if not selected:  # no shadow DOM: the selection is the document's
        selected = page.evaluate("getSelection().toString()")
    assert selected == "/static/site.css"

    page.evaluate("fetch('/media/late.png')")  # a file asked for after the page
    expect(rows.filter(has_text="/media/late.png")).to_contain_text("200")


def test_the_switch_stays_disabled_while_its_script_is_missing(
    live: LiveServer, page: Page
) -> None:
    page.route("**/nocache_panel/js/panel.js?*", lambda route: route.abort())
    page.goto(live.url + "/")
    open_panel(page)
    switch = page.get_by_role("switch", name=re.compile("no-cache"))
    expect(switch).to_be_visible()
    expect(switch).to_be_disabled()  # not a button that silently does nothing


def test_a_server_that_goes_away_costs_no_errors_and_fewer_polls(
    live: LiveServer, page: Page
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live.url + "/")
    open_panel(page)
    polls: list[float] = []

    def gone(route: Route) -> None:  # as while runserver restarts
        polls.append(time.monotonic())
        route.abort("connectionrefused")

    page.route("**/nocache/records/**", gone)
    page.wait_for_timeout(9_000)
    assert errors == []  # no unhandled rejection
    # Every 2 s while it answers; after failures 4 s, then 8 s apart.
    assert 2 <= len(polls) <= 3, polls


def test_a_service_worker_is_named_and_can_be_unregistered(live: LiveServer, page: Page) -> None:
    page.goto(live.url + "/")
    page.evaluate(
        "navigator.serviceWorker.register('/sw.js').then(() => navigator.serviceWorker.ready)"
    )
    page.reload()
    assert page.evaluate("Boolean(navigator.serviceWorker.controller)")
    open_panel(page)
    notice = page.locator("#NoCachePanel .djdt-nocache-serviceworker")
    expect(notice).to_be_visible()
    with page.expect_navigation():
        notice.get_by_role("button", name="Unregister it for this site").click()
    page.wait_for_load_state("load")
    assert page.evaluate("navigator.serviceWorker.getRegistrations().then(r => r.length)") == 0
    open_panel(page)
    expect(notice).to_be_hidden()


def test_a_project_that_never_migrated_is_told_so_beside_the_switch(chromium: Browser) -> None:
    with run_server(migrate=False) as unmigrated, fresh_page(chromium) as page:
        page.goto(unmigrated.url + "/")
        open_panel(page)
        page.get_by_role("switch", name=re.compile("no-cache")).click()
        status = page.locator("#NoCachePanel .djdt-nocache-status").first
        expect(status).to_contain_text("python manage.py migrate")


PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc000000301010018dd8db0"
    "0000000049454e44ae426082"
)
