"""The Django cache every process shares (``NOCACHE_PANEL["CACHE"]``), used with care.

A cache that is down or slow must never break file serving: every call goes
through ``guarded``, which answers a default instead of raising, logs one
warning per outage, and skips the cache for a few seconds after a failure so
that a cache that times out costs one timeout, not one per request.
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from django.core.cache import caches

from ..conf import get_config
from .cache_stores import UNKNOWN, Store, store_for

__all__ = ["UNKNOWN", "Store", "guarded", "reset", "shared_store", "writer"]

T = TypeVar("T")
# After a failure the cache is left alone this long: one slow call per period, at most.
RETRY_SECONDS = 5.0
_logger = logging.getLogger("nocache_panel")
_lock = threading.Lock()
_skip_until = 0.0
_warned = False


def shared_store() -> Store | None:
    """The configured shared cache, or ``None`` to keep everything in this process."""
    alias = get_config()["CACHE"]
    if not alias:
        return None
    found = _stores.get(alias)
    if found is None:
        found = _stores[alias] = store_for(caches[alias])
    return found


_stores: dict[str, Store] = {}  # by cache alias


def guarded(call: Callable[[], T], default: T) -> T:
    """``call()``, or ``default`` when the cache fails or failed a moment ago."""
    global _skip_until, _warned
    if time.monotonic() < _skip_until:
        return default
    try:
        result = call()
    except Exception as exc:  # any backend's error: connection, timeout, pickling
        with _lock:
            _skip_until = time.monotonic() + RETRY_SECONDS
            first = not _warned
            _warned = True
        if first:
            _logger.warning(
                "The shared cache %r failed (%s: %s): files are served without it, "
                "the switch read from each session, until it answers again.",
                get_config()["CACHE"],
                type(exc).__name__,
                exc,
            )
        return default
    if _warned:
        _warned = False  # back: the next outage gets its own warning
    return result


class Writer:
    """Sends logged items to the store from a thread of its own.

    A file request then never waits for the cache: it hands its record over
    and is done. Up to ``MAX_PENDING`` items wait; past that (a cache far
    behind) new ones are dropped, as a lost record, never a slow response.
    """

    MAX_PENDING = 1000
    # A worker that exits normally (gunicorn's --max-requests) waits this long at
    # most for its last records to reach the store.
    EXIT_FLUSH_SECONDS = 2.0

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[tuple[Store, str, int, Any]] = queue.SimpleQueue()
        self._done = threading.Condition()
        self._submitted = 0
        self._written = 0
        self._pid = 0
        self._starting = threading.Lock()
        # A lock held by another thread at a fork stays held in the child: a new one.
        os.register_at_fork(after_in_child=self._forked)

    def _forked(self) -> None:
        self._starting = threading.Lock()
        self._done = threading.Condition()

    def submit(self, store: Store, name: str, maxlen: int, item: Any) -> None:
        if self._pid != os.getpid():  # first use, or a forked worker: no thread here yet
            with self._starting:  # many first requests at once: one thread
                if self._pid != os.getpid():
                    self._start()
        if self._submitted - self._written < self.MAX_PENDING:
            with self._done:
                self._submitted += 1
            self._queue.put((store, name, maxlen, item))

    def flush(self, timeout: float = 0.5) -> None:
        """Wait (a little, at most) until what this process submitted is in the store."""
        if self._pid != os.getpid():
            return  # nothing submitted here yet (the counts may be a parent's)
        with self._done:
            target = self._submitted
            self._done.wait_for(lambda: self._written >= target, timeout)

    def _start(self) -> None:
        self._queue = queue.SimpleQueue()  # the parent's items are the parent's to write
        self._submitted = self._written = 0
        threading.Thread(target=self._run, name="nocache_panel writer", daemon=True).start()
        atexit.register(self.flush, self.EXIT_FLUSH_SECONDS)
        self._pid = os.getpid()

    def _run(self) -> None:
        while True:
            guarded(partial(_push, *self._queue.get()), None)
            with self._done:
                self._written += 1
                self._done.notify_all()


def _push(store: Store, name: str, maxlen: int, item: Any) -> None:
    store.push(name, maxlen, item)


writer = Writer()


def reset() -> None:
    """Forget the stores and a past failure (tests, and a changed setting)."""
    global _skip_until, _warned
    _stores.clear()
    _skip_until = 0.0
    _warned = False
