"""A media request through NoCacheMiddleware with the toolbar shown and the log and
switch in a real Redis (``NOCACHE_PANEL["CACHE"]``), against django.views.static.serve
without the toolbar (target: at most 1.25x); and against the in-process log, for scale.

    python -m tests.benchmarks.bench_shared

Starts Debian's redis-server on a free loopback port for the run.
"""

from __future__ import annotations

import os

from tests.support.live import redis_server


def main() -> None:
    with redis_server() as (url, _process):
        os.environ["NOCACHE_SHARED_CACHE"] = url
        from tests.benchmarks.benchutil import compare, report, setup_django

        setup_django()
        from django.test import override_settings

        from tests import bench_middleware

        clients = bench_middleware.prepare()
        print(
            "a 20 KB media file through the whole Django handler (test client), Redis on loopback"
        )
        report(
            "middleware + toolbar, log in Redis  vs  static.serve, no toolbar",
            compare(clients.via_middleware, clients.plain_serve),
            target=1.25,
        )
        report(
            "same, a browser with the switch on (its choice read from Redis)",
            compare(clients.via_middleware_switched_on, clients.plain_serve),
            target=1.25,
        )
        with override_settings(NOCACHE_PANEL={"CACHE": None}):
            report(
                "middleware + toolbar, log in this process  vs  no toolbar",
                compare(clients.via_middleware, clients.plain_serve),
            )


if __name__ == "__main__":
    main()
