"""Regenerate the README's screenshots of the panel, taken from the demo in Chromium.

python -m tests.screenshot      (writes demo/screenshot.png and demo/screenshot-dark.png)

The demo as a person meets it: a month-old stylesheet loaded, edited, and the
page reloaded with F5; the panel open at 1366 pixels wide.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.conftest import CHROMIUM_FLAGS
from tests.live import REPO, run_server

TARGETS = {
    "light": REPO / "demo" / "screenshot.png",
    "dark": REPO / "demo" / "screenshot-dark.png",
}
MONTH = 30 * 24 * 3600


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="nocache-shot-")) / "demo"
    shutil.copytree(REPO / "demo", folder, ignore=shutil.ignore_patterns("db.sqlite3", "media"))
    for static in (folder / "demo_site" / "static" / "demo").iterdir():
        stamp = static.stat().st_mtime - MONTH
        os.utime(static, (stamp, stamp))
    css = folder / "demo_site" / "static" / "demo" / "site.css"
    original = css.read_text()
    env = {"DEMO_DB": str(folder / "db.sqlite3"), "DEMO_MEDIA_ROOT": str(folder / "media")}
    with run_server("demo_site.settings", env=env, cwd=folder) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_FLAGS)
        for scheme, target in TARGETS.items():
            css.write_text(original)
            os.utime(css, (css.stat().st_mtime - MONTH,) * 2)
            context = browser.new_context(
                viewport={"width": 1366, "height": 820}, color_scheme=scheme
            )
            page = context.new_page()
            page.goto(server.url + "/")
            page.wait_for_timeout(500)
            css.write_text(original.replace("180, 30, 30", "20, 120, 20"))
            page.reload()
            page.wait_for_load_state("load")
            page.locator("#djdt-NoCachePanel a").click()
            page.locator('#NoCachePanel tr[data-nocache-state="stale"]').first.wait_for()
            page.wait_for_timeout(500)
            page.screenshot(path=str(target))
            context.close()
            print(f"wrote {target.relative_to(REPO)}")
        browser.close()
    shutil.rmtree(folder.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
