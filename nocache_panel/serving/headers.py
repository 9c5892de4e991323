"""A file's response headers, built once per version of the file and switch state.

WhiteNoise's idea, kept honest by a stat on every request: the key is the
file's path, inode, mtime in nanoseconds and size, so an edit builds anew.
A ``304``'s headers are a subset of the ``200``'s.
"""

from __future__ import annotations

import mimetypes
import os
import threading
from typing import NamedTuple

from django.http import BadHeaderError
from django.http.response import ResponseHeaders
from django.utils.http import content_disposition_header

from ..switch.log import RESPONSE_HEADERS
from .validators import etag_for, last_modified

NO_CACHE = "no-cache"
NOSNIFF = "X-Content-Type-Options"
# Files whose headers are kept; past that, the oldest half is let go.
MAX_FILES = 4096


class FileHeaders(NamedTuple):
    etag: str | None  # only with the switch on
    last_modified: str
    full: dict[str, str]  # a whole file's 200, in the order Django's view sends them
    not_modified: dict[str, str]  # a 304's, 412's or 416's: validators with the switch on
    checked: ResponseHeaders  # ``full``, converted and validated once, as Django keeps them
    logged: dict[str, str]  # what the log keeps of ``full``
    logged_not_modified: dict[str, str]  # what it keeps of ``not_modified``

    def partial(self, start: int, length: int, size: int) -> dict[str, str]:
        """A ``206``'s: the full response's, for ``length`` bytes from ``start``."""
        headers: dict[str, str] = {}
        for name, value in self.full.items():
            headers[name] = str(length) if name == "Content-Length" else value
            if name == "Accept-Ranges":
                headers["Content-Range"] = f"bytes {start}-{start + length - 1}/{size}"
        return headers


_Version = tuple[int, int, int]
_built: dict[tuple[str, bool, bool], tuple[_Version, FileHeaders]] = {}
_lock = threading.Lock()


def headers_for(
    fullpath: str, st: os.stat_result, no_cache: bool, nosniff: bool = False
) -> FileHeaders:
    """The headers for this version of the file, built on first use.

    ``nosniff``: with ``X-Content-Type-Options``, for responses no ``SecurityMiddleware``
    sees (those of a mount).
    """
    key = (fullpath, no_cache, nosniff)
    # What tells one version of a file from another: a replace, a write, a resize.
    now: _Version = (st.st_ino, st.st_mtime_ns, st.st_size)
    found = _built.get(key)
    if found is not None and found[0] == now:
        return found[1]
    headers = _build(fullpath, st, no_cache, nosniff)
    with _lock:
        if len(_built) >= MAX_FILES:
            for old in list(_built)[: MAX_FILES // 2]:
                del _built[old]
        _built[key] = (now, headers)
    return headers


def _build(fullpath: str, st: os.stat_result, no_cache: bool, nosniff: bool) -> FileHeaders:
    content_type, encoding = mimetypes.guess_type(fullpath)
    modified = last_modified(st)
    etag = etag_for(st) if no_cache else None
    validators = (
        {"Cache-Control": NO_CACHE, "ETag": etag, "Last-Modified": modified} if etag else {}
    )
    full = {"Content-Type": content_type or "application/octet-stream"}
    # The header FileResponse derives from the file's name, as Django's view sends it.
    disposition = content_disposition_header(False, os.path.basename(fullpath))
    if disposition and _is_valid_header("Content-Disposition", disposition):
        full["Content-Disposition"] = disposition
    full["Content-Length"] = str(st.st_size)
    full["Last-Modified"] = modified
    if encoding:
        full["Content-Encoding"] = encoding
    full["Accept-Ranges"] = "bytes"
    if nosniff:
        validators[NOSNIFF] = "nosniff"
    full.update(validators)
    return FileHeaders(
        etag,
        modified,
        full,
        validators,
        ResponseHeaders(full),
        _logged(full),
        _logged(validators),
    )


def _logged(headers: dict[str, str]) -> dict[str, str]:
    return {name: headers[name] for name in RESPONSE_HEADERS if name in headers}


def _is_valid_header(name: str, value: str) -> bool:
    # Django < 5.0 cannot quote a CR or LF of a file name: no Content-Disposition then.
    try:
        ResponseHeaders({name: value})
    except BadHeaderError:
        return False
    return True
