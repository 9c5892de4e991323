"""Real servers next to the packages projects run, installed from PyPI: WhiteNoise,
daphne + channels, django-extensions' runserver_plus, gunicorn, uvicorn; a project's
own media view; a sub-path behind a stripping proxy; ASGI behind sync-only middleware."""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.support.files import write
from tests.support.live import (
    REPO,
    Browser,
    Command,
    LiveServer,
    download_watching_memory,
    gunicorn,
    run_server,
    runserver,
    stripping_proxy,
    uvicorn,
)

CSS = b"body { color: red }\n"


@contextmanager
def started(
    with_: str, command: Command = runserver, args: tuple[str, ...] = ()
) -> Iterator[LiveServer]:
    with run_server(env={"NOCACHE_WITH": with_}, command=command, extra_args=args) as server:
        write(server.static_source / "site.css", CSS)
        write(server.media_root / "photo.png", b"\x89PNG public")
        write(server.media_root / "private" / "payslip.pdf", b"%PDF secret")
        yield server


def _static_off_and_on(server: LiveServer) -> tuple[dict[str, str], dict[str, str]]:
    browser = Browser(server.url)
    assert browser.set_switch(False).status == 200
    off = browser.request("/static/site.css")
    assert browser.set_switch(True).status == 200
    on = browser.request("/static/site.css")
    assert off.status == on.status == 200
    assert off.body == on.body == CSS
    return dict(off.headers), dict(on.headers)


# --- WhiteNoise -----------------------------------------------------------------------------

WHITENOISE_SETUPS = {
    # ours before WhiteNoise's middleware, whitenoise.runserver_nostatic after our app
    "documented": ("whitenoise,runserver-nostatic", runserver),
    # whitenoise.runserver_nostatic first: its runserver extends ours
    "nostatic-first": ("whitenoise,runserver-nostatic-first", runserver),
    # no runserver_nostatic, no NoCacheMiddleware: our runserver handler defers
    "middleware-alone": ("whitenoise-alone", runserver),
    "gunicorn": ("whitenoise", gunicorn("tests.project.wsgi:application")),
}


@pytest.mark.parametrize("setup", sorted(WHITENOISE_SETUPS))
def test_whitenoise_serves_with_the_switch_off_and_we_serve_with_it_on(setup: str) -> None:
    with_, command = WHITENOISE_SETUPS[setup]
    with started(with_, command) as server:
        off, on = _static_off_and_on(server)
        assert "nocache_panel" not in server.log()  # no check warned
    assert off["Access-Control-Allow-Origin"] == "*"  # WhiteNoise's own headers
    assert "no-cache" not in off.get("Cache-Control", "")
    assert on["Cache-Control"] == "no-cache"
    assert "Access-Control-Allow-Origin" not in on
    assert on["X-Content-Type-Options"] == "nosniff"


def test_whitenoise_middleware_before_ours_is_named_by_a_check() -> None:
    with started("whitenoise-before-ours,runserver-nostatic") as server:
        _off, on = _static_off_and_on(server)
        assert "nocache_panel.W006" in server.log()
    assert "no-cache" not in on.get("Cache-Control", "")  # what the check warns about


# --- daphne and channels --------------------------------------------------------------------


def websocket_echo(url: str, path: str, text: str) -> str:
    """Open a websocket, send one text frame, return the text frame that comes back."""
    port = int(url.rsplit(":", 1)[1])
    key = base64.b64encode(os.urandom(16)).decode()
    with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
        sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        stream = sock.makefile("rb")
        status = stream.readline()
        assert b" 101 " in status, status
        while stream.readline() not in (b"\r\n", b""):
            pass
        payload, mask = text.encode(), os.urandom(4)
        masked = bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload))
        sock.sendall(bytes([0x81, 0x80 | len(payload)]) + mask + masked)
        opcode, length = stream.read(2)
        assert opcode == 0x81
        assert length < 126
        return stream.read(length).decode()


def test_with_daphne_after_us_its_server_runs_and_files_get_the_switch() -> None:
    with started("daphne") as server:
        assert "Starting ASGI/Daphne" in server.log()
        assert websocket_echo(server.url, "/ws/echo/", "hello") == "echo: hello"
        off, on = _static_off_and_on(server)
        media = Browser(server.url).request("/media/photo.png")
        assert "nocache_panel" not in server.log()
    assert "Cache-Control" not in off
    assert on["Cache-Control"] == "no-cache"
    assert media.status == 200
    assert media.body == b"\x89PNG public"


def test_with_daphne_first_a_check_names_it_and_the_fix() -> None:
    with started("daphne-first") as server:
        assert "Starting ASGI/Daphne" in server.log()
        _off, on = _static_off_and_on(server)
        log = server.log()
    assert "nocache_panel.W001" in log
    assert "List 'nocache_panel' before 'daphne'" in log
    assert "Cache-Control" not in on  # daphne's static handler: what the check warns about


# --- django-extensions' runserver_plus ------------------------------------------------------


def runserver_plus(port: int, extra_args: tuple[str, ...]) -> list[str]:
    # With its reloader: django-extensions 4.1's --noreload fails on Werkzeug 3.1
    # (KeyError: 'WERKZEUG_SERVER_FD'). `timeout` stops the whole process group.
    return [sys.executable, "-m", "django", "runserver_plus", f"127.0.0.1:{port}",
            "--nopin", *extra_args]  # fmt: skip


def test_runserver_plus_with_nostatic_serves_through_our_middleware() -> None:
    with started("django-extensions", runserver_plus, ("--nostatic",)) as server:
        off, on = _static_off_and_on(server)
        assert "nocache_panel" not in server.log()
    assert "Cache-Control" not in off
    assert on["Cache-Control"] == "no-cache"


def test_runserver_plus_with_its_static_handler_is_named_by_a_check() -> None:
    with started("django-extensions", runserver_plus) as server:
        _off, on = _static_off_and_on(server)
        log = server.log()
    assert "nocache_panel.W005" in log
    assert "runserver_plus --nostatic" in log
    assert "Cache-Control" not in on


# --- a project's own view under MEDIA_URL ---------------------------------------------------

ENTRY_POINTS = {
    "runserver": runserver,
    "gunicorn": gunicorn("tests.project.wsgi:application"),
    "uvicorn": uvicorn,
}


@pytest.mark.parametrize("server_name", sorted(ENTRY_POINTS))
def test_a_login_required_media_view_is_left_to_the_project(server_name: str) -> None:
    with started("", ENTRY_POINTS[server_name]) as server:
        browser = Browser(server.url)
        assert browser.set_switch(True).status == 200
        private = browser.request("/media/private/payslip.pdf")
        public = browser.request("/media/photo.png")
    assert private.status == 302
    assert private.headers["Location"].startswith("/accounts/login/")
    assert b"secret" not in private.body
    assert public.status == 200
    assert public.headers["Cache-Control"] == "no-cache"


# --- a sub-path -------------------------------------------------------------------------------


def test_under_a_sub_path_behind_a_stripping_proxy_files_and_pages_work() -> None:
    with started("sub-path") as server, stripping_proxy(server.url, "/app") as proxy:
        browser = Browser(proxy)
        page = browser.request("/app/")
        assert page.status == 200
        assert b'href="/app/static/site.css"' in page.body
        for path in ("/app/static/site.css", "/app/media/photo.png"):
            assert browser.request(path).status == 200, path
        # Directly on runserver, without the proxy, the prefixed paths are served too.
        direct = Browser(server.url).request("/app/static/site.css")
        assert direct.status == 200
        assert direct.body == CSS


# --- ASGI behind a sync-only middleware -----------------------------------------------------

MIB = 1024 * 1024


@pytest.mark.parametrize("server_name", ["uvicorn", "daphne"])
def test_a_64_mib_file_streams_under_asgi_whatever_the_middleware(server_name: str) -> None:
    command = uvicorn if server_name == "uvicorn" else runserver
    with_ = "sync-only-middleware" + (",daphne" if server_name == "daphne" else "")
    with started(with_, command) as server:
        with (server.media_root / "big.bin").open("wb") as handle:
            handle.truncate(64 * MIB)
        download = download_watching_memory(server, "/media/big.bin")
        log = server.log()
    assert download.received == 64 * MIB
    assert "synchronous iterators" not in log
    if server_name == "daphne":
        assert "Starting ASGI/Daphne" in log
    assert download.growth_mib < 32, f"the server's peak RSS grew by {download.growth_mib:.1f} MiB"


def test_help_runserver_says_what_it_serves_next_to_whitenoise() -> None:
    """whitenoise.runserver_nostatic turns --nostatic on: the help says so, once, plainly."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.project.settings",
        "PYTHONPATH": str(REPO),
    }
    helps = {}
    for companions in ("", "runserver-nostatic"):
        helps[companions] = subprocess.run(
            [sys.executable, "-m", "django", "help", "runserver"],
            env={**env, "NOCACHE_WITH": companions},
            capture_output=True,
            text=True,
            check=True,
            cwd=REPO,
        ).stdout
    alone, whitenoise = helps[""], helps["runserver-nostatic"]
    assert "serves static files (STATIC_URL) and media (MEDIA_URL)" in " ".join(alone.split())
    flat = " ".join(whitenoise.split())
    assert "Static files are left to WhiteNoise" in flat
    assert "also serves static files" not in flat
    assert "Wrapped by" not in flat
    assert "Media at MEDIA_URL is still served while DEBUG is on" in flat
