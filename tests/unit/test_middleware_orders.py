"""The switch in every middleware order the toolbar's docs allow, with the test client."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings

from nocache_panel.switch import choice
from tests.support.files import write

ORDERS = sorted(settings.MIDDLEWARE_ORDERS)


def flip(browser: Client, enabled: str, **headers: str) -> int:
    """What the panel's script does: a GET for a token (and the cookie), then the POST."""
    token = browser.get("/__debug__/nocache/toggle/").json()["csrf"]
    response = browser.post(
        "/__debug__/nocache/toggle/", {"enabled": enabled}, HTTP_X_CSRFTOKEN=token, **headers
    )
    return response.status_code


@pytest.mark.parametrize("order", ORDERS)
def test_the_switch_flips_and_files_follow(order: str, db: None, static_source: Path) -> None:
    write(static_source / "site.css", b"h1 {}")
    with override_settings(MIDDLEWARE=settings.MIDDLEWARE_ORDERS[order]):
        browser = Client(enforce_csrf_checks=True)
        page = browser.get("/")
        assert b'role="switch"' in page.content or b"djDebug" in page.content
        assert flip(browser, "1") == 200
        assert browser.get("/static/site.css")["Cache-Control"] == "no-cache"
        assert flip(browser, "0") == 200
        assert "Cache-Control" not in browser.get("/static/site.css")


@pytest.mark.parametrize("order", ORDERS)
def test_another_origin_cannot_flip_it(order: str, db: None) -> None:
    with override_settings(MIDDLEWARE=settings.MIDDLEWARE_ORDERS[order]):
        browser = Client(enforce_csrf_checks=True)
        browser.get("/")
        forged = {"HTTP_ORIGIN": "https://evil.example", "HTTP_REFERER": "https://evil.example/"}
        assert flip(browser, "1", **forged) == 403
        # A plain cross-site form post carries no token at all.
        response = browser.post("/__debug__/nocache/toggle/", {"enabled": "1"}, **forged)
        assert response.status_code == 403
        assert choice.SESSION_KEY not in browser.session
