"""The WSGI handler ``runserver`` puts in front of the project: static and media files.

It answers before any middleware runs, like Django's ``StaticFilesHandler``
(which it replaces), so file requests never cost a toolbar run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.servers.basehttp import ServerHandler, WSGIRequestHandler, WSGIServer
from django.http import HttpResponse

from .body import take_cut_short
from .mounts import configured_mounts, find_mount, serve_mounted

if TYPE_CHECKING:
    from django.core.handlers.wsgi import WSGIHandler
    from django.http import HttpRequest
    from django.http.response import HttpResponseBase

ENTRY_POINT = "runserver"


class NoCacheFilesHandler(StaticFilesHandler):
    """Serves ``STATIC_URL`` (if ``static``) and ``MEDIA_URL`` (if ``media``) via the core."""

    def __init__(self, application: WSGIHandler, *, static: bool, media: bool) -> None:
        self.mounts = configured_mounts(static=static, media=media)
        super().__init__(application)

    def _should_handle(self, path: str) -> bool:
        return find_mount(self.mounts, path) is not None

    # Django's stub narrows this to HttpResponse | FileResponse; any response works.
    def serve(self, request: HttpRequest) -> HttpResponseBase:  # type: ignore[override]
        mount = find_mount(self.mounts, request.path_info)
        assert mount is not None  # _should_handle admitted the request
        return serve_mounted(request, mount, ENTRY_POINT)

    def get_base_url(self) -> Any:
        # Django's handler insists on STATIC_URL; media alone needs none.
        return self.mounts[0].prefix if self.mounts else "/"


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


class KeepAliveServerHandler(ServerHandler):
    """Gives every response whose bytes are known a ``Content-Length``.

    Django's handler closes the connection after any response without one,
    which is every page and error page: the browser then opens a new
    connection for the next file.
    """

    def set_content_length(self) -> None:
        # wsgiref's attributes, absent from its stubs.
        response = self.result  # type: ignore[attr-defined]
        if isinstance(response, HttpResponse):  # not streaming: the bytes are all here
            self.headers["Content-Length"] = str(len(response.content))  # type: ignore[attr-defined]
            return
        super().set_content_length()


class NoCacheWSGIServer(WSGIServer):
    """runserver's server, with the request handler above for every response, pages too."""

    # A page's files arrive as a burst of connections; Django's queue of 10
    # can overflow and reset some of them.
    request_queue_size = 64

    def __init__(self, server_address: Any, handler_class: Any, *args: Any, **kwargs: Any):
        super().__init__(server_address, NoCacheRequestHandler, *args, **kwargs)
