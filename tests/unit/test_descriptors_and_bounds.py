"""Hostile-review findings: descriptor leaks, a poisoned Referer, a byte-bounded log."""

from __future__ import annotations

import gc
import os
from pathlib import Path

import pytest
from debug_toolbar.store import get_store
from django.conf import settings
from django.test import Client, override_settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from nocache_panel.panel.browser_files import BrowserFile, Held
from nocache_panel.panel.matching import records_for_page
from nocache_panel.panel.report import page_report
from nocache_panel.panel.table_html import rows_html, summary_html
from nocache_panel.serving import core
from nocache_panel.switch import choice
from nocache_panel.switch.log import ServedRecord, page_log, served_log
from tests.support.files import OUTSIDE, write


def open_descriptors() -> int:
    # Django's FileResponse is in a reference cycle with its own iterator: a
    # dropped one is freed by the collector, which must then close the file.
    gc.collect()
    return len(os.listdir("/proc/self/fd"))


def with_conditional_get() -> list[str]:
    return [*settings.MIDDLEWARE, "django.middleware.http.ConditionalGetMiddleware"]


def test_a_response_a_middleware_drops_releases_its_descriptor(
    off_client: Client, docroot: Path
) -> None:
    # ConditionalGetMiddleware answers If-Match with a 412 and drops the file
    # response without closing it.
    write(docroot / "a.css", b"a {}")
    with override_settings(MIDDLEWARE=with_conditional_get()):
        off_client.get("/nocache/a.css", HTTP_IF_MATCH='"x"')  # warm up imports
        before = open_descriptors()
        for _ in range(60):
            assert off_client.get("/nocache/a.css", HTTP_IF_MATCH='"x"').status_code == 412
    assert open_descriptors() == before


def test_a_file_name_django_cannot_put_in_a_header_is_served_without_losing_one(
    off_client: Client, static_source: Path
) -> None:
    # Django 4.2 raises BadHeaderError for a CR/LF in Content-Disposition.
    write(static_source / "a\r\nb.css", b"a {}")
    before = open_descriptors()
    for _ in range(60):
        response = off_client.get("/static/a%0D%0Ab.css")
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"a {}"
        response.close()
    assert open_descriptors() == before


def test_a_small_file_holds_no_descriptor_while_it_waits_to_be_sent(
    off_client: Client, docroot: Path
) -> None:
    write(docroot / "a.css", b"a {}")
    before = open_descriptors()
    pending = [off_client.get("/nocache/a.css") for _ in range(20)]  # none read yet
    assert open_descriptors() == before
    assert all(b"".join(response.streaming_content) == b"a {}" for response in pending)


@pytest.mark.parametrize(
    ("response_class", "size"),
    [("_FileResponse", 300 * 1024), ("_WholeFileResponse", 4)],  # streamed; read whole
)
def test_an_error_while_building_the_response_closes_the_file(
    off_client: Client,
    docroot: Path,
    monkeypatch: pytest.MonkeyPatch,
    response_class: str,
    size: int,
) -> None:
    write(docroot / "a.css", b"a" * size)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(core, response_class, broken)
    before = open_descriptors()
    for _ in range(60):
        with pytest.raises(RuntimeError):
            off_client.get("/nocache/a.css")
    assert open_descriptors() == before


def _render(client: Client, request_id: str) -> int:
    response = client.get(
        "/__debug__/render_panel/", {"request_id": request_id, "panel_id": "NoCachePanel"}
    )
    return response.status_code


def test_a_malformed_referer_leaves_the_feed_and_the_panel_working(
    db: None, static_source: Path
) -> None:
    write(static_source / "site.css", b"h1 {}")
    browser = Client()
    browser.get("/__debug__/nocache/toggle/")  # a session, so records match this browser
    browser.get("/")
    request_id = list(get_store().request_ids())[-1]
    since = get_store().panel(request_id, "NoCachePanel")["since"]
    for referer in ("http://[::1", "http://[", "http://[::1/", "\x00"):
        browser.get("/static/site.css", HTTP_REFERER=referer).close()
    browser.get("/static/site.css", HTTP_REFERER="http://testserver/").close()
    feed = browser.get("/__debug__/nocache/records/", {"url": "/", "since": repr(since)})
    assert feed.status_code == 200
    assert feed.json()["count"] == 1
    assert _render(browser, request_id) == 200


header_text = st.text(max_size=40) | st.sampled_from(
    [
        "http://[::1",
        "no-cache",
        "max-age=²",
        "max-age=99999999999999999999",
        "Wed, 21 Oct 2015 07:28:00 GMT",
        "Fri, 31 Dec 9999 23:59:59 GMT",
    ]
)


@st.composite
def records(draw: st.DrawFn) -> ServedRecord:
    return {
        "time": draw(st.floats(min_value=0, max_value=4e9)),
        "path": draw(st.sampled_from(["/static/a.css", "/", "/static/b.png?x"])),
        "status": draw(st.sampled_from([200, 206, 304, 404, 416])),
        "bytes_sent": 0,
        "duration_ms": 0.0,
        "entry_point": "runserver",
        "session": None,
        "request_headers": draw(
            st.dictionaries(st.sampled_from(["Referer", "If-None-Match"]), header_text)
        ),
        "response_headers": draw(
            st.dictionaries(
                st.sampled_from(["Cache-Control", "Expires", "Last-Modified", "ETag"]),
                header_text,
            )
        ),
        "root": None,
        "file": None,
        "mtime_ns": draw(st.none() | st.integers(min_value=0, max_value=2**63)),
        "size": draw(st.none() | st.integers(min_value=0, max_value=2**40)),
    }


held_copies = st.dictionaries(
    st.sampled_from(["/static/a.css", "/media/b.png?x", "/elsewhere", "/static/%zz", "//[x"]),
    st.builds(
        BrowserFile,
        seen=st.sampled_from(["timing", "element", "style"]),
        copy=st.none()
        | st.builds(
            Held,
            etag=st.none() | header_text,
            last_modified=st.none() | header_text,
            content_length=st.none() | header_text,
            cache_control=st.none() | header_text,
            expires=st.none() | header_text,
            date=st.none() | header_text,
        ),
    ),
)


@hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(records(), max_size=8), header_text, held_copies)
def test_matching_and_reporting_never_raise_on_bad_header_values(
    logged: list[ServedRecord], url: str, held: dict[str, BrowserFile]
) -> None:
    records_for_page(logged, None, url, 0.0)
    served_log().clear()
    page_log().clear()
    for record in logged:
        served_log().add(record)
    report = page_report(None, "/", 0.0, held)
    rows_html(report.rows)
    summary_html(report)


def test_stored_values_are_cut_to_a_documented_length(off_client: Client, docroot: Path) -> None:
    write(docroot / "a.css", b"a {}")
    huge = "x" * 60_000
    off_client.get(
        "/nocache/a.css?" + huge, HTTP_IF_NONE_MATCH=huge, HTTP_REFERER="http://testserver/" + huge
    ).close()
    (record,) = served_log().snapshot()
    assert len(record["path"]) == 1024
    assert record["path"].startswith("/nocache/a.css?xxx")
    assert all(len(value) <= 1024 for value in record["request_headers"].values())


def test_the_session_memo_never_keeps_huge_cookies(db: None, docroot: Path) -> None:
    write(docroot / "a.css", b"a {}")
    choice.forget_choices()
    for number in range(20):
        client = Client(REMOTE_ADDR=OUTSIDE)
        client.cookies[settings.SESSION_COOKIE_NAME] = f"{number}" + "k" * 60_000
        client.get("/nocache/a.css").close()
    assert sum(len(key) for key in choice._memo) < 20 * 1024


def test_a_nul_in_a_path_the_browser_sent_leaves_every_cell_in_place(db: None) -> None:
    held = {
        '/static/a\x00.css?"<b>': BrowserFile("timing", Held(etag='"x"')),
        "/static/b.css": BrowserFile("element", Held(etag='"y"')),
    }
    report = page_report(None, "/", 0.0, held)
    html = rows_html(report.rows)
    assert html.count("<tr ") == 2
    assert html.count("<td") == 10  # five cells a row, none shifted into the next
    assert 'data-nocache-path="/static/a.css?&quot;&lt;b&gt;"' in html
    assert "\x00" not in html
