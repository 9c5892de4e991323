"""The serving core: every entry point (view, middleware, runserver) comes here.

With the switch off a response equals ``django.views.static.serve``'s, plus
``Accept-Ranges`` and byte ranges. With it on, it also carries
``Cache-Control: no-cache`` and a strong ``ETag`` from the nanosecond mtime and
the size, and conditional requests follow RFC 9110 section 13.2.2.
"""

from __future__ import annotations

import logging
import mimetypes
import os
import posixpath
import stat
import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from django.core.exceptions import SuspiciousFileOperation
from django.http import (
    BadHeaderError,
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotModified,
)
from django.utils._os import safe_join
from django.utils.cache import get_conditional_response
from django.utils.http import content_disposition_header, http_date
from django.utils.translation import gettext as _
from django.views.static import directory_index, was_modified_since

from . import state
from .body import FileBody
from .ranges import UNSATISFIABLE, if_range_allows, parse_range
from .records import (
    MAX_VALUE,
    REQUEST_HEADERS,
    RESPONSE_HEADERS,
    Log,
    ServedRecord,
    clip,
    served_log,
)

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django.http.response import HttpResponseBase

NO_CACHE = "no-cache"
_security_log = logging.getLogger("django.security.SuspiciousFileOperation")
# Larger than FileResponse's 4 KiB default: fewer round trips through the server.
BLOCK_SIZE = 64 * 1024
# O_NONBLOCK: a FIFO in a static folder must give a 404, not hang the server.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_REQUEST_META = tuple((name, "HTTP_" + name.upper().replace("-", "_")) for name in REQUEST_HEADERS)


# Finds a normalised path: returns (document root, path under it, full path) or
# raises Http404; the full path never leaves the root (SuspiciousFileOperation).
Locator = Callable[[str], tuple[str, str, str]]


def under(document_root: str | os.PathLike[str]) -> Locator:
    """The locator for a single document root."""
    root = os.fspath(document_root)
    return lambda path: (root, path, safe_join(root, path))


def resolve(path: str, locate: Locator) -> tuple[str, str, str]:
    """``(document root, path under it, full path)`` for a requested path.

    Raises ``SuspiciousFileOperation`` when it leaves the root, and whatever
    ``locate`` raises (``Http404``) when nothing is found.
    """
    return locate(posixpath.normpath(path).lstrip("/"))


def etag_for(st: os.stat_result) -> str:
    """A strong validator that changes with any write, even within one second."""
    return f'"{st.st_mtime_ns:x}-{st.st_size:x}"'


def serve_file(
    request: HttpRequest,
    path: str,
    locate: Locator,
    *,
    entry_point: str,
    show_indexes: bool = False,
    url: str | None = None,
) -> HttpResponseBase:
    """Serve ``path`` from where ``locate`` finds it, and log the request.

    ``url`` is the path and query the browser asked for, when the request's own
    path differs (a sub-path behind a proxy).

    Raises ``Http404`` where Django's view does; a path that leaves the root is
    answered ``400``, as Django does, but in plain text rather than a traceback.
    """
    started = time.perf_counter()
    no_cache = state.is_enabled(request)
    record = _new_record(request, entry_point, url or request.get_full_path())
    log = served_log()
    try:
        response = _respond(request, path, locate, show_indexes, no_cache, record)
    except Http404:
        _finish(record, 404, started)
        log.add(record)
        raise
    headers = response.headers
    record["response_headers"] = {
        name: headers[name] for name in RESPONSE_HEADERS if name in headers
    }
    status = response.status_code
    _finish(record, status, started)
    body = getattr(response, "file_to_stream", None)
    if isinstance(body, FileBody):
        # Bytes sent and the full duration are known once the server closed the body.
        # (Not a closure over the response: a dropped response must be freed at once.)
        body.on_close = lambda sent: _closed(log, record, status, started, sent)
    if log.live or not isinstance(body, FileBody):
        log.add(record)  # a shared log takes copies: it gets this one when complete
    return response


def _respond(
    request: HttpRequest,
    path: str,
    locate: Locator,
    show_indexes: bool,
    no_cache: bool,
    record: ServedRecord,
) -> HttpResponseBase:
    try:
        root, path, fullpath = resolve(path, locate)
    except SuspiciousFileOperation as exc:
        # The status Django gives, without its traceback page (shown when DEBUG is on).
        _security_log.warning("%s", exc)
        return HttpResponseBadRequest(
            _("Bad request: the path leaves the document root."), content_type="text/plain"
        )
    if len(path) <= MAX_VALUE:  # the log's strings are bounded: a longer one is not kept
        record["root"] = root
        record["file"] = path
    try:
        st = os.stat(fullpath)
    except (OSError, ValueError):
        # Missing, unreadable, a NUL byte, a symlink loop: all "not found".
        raise Http404(_("“%(path)s” does not exist") % {"path": fullpath}) from None
    if stat.S_ISDIR(st.st_mode):
        if not show_indexes:
            raise Http404(_("Directory indexes are not allowed here."))
        response = directory_index(path, Path(fullpath))
        if no_cache:
            response["Cache-Control"] = NO_CACHE
        return response
    if not stat.S_ISREG(st.st_mode):
        raise Http404(_("“%(path)s” does not exist") % {"path": fullpath})
    return _file_response(request, fullpath, st, no_cache, record)


def _file_response(
    request: HttpRequest, fullpath: str, st: os.stat_result, no_cache: bool, record: ServedRecord
) -> HttpResponseBase:
    # Validators are judged on a stat; only a full or partial answer opens the file.
    early, byte_range = _early_response(request, st, no_cache)
    if early is None:
        body = _open(fullpath)
        try:
            opened = os.fstat(body.fd)
            if _version(opened) != _version(st):
                # Replaced between the stat and the open: describe what will be sent.
                st = opened
                early, byte_range = _early_response(request, st, no_cache)
            if early is None:
                start, length = byte_range or (0, st.st_size)
                body.select(start, length)
                response = _stream(body, fullpath, st, byte_range, no_cache)
        except BaseException:
            body.close()
            raise
        if early is not None:
            body.close()
    record["mtime_ns"] = st.st_mtime_ns
    record["size"] = st.st_size
    return early if early is not None else response


def _open(fullpath: str) -> FileBody:
    try:
        fd = os.open(fullpath, _OPEN_FLAGS)
    except OSError:
        raise Http404(_("“%(path)s” does not exist") % {"path": fullpath}) from None
    return FileBody(fd, fullpath)


class _FileResponse(FileResponse):
    """Django's ``FileResponse``, told what it would work out per request.

    Its ``set_headers`` sniffs the file object for a length and guesses the
    type; the core knows both already. Only ``Content-Disposition`` is left,
    the same header Django's view sends, remembered per file name.
    """

    def set_headers(self, filelike: object) -> None:
        name = getattr(filelike, "name", "")
        disposition = _inline_disposition(os.path.basename(name)) if name else None
        if disposition:
            self.headers["Content-Disposition"] = disposition


@lru_cache(maxsize=4096)
def _inline_disposition(filename: str) -> str | None:
    return content_disposition_header(False, filename)


@lru_cache(maxsize=4096)
def _guess_type(fullpath: str) -> tuple[str, str | None]:
    content_type, encoding = mimetypes.guess_type(fullpath)
    return content_type or "application/octet-stream", encoding


@lru_cache(maxsize=4096)
def _http_date(seconds: int) -> str:
    return http_date(seconds)


def last_modified(st: os.stat_result) -> str:
    """``Last-Modified`` for a file: its mtime, to the second, as ``http_date`` gives it."""
    return _http_date(int(st.st_mtime))


def _stream(
    body: FileBody,
    fullpath: str,
    st: os.stat_result,
    byte_range: tuple[int, int] | None,
    no_cache: bool,
) -> FileResponse:
    content_type, encoding = _guess_type(fullpath)
    try:
        response = _FileResponse(body, content_type=content_type)
    except BadHeaderError:
        # Django < 5.0 cannot quote a CR or LF of the file name in Content-Disposition.
        body.name = ""
        response = _FileResponse(body, content_type=content_type)
    response.block_size = BLOCK_SIZE
    response["Content-Length"] = str(body.remaining)
    response["Last-Modified"] = last_modified(st)
    if encoding:
        response["Content-Encoding"] = encoding
    response["Accept-Ranges"] = "bytes"
    if byte_range is not None:
        response.status_code = 206
        end = body.position + body.remaining - 1
        response["Content-Range"] = f"bytes {body.position}-{end}/{st.st_size}"
    if no_cache:
        _add_no_cache_headers(response, etag_for(st), response["Last-Modified"])
    return response


def _version(st: os.stat_result) -> tuple[int, int, int]:
    return st.st_ino, st.st_mtime_ns, st.st_size


def _early_response(
    request: HttpRequest, st: os.stat_result, no_cache: bool
) -> tuple[HttpResponseBase | None, tuple[int, int] | None]:
    """A ``304``/``412``/``416`` decided from validators and ``Range`` alone, or the range."""
    etag = etag_for(st) if no_cache else None
    early = _conditional_response(request, st, etag, no_cache)
    byte_range = None
    meta = request.META
    if (
        early is None
        and request.method == "GET"
        and "HTTP_RANGE" in meta
        and if_range_allows(meta.get("HTTP_IF_RANGE"), etag, last_modified(st))
    ):
        parsed = parse_range(meta["HTTP_RANGE"], st.st_size)
        if parsed is UNSATISFIABLE:
            early = HttpResponse(status=416)
            early["Content-Range"] = f"bytes */{st.st_size}"
        elif isinstance(parsed, tuple):
            byte_range = parsed
    if early is not None and no_cache:
        _add_no_cache_headers(early, etag, last_modified(st))
    return early, byte_range


def _conditional_response(
    request: HttpRequest, st: os.stat_result, etag: str | None, no_cache: bool
) -> HttpResponseBase | None:
    """A ``304`` (or ``412``) when the request's validators say so, else ``None``."""
    if no_cache:
        return get_conditional_response(request, etag=etag, last_modified=int(st.st_mtime))
    # Switch off: exactly Django's rule, one-second resolution and all.
    if not was_modified_since(request.META.get("HTTP_IF_MODIFIED_SINCE"), st.st_mtime):
        return HttpResponseNotModified()
    return None


def _add_no_cache_headers(
    response: HttpResponseBase, etag: str | None, last_modified: str
) -> None:
    response["Cache-Control"] = NO_CACHE
    if etag is not None:
        response["ETag"] = etag
    response["Last-Modified"] = last_modified


def _new_record(request: HttpRequest, entry_point: str, url: str) -> ServedRecord:
    meta = request.META
    return {
        "time": time.time(),
        "path": clip(url),
        "status": 0,
        "bytes_sent": 0,
        "duration_ms": 0.0,
        "entry_point": entry_point,
        "session": state.session_digest(state.session_key(request)),
        "request_headers": {name: clip(meta[key]) for name, key in _REQUEST_META if key in meta},
        "response_headers": {},
        "root": None,
        "file": None,
        "mtime_ns": None,
        "size": None,
    }


def _closed(
    log: Log[ServedRecord], record: ServedRecord, status: int, started: float, sent: int
) -> None:
    _finish(record, status, started, sent)
    if not log.live:
        log.add(record)


def _finish(record: ServedRecord, status: int, started: float, sent: int = 0) -> None:
    record["status"] = status
    record["bytes_sent"] = sent
    record["duration_ms"] = round((time.perf_counter() - started) * 1000, 3)
