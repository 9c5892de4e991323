"""A real ``manage.py runserver`` on 127.0.0.1 for HTTP and browser tests.

It runs the test settings in a scratch folder of its own, with a migrated
SQLite database, and stops by itself (``timeout``) even if the tests die.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LIFETIME_SECONDS = 900


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    scratch: Path
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def static_source(self) -> Path:
        return self.scratch / "static-source"

    @property
    def media_root(self) -> Path:
        return self.scratch / "media"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


# The servers run_server can start: each builds its argv for a port.
Command = Callable[[int, tuple[str, ...]], list[str]]


def runserver(port: int, extra_args: tuple[str, ...]) -> list[str]:
    return [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload",
            *extra_args]  # fmt: skip


def gunicorn(app: str, *options: str) -> Command:
    """gunicorn with gthread workers serving ``app`` ("module:name")."""

    def command(port: int, extra_args: tuple[str, ...]) -> list[str]:
        return [sys.executable, "-m", "gunicorn", f"--bind=127.0.0.1:{port}",
                "--worker-class=gthread", *options, *extra_args, app]  # fmt: skip

    return command


def uvicorn(port: int, extra_args: tuple[str, ...]) -> list[str]:
    return [sys.executable, "-m", "uvicorn", "--host=127.0.0.1", f"--port={port}",
            "--lifespan=off", "--log-level=warning", *extra_args,
            "tests.project.asgi:application"]  # fmt: skip


@contextmanager
def run_server(
    settings: str = "tests.project.settings",
    extra_args: tuple[str, ...] = (),
    env: Mapping[str, str] | None = None,
    cwd: Path = REPO,
    command: Command = runserver,
    migrate: bool = True,
    port: int | None = None,
) -> Iterator[LiveServer]:
    """A server for the project (runserver unless ``command`` builds another argv)."""
    scratch = Path(tempfile.mkdtemp(prefix="nocache-live-"))
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings,
        "NOCACHE_TEST_SCRATCH": str(scratch),
        "NOCACHE_TEST_DB": str(scratch / "db.sqlite3"),
        "PYTHONPATH": str(REPO),
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    django = [sys.executable, "-m", "django"]
    if migrate:
        subprocess.run(
            [*django, "migrate", "--noinput", "-v0"], env=environment, cwd=cwd, check=True
        )
    port = port or free_port()
    log_path = scratch / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                shutil.which("timeout") or "timeout",
                str(LIFETIME_SECONDS),
                *command(port, extra_args),
            ],
            env=environment,
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = LiveServer(f"http://127.0.0.1:{port}", scratch, process, log_path)
    try:
        _wait_for(port, process, server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(scratch, ignore_errors=True)


def _wait_for(port: int, process: subprocess.Popen[bytes], server: LiveServer) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited:\n{server.log()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the server did not start:\n{server.log()}")


def server_pid(server: LiveServer) -> int:
    """The server's own process: it runs under `timeout`, as that command's child."""
    children = subprocess.run(
        ["pgrep", "-P", str(server.process.pid)], capture_output=True, text=True, check=True
    ).stdout.split()
    return int(children[0])


def peak_rss_kib(pid: int) -> int:
    """A process's peak resident memory so far (VmHWM)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM")


@dataclass
class Download:
    received: int  # body bytes
    seconds: float
    peak_before_kib: int  # the server's peak RSS before the download, and after
    peak_after_kib: int

    @property
    def growth_mib(self) -> float:
        return (self.peak_after_kib - self.peak_before_kib) / 1024


def download_watching_memory(server: LiveServer, path: str) -> Download:
    """Download ``path`` from the server, reading its peak RSS before and after."""
    pid = server_pid(server)
    port = int(server.url.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", "/media/small-warmup.txt")  # load the code paths first
    connection.getresponse().read()
    before = peak_rss_kib(pid)
    started = time.perf_counter()
    connection.request("GET", path)
    response = connection.getresponse()
    received = 0
    while chunk := response.read(1024 * 1024):
        received += len(chunk)
    seconds = time.perf_counter() - started
    connection.close()
    return Download(received, seconds, before, peak_rss_kib(pid))


@contextmanager
def stripping_proxy(backend: str, prefix: str) -> Iterator[str]:
    """A reverse proxy on 127.0.0.1 that forwards ``prefix``/... to ``backend``/... .

    As a deployment under a sub-path has it: the application sees paths
    without the prefix and is told the prefix by ``FORCE_SCRIPT_NAME``.
    """
    backend_port = int(backend.rsplit(":", 1)[1])

    class Forward(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            if not self.path.startswith(prefix + "/"):
                self.send_error(404)
                return
            upstream = http.client.HTTPConnection("127.0.0.1", backend_port, timeout=30)
            headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
            upstream.request("GET", self.path[len(prefix) :], headers=headers)
            answer = upstream.getresponse()
            body = answer.read()
            self.send_response(answer.status)
            for name, value in answer.getheaders():
                if name.lower() not in {"connection", "transfer-encoding", "content-length"}:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            upstream.close()

        def log_message(self, format: str, *args: object) -> None:
            pass

    with serving_in_thread(http.server.ThreadingHTTPServer(("127.0.0.1", 0), Forward)) as url:
        yield url


@contextmanager
def serving_in_thread(server: http.server.HTTPServer) -> Iterator[str]:
    """``server`` (bound to 127.0.0.1) answering from a thread for the block; yields its URL."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def redis_server() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Debian's redis-server on a free loopback port, in memory only; its URL and process."""
    executable = shutil.which("redis-server")
    assert executable, "Debian's redis-server is required: apt-get install redis-server"
    port = free_port()
    process = subprocess.Popen(
        [shutil.which("timeout") or "timeout", str(LIFETIME_SECONDS), executable,
         "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0", process
    finally:
        process.terminate()
        process.wait(10)


@dataclass
class Response:
    status: int
    headers: Mapping[str, str]
    body: bytes


@dataclass
class Browser:
    """A minimal HTTP client with a cookie jar: one browser's session."""

    base: str
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)

    def __post_init__(self) -> None:
        # Built once: each opener builds an HTTPS context, which reads the system's
        # certificates (about 50 ms of CPU, most of a load test's client time).
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def request(
        self,
        path: str,
        method: str = "GET",
        headers: Mapping[str, str] | None = None,
        data: bytes | None = None,
    ) -> Response:
        opener = self.opener
        request = urllib.request.Request(
            self.base + path, method=method, headers=dict(headers or {}), data=data
        )
        try:
            with opener.open(request, timeout=30) as response:
                return Response(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as error:
            return Response(error.code, dict(error.headers), error.read())

    def visit_since(self, page: Response) -> str:
        """The page visit's start, as the panel embeds it for its feed.

        In the title bar on toolbar 8+, else in the panel's content.
        """
        pattern = rb'data-nocache-since="([0-9.e+]+)"'
        match = re.search(pattern, page.body)
        if match is None:
            request_id = re.search(rb'data-request-id="([0-9a-f]+)"', page.body)
            assert request_id, "the toolbar is not on the page"
            rendered = self.request(
                "/__debug__/render_panel/?panel_id=NoCachePanel&request_id="
                + request_id.group(1).decode()
            )
            match = re.search(pattern, json.loads(rendered.body)["content"].encode())
        assert match, "the No-cache panel is not on the page"
        return match.group(1).decode()

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)

    def page(self, path: str = "/") -> tuple[Response, str]:
        """Load a page; return it and the toolbar's request id for it."""
        response = self.request(path)
        match = re.search(rb'data-request-id="([0-9a-f]+)"', response.body)
        return response, match.group(1).decode() if match else ""

    def set_switch(self, enabled: bool) -> Response:
        token = json.loads(self.request("/__debug__/nocache/toggle/").body)["csrf"]
        return self.request(
            "/__debug__/nocache/toggle/",
            method="POST",
            headers={
                "X-CSRFToken": token,
                "Content-Type": "application/x-www-form-urlencoded",
            },
            data=b"enabled=" + (b"1" if enabled else b"0"),
        )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None
