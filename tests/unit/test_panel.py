"""NoCachePanel with Django's test client: endpoints, stats, rendering and checks."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from debug_toolbar.store import get_store
from debug_toolbar.toolbar import DebugToolbar
from django.conf import settings
from django.core.checks import run_checks
from django.test import Client, override_settings

from nocache_panel.panel.panel import HAS_TITLE_BAR, NoCachePanel, panel_checks
from nocache_panel.switch import choice
from nocache_panel.switch.log import ServedRecord, served_log
from tests.support.files import OUTSIDE, write

MONTH = 30 * 24 * 3600


@pytest.fixture
def internal(db: None) -> Client:
    return Client()


def _toggle(client: Client, enabled: str, **extra: str):  # type: ignore[no-untyped-def]
    return client.post("/__debug__/nocache/toggle/", {"enabled": enabled}, **extra)


def _stats(client: Client) -> dict:  # type: ignore[type-arg]
    request_id = list(get_store().request_ids())[-1]
    return get_store().panel(request_id, "NoCachePanel")  # type: ignore[no-any-return]


def test_toggle_is_404_where_the_toolbar_would_not_show(db: None) -> None:
    assert _toggle(Client(REMOTE_ADDR=OUTSIDE), "1").status_code == 404
    with override_settings(DEBUG=False):
        assert _toggle(Client(), "1").status_code == 404
    assert (
        Client(REMOTE_ADDR=OUTSIDE)
        .get("/__debug__/nocache/records/", {"url": "/", "since": "0"})
        .status_code
        == 404
    )


def test_toggle_stores_the_choice_in_the_session(internal: Client) -> None:
    response = _toggle(internal, "1")
    assert response.status_code == 200
    assert response.json() == {"enabled": True, "subtitle": "on"}
    assert internal.session[choice.SESSION_KEY] is True
    assert _toggle(internal, "0").json()["enabled"] is False
    assert internal.session[choice.SESSION_KEY] is False


def test_toggle_rejects_bad_input_and_get(internal: Client) -> None:
    assert _toggle(internal, "maybe").status_code == 400
    state_now = internal.get("/__debug__/nocache/toggle/").json()
    assert state_now["enabled"] is False
    assert state_now["csrf"]
    assert internal.put("/__debug__/nocache/toggle/").status_code == 405


def test_a_cross_site_form_post_cannot_flip_the_switch(db: None) -> None:
    browser = Client(enforce_csrf_checks=True)
    token = browser.get("/__debug__/nocache/toggle/").json()["csrf"]  # sets the cookie
    forged = _toggle(
        browser, "1", HTTP_ORIGIN="https://evil.example", HTTP_REFERER="https://evil.example/"
    )
    assert forged.status_code == 403
    assert choice.SESSION_KEY not in browser.session
    genuine = _toggle(browser, "1", HTTP_X_CSRFTOKEN=token)
    assert genuine.status_code == 200


def test_stats_are_json_and_describe_the_visit(internal: Client) -> None:
    _toggle(internal, "1")
    before = time.time()
    page = internal.get("/?q=1")
    stats = _stats(internal)
    json.dumps(stats)
    assert stats["enabled"] is True
    assert stats["page_url"] == "/?q=1"
    assert before <= stats["since"] <= time.time()
    assert stats["prefixes"] == ["/static/", "/media/"]
    assert stats["session"] == choice.session_digest(internal.cookies["sessionid"].value)
    html = page.content.decode()
    if HAS_TITLE_BAR:
        assert 'role="switch"' in html
        assert 'aria-checked="true"' in html
        assert "Serve with no-cache" in html


def test_side_bar_shows_state_then_count(internal: Client, static_source: Path) -> None:
    write(static_source / "site.css", b"h1 {}", age=MONTH)
    page = internal.get("/")
    assert "<small>off</small>" in page.content.decode()
    request_id = list(get_store().request_ids())[-1]
    internal.get("/static/site.css", HTTP_REFERER="http://testserver/")
    toolbar = DebugToolbar.fetch(request_id)
    assert toolbar is not None
    panel = toolbar.get_panel_by_id("NoCachePanel")
    assert panel.nav_subtitle == "off · 1 file"


def _render(client: Client) -> str:
    request_id = list(get_store().request_ids())[-1]
    response = client.get(
        "/__debug__/render_panel/", {"request_id": request_id, "panel_id": "NoCachePanel"}
    )
    assert response.status_code == 200
    return str(response.json()["content"])


def test_rendering_with_no_records(internal: Client) -> None:
    internal.get("/")
    html = _render(internal)
    assert html.count("No static or media files for this page yet.") == 1  # the page's table
    assert '<tbody class="djdt-nocache-tooling-rows"></tbody>' in html  # nothing said twice


def test_rendering_one_stale_css_row(internal: Client, static_source: Path) -> None:
    path = write(static_source / "site.css", b"h1 {}", age=MONTH)
    internal.get("/")
    internal.get("/static/site.css", HTTP_REFERER="http://testserver/")
    internal.get("/static/font.woff2", HTTP_REFERER="http://testserver/static/site.css")
    html = _render(internal).replace("\xa0", " ")
    css_row = 'data-nocache-path="/static/site.css" data-nocache-status="200" '
    assert css_row + 'data-nocache-state="heuristic"' in html
    assert "reused without asking for 3 days more: an edit would not show" in html
    assert "1 file may be reused without asking for up to 3 days" in html  # said once
    # loaded by the stylesheet: follows the Referer chain
    font_row = 'data-nocache-path="/static/font.woff2" data-nocache-status="404" '
    assert font_row + 'data-nocache-state="missing"' in html
    path.write_bytes(b"h1 { color: red }")
    edited = _render(internal)
    assert css_row + 'data-nocache-state="stale"' in edited
    assert "1 file is stale in your browser:</strong> site.css" in edited
    assert edited.index("site.css") < edited.index("font.woff2")  # the stale file first


def test_the_summary_names_ten_stale_files_and_counts_the_rest(
    internal: Client, static_source: Path
) -> None:
    paths = [write(static_source / f"s{n:02d}.css", b"h1 {}", age=MONTH) for n in range(12)]
    internal.get("/")
    for path in paths:
        internal.get(f"/static/{path.name}", HTTP_REFERER="http://testserver/")
        path.write_bytes(b"h1 { color: red }")
    html = _render(internal)
    names = ", ".join(f"s{n:02d}.css" for n in range(10))
    assert f"12 files are stale in your browser:</strong> {names} and 2 more <button" in html
    assert html.count('data-nocache-state="stale"') == 12  # the table still lists them all


def test_records_of_other_browsers_and_other_visits_never_show(
    internal: Client, static_source: Path
) -> None:
    write(static_source / "site.css", b"h1 {}")
    _toggle(internal, "0")  # each browser has a session of its own
    internal.get("/")
    internal_page = list(get_store().request_ids())[-1]
    stranger = Client()
    _toggle(stranger, "0")
    stranger.get("/")
    stranger.get("/static/site.css?stranger", HTTP_REFERER="http://testserver/")
    internal.get("/static/site.css?mine", HTTP_REFERER="http://testserver/")
    response = internal.get(
        "/__debug__/render_panel/", {"request_id": internal_page, "panel_id": "NoCachePanel"}
    )
    html = response.json()["content"]
    assert "?mine" in html
    assert "?stranger" not in html


def _fake_records(count: int, since: float, root: Path) -> None:
    log = served_log()
    for number in range(count):
        record: ServedRecord = {
            "time": since + 0.001 * (number + 1),
            "path": f"/static/f{number}.css",
            "status": 200,
            "bytes_sent": 10,
            "duration_ms": 0.3,
            "entry_point": "runserver",
            "session": None,
            "request_headers": {"Referer": "http://testserver/"},
            "response_headers": {"Last-Modified": "Wed, 21 Oct 2015 07:28:00 GMT"},
            "root": str(root),
            "file": f"f{number}.css",
            "mtime_ns": 1_445_412_480_000_000_000,
            "size": 10,
        }
        log.add(record)


def test_rendering_500_records(db: None, static_source: Path) -> None:
    client = Client()
    client.get("/")
    since = _stats(client)["since"]
    _fake_records(500, since, static_source)
    html = _render(client)
    assert html.count("<tr class=") == 500
    feed = client.get("/__debug__/nocache/records/", {"url": "/", "since": repr(since)}).json()
    assert feed["count"] == 500
    assert feed["rows"].count("data-nocache-state=") == 500


def test_records_feed_rejects_bad_parameters(internal: Client) -> None:
    for params in (
        {},
        {"url": "/", "since": "nan"},
        {"url": "http://x/", "since": "1"},
        {"url": "/", "since": "soon"},
    ):
        assert internal.get("/__debug__/nocache/records/", params).status_code == 400
    for body in ("{", '{"path": "/x"}', '[{"path": 3}]', "\xff"):
        response = internal.post(
            "/__debug__/nocache/records/?url=/&since=1", body, content_type="application/json"
        )
        assert response.status_code == 400


def test_checks_are_quiet_when_configured() -> None:
    assert panel_checks() == []
    assert NoCachePanel.run_checks() == []


def test_check_app_not_installed() -> None:
    apps_without = [a for a in settings.INSTALLED_APPS if a != "nocache_panel"]
    with override_settings(INSTALLED_APPS=apps_without):
        assert "nocache_panel.W002" in [m.id for m in panel_checks()]


def test_check_sessions_not_available() -> None:
    without_middleware = [
        m for m in settings.MIDDLEWARE if "Session" not in m and "Authentication" not in m
    ]
    with override_settings(MIDDLEWARE=without_middleware):
        assert "nocache_panel.W003" in [m.id for m in panel_checks()]
    apps_without = [a for a in settings.INSTALLED_APPS if a != "django.contrib.sessions"]
    with override_settings(INSTALLED_APPS=apps_without):
        assert "nocache_panel.W003" in [m.id for m in panel_checks()]


def test_check_toolbar_urls_not_included() -> None:
    with override_settings(ROOT_URLCONF="tests.project.urls_without_toolbar"):
        assert "nocache_panel.W004" in [m.id for m in panel_checks()]


def test_the_toolbar_runs_the_panel_checks() -> None:
    apps_without = [a for a in settings.INSTALLED_APPS if a != "nocache_panel"]
    with override_settings(INSTALLED_APPS=apps_without):
        assert "nocache_panel.W002" in [m.id for m in run_checks()]


def test_without_sessions_the_panel_says_so(db: None) -> None:
    without_middleware = [
        m for m in settings.MIDDLEWARE if "Session" not in m and "Authentication" not in m
    ]
    apps_without = [a for a in settings.INSTALLED_APPS if a != "django.contrib.sessions"]
    with override_settings(MIDDLEWARE=without_middleware, INSTALLED_APPS=apps_without):
        client = Client()
        page = client.get("/").content.decode()
        html = _render(client)
        assert "the no-cache switch cannot be saved" in html
        if HAS_TITLE_BAR:
            switch_tag = page.split('role="switch"')[1].split(">")[0]
            # disabled for good, not only until the panel's script arms it
            assert "disabled" in switch_tag
            assert "data-nocache-arm" not in switch_tag
        assert _toggle(client, "1", HTTP_X_CSRFTOKEN="x").status_code in (403, 409)


def test_hostile_urls_and_headers_are_escaped_in_the_rows(db: None) -> None:
    client = Client()
    client.get("/")
    since = _stats(client)["since"]
    _fake_records(1, since, Path(settings.STATIC_SOURCE))
    (record,) = served_log().snapshot()
    record["path"] = '/static/"><script>alert(1)</script>'
    record["request_headers"]["If-None-Match"] = "<img src=x onerror=alert(2)>"
    html = _render(client)
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_refusals_debug_off_and_outside_internal_ips(db: None, media_root: Path) -> None:
    write(media_root / "a.png", b"\x89PNG")
    outsider = Client(REMOTE_ADDR=OUTSIDE)
    assert _toggle(outsider, "1").status_code == 404
    assert outsider.get("/__debug__/nocache/toggle/").status_code == 404
    assert (
        outsider.get("/__debug__/nocache/records/", {"url": "/", "since": "0"}).status_code == 404
    )
    with override_settings(DEBUG=False):
        insider = Client()
        assert insider.get("/media/a.png").status_code == 404
        assert insider.get("/files/a.png").status_code == 404
        assert _toggle(insider, "1").status_code == 404
        assert (
            insider.get("/__debug__/nocache/records/", {"url": "/", "since": "0"}).status_code
            == 404
        )
    assert served_log().snapshot() == []


@pytest.mark.django_db(transaction=True)
def test_the_panel_under_asgi_reads_the_switch_off_the_event_loop() -> None:
    from asgiref.sync import async_to_sync
    from django.test import AsyncClient

    from tests.support.files import switch_on

    browser = switch_on(Client())  # a session with the switch on

    async def load() -> object:
        client = AsyncClient()
        client.cookies = browser.cookies
        return await client.get("/")

    page = async_to_sync(load)()
    assert page.status_code == 200  # type: ignore[attr-defined]
    stats = _stats(browser)
    assert stats["enabled"] is True
    assert stats["page_url"] == "/"


def test_a_project_that_never_migrated_is_told_to_migrate(db: None) -> None:
    from django.db import connection

    browser = Client()
    token = browser.get("/__debug__/nocache/toggle/").json()["csrf"]
    with connection.cursor() as cursor:  # SQLite rolls DDL back with the test
        cursor.execute("DROP TABLE django_session")
    response = _toggle(browser, "1", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 503
    assert "migrate" in response.json()["error"]


def _page_visit(client: Client) -> float:
    """Load the page; the visit's start, as the panel's script sends it to the feed."""
    client.get("/")
    since: float = _stats(client)["since"]
    return since


def _feed(client: Client, since: float, files: list[dict[str, object]]) -> dict[str, Any]:
    import json as json_module

    feed = client.post(
        f"/__debug__/nocache/records/?url=/&since={since!r}",
        json_module.dumps(files),
        content_type="application/json",
    )
    assert feed.status_code == 200
    answer: dict[str, Any] = feed.json()
    return answer


def _copy_of(path: Path, **changes: object) -> dict[str, object]:
    """The copy a browser holds of ``path`` as this package served it."""
    from django.utils.http import http_date

    from nocache_panel.serving.validators import etag_for

    st = path.stat()
    copy = {
        "etag": etag_for(st),
        "last_modified": http_date(st.st_mtime),
        "content_length": str(st.st_size),
    }
    return {**copy, **changes}


def test_the_feed_takes_the_browsers_copies_in_the_body(
    internal: Client, static_source: Path
) -> None:
    from nocache_panel.serving.validators import etag_for

    css = write(static_source / "site.css", b"h1 {}", age=MONTH)
    since = _page_visit(internal)
    older = _copy_of(css, etag=f'"{(css.stat().st_mtime_ns - 10**6):x}-5"')
    old = {"path": "/static/site.css", "seen": "element", "copy": older}
    # A page's worth of files: far more than a URL may carry under gunicorn (4 KB).
    others = [{"path": f"/static/gone{n}.css", "seen": "timing", "copy": None} for n in range(299)]
    answer = _feed(internal, since, [old, *others])
    css_row = 'data-nocache-path="/static/site.css" data-nocache-status="" '
    assert css_row + 'data-nocache-state="stale"' in answer["rows"]
    assert answer["stale"] == [{"path": "/static/site.css", "version": etag_for(css.stat())}]
    current = {**old, "copy": _copy_of(css)}
    assert _feed(internal, since, [current])["stale"] == []


def test_the_feed_names_the_files_no_request_reached(
    internal: Client, static_source: Path, media_root: Path
) -> None:
    """The script reads the browser's copies of those only: reading costs WebKit a 304."""
    css = write(static_source / "site.css", b"h1 {}", age=MONTH)
    write(media_root / "photo.png", b"\x89PNG", age=MONTH)
    since = _page_visit(internal)
    internal.get("/static/site.css", HTTP_REFERER="http://testserver/")
    files = [
        {"path": "/static/site.css", "seen": "element", "copy": None},
        {"path": "/media/photo.png", "seen": "element", "copy": None},
    ]
    answer = _feed(internal, since, files)
    assert answer["unlogged"] == ["/media/photo.png"]
    assert answer["stale"] == []
    assert css.exists()


def test_a_stylesheets_url_that_nothing_knows_is_not_listed(
    internal: Client, static_source: Path
) -> None:
    """A :hover background the page never needed is not one of its files."""
    write(static_source / "hover.png", b"\x89PNG", age=MONTH)
    used = write(static_source / "used.png", b"\x89PNG", age=MONTH)
    since = _page_visit(internal)
    files = [
        {"path": "/static/hover.png", "seen": "style", "copy": None},
        {"path": "/static/used.png", "seen": "style", "copy": _copy_of(used)},
    ]
    answer = _feed(internal, since, files)
    assert "/static/used.png" in answer["rows"]
    assert "/static/hover.png" not in answer["rows"]
    assert answer["count"] == 1


def test_another_servers_copy_is_compared_by_its_last_modified_and_length(
    internal: Client, static_source: Path
) -> None:
    """WhiteNoise's ETag (mtime in seconds) is never read as an old version of ours."""
    css = write(static_source / "site.css", b"h1 {}", age=MONTH)
    since = _page_visit(internal)
    st = css.stat()
    theirs = _copy_of(css, etag=f'"{int(st.st_mtime):x}-{st.st_size:x}"')
    answer = _feed(
        internal, since, [{"path": "/static/site.css", "seen": "timing", "copy": theirs}]
    )
    assert answer["stale"] == []
    assert 'data-nocache-state="heuristic"' in answer["rows"]

    shorter = {**theirs, "content_length": str(st.st_size - 1)}
    answer = _feed(
        internal, since, [{"path": "/static/site.css", "seen": "timing", "copy": shorter}]
    )
    assert [file["path"] for file in answer["stale"]] == ["/static/site.css"]

    bare = {"etag": '"abc"'}  # nothing that compares with the disk: cannot tell
    answer = _feed(internal, since, [{"path": "/static/site.css", "seen": "timing", "copy": bare}])
    assert answer["stale"] == []
    assert 'data-nocache-state="foreign"' in answer["rows"]


def test_the_side_bar_counts_the_files_the_table_lists(
    internal: Client, static_source: Path
) -> None:
    """The toolbar's and the panel's own files are listed apart, and not counted."""
    from nocache_panel.panel.report import page_report
    from nocache_panel.panel.table_html import summary_html

    write(static_source / "site.css", b"h1 {}", age=MONTH)
    write(static_source / "fresh.css", b"h2 {}", age=100)  # reusable for seconds only
    page = internal.get("/")
    stats = _stats(internal)
    referer = {"HTTP_REFERER": "http://testserver/"}
    internal.get("/static/site.css", **referer).close()
    internal.get("/static/fresh.css", **referer).close()
    internal.get("/static/debug_toolbar/js/toolbar.js", **referer).close()
    toolbar = DebugToolbar.fetch(list(get_store().request_ids())[-1])
    panel = toolbar.get_panel_by_id("NoCachePanel")  # type: ignore[union-attr]
    assert panel.nav_subtitle == "off · 2 files"
    report = page_report(stats["session"], stats["page_url"], stats["since"])
    assert len(report.tooling) == 1
    summary = summary_html(report)
    assert "1 file may be reused without asking for up to 3 days" in summary  # not fresh.css
    assert page.status_code == 200


def test_a_file_no_request_reached_says_why_the_server_column_is_empty(
    internal: Client, static_source: Path
) -> None:
    css = write(static_source / "site.css", b"h1 {}", age=MONTH)
    since = _page_visit(internal)
    answer = _feed(internal, since, [{"path": "/static/site.css", "seen": "element",
                                      "copy": _copy_of(css)}])  # fmt: skip
    assert "<td><small>not asked in this visit</small></td>" in answer["rows"]


def test_a_file_the_browser_shows_but_holds_no_copy_of_is_not_called_foreign(
    internal: Client, media_root: Path
) -> None:
    """A video streamed in ranges is not kept whole: no copy, yet this package serves it."""
    write(media_root / "clip.webm", b"\x1aE\xdf\xa3 video", age=MONTH)
    since = _page_visit(internal)
    answer = _feed(
        internal, since, [{"path": "/media/clip.webm", "seen": "element", "copy": None}]
    )
    assert 'data-nocache-state="revalidate"' in answer["rows"]
    assert "not in the browser’s cache" in answer["rows"]
