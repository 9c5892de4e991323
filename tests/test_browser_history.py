"""Back and Forward with the switch on, in a real Chromium: the edit shows, 304s stay."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from .browsing import fresh_page, open_panel
from .conftest import write
from .live import LiveServer

pytestmark = pytest.mark.browser
MONTH = 30 * 24 * 3600


@pytest.fixture
def server(scripted: LiveServer) -> LiveServer:
    return scripted


def colour(live: LiveServer, rgb: str) -> None:
    write(live.static_source / "site.css", f"h1 {{ color: rgb({rgb}) }}".encode(), age=MONTH)


def expect_title(page: Page, rgb: str) -> None:
    # The script may reload the page once: wait for the colour, not for one load.
    page.wait_for_function(
        f"getComputedStyle(document.querySelector('h1')).color === 'rgb({rgb})'"
    )


@pytest.fixture
def page(chromium: Browser, server: LiveServer) -> Iterator[Page]:
    with fresh_page(chromium) as page:
        colour(server, "1, 1, 1")
        page.goto(server.url + "/?page=a")
        open_panel(page)
        with page.expect_navigation():
            page.get_by_role("switch", name=re.compile("no-cache")).click()
        expect(page.locator("#djdt-NoCachePanel small")).to_have_text(re.compile("^on"))
        yield page


def test_edits_show_after_back_back_again_and_forward_then_back(
    server: LiveServer, page: Page
) -> None:
    page.goto(server.url + "/?page=b")
    page.goto(server.url + "/?page=c")
    expect_title(page, "1, 1, 1")

    colour(server, "2, 2, 2")
    page.go_back()  # to b
    expect_title(page, "2, 2, 2")

    colour(server, "3, 3, 3")
    page.go_back()  # to a
    expect_title(page, "3, 3, 3")

    page.go_forward()  # to b
    expect_title(page, "3, 3, 3")
    colour(server, "4, 4, 4")
    page.go_back()  # to a
    expect_title(page, "4, 4, 4")


def test_an_unchanged_reload_still_costs_a_304(server: LiveServer, page: Page) -> None:
    statuses: list[int] = []
    page.on("response", lambda r: statuses.append(r.status) if "site.css" in r.url else None)
    page.reload()
    page.wait_for_load_state("load")
    assert statuses == [304]
