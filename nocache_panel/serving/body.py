"""The body of a file response: one open file, one byte span, counted as it streams."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

from asgiref.sync import sync_to_async

if TYPE_CHECKING:
    from django.http.response import HttpResponseBase

# Larger than FileResponse's 4 KiB default: fewer round trips through the server.
BLOCK_SIZE = 64 * 1024


def milliseconds_since(started: float) -> float:
    """Time since ``started`` (a ``time.perf_counter()``), as the log keeps durations."""
    return round((time.perf_counter() - started) * 1000, 3)


class FileChangedError(OSError):
    """The file got shorter while it was being sent."""


# Set in the serving thread when a body ended short, so that a server that
# keeps connections alive (runserver) can close this one instead.
_cut_short = threading.local()


def take_cut_short() -> bool:
    """Did a body end short in this thread since the last call? Resets the flag."""
    happened = getattr(_cut_short, "happened", False)
    _cut_short.happened = False
    return happened


class FileBody:
    """A read-only file-like object over a span of an open file; it owns the descriptor.

    It reads with ``pread`` so the response keeps the version that was opened
    (a file replaced by rename streams on from the old inode). When the file
    was truncated in place it raises instead of quietly sending fewer bytes
    than ``Content-Length`` promised: servers then drop the connection, and
    the client sees a failed download rather than waiting for the rest.
    """

    def __init__(self, fd: int, name: str) -> None:
        self.fd = fd
        self.name = name  # FileResponse derives Content-Disposition from it
        self.position = 0
        self.remaining = 0
        self.bytes_read = 0
        # The log's record of this response, completed here when the server closes the
        # body (bytes sent, the whole duration since ``started``), then handed to
        # ``on_complete`` if set (a shared log, which takes records once complete).
        self.record: dict[str, Any] | None = None
        self.started = 0.0
        self.on_complete: Callable[[dict[str, Any]], None] | None = None
        self.closed = False

    def select(self, start: int, length: int) -> None:
        """Send ``length`` bytes from ``start``."""
        self.position = start
        self.remaining = length
        if start:
            # Servers that sendfile() (gunicorn's wsgi.file_wrapper) start at the
            # descriptor's offset and send Content-Length bytes; pread ignores it.
            # A descriptor just opened is at 0 already.
            os.lseek(self.fd, start, os.SEEK_SET)

    def fileno(self) -> int:
        """The opened file: sendfile() sends the version that was opened, like read()."""
        return self.fd

    def read(self, size: int = -1) -> bytes:
        if self.remaining <= 0:
            return b""
        want = self.remaining if size < 0 else min(size, self.remaining)
        chunk = os.pread(self.fd, want, self.position)
        if not chunk:
            self.remaining = 0
            _cut_short.happened = True
            raise FileChangedError(f"{self.name} was truncated while being served")
        self.position += len(chunk)
        self.remaining -= len(chunk)
        self.bytes_read += len(chunk)
        return chunk

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        os.close(self.fd)
        record = self.record
        if record is not None:
            record["bytes_sent"] = self.bytes_read
            record["duration_ms"] = milliseconds_since(self.started)
            if self.on_complete is not None:
                self.on_complete(record)

    def __del__(self) -> None:
        # A response dropped without close() (a middleware that answers 412
        # instead, an error while building it) must not keep the descriptor.
        # (Cheaper per request than weakref.finalize's registry.)
        if not self.closed:
            self.closed = True
            with contextlib.suppress(OSError):  # nobody is left to tell
                os.close(self.fd)


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
