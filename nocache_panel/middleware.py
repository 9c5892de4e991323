"""``NoCacheMiddleware``: serves STATIC_URL and MEDIA_URL for any WSGI or ASGI server.

Place it before ``DebugToolbarMiddleware`` (first is best): the requests it
answers never reach the toolbar, so they cost no toolbar run and never push
pages out of the toolbar's store.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.conf import settings

from .body import FileBody
from .mounts import Mount, configured_mounts, find_mount, serve_mounted
from .serving import BLOCK_SIZE

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
        mount = self._mount_for(request)
        if mount is None:
            return self.get_response(request)  # type: ignore[return-value]
        return serve_mounted(request, mount, ENTRY_POINT)

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        mount = self._mount_for(request)
        if mount is None:
            return await self.get_response(request)  # type: ignore[misc, no-any-return]
        # The core reads the session (maybe from the database): a sync context.
        response = await sync_to_async(serve_mounted)(request, mount, ENTRY_POINT)
        return stream_asynchronously(response)

    @staticmethod
    def _mount_for(request: HttpRequest) -> Mount | None:
        if not settings.DEBUG:
            return None
        return find_mount(configured_mounts(static=True, media=True), request.path_info)


def stream_asynchronously(response: HttpResponseBase) -> HttpResponseBase:
    """Give a file response an async body that reads block by block in a thread.

    Django's ASGI handler would otherwise read a synchronous file body into a
    list in one go, holding the whole file in memory.
    """
    body = getattr(response, "file_to_stream", None)
    if not isinstance(body, FileBody):
        return response
    read = sync_to_async(body.read, thread_sensitive=False)

    async def blocks() -> AsyncIterator[bytes]:
        while chunk := await read(BLOCK_SIZE):
            yield chunk

    response.streaming_content = blocks()  # type: ignore[attr-defined]
    return response
