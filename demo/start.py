"""Start the demo at http://127.0.0.1:8000/ with the toolbar and the No-cache panel.

    python3 demo/start.py

Needs only Python: it makes a virtual environment (.venv-demo), installs this
package into it (Django and django-debug-toolbar come along), creates the
SQLite database and the demo's media, and runs ``manage.py runserver``.
"""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "demo"
VENV = REPO / ".venv-demo"


def main() -> int:
    sys.path.insert(0, str(DEMO))
    from demo_site.seed import date_back_once

    if date_back_once(DEMO / "media"):
        print("Dated the demo's static and media files a month back.", flush=True)
    python = VENV / "bin" / "python"
    if not python.exists():
        venv.create(VENV, with_pip=True)
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, "-e", str(REPO)], check=True)
    manage = [str(python), str(DEMO / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], check=True)
    print("Demo: http://127.0.0.1:8000/  (Ctrl-C stops it)", flush=True)
    try:
        return subprocess.run([*manage, "runserver", "127.0.0.1:8000", *sys.argv[1:]]).returncode
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
