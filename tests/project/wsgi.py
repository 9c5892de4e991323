"""The test project as a WSGI application, for servers other than runserver."""

from __future__ import annotations

import os
import time

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()

if slow := float(os.environ.get("NOCACHE_SLOW_REDIS_WRITES", "0")):
    # A Redis far away: each record takes a while to write, so a worker that exits
    # leaves some queued (tests/live/test_shared_cache_live.py).
    from nocache_panel.switch.cache_stores import RedisStore

    push = RedisStore.push

    def slow_push(self: RedisStore, *args: object) -> None:
        time.sleep(slow)
        push(self, *args)  # type: ignore[arg-type]

    RedisStore.push = slow_push  # type: ignore[method-assign]


def whitenoise_outside_django() -> object:
    """WhiteNoise wrapping the WSGI application, for the benchmark's sense of scale."""
    from django.conf import settings
    from whitenoise import WhiteNoise

    return WhiteNoise(application, root=settings.STATIC_SOURCE, prefix="static/")
