"""The bounded, thread-safe log of served static and media requests."""

from __future__ import annotations

import threading
from collections import deque
from typing import Any, Generic, TypedDict, TypeVar

from django.core.signals import setting_changed
from django.dispatch import receiver

from .conf import get_config


class ServedRecord(TypedDict):
    """One served request. Every value is JSON-serialisable."""

    time: float  # Unix time the response was built: the response's Date
    path: str  # the URL path and query
    status: int
    bytes_sent: int  # body bytes streamed so far; final once the response closed
    duration_ms: float  # until the body was closed (or the response built)
    entry_point: str  # "view", "middleware" or "runserver"
    session: str | None  # keyed digest of the session key, never the key
    request_headers: dict[str, str]
    response_headers: dict[str, str]
    root: str | None  # the document root it was found under
    file: str | None  # path under its document root
    mtime_ns: int | None
    size: int | None


# Stored strings are cut to this many characters, so that the log's bound in
# records is a bound in bytes too, whatever size of header a client sends.
MAX_VALUE = 1024


def clip(value: str) -> str:
    return value[:MAX_VALUE]


# What the panel shows or matches with; anything else is left out of the log.
REQUEST_HEADERS = ("If-None-Match", "If-Modified-Since", "Referer")
RESPONSE_HEADERS = ("Cache-Control", "Expires", "Last-Modified")


class PageVisit(TypedDict):
    """A page the toolbar ran for: where that page's file requests start."""

    session: str | None
    url: str  # path and query, as a Referer names it
    time: float


Item = TypeVar("Item")


class BoundedLog(Generic[Item]):
    """Keeps the newest ``maxlen`` items; safe to use from many threads."""

    def __init__(self, maxlen: int) -> None:
        self._records: deque[Item] = deque(maxlen=maxlen)
        self._lock = threading.Lock()

    @property
    def maxlen(self) -> int:
        return self._records.maxlen or 0

    def add(self, record: Item) -> None:
        with self._lock:
            self._records.append(record)

    def snapshot(self) -> list[Item]:
        """A copy, oldest first, that later additions do not change."""
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()

    def __len__(self) -> int:
        return len(self._records)


PAGE_VISITS = 200
_log: BoundedLog[ServedRecord] | None = None
_log_lock = threading.Lock()
_pages: BoundedLog[PageVisit] = BoundedLog(PAGE_VISITS)


def served_log() -> BoundedLog[ServedRecord]:
    """The process-wide log of served files, sized by ``NOCACHE_PANEL["MAX_RECORDS"]``."""
    global _log
    if _log is None:
        with _log_lock:
            if _log is None:
                _log = BoundedLog(int(get_config()["MAX_RECORDS"]))
    return _log


def page_log() -> BoundedLog[PageVisit]:
    """The recent pages the toolbar ran for, per browser session."""
    return _pages


@receiver(setting_changed)
def _resize_log(*, setting: str, **kwargs: Any) -> None:
    global _log
    if setting == "NOCACHE_PANEL":
        with _log_lock:
            _log = None
