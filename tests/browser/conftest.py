"""The browsers: Debian's Chromium (Playwright), Firefox ESR (Marionette), WebKitGTK."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import ExitStack

import pytest

from tests.support.engines import CHROMIUM_FLAGS, ENGINES, Engine, launcher, virtual_display


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
