"""Start the demo with the toolbar and the No-cache panel.

    python3 demo/start.py           # http://127.0.0.1:8000/
    python3 demo/start.py 8001      # another port

Needs only Python: it makes a virtual environment (.venv-demo), installs this
package into it once (Django and django-debug-toolbar come along; again only
when pyproject.toml changes), creates the SQLite database and the demo's media,
and runs ``manage.py runserver``. It prints the demo's address once the server
answers there.
"""

from __future__ import annotations

import argparse
import hashlib
import socket
import subprocess
import sys
import time
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "demo"
VENV = REPO / ".venv-demo"
INSTALLED = VENV / "nocache-panel-installed"  # the pyproject.toml it was installed from
HOST = "127.0.0.1"
STARTUP_SECONDS = 120  # a deadline for a hang; the server answers within seconds


def parse_port(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Start the django-nocache-panel demo.")
    parser.add_argument("port", nargs="?", type=int, default=8000, help="default: 8000")
    port: int = parser.parse_args(argv).port
    if not 0 < port < 65536:
        parser.error(f"{port} is not a port")
    return port


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def install_once(python: Path) -> None:
    """Install the package (editable: edits to it need no reinstall) unless it is there."""
    wanted = hashlib.sha256((REPO / "pyproject.toml").read_bytes()).hexdigest()
    if INSTALLED.exists() and INSTALLED.read_text() == wanted:
        return
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, "-e", str(REPO)], check=True)
    INSTALLED.write_text(wanted)


def answers(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=1):
            return True
    except OSError:
        return False


def main(argv: list[str]) -> int:
    port = parse_port(argv)
    if not port_is_free(port):
        print(
            f"Port {port} is in use. Start the demo on another: python3 demo/start.py {port + 1}",
            file=sys.stderr,
        )
        return 1
    sys.path.insert(0, str(DEMO))
    from demo_site.seed import date_back_once

    if date_back_once(DEMO / "media"):
        print("Dated the demo's static and media files a month back.", flush=True)
    python = VENV / "bin" / "python"
    if not python.exists():
        venv.create(VENV, with_pip=True)
    install_once(python)
    manage = [str(python), str(DEMO / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], check=True)
    server = subprocess.Popen([*manage, "runserver", f"{HOST}:{port}"])
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while server.poll() is None and not answers(port):
            if time.monotonic() > deadline:
                print(f"The server did not answer within {STARTUP_SECONDS} s.", file=sys.stderr)
                server.terminate()
                break
            time.sleep(0.2)
        if server.poll() is None:
            print(f"Demo: http://{HOST}:{port}/  (Ctrl-C stops it)", flush=True)
        return server.wait()
    except KeyboardInterrupt:
        server.terminate()
        server.wait()
        return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
