"""The panel in Chromium next to WhiteNoise: its files are listed, and the switch takes them."""

from __future__ import annotations

import re
import sys

import pytest
from playwright.sync_api import Browser, expect

from tests.support.browsing import fresh_page, open_panel
from tests.support.files import write
from tests.support.live import run_server

MONTH = 30 * 24 * 3600


def test_files_whitenoise_serves_get_true_verdicts_and_the_switch_takes_them(
    chromium: Browser,
) -> None:
    """WhiteNoise as its docs say: its copies are compared by what they carry, so an
    unedited F5 (WhiteNoise answers 304) marks nothing stale, the tools' files included;
    and the toolbar, after WhiteNoise, never runs on a static file."""
    env = {
        "NOCACHE_WITH": "whitenoise,runserver-nostatic",
        "NOCACHE_MIDDLEWARE_ORDER": "toolbar-first",
        "NOCACHE_RENDER_PANELS": "1",
    }
    with run_server(env=env) as server, fresh_page(chromium) as page:
        write(server.static_source / "site.css", b"h1 { color: rgb(200, 0, 0) }", age=MONTH)
        write(server.media_root / "photo.png", b"\x89PNG", age=MONTH)
        static_headers: list[dict[str, str]] = []
        page.on(
            "response",
            lambda r: "/static/" in r.url and static_headers.append(r.all_headers()),
        )
        page.goto(server.url + "/")
        page.reload()
        page.wait_for_load_state("load")
        open_panel(page)
        css_row = page.locator('#NoCachePanel tr[data-nocache-path="/static/site.css"]')
        expect(css_row).to_have_attribute("data-nocache-status", "")
        expect(css_row).to_contain_text("passed on to WhiteNoise")
        expect(css_row).not_to_have_attribute("data-nocache-state", "stale")
        expect(page.locator("#NoCachePanel .djdt-nocache-tooling-rows tr")).not_to_have_count(0)
        expect(page.locator('#NoCachePanel tr[data-nocache-state="stale"]')).to_have_count(0)
        summary = page.locator("#NoCachePanel .djdt-nocache-summary")
        expect(summary).to_contain_text("No stale files")
        assert static_headers
        for headers in static_headers:
            assert "server-timing" not in headers
            assert "djdt-request-id" not in headers

        switch = page.get_by_role("switch", name=re.compile("no-cache"))
        with page.expect_navigation():
            switch.click()
        open_panel(page)
        css_row = page.locator('#NoCachePanel tr[data-nocache-path="/static/site.css"]')
        expect(css_row).to_have_attribute("data-nocache-state", "revalidate")
        expect(css_row).to_have_attribute("data-nocache-status", re.compile(r"^(200|304)$"))


def runserver_with_autoreload(port: int, extra_args: tuple[str, ...]) -> list[str]:
    """runserver with its autoreloader: django-browser-reload listens to its file events."""
    return [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", *extra_args]


@pytest.mark.parametrize("switch_on", [True, False], ids=["switch-on", "switch-off"])
def test_django_browser_reload_shows_a_css_edit_only_with_the_switch_on(
    chromium: Browser, switch_on: bool
) -> None:
    env = {"NOCACHE_WITH": "browser-reload"}
    with (
        run_server(env=env, command=runserver_with_autoreload) as server,
        fresh_page(chromium) as page,
    ):
        css = write(server.static_source / "site.css", b"h1 { color: rgb(200, 0, 0) }", age=MONTH)
        toggle = server.url + "/__debug__/nocache/toggle/"
        token = page.request.get(toggle).json()["csrf"]
        flipped = page.request.post(
            toggle, form={"enabled": "1" if switch_on else "0"}, headers={"X-CSRFToken": token}
        )
        assert flipped.ok
        page.goto(server.url + "/")
        heading = page.locator("h1")
        expect(heading).to_have_css("color", "rgb(200, 0, 0)")
        expect(page.locator("script[src*=django-browser-reload]")).to_have_count(1)
        page.wait_for_timeout(1500)  # its worker connects to the event stream

        with page.expect_navigation(timeout=20_000):  # django-browser-reload reloads the page
            css.write_bytes(b"h1 { color: rgb(0, 150, 0) }")
        shown = "rgb(0, 150, 0)" if switch_on else "rgb(200, 0, 0)"
        expect(heading).to_have_css("color", shown)
