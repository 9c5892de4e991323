"""The bounded logs of served static and media requests and of page visits.

In this process by default; in the shared Django cache when
``NOCACHE_PANEL["CACHE"]`` names one, so that every worker process sees
what any of them served.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypedDict, TypeVar

from django.core.signals import setting_changed
from django.dispatch import receiver

from ..conf import get_config
from ..serving.body import FileBody, milliseconds_since
from . import shared_cache
from .choice import session_digest, session_key

if TYPE_CHECKING:
    import os

    from django.http import HttpRequest
    from django.http.response import HttpResponseBase

    from ..serving.locate import Located


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
_REQUEST_META = tuple((name, "HTTP_" + name.upper().replace("-", "_")) for name in REQUEST_HEADERS)


class PageVisit(TypedDict):
    """A page the toolbar ran for: where that page's file requests start."""

    session: str | None
    url: str  # path and query, as a Referer names it
    time: float


Item = TypeVar("Item")


class BoundedLog(Generic[Item]):
    """Keeps the newest ``maxlen`` items; safe to use from many threads."""

    # The items are these very objects: a record completed later (bytes sent,
    # once its body closed) is seen completed.
    live = True

    def __init__(self, maxlen: int) -> None:
        self._records: deque[Item] = deque(maxlen=maxlen)
        # The deque's own methods are atomic (the GIL, or their critical sections in
        # free-threaded builds): an append per request needs no lock of ours.
        self.add: Callable[[Item], None] = self._records.append

    @property
    def maxlen(self) -> int:
        return self._records.maxlen or 0

    def snapshot(self) -> list[Item]:
        """A copy, oldest first, that later additions do not change."""
        return list(self._records.copy())

    def clear(self) -> None:
        self._records.clear()

    def __len__(self) -> int:
        return len(self._records)


class SharedLog(Generic[Item]):
    """The same bound, in the shared cache (see ``shared_cache.CacheStore`` for how)."""

    # Items are copies: a record is added once complete.
    live = False

    def __init__(self, name: str, maxlen: int) -> None:
        self.name = name
        self.maxlen = maxlen

    def add(self, item: Item) -> None:
        store = shared_cache.shared_store()
        if store is not None:
            shared_cache.writer.submit(store, self.name, self.maxlen, item)

    def snapshot(self) -> list[Item]:
        store = shared_cache.shared_store()
        if store is None:
            return []
        shared_cache.writer.flush()  # this process's own items first
        return shared_cache.guarded(lambda: store.read(self.name, self.maxlen), [])

    def clear(self) -> None:
        store = shared_cache.shared_store()
        if store is not None:
            shared_cache.guarded(lambda: store.clear(self.name, self.maxlen), None)

    def __len__(self) -> int:
        return len(self.snapshot())


Log = BoundedLog[Item] | SharedLog[Item]
PAGE_VISITS = 200
_logs: dict[str, Any] = {}
_logs_lock = threading.Lock()


def served_log() -> Log[ServedRecord]:
    """The log of served files, sized by ``NOCACHE_PANEL["MAX_RECORDS"]``."""
    return _log("served", int(get_config()["MAX_RECORDS"]))  # type: ignore[no-any-return]


def page_log() -> Log[PageVisit]:
    """The recent pages the toolbar ran for, per browser session."""
    return _log("pages", PAGE_VISITS)  # type: ignore[no-any-return]


def _log(name: str, maxlen: int) -> Any:
    found = _logs.get(name)
    if found is None:
        with _logs_lock:
            found = _logs.get(name)
            if found is None:
                shared_log = get_config()["CACHE"] is not None
                found = SharedLog(name, maxlen) if shared_log else BoundedLog(maxlen)
                _logs[name] = found
    return found


@receiver(setting_changed)
def _resize_log(*, setting: str, **kwargs: Any) -> None:
    if setting in {"NOCACHE_PANEL", "CACHES"}:
        with _logs_lock:
            _logs.clear()
        shared_cache.reset()


def log_served(
    request: HttpRequest,
    url: str,
    entry_point: str,
    started: float,
    response: HttpResponseBase | None,
    response_headers: dict[str, str],
    located: Located | None,
    st: os.stat_result | None,
) -> None:
    """Log one served request (``response`` ``None``: a 404 raised to the project), with
    those of its headers the log keeps (``RESPONSE_HEADERS``).

    A streamed file's record is completed when the server closes its body:
    bytes sent and the full duration are known only then.
    """
    meta = request.META
    short = located is not None and len(located.relative) <= MAX_VALUE  # longer: not kept
    body = getattr(response, "file_to_stream", None)
    if not isinstance(body, FileBody):
        body = None
    record: ServedRecord = {
        "time": time.time(),
        "path": clip(url),
        "status": response.status_code if response is not None else 404,
        "bytes_sent": 0,
        "duration_ms": 0.0 if body is not None else milliseconds_since(started),  # else: closed
        "entry_point": entry_point,
        "session": session_digest(session_key(request)),
        "request_headers": {name: clip(meta[key]) for name, key in _REQUEST_META if key in meta},
        "response_headers": response_headers,
        "root": located.root if short and located else None,
        "file": located.relative if short and located else None,
        "mtime_ns": st.st_mtime_ns if st is not None else None,
        "size": st.st_size if st is not None else None,
    }
    log = served_log()
    if body is not None:
        # The body completes it when closed (not a closure over the response: a
        # dropped response must be freed at once).
        body.record, body.started = record, started  # type: ignore[assignment]
        if not log.live:
            body.on_complete = log.add  # type: ignore[assignment]
    if log.live or body is None:
        log.add(record)  # a shared log takes copies: it gets this one when complete
