"""Against a real runserver on 127.0.0.1: STATIC_URL and MEDIA_URL via the runserver handler."""

from __future__ import annotations

import json
import time

from tests.support.files import write
from tests.support.live import Browser, LiveServer

MONTH = 30 * 24 * 3600


def _records(browser: Browser, url: str, since: str) -> dict:  # type: ignore[type-arg]
    feed = browser.request(f"/__debug__/nocache/records/?url={url}&since={since}")
    assert feed.status == 200, feed.body[:500]
    return json.loads(feed.body)  # type: ignore[no-any-return]


def test_static_and_media_follow_the_browsers_switch(live: LiveServer) -> None:
    write(live.static_source / "site.css", b"h1 { color: red }", age=MONTH)
    write(live.media_root / "photo.png", b"\x89PNG fake", age=MONTH)
    browser = Browser(live.url)
    assert browser.set_switch(False).status == 200  # a session that chose "off"
    page, _request_id = browser.page("/")
    since = browser.visit_since(page)
    referer = {"Referer": live.url + "/"}

    for path in ("/static/site.css", "/media/photo.png"):
        off = browser.request(path, headers=referer)
        assert off.status == 200
        assert "Cache-Control" not in off.headers
        assert "ETag" not in off.headers
        assert "Last-Modified" in off.headers

    assert browser.set_switch(True).status == 200
    for path in ("/static/site.css", "/media/photo.png"):
        on = browser.request(path, headers=referer)
        assert on.status == 200
        assert on.headers["Cache-Control"] == "no-cache"
        assert on.headers["ETag"].startswith('"')
        again = browser.request(path, headers={**referer, "If-None-Match": on.headers["ETag"]})
        assert again.status == 304

    feed = _records(browser, "/", since)
    assert feed["count"] == 2  # two files, asked for three times each
    for path in ("/static/site.css", "/media/photo.png"):
        assert f'data-nocache-path="{path}" data-nocache-status="304"' in feed["rows"]

    # Another browser never chose: Django's plain headers, and none of the records above.
    stranger = Browser(live.url)
    assert "Cache-Control" not in stranger.request("/static/site.css").headers
    assert _records(stranger, "/", since)["count"] == 0


def test_thirty_media_files_leave_the_pages_toolbar_data_in_place(live: LiveServer) -> None:
    for number in range(30):
        write(live.media_root / f"img{number}.png", b"\x89PNG %d" % number)
    browser = Browser(live.url)
    _page, request_id = browser.page("/")
    assert request_id
    history_before = _history(browser, request_id)
    assert request_id in history_before
    for number in range(30):
        assert browser.request(f"/media/img{number}.png").status == 200
        assert browser.request("/static/missing.css").status == 404

    panel = browser.request(
        f"/__debug__/render_panel/?request_id={request_id}&panel_id=NoCachePanel"
    )
    assert panel.status == 200
    assert b"isn't available anymore" not in panel.body
    # No file request became a toolbar run: the History holds what it held.
    assert _history(browser, request_id) == history_before


def _history(browser: Browser, request_id: str) -> list[str]:
    response = browser.request(
        f"/__debug__/history_refresh/?request_id={request_id}&exclude_history=True"
    )
    return [entry["id"] for entry in json.loads(response.body)["requests"]]


def test_non_get_methods_are_refused_with_allow(live: LiveServer) -> None:
    write(live.static_source / "site.css", b"h1 {}")
    response = Browser(live.url).request("/static/site.css", method="POST", data=b"x=1")
    assert response.status == 405
    assert response.headers["Allow"] == "GET, HEAD"


def test_the_panels_polls_stay_out_of_runserver_s_console(live: LiveServer) -> None:
    """The panel asks every 2 seconds while it is open: the console is the developer's."""
    write(live.static_source / "site.css", b"h1 {}", age=MONTH)
    before = len(live.log())  # the server is the session's: earlier tests' lines are not ours
    browser = Browser(live.url)
    page, _request_id = browser.page("/")
    since = browser.visit_since(page)
    browser.request("/static/site.css", headers={"Referer": live.url + "/"})
    for _poll in range(3):
        _records(browser, "/", since)
    refused = browser.request("/__debug__/nocache/records/?url=nowhere&since=x")
    assert refused.status == 400
    # runserver logs a request once its response is sent: wait for the last one's line.
    deadline = time.monotonic() + 30
    while "url=nowhere" not in live.log()[before:] and time.monotonic() < deadline:
        time.sleep(0.05)
    log = live.log()[before:]
    assert '"GET /static/site.css HTTP/1.1" 200' in log
    assert "/__debug__/nocache/records/?url=/&" not in log  # answered polls: quiet
    assert "/__debug__/nocache/records/?url=nowhere" in log  # a refused one is worth a line
