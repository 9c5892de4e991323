"""A server that answers a page's files from memory: the floor for browser benchmarks.

It replays the static files' responses captured from a live server (no Django,
no disk, no logging; ``TCP_NODELAY`` and HTTP/1.1 keep-alive) and passes every
other request, the page itself included, on to that server. A page load against
it costs the browser and the page what they cost with any server, and the files
next to nothing: ``ours - floor`` is what our file serving still adds, and
``floor / stock`` the best ratio any file server could reach on this machine.
"""

from __future__ import annotations

import http.client
import re
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

from tests.support.live import serving_in_thread

# Hop-by-hop or per-response headers: the replay writes its own.
_SKIPPED = {"date", "server", "set-cookie", "connection", "keep-alive"}
Captured = dict[str, tuple[int, list[tuple[str, str]], bytes]]


def capture(url: str, page: str, cookie: str | None = None) -> Captured:
    """Every ``/static/`` file ``page`` links, as ``url`` answers them."""
    connection = http.client.HTTPConnection(url.removeprefix("http://"), timeout=30)
    headers = {"Cookie": cookie} if cookie else {}
    answers: Captured = {}

    def get(path: str) -> bytes:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        kept = [(k, v) for k, v in response.getheaders() if k.lower() not in _SKIPPED]
        answers[path] = (response.status, kept, body)
        return body

    html = get(page).decode()
    del answers[page]
    for link in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        get(link.replace("&amp;", "&"))
    connection.close()
    return answers


class _Replay(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    answers: ClassVar[Captured] = {}
    origin = ""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path in self.answers:
            status, headers, body = self.answers[self.path]
        else:
            status, headers, body = self._from_origin()
        etag = dict((k.lower(), v) for k, v in headers).get("etag")
        if etag is not None and self.headers.get("If-None-Match") == etag:
            status, headers, body = 304, [("ETag", etag), ("Cache-Control", "no-cache")], b""
        self.send_response(status)
        for name, value in headers:
            if name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except ConnectionError:
            self.close_connection = True  # the browser went on without it

    do_POST = do_GET

    def _from_origin(self) -> tuple[int, list[tuple[str, str]], bytes]:
        connection = http.client.HTTPConnection(self.origin.removeprefix("http://"), timeout=30)
        length = int(self.headers.get("Content-Length") or 0)
        forwarded = {k: v for k, v in self.headers.items() if k.lower() not in _SKIPPED}
        connection.request(self.command, self.path, self.rfile.read(length), forwarded)
        response = connection.getresponse()
        body = response.read()
        connection.close()
        passed = _SKIPPED - {"set-cookie"}
        kept = [(k, v) for k, v in response.getheaders() if k.lower() not in passed]
        return response.status, kept, body


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64  # a page's files arrive as a burst of connections


@contextmanager
def replaying(answers: Captured, origin: str) -> Iterator[str]:
    """A replay server on 127.0.0.1 in front of ``origin``, for the block; yields its URL."""
    handler = type("Replay", (_Replay,), {"answers": answers, "origin": origin})
    with serving_in_thread(_Server(("127.0.0.1", 0), handler)) as url:
        yield url
