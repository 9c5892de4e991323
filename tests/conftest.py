from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from nocache_panel.switch.choice import SESSION_KEY, forget_choices
from nocache_panel.switch.log import served_log

from .engines import ENGINES, Engine, launcher, virtual_display


@pytest.fixture
def docroot() -> Iterator[Path]:
    """The test URLconf's document root, emptied after each test."""
    root = Path(settings.DOCROOT)
    yield root
    for child in root.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


@pytest.fixture
def media_root() -> Iterator[Path]:
    root = Path(settings.MEDIA_ROOT)
    yield root
    shutil.rmtree(root)
    root.mkdir()


@pytest.fixture
def static_source() -> Iterator[Path]:
    root = Path(settings.STATIC_SOURCE)
    yield root
    shutil.rmtree(root)
    root.mkdir()


@pytest.fixture(autouse=True)
def empty_log() -> Iterator[None]:
    from debug_toolbar.store import get_store

    served_log().clear()
    get_store().clear()
    forget_choices()
    yield
    served_log().clear()


def switch_on(client: Client, enabled: bool = True) -> Client:
    """Give the client's browser a session with the switch set."""
    session = client.session
    session[SESSION_KEY] = enabled
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    forget_choices()  # written behind the memo's back, as another process would
    return client


# A browser outside INTERNAL_IPS: the toolbar does not run and add its headers.
# (The address is only a header value in the test client; nothing is contacted.)
OUTSIDE = "192.0.2.10"


@pytest.fixture
def on_client(db: None) -> Client:
    return switch_on(Client(REMOTE_ADDR=OUTSIDE))


@pytest.fixture
def off_client(db: None) -> Client:
    return Client(REMOTE_ADDR=OUTSIDE)


def write(path: Path, data: bytes, *, age: float = 0) -> Path:
    """Write a file and date its mtime ``age`` seconds in the past."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    if age:
        stamp = path.stat().st_mtime - age
        os.utime(path, (stamp, stamp))
    return path


@pytest.fixture(scope="session")
def live_server_process() -> Iterator[object]:
    """One real runserver for the session's HTTP tests."""
    from .live import run_server

    with run_server() as server:
        yield server


@pytest.fixture
def live(live_server_process: object) -> Iterator[object]:
    """The shared runserver with its static and media folders emptied after each test."""
    yield from _emptied_after(live_server_process)


@pytest.fixture(scope="session")
def scripted_server_process(live_server_process: object) -> Iterator[object]:
    """A runserver whose pages carry the panel's script from the start.

    Toolbar 8 puts it in the panel's title bar; older toolbars load it with the
    panel's content, so on every page only when they render the panels inline.
    """
    from nocache_panel.panel.panel import HAS_TITLE_BAR

    from .live import run_server

    if HAS_TITLE_BAR:
        yield live_server_process
        return
    with run_server(env={"NOCACHE_RENDER_PANELS": "1"}) as server:
        yield server


@pytest.fixture
def scripted(scripted_server_process: object) -> Iterator[object]:
    yield from _emptied_after(scripted_server_process)


def _emptied_after(server: object) -> Iterator[object]:
    from .live import LiveServer

    assert isinstance(server, LiveServer)
    yield server
    for folder in (server.static_source, server.media_root):
        for child in folder.iterdir():
            shutil.rmtree(child) if child.is_dir() else child.unlink()


CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """Debian's Chromium driven by Playwright (its own browser download is not used)."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    assert executable, "Debian's chromium package is required: apt-get install chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def display() -> Iterator[Callable[[], str]]:
    """One Xvfb screen for every WebKit test, started on first use."""
    with ExitStack() as stack:
        started: list[str] = []

        def start() -> str:
            if not started:
                started.append(stack.enter_context(virtual_display()))
            return started[0]

        yield start


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest, display: Callable[[], str]) -> Iterator[Engine]:
    """A fresh profile in each engine: its own cache, cookies and session."""
    engine = launcher(request.param, lambda: request.getfixturevalue("chromium"), display)
    try:
        yield engine
    finally:
        engine.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    """A skipped test is a test that does not exist here: report it as a failure."""
    report = yield
    if report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped, and skips are not allowed: {report.longrepr}"
    return report
