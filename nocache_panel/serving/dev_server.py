"""runserver's HTTP server, tuned for a page's burst of file requests.

Kept-alive connections for every response whose length is known, no Nagle
delay, a deeper accept queue, and a console without the panel's polls.
"""

from __future__ import annotations

from functools import lru_cache
from socketserver import ThreadingMixIn
from typing import Any

from django.core.servers.basehttp import ServerHandler, WSGIRequestHandler, WSGIServer
from django.http import HttpResponse
from django.urls import NoReverseMatch, reverse

from .body import take_cut_short


class NoCacheRequestHandler(WSGIRequestHandler):
    """runserver's request handler, without the delayed-ACK stall.

    A response leaves in several small writes (status, headers, body). With
    Nagle's algorithm on, each write after the first waits for the client's
    ACK, which a client delays by up to 40 ms: every kept-alive response paid
    that. ``TCP_NODELAY`` sends each write at once.

    It also closes the connection after a response whose file shrank while it
    was sent: the client was promised ``Content-Length`` bytes, and keeping the
    connection alive would leave it waiting for the rest.
    """

    disable_nagle_algorithm = True
    # Buffered: the status line, the headers and a small body leave in one send
    # rather than one packet each. Flushed after every request.
    wbufsize = -1

    def log_message(self, format: str, *args: Any) -> None:
        # The panel asks for its table every 2 seconds while it is open: a
        # developer's console is theirs, so its answered polls are not logged.
        if _is_panel_poll(self.path) and len(args) > 1 and str(args[1]).startswith("2"):
            return
        super().log_message(format, *args)

    def handle_one_request(self) -> None:
        take_cut_short()
        try:
            self._handle_one_request()
        finally:
            self.wfile.flush()
        if take_cut_short():
            self.close_connection = True

    def _handle_one_request(self) -> None:
        # Django's own, with the server handler below.
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536:
            self.requestline = self.request_version = self.command = ""
            self.send_error(414)
            return
        if not self.parse_request():
            return
        handler = KeepAliveServerHandler(
            self.rfile, self.wfile, self.get_stderr(), self.get_environ()
        )
        handler.request_handler = self  # type: ignore[attr-defined]
        handler.run(self.server.get_app())  # type: ignore[attr-defined]
        if self.headers.get("Transfer-Encoding"):
            # runserver cannot read a chunked body: what is left of it must not be read
            # as the next request on this connection.
            self.close_connection = True


@lru_cache(maxsize=1)
def _panel_poll_path() -> str | None:
    try:
        return reverse("djdt:nocache_records")
    except NoReverseMatch:
        return None


def _is_panel_poll(path: str) -> bool:
    poll = _panel_poll_path()
    return poll is not None and path.split("?", 1)[0] == poll


# Responses that end at their headers (RFC 9112, section 6.3): they need no
# Content-Length to keep the connection, and must not carry a wrong one
# (RFC 9110, section 8.6): "0" would misstate the file a 304 stands for.
_ENDS_AT_HEADERS = ("204", "304")


class KeepAliveServerHandler(ServerHandler):
    """Gives every response whose bytes are known a ``Content-Length``.

    Django's handler closes the connection after any response without one,
    which is every page and error page: the browser then opens a new
    connection for the next file. A ``304`` or ``204`` keeps the connection
    without one, and is sent without one.
    """

    def set_content_length(self) -> None:
        # wsgiref's attributes, absent from its stubs.
        response = self.result  # type: ignore[attr-defined]
        if isinstance(response, HttpResponse):  # not streaming: the bytes are all here
            self.headers["Content-Length"] = str(len(response.content))  # type: ignore[attr-defined]
            return
        super().set_content_length()

    def write(self, data: bytes) -> None:
        # A 204 or 304 ends at its headers whatever the view gave it: bytes after
        # them would be read as the next response on this connection.
        status: str = self.status  # type: ignore[attr-defined]
        super().write(b"" if status[:3] in _ENDS_AT_HEADERS else data)

    def cleanup_headers(self) -> None:
        status: str = self.status  # type: ignore[attr-defined]
        if status[:3] not in _ENDS_AT_HEADERS:
            super().cleanup_headers()
            return
        # Django's rules, less the close for want of a length.
        headers, handler = self.headers, self.request_handler  # type: ignore[attr-defined]
        del headers["Content-Length"]
        if not isinstance(handler.server, ThreadingMixIn):  # --nothreading: one at a time
            headers["Connection"] = "close"
        if headers.get("Connection") == "close":
            handler.close_connection = True


class NoCacheWSGIServer(WSGIServer):
    """runserver's server, with the request handler above for every response, pages too."""

    # A page's files arrive as a burst of connections; Django's queue of 10
    # can overflow and reset some of them.
    request_queue_size = 64

    def __init__(self, server_address: Any, handler_class: Any, *args: Any, **kwargs: Any):
        super().__init__(server_address, NoCacheRequestHandler, *args, **kwargs)
