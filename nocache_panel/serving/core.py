"""The serving core: every entry point (view, middleware, runserver) comes here.

With the switch off a response equals ``django.views.static.serve``'s, plus
``Accept-Ranges`` and byte ranges. With it on, it also carries
``Cache-Control: no-cache`` and a strong ``ETag`` from the nanosecond mtime and
the size, and conditional requests follow RFC 9110 section 13.2.2.

The path of a request: locate the file and open it, take its headers from the
descriptor's stat (built once per version), answer early from the validators or
stream it, then log the request, once.
"""

from __future__ import annotations

import logging
import os
import stat
import time
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from django.core.exceptions import SuspiciousFileOperation
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotModified,
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
        log_served(request, url, entry_point, started, None, {}, located, None)
        raise
    response, st, logged = answer
    log_served(request, url, entry_point, started, response, logged, located, st)
    return response


class Answer(NamedTuple):
    response: HttpResponseBase
    stat: os.stat_result | None  # the regular file it stands for
    logged: dict[str, str]  # the response's headers the log keeps


def _respond(
    request: HttpRequest, located: Located, show_indexes: bool, no_cache: bool, nosniff: bool
) -> Answer:
    fullpath = located.fullpath
    if located.fd is None and not request.META.keys().isdisjoint(_CONDITIONAL_META):
        # A revalidation most often ends in a 304: decided from a stat, with no open.
        not_modified = _not_modified_by_stat(request, fullpath, no_cache, nosniff)
        if not_modified is not None:
            return not_modified
    fd = located.fd if located.fd is not None else open_file(fullpath)
    body = FileBody(fd, fullpath)
    try:
        # The stat of what was opened: what is sent is what the headers describe.
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            body.close()
            return _not_a_file(located, st, show_indexes, no_cache, nosniff)
        headers = headers_for(fullpath, st, no_cache, nosniff)
        early, byte_range = _early_response(request, st, headers)
        if early is not None:
            body.close()
            return Answer(early, st, headers.logged_not_modified)
        return Answer(_stream(body, st, headers, byte_range), st, headers.logged)
    except BaseException:
        body.close()
        raise


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

    def set_headers(self, filelike: object) -> None:
        """Built once per file version already (``headers_for``)."""


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
    # Converted and validated when built: a copy of Django's own store of them, rather
    # than every header converted again on every request.
    response.headers._store = headers.checked._store.copy()
    return response


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
