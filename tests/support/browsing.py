"""What the browser tests share: a fresh browser context's page, and opening the panel."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from playwright.sync_api import Browser, Page, expect


@contextmanager
def fresh_page(chromium: Browser, **context_options: Any) -> Iterator[Page]:
    """A page in a new browser context: its own cache and cookies."""
    context = chromium.new_context(**context_options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        yield page
    finally:
        context.close()


def open_panel(page: Page) -> None:
    page.locator("#djdt-NoCachePanel a").click()
    expect(page.locator("#NoCachePanel .djdt-nocache-table")).to_be_visible()
