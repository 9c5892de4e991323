"""The panel in the toolbar's other modes: dark theme, the History panel, RENDER_PANELS."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.browsing import fresh_page, open_panel
from tests.support.files import write
from tests.support.live import LiveServer, run_server


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    with fresh_page(chromium, color_scheme="dark") as page:
        yield page


def flip_off_and_on_without_reload(page: Page) -> None:
    switch = page.get_by_role("switch", name=re.compile("no-cache"))
    with page.expect_navigation():
        switch.click()  # on: re-fetch, then reload
    open_panel(page)
    switch = page.get_by_role("switch", name=re.compile("no-cache"))
    expect(switch).to_have_attribute("aria-checked", "true")
    switch.click()  # off: no reload
    expect(switch).to_have_attribute("aria-checked", "false")


def test_dark_theme_the_panel_is_legible_and_works(live: LiveServer, page: Page) -> None:
    write(live.static_source / "site.css", b"h1 {}")
    page.goto(live.url + "/")
    open_panel(page)
    expect(page.locator("#NoCachePanel .djdt-nocache-rows td").first).to_be_visible()
    # Read both colours in one task: a refresh may replace the rows between two calls.
    text, background = page.wait_for_function(
        """() => {
            const root = document.getElementById("djDebugRoot");
            const td = (root?.shadowRoot ?? document).querySelector(
                "#NoCachePanel .djdt-nocache-rows td");
            let el = td;
            while (el && getComputedStyle(el).backgroundColor === "rgba(0, 0, 0, 0)") {
                el = el.parentElement;
            }
            return td && el && [getComputedStyle(td).color, getComputedStyle(el).backgroundColor];
        }"""
    ).json_value()
    assert text != background
    flip_off_and_on_without_reload(page)


def test_a_past_request_opened_from_history_shows_its_own_files(
    live: LiveServer, page: Page
) -> None:
    write(live.static_source / "site.css", b"h1 {}")
    page.goto(live.url + "/?first=1")
    page.goto(live.url + "/?second=1")
    page.locator("#djdt-HistoryPanel a").click()
    toolbar = page.locator("#djDebug")
    current = toolbar.get_attribute("data-request-id")
    row = page.locator("#djdtHistoryRequests tr").filter(has_text="/?first=1")
    row.get_by_role("button", name="Switch").click()
    # The switch lands when its answer replaces the toolbar's state; open the panel after.
    expect(toolbar).not_to_have_attribute("data-request-id", current or "")
    open_panel(page)
    table = page.locator("#NoCachePanel .djdt-nocache-table")
    expect(table).to_have_attribute("data-nocache-page-url", "/?first=1")
    expect(page.locator("#NoCachePanel .djdt-nocache-rows")).to_contain_text("/static/site.css")


@pytest.fixture(scope="module")
def rendered_inline() -> Iterator[LiveServer]:
    with run_server(env={"NOCACHE_RENDER_PANELS": "1"}) as server:
        yield server


def test_render_panels_on_the_panel_comes_with_the_page(
    rendered_inline: LiveServer, page: Page
) -> None:
    write(rendered_inline.static_source / "site.css", b"h1 {}")
    page.goto(rendered_inline.url + "/")
    open_panel(page)
    expect(page.locator("#NoCachePanel .djdt-nocache-rows")).to_contain_text("/static/site.css")
    flip_off_and_on_without_reload(page)
