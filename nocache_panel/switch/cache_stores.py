"""Where the shared log and switch live in a Django cache: one store a kind of cache.

``CacheStore`` works with any cache; ``FileCacheStore`` and ``RedisStore`` make
the file-based and Redis caches exact and cheap.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache

if TYPE_CHECKING:
    from django.core.cache.backends.base import BaseCache

try:
    import fcntl
except ImportError:  # Windows: the file-based cache's incr stays as it is
    fcntl = None  # type: ignore[assignment]

KEY_PREFIX = "nocache_panel:"
# Logged items expire unread after a day; a switch choice after an hour unread
# (then the session, which holds it, is read again).
ITEM_SECONDS = 24 * 3600
CHOICE_SECONDS = 3600
UNKNOWN: Any = object()  # the cache holds no choice for this session


def key(*parts: Any) -> str:
    """A key of this project's: two projects on one cache (one Redis database, the same
    ``KEY_PREFIX``) keep their logs and switches apart."""
    return f"{KEY_PREFIX}{_project(settings.SECRET_KEY)}:" + ":".join(str(p) for p in parts)


@lru_cache(maxsize=4)
def _project(secret_key: str) -> str:
    return hashlib.sha256(f"nocache_panel:{secret_key}".encode()).hexdigest()[:12]


class CacheStore:
    """Bounded logs and switch choices on any Django cache.

    A counter numbers each item (atomically where the cache's ``incr`` is);
    item ``n`` lives in slot ``n % maxlen`` with its number, so a reader takes
    the newest ``maxlen`` numbers and skips slots already reused. On a cache
    without an atomic ``incr`` two processes may take one number, and one of
    the two items is lost: never an error.
    """

    def __init__(self, cache: BaseCache) -> None:
        self.cache = cache

    def push(self, name: str, maxlen: int, item: Any) -> None:
        number = self._next_number(key(name, "count"))
        self.cache.set(key(name, number % maxlen), (number, item), ITEM_SECONDS)

    def _next_number(self, counter: str) -> int:
        try:
            return int(self.cache.incr(counter))
        except ValueError:  # not there yet
            self.cache.add(counter, 0, timeout=None)
            return int(self.cache.incr(counter))

    def read(self, name: str, maxlen: int) -> list[Any]:
        newest = self.cache.get(key(name, "count")) or 0
        oldest = max(1, newest - maxlen + 1)
        numbers = {key(name, n % maxlen): n for n in range(oldest, newest + 1)}
        found = self.cache.get_many(list(numbers))
        current = sorted(
            value for slot, value in found.items()
            if isinstance(value, tuple) and value[0] == numbers[slot]
        )  # fmt: skip
        return [item for _number, item in current]

    def clear(self, name: str, maxlen: int) -> None:
        self.cache.delete_many([key(name, "count"), *(key(name, n) for n in range(maxlen))])

    def get_choice(self, name: str) -> Any:
        return self.cache.get(key("choice", name), UNKNOWN)

    def set_choice(self, name: str, choice: bool | None) -> None:
        self.cache.set(key("choice", name), choice, CHOICE_SECONDS)

    def announces_flips(self, on_flip: Callable[[], None]) -> bool:
        return False  # a generic cache cannot tell: choices are read on every request


class FileCacheStore(CacheStore):
    """Django's file-based cache, whose ``incr`` (a read, then a write) is made atomic
    with a lock file among its entries: exact for the processes of one machine, which
    are the ones that share its folder."""

    def __init__(self, cache: FileBasedCache) -> None:
        super().__init__(cache)
        self.lock_path = os.path.join(cache._dir, "nocache_panel.lock")  # type: ignore[attr-defined]

    def _next_number(self, counter: str) -> int:
        os.makedirs(os.path.dirname(self.lock_path), exist_ok=True)
        with open(self.lock_path, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
            return super()._next_number(counter)


class RedisStore:
    """The same on Django's Redis cache, one round trip each: a capped list per log.

    It talks to Redis through the cache's own connection pool, with one
    client kept for the process: Django's cache API builds a new client for
    every call, which costs more than the call itself.
    """

    # Push, trim to the bound, refresh the expiry: atomic, and one command.
    PUSH = """
        redis.call('LPUSH', KEYS[1], ARGV[1])
        redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[2]) - 1)
        return redis.call('EXPIRE', KEYS[1], ARGV[3])
    """

    def __init__(self, cache: RedisCache) -> None:
        self.cache = cache
        # Django's RedisCacheClient (since Django 4.0): its pool, its options.
        self.client = cache._cache.get_client(write=True)
        self._push = self.client.register_script(self.PUSH)
        self._channel = cache.make_key(key("flips"))
        self._listener_pid = 0
        self._listening = False

    def push(self, name: str, maxlen: int, item: Any) -> None:
        slot = self.cache.make_key(key(name))
        self._push(keys=[slot], args=[json.dumps(item), maxlen, ITEM_SECONDS])

    def read(self, name: str, maxlen: int) -> list[Any]:
        newest_first = self.client.lrange(self.cache.make_key(key(name)), 0, maxlen - 1)
        return [json.loads(item) for item in reversed(newest_first)]

    def clear(self, name: str, maxlen: int) -> None:
        self.client.delete(self.cache.make_key(key(name)))

    def get_choice(self, name: str) -> Any:
        found = self.client.get(self.cache.make_key(key("choice", name)))
        if found is None:
            return UNKNOWN
        return _CHOICES.get(found.decode() if isinstance(found, bytes) else found, UNKNOWN)

    def set_choice(self, name: str, choice: bool | None) -> None:
        stored = {True: "1", False: "0", None: "-"}[choice]
        with self.client.pipeline(transaction=False) as pipe:
            pipe.set(self.cache.make_key(key("choice", name)), stored, ex=CHOICE_SECONDS)
            pipe.publish(self._channel, name)  # every process forgets what it remembered
            pipe.execute()

    def announces_flips(self, on_flip: Callable[[], None]) -> bool:
        """Is this process told of every flip, so that it may remember choices a while?

        A thread listens on a channel the flips are published to, and calls
        ``on_flip`` for each (and whenever it lost the channel, which may have
        missed one). Without it, choices are read from Redis on every request.
        """
        if self._listener_pid != os.getpid():  # first use, or a forked worker
            with _starting[0]:  # many first requests at once: one listener
                if self._listener_pid != os.getpid():
                    self._listening = False
                    threading.Thread(
                        target=self._listen, args=(on_flip,), name="nocache_panel flips",
                        daemon=True,
                    ).start()  # fmt: skip
                    self._listener_pid = os.getpid()
        return self._listening

    def _listen(self, on_flip: Callable[[], None]) -> None:
        while True:
            try:
                pubsub = self.client.pubsub()  # type: ignore[no-untyped-call]
                pubsub.subscribe(self._channel)
                while True:
                    message = pubsub.get_message(timeout=1.0)
                    if message is not None and message["type"] == "subscribe":
                        on_flip()  # anything remembered so far may predate a missed flip
                        self._listening = True
                    elif message is not None:
                        on_flip()
            except Exception:  # Redis went away: read choices per request until it is back
                self._listening = False
                on_flip()
            time.sleep(1.0)


# One listener a process; a lock held at a fork stays held in the child: a new one.
_starting = [threading.Lock()]
os.register_at_fork(after_in_child=lambda: _starting.__setitem__(0, threading.Lock()))

Store = CacheStore | RedisStore
_CHOICES: dict[str, bool | None] = {"1": True, "0": False, "-": None}


def store_for(cache: BaseCache) -> Store:
    """The store for a cache: the most exact and cheapest its backend allows."""
    if isinstance(cache, RedisCache):
        return RedisStore(cache)
    if isinstance(cache, FileBasedCache) and fcntl is not None:
        return FileCacheStore(cache)
    return CacheStore(cache)
