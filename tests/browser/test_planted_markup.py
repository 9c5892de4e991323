"""The panel's script against a page that plants look-alike markup, in a real Chromium."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.browsing import fresh_page
from tests.support.files import write
from tests.support.live import LiveServer


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    with fresh_page(chromium) as page:
        yield page


def test_a_planted_fake_panel_with_a_data_url_runs_no_script(
    scripted: LiveServer, page: Page
) -> None:
    # (Toolbars before 8.0, without the shadow DOM, are themselves taken in by the
    # planted ids: their own script never shows the real toolbar. Ours must not be.)
    live = scripted
    write(live.static_source / "site.css", b"h1 {}")
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    flips: list[str] = []
    page.on(
        "request",
        lambda request: (
            flips.append(request.url)
            if request.method == "POST" and "/nocache/toggle/" in request.url
            else None
        ),
    )
    page.goto(live.url + "/planted/")
    page.wait_for_timeout(2 * 2000 + 500)  # two polls
    assert dialogs == []
    assert page.locator("img[src=x]").count() == 0
    # The real toolbar's side bar is what the script updated: it found the real panel.
    expect(page.locator("#djdt-NoCachePanel small")).to_have_text(
        re.compile(r"^off · \d+ files?$")
    )
    page.get_by_text("planted switch").click()
    page.wait_for_timeout(500)
    assert flips == []  # the planted switch flips nothing
