"""The serving core: every entry point (view, middleware, runserver) comes here.

With the switch off a response equals ``django.views.static.serve``'s, plus
``Accept-Ranges`` and byte ranges. With it on, it also carries
``Cache-Control: no-cache`` and a strong ``ETag`` from the nanosecond mtime and
the size, and conditional requests follow RFC 9110 section 13.2.2.

The path of a request: locate the file and open it, take its headers from the
descriptor's stat (built once per version), answer early from the validators, or
read a small file whole, or stream it; then log the request, once.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
import time
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from django.core.exceptions import SuspiciousFileOperation
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotModified,
    StreamingHttpResponse,
)
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext as _
from django.views.static import directory_index, was_modified_since

from ..switch.log import log_served
from .body import BLOCK_SIZE, FileBody
from .headers import NO_CACHE, NOSNIFF, FileHeaders, headers_for
from .locate import Located, Locator, open_file, resolve
from .ranges import UNSATISFIABLE, if_range_allows, parse_range

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django.http.response import HttpResponseBase

# Files up to this size (most stylesheets, scripts, fonts and icons) are read whole when
# the response is made: one ``pread``, the descriptor closed at once. Below it, copying
# the bytes costs a server less than setting up ``sendfile`` (``bench_whitenoise``: 3% to
# 7% less CPU per 100 KB request under gunicorn); above it, files stream.
READ_WHOLE_UP_TO = 256 * 1024
_security_log = logging.getLogger("django.security.SuspiciousFileOperation")
# Any of these makes a request conditional (RFC 9110, section 13.1).
_CONDITIONAL_META = frozenset(
    ("HTTP_IF_MATCH", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_UNMODIFIED_SINCE")
)


def serve_file(
    request: HttpRequest,
    path: str,
    locate: Locator,
    *,
    no_cache: bool,
    entry_point: str,
    show_indexes: bool = False,
    url: str | None = None,
    normalised: bool = False,
    nosniff: bool = False,
) -> HttpResponseBase:
    """Serve ``path`` from where ``locate`` finds it, and log the request.

    ``no_cache`` is the browser's switch, read once by the entry point. ``url``
    is the path and query the browser asked for, when the request's own path
    differs (a sub-path behind a proxy); ``normalised``: ``path`` is normalised already;
    ``nosniff``: add ``X-Content-Type-Options``, for responses no ``SecurityMiddleware`` sees.

    Raises ``Http404`` where Django's view does; a path that leaves the root is
    answered ``400``, as Django does, but in plain text rather than a traceback.
    """
    started = time.perf_counter()
    url = url or request.get_full_path()
    located: Located | None = None
    try:
        located = locate(path) if normalised else resolve(path, locate)
        answer = _respond(request, located, show_indexes, no_cache, nosniff)
    except SuspiciousFileOperation as exc:
        # The status Django gives, without its traceback page (shown when DEBUG is on).
        _security_log.warning("%s", exc)
        refused = HttpResponseBadRequest(
            _("Bad request: the path leaves the document root."), content_type="text/plain"
        )
        if nosniff:
            refused[NOSNIFF] = "nosniff"
        answer = Answer(refused, None, {})
    except Http404:
        log_served(request, url, entry_point, started, 404, None, 0, {}, located, None)
        raise
    response, st, logged, body, sent = answer
    status = response.status_code
    log_served(request, url, entry_point, started, status, body, sent, logged, located, st)
    return response


class Answer(NamedTuple):
    response: HttpResponseBase
    stat: os.stat_result | None  # the regular file it stands for
    logged: dict[str, str]  # the response's headers the log keeps
    body: FileBody | None = None  # what it streams: the log reads what it sent from it
    sent: int = 0  # the bytes of a file read whole


def _respond(
    request: HttpRequest, located: Located, show_indexes: bool, no_cache: bool, nosniff: bool
) -> Answer:
    fullpath = located.fullpath
    # Most requests carry neither validators nor a Range: nothing to decide early.
    conditional = not request.META.keys().isdisjoint(_CONDITIONAL_META)
    if located.fd is None and conditional:
        # A revalidation most often ends in a 304: decided from a stat, with no open.
        not_modified = _not_modified_by_stat(request, fullpath, no_cache, nosniff)
        if not_modified is not None:
            return not_modified
    fd = located.fd if located.fd is not None else open_file(fullpath)
    body = FileBody(fd, fullpath)  # the one owner of the descriptor: closed once
    try:
        answer = _answer_from(request, body, located, conditional, show_indexes, no_cache, nosniff)
    except BaseException:
        body.close()
        raise
    if answer.body is None:
        body.close()  # answered without streaming the file: done with it
    return answer


def _answer_from(
    request: HttpRequest,
    body: FileBody,
    located: Located,
    conditional: bool,
    show_indexes: bool,
    no_cache: bool,
    nosniff: bool,
) -> Answer:
    # The stat of what was opened: what is sent is what the headers describe.
    st = os.fstat(body.fd)
    if not stat.S_ISREG(st.st_mode):
        return _not_a_file(located, st, show_indexes, no_cache, nosniff)
    headers = headers_for(located.fullpath, st, no_cache, nosniff)
    byte_range = None
    if conditional or "HTTP_RANGE" in request.META:
        early, byte_range = _early_response(request, st, headers)
        if early is not None:
            return Answer(early, st, headers.logged_not_modified)
    if byte_range is None and st.st_size <= READ_WHOLE_UP_TO and request.method == "GET":
        data = os.pread(body.fd, st.st_size, 0)
        if len(data) == st.st_size:  # else it changed since its stat: it streams, and
            # a file cut short shows as one
            return Answer(_WholeFileResponse(data, headers), st, headers.logged, None, len(data))
    return Answer(_stream(body, st, headers, byte_range), st, headers.logged, body)


def _not_modified_by_stat(
    request: HttpRequest, fullpath: str, no_cache: bool, nosniff: bool
) -> Answer | None:
    try:
        st = os.stat(fullpath)
    except (OSError, ValueError):
        return None  # the open says what is wrong
    if not stat.S_ISREG(st.st_mode):
        return None
    headers = headers_for(fullpath, st, no_cache, nosniff)
    early, _range = _early_response(request, st, headers)
    return None if early is None else Answer(early, st, headers.logged_not_modified)


def _not_a_file(
    located: Located, st: os.stat_result, show_indexes: bool, no_cache: bool, nosniff: bool
) -> Answer:
    if not stat.S_ISDIR(st.st_mode):
        raise Http404(_("“%(path)s” does not exist") % {"path": located.fullpath})
    if not show_indexes:
        raise Http404(_("Directory indexes are not allowed here."))
    response = directory_index(located.relative, Path(located.fullpath))
    if no_cache:
        response["Cache-Control"] = NO_CACHE
    if nosniff:
        response[NOSNIFF] = "nosniff"
    return Answer(response, None, {"Cache-Control": NO_CACHE} if no_cache else {})


class _FileResponse(FileResponse):
    """Django's ``FileResponse``, given the headers it would work out per request."""

    block_size = BLOCK_SIZE  # larger than its 4 KiB: fewer round trips through the server

    def _set_streaming_content(self, value: object) -> None:
        # Django's own iterates with ``iter(lambda: ...)`` over the response itself: a
        # reference cycle that leaves every response to the garbage collector. Reading
        # the body needs no way back to the response, so it is freed once let go. The
        # headers are built once per file version already (``headers_for``).
        # (Private in Django, and the same from 4.2 to 6.x; not in its type stubs.)
        if not isinstance(value, FileBody):
            super()._set_streaming_content(value)  # type: ignore[misc]
            return
        self.file_to_stream = self.file_body = value  # type: ignore[assignment]
        StreamingHttpResponse._set_streaming_content(  # type: ignore[attr-defined]
            self, iter(partial(value.read, self.block_size), b"")
        )
        self._resource_closers.append(value.close)  # type: ignore[attr-defined]

    def __del__(self) -> None:
        # A response dropped without close() (a middleware that answers 412 instead)
        # must not keep the descriptor. The response, not the body: the log keeps
        # bodies a while, to read what they sent. (Cheaper per request than
        # weakref.finalize's registry.)
        body = getattr(self, "file_body", None)
        if body is not None and not body.closed:
            with contextlib.suppress(OSError):  # nobody is left to tell
                body.close()


class _WholeFileResponse(FileResponse):
    """A small file, read when the response is made: the response holds its bytes, and
    no descriptor stays open while the server sends them."""

    def __init__(self, data: bytes, headers: FileHeaders) -> None:
        super().__init__((data,), content_type=headers.full["Content-Type"])
        self.whole_file = data  # for ``stream_asynchronously``
        _give_headers(self, headers)


def _stream(
    body: FileBody,
    st: os.stat_result,
    headers: FileHeaders,
    byte_range: tuple[int, int] | None,
) -> FileResponse:
    if byte_range is not None:
        start, length = byte_range
        body.select(start, length)
        return _FileResponse(body, status=206, headers=headers.partial(start, length, st.st_size))
    body.select(0, st.st_size)
    response = _FileResponse(body, content_type=headers.full["Content-Type"])
    _give_headers(response, headers)
    return response


def _give_headers(response: FileResponse, headers: FileHeaders) -> None:
    """A whole file's headers, converted and validated when built: a copy of Django's own
    store of them, rather than every header converted again on every request."""
    response.headers._store = headers.checked._store.copy()


def _early_response(
    request: HttpRequest, st: os.stat_result, headers: FileHeaders
) -> tuple[HttpResponseBase | None, tuple[int, int] | None]:
    """A ``304``/``412``/``416`` decided from validators and ``Range`` alone, or the range."""
    meta = request.META
    early = None
    if not meta.keys().isdisjoint(_CONDITIONAL_META):
        early = _conditional_response(request, st, headers.etag)
    byte_range = None
    if (
        early is None
        and "HTTP_RANGE" in meta
        and request.method == "GET"
        and if_range_allows(meta.get("HTTP_IF_RANGE"), headers.etag, headers.last_modified)
    ):
        parsed = parse_range(meta["HTTP_RANGE"], st.st_size)
        if parsed is UNSATISFIABLE:
            early = HttpResponse(status=416)
            early["Content-Range"] = f"bytes */{st.st_size}"
        elif isinstance(parsed, tuple):
            byte_range = parsed
    if early is not None:
        for name, value in headers.not_modified.items():
            early[name] = value
    return early, byte_range


def _conditional_response(
    request: HttpRequest, st: os.stat_result, etag: str | None
) -> HttpResponseBase | None:
    """A ``304`` (or ``412``) when the request's validators say so, else ``None``."""
    if etag is not None:  # the switch is on
        return get_conditional_response(request, etag=etag, last_modified=int(st.st_mtime))
    # Switch off: exactly Django's rule, one-second resolution and all.
    if not was_modified_since(request.META.get("HTTP_IF_MODIFIED_SINCE"), st.st_mtime):
        return HttpResponseNotModified()
    return None
