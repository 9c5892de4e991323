"""Hostile paths and headers against the view, the middleware and a live runserver.

Never a 500, never a traceback, never a byte from outside the document root.
The live server is spoken to over raw sockets, so no client normalises the path.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from .conftest import OUTSIDE, write
from .hostile import SECRET, header_cases, traversal_paths
from .live import LiveServer

PATHS = traversal_paths()
HEADERS = header_cases()
assert len(PATHS) >= 200


def _body(response) -> bytes:  # type: ignore[no-untyped-def]
    return b"".join(response.streaming_content) if response.streaming else response.content


def _check(status: int, body: bytes) -> None:
    assert status < 500, status
    assert SECRET not in body
    assert b"Traceback" not in body


@pytest.fixture
def planted(db: None, docroot: Path, media_root: Path, static_source: Path) -> Client:
    """A secret beside each root, a file inside each, and a browser with the switch on."""
    write(Path(settings.SCRATCH) / "secret.txt", SECRET)
    for root in (docroot, media_root, static_source):
        write(root / "sub" / "deeper" / "ok.txt", b"fine")
    from .conftest import switch_on

    return switch_on(Client(REMOTE_ADDR=OUTSIDE))


@pytest.mark.parametrize("prefix", ["/nocache/", "/nocache/sub/deeper/", "/media/", "/static/"])
def test_hostile_paths_through_the_test_client(planted: Client, prefix: str) -> None:
    for path in PATHS:
        response = planted.get(prefix + path)
        _check(response.status_code, _body(response))


@pytest.mark.parametrize("url", ["/nocache/sub/deeper/ok.txt", "/media/sub/deeper/ok.txt"])
def test_malformed_validators_and_cookies_through_the_test_client(
    planted: Client, url: str
) -> None:
    for headers in HEADERS:
        # As a WSGI server hands them over: the header's bytes, decoded as latin-1.
        meta = {
            "HTTP_" + name.upper().replace("-", "_"): value.encode().decode("latin-1")
            for name, value in headers.items()
        }
        response = planted.get(url, **meta)
        _check(response.status_code, _body(response))
        assert response.status_code in (200, 206, 304, 412, 416)


def raw_get(server: LiveServer, target: str, headers: dict[str, str] | None = None) -> bytes:
    port = int(server.url.rsplit(":", 1)[1])
    lines = [f"GET {target} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    data = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "surrogateescape")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _status(raw: bytes) -> int:
    return int(raw.split(b" ", 2)[1]) if raw.startswith(b"HTTP/") else 0


def test_hostile_paths_against_a_live_runserver(live: LiveServer) -> None:
    mark = len(live.log())
    write(live.scratch / "secret.txt", SECRET)
    for root in (live.media_root, live.static_source):
        write(root / "sub" / "ok.txt", b"fine")
    for prefix in ("/media/", "/static/", "/media/sub/"):
        for path in PATHS:
            raw = raw_get(live, prefix + path)
            assert raw, f"no answer for {prefix + path!r}"
            _check(_status(raw), raw)
    assert "Traceback" not in live.log()[mark:]


def test_malformed_headers_against_a_live_runserver(live: LiveServer) -> None:
    mark = len(live.log())
    write(live.media_root / "ok.txt", b"fine")
    for headers in HEADERS:
        raw = raw_get(live, "/media/ok.txt", headers)
        assert raw
        _check(_status(raw), raw)
    assert "Traceback" not in live.log()[mark:]
