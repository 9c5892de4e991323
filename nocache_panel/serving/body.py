"""The body of a file response: one open file, one byte span, counted as it streams."""

from __future__ import annotations

import io
import os
import threading
import time
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING

from asgiref.sync import sync_to_async

if TYPE_CHECKING:
    from django.http.response import HttpResponseBase

# Larger than FileResponse's 4 KiB default: fewer round trips through the server.
BLOCK_SIZE = 64 * 1024


def milliseconds_between(started: float, ended: float) -> float:
    """From one ``time.perf_counter()`` to another, as the log keeps durations:
    milliseconds to the microsecond (truncated; ``round`` to 3 places costs more than
    the rest of a record)."""
    return int((ended - started) * 1_000_000) / 1000


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
        self.start = 0
        self.position = 0
        self.remaining = 0
        # The log reads how much was sent and when the server closed the body; a
        # shared log, which takes records once complete, is called on close instead.
        self.ended: float | None = None  # a ``time.perf_counter()``
        self.on_complete: Callable[[], None] | None = None
        self.closed = False

    def select(self, start: int, length: int) -> None:
        """Send ``length`` bytes from ``start``."""
        self.start = self.position = start
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
        remaining = self.remaining
        if remaining <= 0:
            return b""
        want = remaining if size < 0 or size > remaining else size
        chunk = os.pread(self.fd, want, self.position)
        if not chunk:
            self.remaining = 0
            _cut_short.happened = True
            raise FileChangedError(f"{self.name} was truncated while being served")
        self.position += len(chunk)
        self.remaining = remaining - len(chunk)
        return chunk

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        """Move within the span. ``socket.sendfile()`` (gunicorn's) seeks to where it
        stopped: how a body sent with ``sendfile`` knows what it sent."""
        if whence != os.SEEK_SET:
            raise io.UnsupportedOperation("only absolute positions")
        end = self.position + self.remaining
        self.position, self.remaining = offset, max(0, end - offset)
        return offset

    @property
    def sent(self) -> int:
        """Bytes read out of the span so far: all that was sent, once closed."""
        return self.position - self.start

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.ended = time.perf_counter()
        os.close(self.fd)
        # Django's WSGI handler points ``close`` at the response's, for a server's
        # ``wsgi.file_wrapper``: the log keeps this body, not the response with it.
        self.__dict__.pop("close", None)
        if self.on_complete is not None:
            self.on_complete()


def stream_asynchronously(response: HttpResponseBase) -> HttpResponseBase:
    """Give a file response an async body: read block by block in a thread, or, for a
    file read whole, its bytes.

    Django's ASGI handler would otherwise read a synchronous file body into a
    list in one go, holding the whole file in memory (and warn about it).
    """
    body = getattr(response, "file_to_stream", None)
    if isinstance(body, FileBody):
        read = sync_to_async(body.read, thread_sensitive=False)

        async def blocks() -> AsyncIterator[bytes]:
            while chunk := await read(BLOCK_SIZE):
                yield chunk

        response.streaming_content = blocks()  # type: ignore[attr-defined]
    elif (whole := getattr(response, "whole_file", None)) is not None:

        async def once() -> AsyncIterator[bytes]:
            yield whole

        response.streaming_content = once()  # type: ignore[attr-defined]
    return response
