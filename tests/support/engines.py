"""Chromium, Firefox and WebKit behind one small interface, for the stories every engine must pass.

Each engine is the real browser from Debian: Chromium through Playwright,
Firefox ESR over Marionette, and WebKitGTK through ``WebKitWebDriver`` and
Selenium under Xvfb, launched as a browser with a disk cache
(``tests/support/webkit_browser.py``). Every test gets a fresh profile: its own cache.

Scripts are bodies of a function (``return ...``), run in the page (Firefox runs
them in a sandbox that sees the page's DOM, not its globals). Navigations are
started from the page, as a person's F5, link or Back would be, and waited for
by a mark on the old document.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from tests.support.live import free_port

# The flags Chromium runs with in every test.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

HERE = Path(__file__).resolve().parent
ENGINES = ("chromium", "firefox", "webkit")
VIEWPORT = {"width": 1366, "height": 900}
# A deadline guards against a hang; a normal wait is well under a tenth of it.
WAIT_SECONDS = 45.0
LAUNCH_SECONDS = 90.0
_marks = itertools.count(1)

# The panel's parts, in the toolbar's shadow root (or the page, without one).
ROOT = "(document.getElementById('djDebugRoot')?.shadowRoot ?? document)"


class Engine:
    """A page in one browser; each engine provides the methods that raise here."""

    name: str

    def run(self, script: str) -> Any:
        raise NotImplementedError

    def open(self, url: str) -> None:
        """The first load, as from the address bar."""
        raise NotImplementedError

    def screenshot(self, path: Path) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def new_tab(self) -> None:
        """Open a tab of the same browser (same cookies) and drive it from now on."""
        raise NotImplementedError

    def console_errors(self) -> list[str]:
        """Errors the engine's console showed (where the driver can read it)."""
        return []

    # What every engine does alike.

    def navigate(self, script: str) -> None:
        """Run ``script`` (which navigates) and wait for the next document to be loaded."""
        mark = f"m{next(_marks)}"
        self.run(
            f"document.documentElement.dataset.nocacheTest = {json.dumps(mark)};"
            f"setTimeout(() => {{ {script} }}, 0); return true;"
        )
        self.wait_for(
            f"return document.documentElement.dataset.nocacheTest !== {json.dumps(mark)}"
            " && document.readyState === 'complete'"
        )

    def reload(self) -> None:
        """F5 (``location.reload()``: WebDriver's Refresh re-downloads everything in Firefox)."""
        self.navigate("location.reload()")

    def follow(self, url: str) -> None:
        """A link to ``url``."""
        self.navigate(f"location.href = {json.dumps(url)}")

    def back(self) -> None:
        self.navigate("history.back()")

    def forward(self) -> None:
        self.navigate("history.forward()")

    def wait_for(self, script: str, timeout: float = WAIT_SECONDS) -> Any:
        """Poll ``script`` until it returns something true; its last error says why not."""
        deadline = time.monotonic() + timeout
        last: object = None
        while time.monotonic() < deadline:
            try:
                value = self.run(script)
            except Exception as error:  # a navigation under way: the page is gone
                last = error
            else:
                if value:
                    return value
                last = value
            time.sleep(0.1)
        panel = self.run(f"return {ROOT}.querySelector('#NoCachePanel')?.innerText ?? ''")
        raise AssertionError(
            f"{self.name}: still {last!r} after {timeout} s: {script}\npanel: {panel}"
        )

    def page_errors(self) -> list[str]:
        """Uncaught errors and rejections this tab's pages recorded (see engines.html)."""
        return list(self.run("return JSON.parse(sessionStorage.getItem('errors') || '[]')"))


class Chromium(Engine):
    name = "chromium"

    def __init__(self, browser: Any) -> None:
        self.context = browser.new_context(viewport=VIEWPORT)
        self.console: list[str] = []
        self.new_tab()

    def new_tab(self) -> None:
        self.page = self.context.new_page()
        self.page.set_default_timeout(WAIT_SECONDS * 1000)
        self.page.on(
            "console",
            lambda message: message.type == "error" and self.console.append(message.text),
        )
        self.page.on("pageerror", lambda error: self.console.append(str(error)))

    def run(self, script: str) -> Any:
        return self.page.evaluate(f"async () => {{ {script} }}")

    def open(self, url: str) -> None:
        self.page.goto(url)

    def screenshot(self, path: Path) -> None:
        self.page.screenshot(path=str(path))

    def console_errors(self) -> list[str]:
        return list(self.console)

    def close(self) -> None:
        self.context.close()


# Firefox must not wait on the closed network for updates, telemetry or safe browsing.
FIREFOX_PREFS = {
    "app.update.disabledForTesting": True,
    "app.normandy.enabled": False,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "browser.shell.checkDefaultBrowser": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "toolkit.telemetry.enabled": False,
}


class Firefox(Engine):
    name = "firefox"

    def __init__(self) -> None:
        from marionette_driver.marionette import Marionette

        executable = shutil.which("firefox-esr")
        assert executable, "Debian's firefox-esr package is required: apt-get install firefox-esr"
        self.profile = Path(tempfile.mkdtemp(prefix="nocache-firefox-"))
        port = free_port()
        prefs = {**FIREFOX_PREFS, "marionette.port": port}
        (self.profile / "user.js").write_text(
            "".join(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n" for k, v in prefs.items())
        )
        self.process = subprocess.Popen(
            [
                executable,
                "--headless",
                "--marionette",
                "--profile",
                str(self.profile),
                "-no-remote",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "MOZ_HEADLESS_WIDTH": "1366", "MOZ_HEADLESS_HEIGHT": "900"},
        )
        try:
            _wait_for_port(port, self.process)
            self.client = Marionette(host="127.0.0.1", port=port)
            self.client.start_session()
            self.client.timeout.script = WAIT_SECONDS
        except BaseException:
            self._stop()
            raise

    def run(self, script: str) -> Any:
        return self.client.execute_script(script)

    def open(self, url: str) -> None:
        self.client.navigate(url)

    def new_tab(self) -> None:
        opened = self.client.open(type="tab", focus=True)
        self.client.switch_to_window(opened["handle"])

    def screenshot(self, path: Path) -> None:
        path.write_bytes(base64.b64decode(self.client.screenshot(full=False)))

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.client.delete_session()
        self._stop()

    def _stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


@contextlib.contextmanager
def virtual_display() -> Iterator[str]:
    """An Xvfb screen for WebKit, on a display number Xvfb picks itself."""
    executable = shutil.which("Xvfb")
    assert executable, "Debian's xvfb package is required: apt-get install xvfb"
    read, write = os.pipe()
    process = subprocess.Popen(
        [executable, "-displayfd", str(write), "-screen", "0", "1366x900x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    try:
        with os.fdopen(read) as pipe:
            number = pipe.readline().strip()
        assert number, "Xvfb did not start"
        yield f":{number}"
    finally:
        process.terminate()
        process.wait()


class WebKit(Engine):
    name = "webkit"

    def __init__(self, display: str) -> None:
        from selenium import webdriver
        from selenium.webdriver.webkitgtk.options import Options
        from selenium.webdriver.webkitgtk.service import Service

        driver = shutil.which("WebKitWebDriver")
        assert driver, "Debian's webkit2gtk-driver package is required"
        self.data = Path(tempfile.mkdtemp(prefix="nocache-webkit-"))
        options = Options()
        options.binary_location = str(HERE / "webkit_browser.py")
        options.add_argument("--automation")
        options.set_capability("browserName", "nocache-webkit")
        environment = {**os.environ, "DISPLAY": display, "NOCACHE_WEBKIT_DATA": str(self.data)}
        try:
            self.driver = webdriver.WebKitGTK(
                options=options, service=Service(driver, env=environment)
            )
            self.driver.set_script_timeout(WAIT_SECONDS)
        except BaseException:
            shutil.rmtree(self.data, ignore_errors=True)
            raise

    def run(self, script: str) -> Any:
        return self.driver.execute_script(script)

    def open(self, url: str) -> None:
        self.driver.get(url)

    def new_tab(self) -> None:
        self.driver.switch_to.new_window("tab")

    def screenshot(self, path: Path) -> None:
        self.driver.save_screenshot(str(path))

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.driver.quit()
        shutil.rmtree(self.data, ignore_errors=True)


def _wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    import socket

    deadline = time.monotonic() + LAUNCH_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, "the browser exited at start"
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.1)
    raise AssertionError(f"the browser did not listen on {port} within {LAUNCH_SECONDS} s")


def launcher(name: str, chromium: Callable[[], Any], display: Callable[[], str]) -> Engine:
    """A fresh page in engine ``name``; ``chromium`` and ``display`` are started on demand."""
    if name == "chromium":
        return Chromium(chromium())
    if name == "firefox":
        return Firefox()
    return WebKit(display())


# The panel, read and driven as a person would, in any engine.


def open_panel(engine: Engine) -> None:
    """Open the No-cache panel and wait for its table to hold the browser's copies."""
    engine.wait_for(f"return !!{ROOT}.querySelector('#djdt-NoCachePanel a')")
    engine.run(
        f"const panel = {ROOT}.querySelector('#NoCachePanel');"
        f"if (!panel || panel.classList.contains('djdt-hidden'))"
        f" {ROOT}.querySelector('#djdt-NoCachePanel a').click(); return true;"
    )
    engine.wait_for(
        f"return Number({ROOT}.querySelector('.djdt-nocache-table')?.dataset.nocacheUpdates) > 0"
    )


def in_panel(selector: str) -> str:
    """A script expression: the first element of the No-cache panel matching ``selector``."""
    return f"{ROOT}.querySelector({json.dumps('#NoCachePanel ' + selector)})"


def rows(engine: Engine) -> dict[str, dict[str, str]]:
    """The table's rows: path -> state, status and verdict."""
    selector = "#NoCachePanel .djdt-nocache-rows tr[data-nocache-path]"
    found = engine.run(
        f"return [...{ROOT}.querySelectorAll({json.dumps(selector)})]"
        ".map((tr) => [tr.dataset.nocachePath, {state: tr.dataset.nocacheState,"
        " status: tr.dataset.nocacheStatus, verdict: tr.lastElementChild.textContent}])"
    )
    return dict(found)


def row_state(engine: Engine, path: str, state: str) -> None:
    """Wait until the panel's row for ``path`` is in ``state``."""
    row = in_panel(f'tr[data-nocache-path="{path}"]')
    engine.wait_for(f"return {row}?.dataset.nocacheState === {json.dumps(state)}")


def summary(engine: Engine) -> str:
    return str(engine.run(f"return {in_panel('.djdt-nocache-summary')}.textContent"))


def subtitle(engine: Engine) -> str:
    return str(engine.run(f"return {ROOT}.querySelector('#djdt-NoCachePanel small').textContent"))


def switch_on(engine: Engine) -> None:
    """Flip the switch in the panel; the page re-fetches its files and reloads."""
    open_panel(engine)
    engine.navigate(f"{ROOT}.querySelector('#djDebug [role=switch]').click()")
    engine.wait_for(
        f"return {ROOT}.querySelector('#djdt-NoCachePanel small')?.textContent.startsWith('on')"
    )


def cache_control(engine: Engine, path: str) -> str | None:
    """The Cache-Control the server sends this browser for ``path`` now."""
    value = engine.run(
        f"return fetch({json.dumps(path)}, {{cache: 'no-store'}})"
        ".then((response) => response.headers.get('Cache-Control'))"
    )
    return None if value is None else str(value)
