"""Sending files fast: no delayed-ACK stall under runserver, sendfile under gunicorn."""

from __future__ import annotations

import http.client
import json
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from socketserver import ThreadingMixIn

import pytest
from django.core.servers.basehttp import get_internal_wsgi_application

from nocache_panel.serving.dev_server import NoCacheRequestHandler, NoCacheWSGIServer
from nocache_panel.serving.runserver_handlers import NoCacheFilesHandler
from tests.support.files import write
from tests.support.live import LiveServer, gunicorn, run_server, serving_in_thread

FILE = bytes(range(256)) * 8  # 2 KiB


def test_every_runserver_connection_has_nagle_off(
    monkeypatch: pytest.MonkeyPatch, db: None
) -> None:
    seen: list[int] = []
    handle = NoCacheRequestHandler.handle

    def spy(self: NoCacheRequestHandler) -> None:
        seen.append(self.connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        handle(self)

    monkeypatch.setattr(NoCacheRequestHandler, "handle", spy)
    server = NoCacheWSGIServer(("127.0.0.1", 0), NoCacheRequestHandler)
    server.set_app(get_internal_wsgi_application())
    with serving_in_thread(server):
        for _ in range(2):
            connection = http.client.HTTPConnection(*server.server_address, timeout=10)
            connection.request("GET", "/static/nothing.css")
            assert connection.getresponse().status == 404
            connection.close()
    assert seen == [1, 1]


@pytest.mark.parametrize("threading_server", [True, False], ids=["threading", "nothreading"])
def test_a_304_keeps_the_connection_only_where_runserver_can(
    threading_server: bool, static_source: Path, db: None
) -> None:
    """``runserver --nothreading`` serves one connection at a time: it must not keep it."""
    write(static_source / "site.css", FILE)
    server_class: type[NoCacheWSGIServer] = NoCacheWSGIServer
    if threading_server:  # as runserver builds it by default
        server_class = type("WSGIServer", (ThreadingMixIn, NoCacheWSGIServer), {})
    server = server_class(("127.0.0.1", 0), NoCacheRequestHandler)
    server.set_app(NoCacheFilesHandler(get_internal_wsgi_application(), static=True, media=True))
    with serving_in_thread(server):
        connection = http.client.HTTPConnection(*server.server_address, timeout=10)
        try:
            connection.request("GET", "/static/site.css")
            first = connection.getresponse()
            first.read()
            validator = {"If-Modified-Since": first.headers["Last-Modified"]}
            connection.request("GET", "/static/site.css", headers=validator)
            response = connection.getresponse()
            assert (response.status, response.read()) == (304, b"")
            assert "Content-Length" not in response.headers
            assert response.will_close is not threading_server
        finally:
            connection.close()  # else closing the server waits for the kept connection


def test_kept_alive_responses_are_whole_and_in_order(live: LiveServer) -> None:
    write(live.static_source / "site.css", FILE)
    connection = http.client.HTTPConnection(live.url.removeprefix("http://"), timeout=10)
    connection.connect()
    sock = connection.sock
    last_modified = ""
    for number in range(30):
        kind = number % 5
        headers = {"If-Modified-Since": last_modified} if kind == 1 else {}
        path = {0: "/static/site.css", 1: "/static/site.css", 2: "/static/missing.css"}.get(
            kind, "/"
        )
        method = "HEAD" if kind == 4 else "GET"
        connection.request(method, path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        if kind == 0:
            assert (response.status, body) == (200, FILE)
            last_modified = response.headers["Last-Modified"]
        elif kind == 1:
            assert (response.status, body) == (304, b"")
            # It stands for the file: a Content-Length of 0 would misstate it (RFC 9110 8.6).
            assert "Content-Length" not in response.headers
        elif kind == 2:
            assert response.status == 404
        elif kind == 3:
            assert response.status == 200
            assert b"djDebug" in body  # a page with the toolbar: every response kept alive
            assert len(body) == int(response.headers["Content-Length"])
        else:
            assert (response.status, body) == (200, b"")
        assert connection.sock is sock, (kind, dict(response.headers))  # one connection throughout
    connection.close()


def test_http_1_0_keep_alive_gets_whole_responses(live: LiveServer) -> None:
    write(live.static_source / "site.css", FILE)
    port = int(live.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        stream = sock.makefile("rb")
        for _ in range(3):
            sock.sendall(
                b"GET /static/site.css HTTP/1.0\r\n"
                b"Host: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n"
            )
            head = b""
            while not head.endswith(b"\r\n\r\n"):
                head += stream.readline()
            assert head.startswith(b"HTTP/1.1 200")
            length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
            assert stream.read(length) == FILE


@pytest.fixture(scope="module")
def gunicorn_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Path]]:
    log = tmp_path_factory.mktemp("sendfile") / "calls.jsonl"
    spy = str(Path(__file__).parents[1] / "support" / "gunicorn_sendfile_spy.py")
    command = gunicorn("tests.project.wsgi:application", "--threads=2", f"--config={spy}")
    with run_server(command=command, env={"SENDFILE_LOG": str(log)}) as server:
        yield server, log


def test_gunicorn_sends_a_whole_file_and_a_range_with_sendfile(
    gunicorn_server: tuple[LiveServer, Path],
) -> None:
    server, log = gunicorn_server
    data = os.urandom(1024 * 1024)
    write(server.media_root / "big.bin", data)
    connection = http.client.HTTPConnection(server.url.removeprefix("http://"), timeout=10)
    connection.request("GET", "/media/big.bin")
    whole = connection.getresponse()
    assert (whole.status, whole.read()) == (200, data)
    connection.request("GET", "/media/big.bin", headers={"Range": "bytes=1000-1999"})
    part = connection.getresponse()
    assert (part.status, part.read()) == (206, data[1000:2000])
    connection.close()
    # The spy writes its line after sendfile() returned: the client may finish first.
    deadline = time.monotonic() + 10
    while len(log.read_text().splitlines()) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    assert calls == [
        {"offset": 0, "count": len(data), "sent": len(data)},
        {"offset": 1000, "count": 1000, "sent": 1000},
    ]


def test_sendfile_keeps_the_version_that_was_opened(
    gunicorn_server: tuple[LiveServer, Path],
) -> None:
    server, _log = gunicorn_server
    old, new = os.urandom(4 * 1024 * 1024), os.urandom(4 * 1024 * 1024)
    target = write(server.media_root / "swap.bin", old)
    connection = http.client.HTTPConnection(server.url.removeprefix("http://"), timeout=10)
    connection.request("GET", "/media/swap.bin")
    response = connection.getresponse()
    head = response.read(64 * 1024)
    os.replace(write(server.media_root / "swap.tmp", new), target)
    assert head + response.read() == old
    connection.close()


def test_a_204_with_a_body_leaves_nothing_on_the_connection(live: LiveServer) -> None:
    """A view that gives a 204 bytes: they would be read as the next response."""
    write(live.static_source / "site.css", FILE)
    port = int(live.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"GET /no-content/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        received = b""
        while b"\r\n\r\n" not in received:
            received += sock.recv(65536)
        sock.sendall(
            b"GET /static/site.css HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        while chunk := sock.recv(65536):
            received += chunk
    head, _blank, rest = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 204")
    assert rest.startswith(b"HTTP/1.1 200"), rest[:80]
    assert rest.endswith(FILE)


def test_a_chunked_request_closes_the_connection(live: LiveServer) -> None:
    """runserver cannot read a chunked body: what is left must not be read as a request."""
    port = int(live.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            b"POST /static/site.css HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
            # What runserver leaves unread: a client's body that reads as a request.
            b"GET /smuggled/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        )
        received = b""
        while chunk := sock.recv(65536):  # ends when the server closes the connection
            received += chunk
    assert received.startswith(b"HTTP/1.1 405")
    assert received.count(b"HTTP/1.1 ") == 1  # the body's bytes were not taken as a request
