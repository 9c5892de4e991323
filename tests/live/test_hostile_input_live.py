"""Hostile paths and headers against a live runserver, spoken to over raw sockets,
so that no client normalises the path.

Never a 500, never a traceback, never a byte from outside the document root.
"""

from __future__ import annotations

import socket

from tests.support.files import write
from tests.support.hostile import SECRET, check_answer, header_cases, traversal_paths
from tests.support.live import LiveServer

PATHS = traversal_paths()
HEADERS = header_cases()


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
            check_answer(_status(raw), raw)
    assert "Traceback" not in live.log()[mark:]


def test_malformed_headers_against_a_live_runserver(live: LiveServer) -> None:
    mark = len(live.log())
    write(live.media_root / "ok.txt", b"fine")
    for headers in HEADERS:
        raw = raw_get(live, "/media/ok.txt", headers)
        assert raw
        check_answer(_status(raw), raw)
    assert "Traceback" not in live.log()[mark:]
