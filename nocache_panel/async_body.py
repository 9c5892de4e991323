"""File bodies for ASGI servers: read block by block in a thread, never all at once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from asgiref.sync import sync_to_async

from .body import FileBody
from .serving import BLOCK_SIZE

if TYPE_CHECKING:
    from django.http.response import HttpResponseBase


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
