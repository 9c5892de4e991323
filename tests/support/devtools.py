"""Chromium driven over its DevTools pipe, for page-load benchmarks.

Playwright enables the Network domain on every page it drives and reports each
request and response to its driver, which passes them on to the Python client.
A person's browser does none of that. On a 2-core VM this reporting made a
100-file load about 30% slower (about 1,000 ms against 720). Both sides of a
ratio pay that time, so it pushes every ratio towards 1.

This client enables only what a measurement needs:
- the Page domain, for the load and lifecycle events;
- the Network domain only where a benchmark stands for DevTools being open
  (its "Disable cache").

It speaks the protocol over ``--remote-debugging-pipe``: file descriptors 3 and
4, JSON messages ended by a NUL byte.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from tests.support.engines import CHROMIUM_FLAGS
from tests.support.live import LIFETIME_SECONDS

SILENCE_SECONDS = 60
# What Playwright passes too: a tab in a window of its own is never backgrounded.
STEADY_FLAGS = (
    "--disable-background-timer-throttling",
    "--disable-backgrounding-occluded-windows",
    "--disable-renderer-backgrounding",
)


class DevTools:
    """One headless Chromium and its DevTools pipe."""

    def __init__(self) -> None:
        executable = shutil.which("chromium")
        assert executable, "Debian's chromium is required: apt-get install chromium"
        self._profile = tempfile.mkdtemp(prefix="nocache-devtools-")
        to_chromium, self._write = os.pipe()
        self._read, from_chromium = os.pipe()
        command = [
            shutil.which("timeout") or "timeout",
            str(LIFETIME_SECONDS),
            executable,
            "--headless",
            "--remote-debugging-pipe",
            f"--user-data-dir={self._profile}",
            *CHROMIUM_FLAGS,
            *STEADY_FLAGS,
            "about:blank",
        ]
        self._process = subprocess.Popen(
            command,
            # Chromium reads commands on fd 3 and writes answers and events on fd 4.
            pass_fds=(3, 4),
            preexec_fn=lambda: _as_fds_3_and_4(to_chromium, from_chromium),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_chromium)
        os.close(from_chromium)
        self._buffer = b""
        self._last_id = 0
        self._events: list[dict[str, Any]] = []

    def send(self, method: str, params: dict[str, Any] | None = None, session: str = "") -> Any:
        """Run a command (in a page's session, if given) and return its result."""
        self._last_id += 1
        message: dict[str, Any] = {"id": self._last_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        while True:
            answer = self._receive()
            if answer.get("id") == self._last_id:
                assert "error" not in answer, answer
                return answer["result"]
            self._keep(answer)

    def wait_for(self, method: str, session: str, **expected: Any) -> dict[str, Any]:
        """The next event ``method`` of a session whose parameters include ``expected``."""

        def matches(event: dict[str, Any]) -> bool:
            params = event.get("params", {})
            return (
                event.get("method") == method
                and event.get("sessionId") == session
                and all(params.get(name) == value for name, value in expected.items())
            )

        for index, event in enumerate(self._events):
            if matches(event):
                return self._events.pop(index)
        while not matches(event := self._receive()):
            self._keep(event)
        return event

    def forget_events(self, session: str) -> None:
        self._events = [event for event in self._events if event.get("sessionId") != session]

    def close(self) -> None:
        with suppress(OSError):  # not waiting for an answer: Chromium closes the pipe
            os.write(
                self._write, json.dumps({"id": 0, "method": "Browser.close"}).encode() + b"\0"
            )
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.terminate()  # timeout passes it on to Chromium
            self._process.wait()
        os.close(self._write)
        os.close(self._read)
        shutil.rmtree(self._profile, ignore_errors=True)

    def _keep(self, event: dict[str, Any]) -> None:
        # Only page events are waited for: the Network domain's many are dropped.
        if event.get("method", "").startswith("Page."):
            self._events.append(event)

    def _receive(self) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            # A page that never goes idle must fail the run, not hang it.
            ready, _, _ = select.select([self._read], [], [], SILENCE_SECONDS)
            assert ready, f"Chromium said nothing for {SILENCE_SECONDS} s"
            chunk = os.read(self._read, 1 << 16)
            assert chunk, "Chromium closed its DevTools pipe"
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)  # type: ignore[no-any-return]


def _as_fds_3_and_4(commands: int, answers: int) -> None:
    """In the child: the pipes' ends on 3 and 4, whatever numbers they had."""
    # Copies first: the lowest free numbers, so neither dup2 below overwrites the other.
    commands, answers = os.dup(commands), os.dup(answers)
    os.dup2(commands, 3)
    os.dup2(answers, 4)


@contextmanager
def chromium() -> Iterator[DevTools]:
    browser = DevTools()
    try:
        yield browser
    finally:
        browser.close()


class Tab:
    """A page in a browser context of its own: its own cache and cookies.

    ``cookies`` are set for ``origin`` first; ``cache_disabled`` is DevTools'
    "Disable cache" (it needs the Network domain, as DevTools does).
    """

    def __init__(
        self,
        browser: DevTools,
        cookies: dict[str, str] | None = None,
        origin: str = "",
        cache_disabled: bool = False,
    ) -> None:
        self._browser = browser
        self._context = browser.send("Target.createBrowserContext")["browserContextId"]
        if cookies:
            browser.send(
                "Storage.setCookies",
                {
                    "browserContextId": self._context,
                    "cookies": [
                        {"name": k, "value": v, "url": origin} for k, v in cookies.items()
                    ],
                },
            )
        target = browser.send(
            "Target.createTarget", {"url": "about:blank", "browserContextId": self._context}
        )["targetId"]
        self._session = browser.send(
            "Target.attachToTarget", {"targetId": target, "flatten": True}
        )["sessionId"]
        self._command("Page.enable")
        self._command("Page.setLifecycleEventsEnabled", {"enabled": True})
        if cache_disabled:
            self._command("Network.enable")
            self._command("Network.setCacheDisabled", {"cacheDisabled": True})

    def goto(self, url: str) -> float:
        """Load ``url``; the navigation's ``loadEventEnd`` in milliseconds."""
        self._browser.forget_events(self._session)
        self._command("Page.navigate", {"url": url})
        return self._loaded()

    def reload(self) -> float:
        self._browser.forget_events(self._session)
        self._command("Page.reload")
        return self._loaded()

    def evaluate(self, expression: str) -> Any:
        result = self._command(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True}
        )
        return result["result"].get("value")

    def close(self) -> None:
        self._browser.send("Target.disposeBrowserContext", {"browserContextId": self._context})

    def _loaded(self) -> float:
        loader = self._browser.wait_for("Page.lifecycleEvent", self._session, name="init")
        self._browser.wait_for("Page.loadEventFired", self._session)
        # The panel's script asks the server about the page once it has loaded:
        # let that finish, or it runs during the next measurement.
        self._browser.wait_for(
            "Page.lifecycleEvent",
            self._session,
            name="networkIdle",
            loaderId=loader["params"]["loaderId"],
        )
        return float(self.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd"))

    def _command(self, method: str, params: dict[str, Any] | None = None) -> Any:
        return self._browser.send(method, params, self._session)


def first_load_ms(browser: DevTools, url: str) -> float:
    """``url`` loaded in a fresh context: nothing cached."""
    tab = Tab(browser)
    try:
        return tab.goto(url)
    finally:
        tab.close()
