"""The panel under a strict Content-Security-Policy (nonces only), in a real Chromium."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.support.browsing import fresh_page, open_panel
from tests.support.files import write
from tests.support.live import LiveServer, run_server


@pytest.fixture(scope="module")
def strict() -> Iterator[LiveServer]:
    with run_server(env={"NOCACHE_STRICT_CSP": "1"}) as live:
        yield live


def test_the_panel_loads_styles_and_script_and_flips_under_a_strict_policy(
    strict: LiveServer, chromium: Browser
) -> None:
    write(strict.static_source / "site.css", b"h1 {}")
    with fresh_page(chromium) as page:
        refused: list[str] = []
        page.on(
            "console",
            lambda message: (
                refused.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        response = page.goto(strict.url + "/csp/")
        assert response is not None
        assert "nonce-" in response.headers["content-security-policy"]
        expect(page.locator("body")).to_have_attribute("data-ran", "yes")
        open_panel(page)
        switch = page.get_by_role("switch", name=re.compile("no-cache"))
        # panel.css applied: the switch's empty track span has the width it gives it.
        track = switch.locator(".djdt-nocache-track")
        assert track.evaluate("el => el.getBoundingClientRect().width") > 0
        with page.expect_navigation():
            switch.click()  # the script ran: on, re-fetch, reload
        expect(page.locator("#djdt-NoCachePanel small")).to_have_text(re.compile("^on"))
        assert [text for text in refused if "nocache_panel" in text] == []
