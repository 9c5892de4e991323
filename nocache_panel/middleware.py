"""``NoCacheMiddleware``: serves STATIC_URL and MEDIA_URL for any WSGI or ASGI server.

Place it before ``DebugToolbarMiddleware`` (first is best): the requests it
answers never reach the toolbar, so they cost no toolbar run and never push
pages out of the toolbar's store. With WhiteNoise, place it before
``WhiteNoiseMiddleware``: static requests pass on to WhiteNoise while the
switch is off.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest

from .serving.body import stream_asynchronously
from .serving.mounts import Match, all_mounts, match, serve_mounted, switch_if_ours

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django.http.response import HttpResponseBase

ENTRY_POINT = "middleware"


class NoCacheMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(
        self,
        get_response: Callable[[HttpRequest], HttpResponseBase]
        | Callable[[HttpRequest], Awaitable[HttpResponseBase]],
    ) -> None:
        self.get_response = get_response
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if self.async_mode:
            return self.__acall__(request)  # type: ignore[return-value]
        found = _match(request)
        response = _answer(request, found) if found else None
        if response is None:
            return self.get_response(request)  # type: ignore[return-value]
        if isinstance(request, ASGIRequest):
            # Adapted to sync mode by a sync-only middleware after this one, yet
            # served over ASGI: the body must still stream, not sit in memory.
            return stream_asynchronously(response)
        return response

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        found = _match(request)
        # The switch may be read from the database: a sync context.
        response = await sync_to_async(_answer)(request, found) if found else None
        if response is None:
            return await self.get_response(request)  # type: ignore[misc, no-any-return]
        return stream_asynchronously(response)


def _match(request: HttpRequest) -> Match | None:
    if not settings.DEBUG:
        return None
    return match(all_mounts(), request.path_info, request.META)


def _answer(request: HttpRequest, found: Match) -> HttpResponseBase | None:
    """The package's response, or ``None`` when the request is the project's."""
    no_cache = switch_if_ours(request, found)
    return None if no_cache is None else serve_mounted(request, found, no_cache, ENTRY_POINT)
