"""NoCacheMiddleware (any WSGI/ASGI server) and the runserver command's handler."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from debug_toolbar.store import get_store
from django.conf import settings
from django.core.checks import run_checks
from django.core.handlers.wsgi import WSGIHandler
from django.test import AsyncClient, Client, override_settings

from nocache_panel.management.commands.runserver import Command as Runserver
from nocache_panel.serving.runserver_handlers import NoCacheFilesHandler
from nocache_panel.switch.log import served_log
from tests.support.files import switch_on, write


@pytest.fixture
def internal(db: None) -> Client:
    """A browser on an INTERNAL_IPS address: the toolbar runs for its pages."""
    return Client()


def _page_request_ids(client: Client) -> list[str]:
    response = client.get("/")
    assert response.status_code == 200
    return list(get_store().request_ids())


def test_media_and_static_via_the_middleware_skip_the_toolbar(
    internal: Client, media_root: Path, static_source: Path
) -> None:
    for number in range(30):
        write(media_root / f"img{number}.png", b"\x89PNG %d" % number)
    write(static_source / "site.css", b"h1 {}")
    ids = _page_request_ids(internal)
    page_id = ids[-1]

    for number in range(30):
        response = internal.get(f"/media/img{number}.png")
        assert response.status_code == 200
        assert "djdt-request-id" not in response
        assert "Server-Timing" not in response
    assert internal.get("/static/site.css").status_code == 200

    assert list(get_store().request_ids()) == ids  # nothing new in the History
    assert get_store().exists(page_id)
    panel = internal.get(
        "/__debug__/render_panel/", {"request_id": page_id, "panel_id": "NoCachePanel"}
    )
    assert "isn't available anymore" not in panel.json()["content"]
    assert {r["entry_point"] for r in served_log().snapshot()} == {"middleware"}


def test_control_the_url_helper_route_runs_the_toolbar_and_evicts_the_page(
    internal: Client, media_root: Path
) -> None:
    # What the middleware avoids: files routed through the URLconf are toolbar runs.
    write(media_root / "img.png", b"\x89PNG")
    page_id = _page_request_ids(internal)[-1]
    for number in range(30):
        assert internal.get(f"/files/img.png?n={number}").status_code == 200
    assert not get_store().exists(page_id)


def test_the_middleware_honours_the_switch(db: None, static_source: Path) -> None:
    write(static_source / "site.css", b"h1 {}")
    assert "Cache-Control" not in Client().get("/static/site.css")
    on = switch_on(Client()).get("/static/site.css")
    assert on["Cache-Control"] == "no-cache"
    assert "ETag" in on


def test_the_middleware_refuses_other_methods(db: None, static_source: Path) -> None:
    write(static_source / "site.css", b"h1 {}")
    response = Client().post("/static/site.css")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert Client().head("/static/site.css").status_code == 200


def test_the_middleware_steps_aside_when_debug_is_off(db: None, static_source: Path) -> None:
    write(static_source / "site.css", b"h1 {}")
    with override_settings(DEBUG=False):
        assert Client().get("/static/site.css").status_code == 404
    assert served_log().snapshot() == []


def test_missing_static_file_is_a_404_from_the_middleware(db: None) -> None:
    response = Client().get("/static/nope.css")
    assert response.status_code == 404
    assert [r["status"] for r in served_log().snapshot()] == [404]


def test_traversal_through_the_middleware_is_refused(db: None, media_root: Path) -> None:
    write(Path(settings.SCRATCH) / "secret.txt", b"secret")
    for attempt in (
        "/media/../secret.txt",
        "/media/%2e%2e/secret.txt",
        "/media/..%252fsecret.txt",
    ):
        response = Client().get(attempt)
        assert response.status_code in (400, 404)


def _get_async(path: str) -> tuple[Any, bytes]:
    """A GET through Django's ASGI handler (the async test client), its body read."""

    async def fetch() -> tuple[Any, bytes]:
        response = await AsyncClient().get(path)
        body = b"".join([chunk async for chunk in response.streaming_content])
        return response, body

    return async_to_sync(fetch)()


@pytest.mark.django_db(transaction=True)
def test_the_middleware_serves_under_asgi(media_root: Path) -> None:
    data = os.urandom(300 * 1024)
    write(media_root / "clip.mp4", data)
    response, body = _get_async("/media/clip.mp4")
    assert response.status_code == 200
    assert response.is_async  # streamed, not read whole
    assert body == data
    assert served_log().snapshot()[-1]["entry_point"] == "middleware"


@pytest.mark.django_db(transaction=True)
def test_a_small_file_read_whole_is_served_under_asgi(media_root: Path) -> None:
    data = os.urandom(2048)
    write(media_root / "icon.png", data)
    response, body = _get_async("/media/icon.png")
    # An async body, or Django's handler would warn (an error in this suite).
    assert response.is_async
    assert body == data
    assert served_log().snapshot()[-1]["bytes_sent"] == len(data)


def _handler(*, nostatic: bool = False, insecure: bool = False) -> object:
    command = Runserver()
    return command.get_handler(use_static_handler=not nostatic, insecure_serving=insecure)


def test_runserver_serves_static_and_media_through_the_core() -> None:
    handler = _handler()
    assert isinstance(handler, NoCacheFilesHandler)
    assert [m.prefix for m in handler.mounts] == ["/static/", "/media/"]


def test_runserver_nostatic_keeps_only_media() -> None:
    handler = _handler(nostatic=True)
    assert isinstance(handler, NoCacheFilesHandler)
    assert [m.prefix for m in handler.mounts] == ["/media/"]


def test_runserver_with_debug_off_serves_nothing_unless_insecure() -> None:
    with override_settings(DEBUG=False):
        plain = _handler()
        assert isinstance(plain, WSGIHandler)
        assert not isinstance(plain, NoCacheFilesHandler)
        insecure = _handler(insecure=True)
        assert isinstance(insecure, NoCacheFilesHandler)
        assert [m.prefix for m in insecure.mounts] == ["/static/"]


def test_runserver_comes_from_this_app() -> None:
    from django.core.management import get_commands

    assert get_commands()["runserver"] == "nocache_panel"


def test_a_check_warns_when_staticfiles_is_listed_first() -> None:
    apps_order = [a for a in settings.INSTALLED_APPS if a != "nocache_panel"] + ["nocache_panel"]
    with override_settings(INSTALLED_APPS=apps_order):
        ids = [message.id for message in run_checks()]
    assert "nocache_panel.W001" in ids
    assert "nocache_panel.W001" not in [message.id for message in run_checks()]
