"""The per-session switch, the bounded log, the URL helper and the view's DEBUG rule."""

from __future__ import annotations

import json
import socket
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.http import Http404
from django.test import Client, RequestFactory, override_settings

from nocache_panel.switch import choice
from nocache_panel.switch.log import BoundedLog, served_log
from nocache_panel.urls import static
from nocache_panel.views import serve
from tests.support.files import OUTSIDE, switch_on, write


def test_a_session_that_never_chose_gets_the_configured_default(db: None) -> None:
    request = RequestFactory().get("/")
    assert choice.is_enabled(request) is False
    with override_settings(NOCACHE_PANEL={"ENABLED_BY_DEFAULT": True}):
        assert choice.is_enabled(request) is True


def test_the_switch_follows_the_session_cookie(db: None) -> None:
    client = switch_on(Client())
    request = RequestFactory().get("/")
    request.COOKIES[settings.SESSION_COOKIE_NAME] = client.cookies[
        settings.SESSION_COOKIE_NAME
    ].value
    assert choice.is_enabled(request) is True
    switch_on(client, False)
    assert choice.is_enabled(request) is False


@override_settings(
    INSTALLED_APPS=[a for a in settings.INSTALLED_APPS if a != "django.contrib.sessions"]
)
def test_without_sessions_installed_the_default_is_used_and_nothing_fails(
    docroot: Path,
) -> None:
    write(docroot / "a.css", b"a {}")
    request = RequestFactory().get("/nocache/a.css", HTTP_COOKIE="sessionid=whatever")
    assert choice.is_enabled(request) is False
    assert serve(request, "a.css", docroot).status_code == 200


def test_a_missing_session_table_falls_back_to_the_default(db: None, docroot: Path) -> None:
    from django.db import connection

    write(docroot / "a.css", b"a {}")
    client = switch_on(Client(REMOTE_ADDR=OUTSIDE))
    with connection.cursor() as cursor:  # SQLite rolls DDL back with the test
        cursor.execute("DROP TABLE django_session")
    with override_settings(NOCACHE_PANEL={"ENABLED_BY_DEFAULT": False}):
        response = client.get("/nocache/a.css")
    assert response.status_code == 200
    assert "Cache-Control" not in response


def test_a_tampered_session_cookie_is_just_no_choice(db: None, docroot: Path) -> None:
    write(docroot / "a.css", b"a {}")
    client = Client(REMOTE_ADDR=OUTSIDE)
    client.cookies[settings.SESSION_COOKIE_NAME] = "x" * 300 + "'\";--"
    response = client.get("/nocache/a.css")
    assert response.status_code == 200
    assert "Cache-Control" not in response


def test_a_file_sent_with_sendfile_is_logged_with_its_bytes(db: None, docroot: Path) -> None:
    """gunicorn sends file bodies with socket.sendfile(): the panel says what went out."""
    from django.core.handlers.wsgi import WSGIHandler
    from gunicorn.http.wsgi import FileWrapper

    data = bytes(range(256)) * 1200  # above READ_WHOLE_UP_TO: smaller files are read whole
    write(docroot / "big.bin", data)
    environ = RequestFactory().get("/nocache/big.bin").environ
    body = WSGIHandler()({**environ, "wsgi.file_wrapper": FileWrapper}, lambda *args: None)
    assert isinstance(body, FileWrapper)
    server, client = socket.socketpair()
    received = bytearray()

    def receive() -> None:
        while len(received) < len(data) and (chunk := client.recv(65536)):
            received.extend(chunk)

    reader = threading.Thread(target=receive)
    with server, client:
        server.settimeout(10)  # guards a hang; the send takes milliseconds
        client.settimeout(10)
        reader.start()
        server.sendfile(body.filelike, 0, len(data))  # as gunicorn's write_file does
        body.close()
        reader.join()
    assert received == data
    (record,) = served_log().snapshot()
    assert record["bytes_sent"] == len(data)


def test_each_record_is_json_and_names_what_was_served(on_client: Client, docroot: Path) -> None:
    write(docroot / "sub" / "a.css", b"a { color: red }")
    response = on_client.get(
        "/nocache/sub/a.css?v=1",
        HTTP_REFERER="http://testserver/page/",
        HTTP_IF_MODIFIED_SINCE="Thu, 01 Jan 1970 00:00:00 GMT",
        HTTP_PRAGMA="no-cache",
        HTTP_CACHE_CONTROL="max-age=0",
        HTTP_RANGE="bytes=0-0",
    )
    b"".join(response.streaming_content)
    response.close()
    (record,) = served_log().snapshot()
    json.dumps(record)
    session_key = on_client.cookies[settings.SESSION_COOKIE_NAME].value
    assert record["path"] == "/nocache/sub/a.css?v=1"
    assert record["status"] == 206
    assert record["bytes_sent"] == 1
    assert record["entry_point"] == "view"
    assert record["file"] == "sub/a.css"
    assert record["size"] == 16
    assert record["mtime_ns"] == (docroot / "sub" / "a.css").stat().st_mtime_ns
    assert record["session"] == choice.session_digest(session_key)
    assert session_key not in json.dumps(record)
    # Only what the panel shows or matches with: the rest of a request is not kept.
    assert record["request_headers"] == {
        "If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT",
        "Referer": "http://testserver/page/",
    }
    assert record["response_headers"] == {
        "Cache-Control": "no-cache",
        "Last-Modified": response["Last-Modified"],
    }


def test_missing_files_are_logged_as_404(off_client: Client, docroot: Path) -> None:
    assert off_client.get("/nocache/nope.css").status_code == 404
    assert [r["status"] for r in served_log().snapshot()] == [404]


def test_the_log_keeps_its_bound(off_client: Client, docroot: Path) -> None:
    write(docroot / "a.css", b"a {}")
    with override_settings(NOCACHE_PANEL={"MAX_RECORDS": 5}):
        for number in range(12):
            off_client.get(f"/nocache/a.css?n={number}").close()
        paths = [r["path"] for r in served_log().snapshot()]
    assert paths == [f"/nocache/a.css?n={n}" for n in range(7, 12)]


def test_the_log_is_safe_under_many_threads() -> None:
    log: BoundedLog[int] = BoundedLog(100)
    errors: list[BaseException] = []

    def work(base: int) -> None:
        try:
            for i in range(2000):
                log.add(base + i)
                if i % 100 == 0:
                    log.snapshot()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n * 10_000,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(log) == 100


def test_static_helper_follows_djangos_contract(settings: object) -> None:
    assert len(static("/media/", document_root="/tmp")) == 1
    assert static("http://cdn.example.com/media/", document_root="/tmp") == []
    with override_settings(DEBUG=False):
        assert static("/media/", document_root="/tmp") == []


def test_static_helper_serves_through_the_no_cache_view(
    on_client: Client, media_root: Path
) -> None:
    write(media_root / "photo.png", b"\x89PNG")
    response = on_client.get("/files/photo.png")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-cache"


def test_the_view_refuses_when_debug_is_off_unless_insecure(docroot: Path) -> None:
    write(docroot / "a.css", b"a {}")
    request = RequestFactory().get("/nocache/a.css")
    with override_settings(DEBUG=False):
        with pytest.raises(Http404):
            serve(request, "a.css", docroot)
        assert serve(request, "a.css", docroot, insecure=True).status_code == 200
        assert served_log().snapshot()[0]["status"] == 200


def test_one_session_read_serves_a_pages_files_and_the_panels_refetch_reads_again(
    db: None, docroot: Path
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    write(docroot / "a.css", b"a {}")
    client = switch_on(Client(REMOTE_ADDR=OUTSIDE))
    with CaptureQueriesContext(connection) as queries:
        for _ in range(10):
            assert client.get("/nocache/a.css")["Cache-Control"] == "no-cache"
        # DevTools' "Disable cache" asks for every file with no-cache: still one read.
        for _ in range(10):
            client.get("/nocache/a.css", HTTP_CACHE_CONTROL="no-cache")
    assert len(queries) == 1
    with CaptureQueriesContext(connection) as queries:
        client.get("/nocache/a.css", HTTP_X_NOCACHE_REFETCH="1")
    assert len(queries) == 1


def test_the_toggle_endpoint_takes_effect_at_once(db: None, docroot: Path) -> None:
    write(docroot / "a.css", b"a {}")
    client = Client()  # internal: the toolbar's endpoints answer
    assert "Cache-Control" not in client.get("/nocache/a.css")
    token = client.get("/__debug__/nocache/toggle/").json()["csrf"]
    for enabled, expected in (("1", "no-cache"), ("0", None)):
        response = client.post(
            "/__debug__/nocache/toggle/", {"enabled": enabled}, HTTP_X_CSRFTOKEN=token
        )
        assert response.status_code == 200
        assert client.get("/nocache/a.css").headers.get("Cache-Control") == expected
