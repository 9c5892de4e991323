"""A file's validators, made here only: responses send them, the panel compares with them."""

from __future__ import annotations

import os
from functools import lru_cache

from django.utils.http import http_date


def etag_for(st: os.stat_result) -> str:
    """A strong validator that changes with any write, even within one second."""
    return f'"{st.st_mtime_ns:x}-{st.st_size:x}"'


# This package's ETag: the mtime in nanoseconds, then the size, in hex. Another
# server's (WhiteNoise's: the mtime in seconds) may share its shape, never its value.
_OUR_ETAG_MIN_MTIME = 10**15


def is_our_etag(etag: str) -> bool:
    """Did ``etag_for`` make this ETag?"""
    mtime, _sep, size = etag.strip('"').partition("-")
    try:
        int(size, 16)  # hex, as ours is
        return int(mtime, 16) >= _OUR_ETAG_MIN_MTIME
    except ValueError:
        return False


def last_modified(st: os.stat_result) -> str:
    """``Last-Modified`` for a file: its mtime, to the second, as ``http_date`` gives it."""
    return http_date_for(int(st.st_mtime))


@lru_cache(maxsize=4096)
def http_date_for(seconds: int) -> str:
    """``django.utils.http.http_date``, remembered: a page's files share a few mtimes."""
    return http_date(seconds)
