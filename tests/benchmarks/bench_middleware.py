"""A media request via NoCacheMiddleware with the toolbar active, in one run, against:

- django.views.static.serve without the toolbar (target: at most 1.25x);
- django.views.static.serve routed by the URLconf with the toolbar active
  (what ``static(MEDIA_URL, ...)`` costs today).

    python -m tests.benchmarks.bench_middleware
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.benchmarks.benchutil import compare, report, setup_django

setup_django()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402

from nocache_panel.switch.log import BoundedLog, served_log  # noqa: E402

OUTSIDE = "192.0.2.10"  # not in INTERNAL_IPS: the toolbar stays off


def fetch(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    for _ in response.streaming_content:
        pass
    response.close()


@dataclass
class Clients:
    """The requests compared, each a callable that fetches one file."""

    via_middleware: Callable[[], None]
    via_middleware_switched_on: Callable[[], None]
    plain_serve: Callable[[], None]
    serve_with_toolbar: Callable[[], None]


def prepare() -> Clients:
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    from tests.support.files import switch_on

    setup_test_environment()
    data = b"\x89PNG" + b"\x00" * 20_000
    for root in (Path(settings.MEDIA_ROOT), Path(settings.DOCROOT)):
        (root / "avatar.png").write_bytes(data)
    call_command("migrate", verbosity=0)  # the scratch database holds the sessions
    toolbar_browser = Client()  # 127.0.0.1, in INTERNAL_IPS
    switched_on_browser = switch_on(Client())
    plain_browser = Client(REMOTE_ADDR=OUTSIDE)

    def via_middleware() -> None:
        fetch(toolbar_browser, "/media/avatar.png")
        if isinstance(served_log(), BoundedLog):  # in this process; a shared one is bounded
            served_log().clear()

    def via_middleware_switched_on() -> None:
        fetch(switched_on_browser, "/media/avatar.png")
        if isinstance(served_log(), BoundedLog):
            served_log().clear()

    return Clients(
        via_middleware=via_middleware,
        via_middleware_switched_on=via_middleware_switched_on,
        plain_serve=lambda: fetch(plain_browser, "/django/avatar.png"),
        serve_with_toolbar=lambda: fetch(toolbar_browser, "/django/avatar.png"),
    )


def main() -> None:
    clients = prepare()
    via_middleware = clients.via_middleware
    plain_serve = clients.plain_serve
    via_middleware_switched_on = clients.via_middleware_switched_on
    serve_with_toolbar = clients.serve_with_toolbar
    print("a 20 KB media file through the whole Django handler (test client)")
    report(
        "middleware + toolbar active  vs  static.serve, no toolbar",
        compare(via_middleware, plain_serve),
        target=1.25,
    )
    report(
        "same, switch on (session read from SQLite)  vs  no toolbar",
        compare(via_middleware_switched_on, plain_serve),
        target=1.25,
    )
    report(
        "static.serve + toolbar (today)  vs  static.serve, no toolbar",
        compare(serve_with_toolbar, plain_serve, rounds=5, calls=20),
    )
    report(
        "static.serve + toolbar (today)  vs  middleware + toolbar",
        compare(serve_with_toolbar, via_middleware, rounds=5, calls=20),
    )


if __name__ == "__main__":
    main()
