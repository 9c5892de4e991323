"""The switch in Chromium, in every middleware order, under runserver (WSGI) and uvicorn (ASGI)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.project.settings import MIDDLEWARE_ORDERS
from tests.support.browsing import fresh_page, open_panel
from tests.support.files import write
from tests.support.live import LiveServer, run_server, runserver, uvicorn

SERVERS = {"wsgi-runserver": runserver, "asgi-uvicorn": uvicorn}


@pytest.fixture(
    scope="module",
    params=[(order, server) for order in sorted(MIDDLEWARE_ORDERS) for server in SERVERS],
    ids=lambda param: "-".join(param),
)
def ordered(request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    order, server = request.param
    with run_server(env={"NOCACHE_MIDDLEWARE_ORDER": order}, command=SERVERS[server]) as live:
        yield live


def test_the_switch_flips_and_the_next_files_carry_no_cache(
    ordered: LiveServer, chromium: Browser
) -> None:
    write(ordered.static_source / "site.css", b"h1 { color: rgb(200, 0, 0) }")
    with fresh_page(chromium) as page:
        page.goto(ordered.url + "/")
        open_panel(page)
        switch = page.get_by_role("switch", name=re.compile("no-cache"))
        expect(switch).to_be_enabled()
        with page.expect_navigation():
            switch.click()  # on: re-fetch the page's files, then reload
        expect(page.locator("#djdt-NoCachePanel small")).to_have_text(re.compile("^on"))
        served = page.evaluate(
            "fetch('/static/site.css', {cache: 'no-store'})"
            ".then(r => r.headers.get('cache-control'))"
        )
        assert served == "no-cache"
        open_panel(page)
        switch = page.get_by_role("switch", name=re.compile("no-cache"))
        switch.click()  # off: no reload
        expect(switch).to_have_attribute("aria-checked", "false")
        expect(page.locator("#NoCachePanel .djdt-nocache-status").first).to_have_text(
            "No-cache is off."
        )
