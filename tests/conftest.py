"""Fixtures every kind of test shares, and markers that follow the folders.

The tests are in folders by kind: ``unit`` (in process: the test client, no
process started), ``live`` (real servers, Redis, gettext), ``browser`` (the three
engines), ``load``, ``package``. Support code is in ``support``, the test project
in ``project``; ``benchmarks`` and ``tools`` hold scripts, not tests.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from nocache_panel.switch.choice import forget_choices
from nocache_panel.switch.log import served_log


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


from tests.support.files import OUTSIDE, switch_on  # noqa: E402


@pytest.fixture
def on_client(db: None) -> Client:
    return switch_on(Client(REMOTE_ADDR=OUTSIDE))


@pytest.fixture
def off_client(db: None) -> Client:
    return Client(REMOTE_ADDR=OUTSIDE)


@pytest.fixture(scope="session")
def live_server_process() -> Iterator[object]:
    """One real runserver for the session's HTTP tests."""
    from tests.support.live import run_server

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
    from tests.support.live import run_server

    if HAS_TITLE_BAR:
        yield live_server_process
        return
    with run_server(env={"NOCACHE_RENDER_PANELS": "1"}) as server:
        yield server


@pytest.fixture
def scripted(scripted_server_process: object) -> Iterator[object]:
    yield from _emptied_after(scripted_server_process)


def _emptied_after(server: object) -> Iterator[object]:
    from tests.support.live import LiveServer

    assert isinstance(server, LiveServer)
    yield server
    for folder in (server.static_source, server.media_root):
        for child in folder.iterdir():
            shutil.rmtree(child) if child.is_dir() else child.unlink()


KINDS = ("unit", "live", "browser", "load", "package")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Each test is marked with its folder's kind: ``-m browser`` selects the browser tests."""
    for item in items:
        kind = item.path.parent.name
        if kind in KINDS:
            item.add_marker(getattr(pytest.mark, kind))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    """A skipped test is a test that does not exist here: report it as a failure."""
    report = yield
    if report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped, and skips are not allowed: {report.longrepr}"
    return report
