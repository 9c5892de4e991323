"""Regenerate the README's screenshots of the panel, from the demo, in every engine and theme.

python -m tests.tools.screenshot      (writes demo/screenshot*.png)

The demo as a person meets it: a month-old stylesheet loaded, edited, and the
page loaded again the way each engine reuses it without asking (F5; a link in
WebKit); the panel open at 1366 pixels wide.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.support.engines import (
    CHROMIUM_FLAGS,
    ENGINES,
    Engine,
    launcher,
    open_panel,
    row_state,
    virtual_display,
)
from tests.support.live import REPO, LiveServer, run_server

MONTH = 30 * 24 * 3600


def target(engine: str, theme: str) -> Path:
    name = "screenshot" + ("" if engine == "chromium" else f"-{engine}")
    return REPO / "demo" / f"{name}{'-dark' if theme == 'dark' else ''}.png"


@contextmanager
def demo() -> Iterator[tuple[LiveServer, Path]]:
    folder = Path(tempfile.mkdtemp(prefix="nocache-shot-")) / "demo"
    shutil.copytree(REPO / "demo", folder, ignore=shutil.ignore_patterns("db.sqlite3", "media"))
    env = {"DEMO_DB": str(folder / "db.sqlite3"), "DEMO_MEDIA_ROOT": str(folder / "media")}
    try:
        with run_server("demo_site.settings", env=env, cwd=folder) as server:
            yield server, folder
    finally:
        shutil.rmtree(folder.parent, ignore_errors=True)


def take(engine: Engine, server: LiveServer, folder: Path, theme: str, path: Path) -> None:
    static = folder / "demo_site" / "static" / "demo"
    css = static / "site.css"
    original = (REPO / "demo" / "demo_site" / "static" / "demo" / "site.css").read_text()
    css.write_text(original)
    month_ago = time.time() - MONTH
    for file in static.iterdir():
        os.utime(file, (month_ago, month_ago))
    engine.open(server.url + "/")
    engine.run(f"localStorage.setItem('djdt.user-theme', '{theme}'); return true;")
    engine.reload()
    css.write_text(original.replace("180, 30, 30", "20, 120, 20"))
    if engine.name == "webkit":
        engine.follow(server.url + "/")
    else:
        engine.reload()
    open_panel(engine)
    row_state(engine, "/static/demo/site.css", "stale")
    engine.run("return new Promise((resolve) => setTimeout(() => resolve(true), 500))")
    engine.screenshot(path)


def main() -> None:
    with ExitStack() as stack, sync_playwright() as playwright, demo() as (server, folder):
        display = stack.enter_context(virtual_display())
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"), args=CHROMIUM_FLAGS
        )
        for name in ENGINES:
            for theme in ("light", "dark"):
                engine = launcher(name, lambda: browser, lambda: display)
                try:
                    take(engine, server, folder, theme, target(name, theme))
                finally:
                    engine.close()
                print(f"wrote {target(name, theme).relative_to(REPO)}")
        browser.close()


if __name__ == "__main__":
    main()
