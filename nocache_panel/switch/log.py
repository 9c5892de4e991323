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
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypedDict, TypeVar

from django.core.signals import setting_changed
from django.dispatch import receiver

from ..conf import get_config
from ..serving.body import FileBody, milliseconds_between
from . import shared_cache
from .choice import session_digest, session_key

if TYPE_CHECKING:
    import os

    from django.http import HttpRequest

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
_IF_NONE_MATCH, _IF_MODIFIED_SINCE, _REFERER = (
    "HTTP_" + name.upper().replace("-", "_") for name in REQUEST_HEADERS
)


class PageVisit(TypedDict):
    """A page the toolbar ran for: where that page's file requests start."""

    session: str | None
    url: str  # path and query, as a Referer names it
    time: float


Item = TypeVar("Item")


class BoundedLog(Generic[Item]):
    """Keeps the newest ``maxlen`` items; safe to use from many threads.

    ``export``: what is kept is turned into items when read (the served log keeps
    what is cheapest to make on every request, and makes records when asked).
    """

    def __init__(self, maxlen: int, export: Callable[[Any], Item] | None = None) -> None:
        self._records: deque[Any] = deque(maxlen=maxlen)
        self._export = export
        # The deque's own methods are atomic (the GIL, or their critical sections in
        # free-threaded builds): an append per request needs no lock of ours.
        self.add: Callable[[Any], None] = self._records.append

    @property
    def maxlen(self) -> int:
        return self._records.maxlen or 0

    def snapshot(self) -> list[Item]:
        """A copy, oldest first, that later additions do not change."""
        kept = self._records.copy()
        return list(kept) if self._export is None else [self._export(item) for item in kept]

    def clear(self) -> None:
        self._records.clear()

    def __len__(self) -> int:
        return len(self._records)


class SharedLog(Generic[Item]):
    """The same bound, in the shared cache (see ``shared_cache.CacheStore`` for how).
    Items are copies: a record is added once complete."""

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
    return _log(  # type: ignore[no-any-return]
        "served", lambda: int(get_config()["MAX_RECORDS"]), _record
    )


def page_log() -> Log[PageVisit]:
    """The recent pages the toolbar ran for, per browser session."""
    return _log("pages", lambda: PAGE_VISITS)  # type: ignore[no-any-return]


def _log(name: str, maxlen: Callable[[], int], export: Callable[[Any], Any] | None = None) -> Any:
    """The log ``name``, made on first use (``maxlen`` read then, not on every request)."""
    found = _logs.get(name)
    if found is None:
        with _logs_lock:
            found = _logs.get(name)
            if found is None:
                shared_log = get_config()["CACHE"] is not None
                size = maxlen()
                found = SharedLog(name, size) if shared_log else BoundedLog(size, export)
                _logs[name] = found
    return found


@receiver(setting_changed)
def _resize_log(*, setting: str, **kwargs: Any) -> None:
    if setting in {"NOCACHE_PANEL", "CACHES"}:
        with _logs_lock:
            _logs.clear()
        shared_cache.reset()


class Served(NamedTuple):
    """One served request as the in-process log keeps it: what is cheapest to make on
    every request (a tuple, no dicts). ``as_record`` makes its record."""

    time: float
    path: str
    status: int
    entry_point: str
    session: str | None
    if_none_match: str  # "" when not sent
    if_modified_since: str
    referer: str
    response_headers: dict[str, str]
    root: str | None
    file: str | None
    mtime_ns: int | None
    size: int | None
    started: float  # a ``time.perf_counter()``
    ended: float | None  # when there is no body: the response was made
    body: FileBody | None  # what it streams: bytes sent and when it closed
    sent: int  # when there is no body: the bytes it held

    def as_record(self) -> ServedRecord:
        body = self.body
        ended = self.ended if body is None else body.ended
        request_values = (self.if_none_match, self.if_modified_since, self.referer)
        return {
            "time": self.time,
            "path": self.path,
            "status": self.status,
            "bytes_sent": self.sent if body is None else body.sent,
            "duration_ms": 0.0 if ended is None else milliseconds_between(self.started, ended),
            "entry_point": self.entry_point,
            "session": self.session,
            "request_headers": {
                name: value
                for name, value in zip(REQUEST_HEADERS, request_values, strict=True)
                if value
            },
            "response_headers": self.response_headers,
            "root": self.root,
            "file": self.file,
            "mtime_ns": self.mtime_ns,
            "size": self.size,
        }


def _record(kept: Served | ServedRecord) -> ServedRecord:
    """A record of the served log, from what it keeps (a record added as one, too)."""
    return kept.as_record() if isinstance(kept, Served) else kept


def log_served(
    request: HttpRequest,
    url: str,
    entry_point: str,
    started: float,
    status: int,
    body: FileBody | None,
    sent: int,
    response_headers: dict[str, str],
    located: Located | None,
    st: os.stat_result | None,
) -> None:
    """Log one served request (status 404 with no body: a 404 raised to the project),
    with those of its response's headers the log keeps (``RESPONSE_HEADERS``).

    A streamed file's bytes sent and full duration are known once the server
    closes its ``body``: the record reads them from it. ``sent``: the bytes of a
    response with no such body (a file read whole).
    """
    meta = request.META
    short = located is not None and len(located.relative) <= MAX_VALUE  # longer: not kept
    served = Served(
        time.time(),
        clip(url),
        status,
        entry_point,
        session_digest(session_key(request)),
        clip(meta.get(_IF_NONE_MATCH, "")),
        clip(meta.get(_IF_MODIFIED_SINCE, "")),
        clip(meta.get(_REFERER, "")),
        response_headers,
        located.root if short and located else None,
        located.relative if short and located else None,
        st.st_mtime_ns if st is not None else None,
        st.st_size if st is not None else None,
        started,
        None if body is not None else time.perf_counter(),
        body,
        sent,
    )
    log = served_log()
    if isinstance(log, BoundedLog):
        log.add(served)  # these very objects: a body that closes later is seen closed
    elif body is None:
        log.add(served.as_record())
    else:
        # A shared log takes copies: it gets this one once the body closed.
        body.on_complete = lambda: log.add(served.as_record())
