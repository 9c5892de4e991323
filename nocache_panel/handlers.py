"""The WSGI handler ``runserver`` puts in front of the project: static and media files.

It answers before any middleware runs, like Django's ``StaticFilesHandler``
(which it replaces), so file requests never cost a toolbar run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer

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


class ClosingRequestHandler(WSGIRequestHandler):
    """Closes the connection after a response whose file shrank while it was sent.

    The client was promised ``Content-Length`` bytes; keeping the connection
    alive would leave it waiting for the rest. Closing it ends the response.
    """

    def handle_one_request(self) -> None:
        take_cut_short()
        super().handle_one_request()
        if take_cut_short():
            self.close_connection = True


class NoCacheWSGIServer(WSGIServer):
    """runserver's server, with the request handler above."""

    # A page's files arrive as a burst of connections; Django's queue of 10
    # can overflow and reset some of them.
    request_queue_size = 64

    def __init__(self, server_address: Any, handler_class: Any, *args: Any, **kwargs: Any):
        super().__init__(server_address, ClosingRequestHandler, *args, **kwargs)
