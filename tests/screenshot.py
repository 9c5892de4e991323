"""Regenerate the README's screenshot of the panel, taken from the demo in Chromium.

python -m tests.screenshot            (writes demo/screenshot.png)
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.conftest import CHROMIUM_FLAGS
from tests.live import REPO, run_server

TARGET = REPO / "demo" / "screenshot.png"
MONTH = 30 * 24 * 3600


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="nocache-shot-")) / "demo"
    shutil.copytree(REPO / "demo", folder, ignore=shutil.ignore_patterns("db.sqlite3", "media"))
    css = folder / "demo_site" / "static" / "demo" / "site.css"
    stamp = css.stat().st_mtime - MONTH
    os.utime(css, (stamp, stamp))
    env = {"DEMO_DB": str(folder / "db.sqlite3"), "DEMO_MEDIA_ROOT": str(folder / "media")}
    with run_server("demo_site.settings", env=env, cwd=folder) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 760})
        page.goto(server.url + "/")
        page.wait_for_timeout(500)
        css.write_text(css.read_text().replace("180, 30, 30", "20, 120, 20"))
        page.locator("#djdt-NoCachePanel a").click()
        page.locator("#NoCachePanel .djdt-nocache-rows tr[data-nocache-path]").first.wait_for()
        page.wait_for_timeout(500)
        TARGET.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(TARGET))
        browser.close()
    shutil.rmtree(folder.parent, ignore_errors=True)
    print(f"wrote {TARGET.relative_to(REPO)}")


if __name__ == "__main__":
    main()
