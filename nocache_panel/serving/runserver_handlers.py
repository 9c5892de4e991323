"""The handlers ``runserver`` puts in front of the project: static and media files.

They answer before any middleware runs, like Django's ``StaticFilesHandler``
and ``ASGIStaticFilesHandler`` (which they replace), so file requests never
cost a toolbar run. What the package must leave to the project (a media view
of its own, WhiteNoise with the switch off) passes on to it.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler, ASGIRequest
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest, get_path_info

from ..switch.choice import is_enabled
from .body import stream_asynchronously
from .mounts import Mount, configured_mounts, match, may_pass_on, serve_mounted, switch_if_ours

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http import HttpRequest
    from django.http.response import HttpResponseBase

ENTRY_POINT = "runserver"
# Where the handler leaves the switch it read to decide, for the request it then serves.
SWITCH_KEY = "nocache_panel.switch"


class NoCacheFilesHandler(WSGIHandler):
    """Serves ``STATIC_URL`` (if ``static``) and ``MEDIA_URL`` (if ``media``) via the core."""

    def __init__(self, application: Any, *, static: bool, media: bool) -> None:
        # No middleware: like Django's static handler, it answers before any.
        self.application = application
        self.mounts = configured_mounts(static=static, media=media)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        found = match(self.mounts, get_path_info(environ), environ)
        if found is None:
            return self.application(environ, start_response)
        if may_pass_on(found):
            # A request of its own copy of environ: WSGIRequest writes the decoded path
            # back into the environ it is given, which the project would decode again.
            no_cache = switch_if_ours(WSGIRequest({**environ}), found)
            if no_cache is None:
                return self.application(environ, start_response)
            environ = {**environ, SWITCH_KEY: no_cache}
        # Django's handler: signals, the script prefix, the response sent.
        return super().__call__(environ, start_response)

    def get_response(self, request: HttpRequest) -> HttpResponseBase:
        no_cache = request.META.get(SWITCH_KEY)
        return _serve(self.mounts, request, is_enabled(request) if no_cache is None else no_cache)


class NoCacheASGIFilesHandler(ASGIHandler):
    """The same for an ASGI server (daphne's runserver); bodies stream block by block."""

    def __init__(self, application: Any, *, static: bool, media: bool) -> None:
        self.application = application
        self.mounts = configured_mounts(static=static, media=media)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            request = ASGIRequest(scope, io.BytesIO())
            found = match(self.mounts, request.path_info, request.META)
            # The switch lives in the session, maybe in the database: a sync context.
            if found is not None:
                no_cache = await sync_to_async(switch_if_ours)(request, found)
                if no_cache is not None:
                    scope = {**scope, SWITCH_KEY: no_cache}
                    return await super().__call__(scope, receive, send)  # Django's handler
        return await self.application(scope, receive, send)  # type: ignore[no-any-return]

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        no_cache = request.scope[SWITCH_KEY]  # type: ignore[attr-defined]
        response = await sync_to_async(_serve)(self.mounts, request, no_cache)
        return stream_asynchronously(response)


def _serve(mounts: tuple[Mount, ...], request: HttpRequest, no_cache: bool) -> HttpResponseBase:
    found = match(mounts, request.path_info, request.META)
    assert found is not None  # the handler matched this request before
    response = serve_mounted(request, found, no_cache, ENTRY_POINT)
    response._resource_closers.append(request.close)  # type: ignore[attr-defined]
    return response
