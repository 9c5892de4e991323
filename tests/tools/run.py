"""Run the whole test suite: every tox environment, browser tests included.

    python3 tests/tools/run.py [tox arguments]

Needs only Python. It installs what the tests drive from Debian when it is
missing (as root, with apt-get: chromium, firefox-esr, WebKitGTK's driver and
bindings, xvfb, gettext, redis-server), selects the pyenv interpreters tox
needs when pyenv is there, puts tox in a virtual environment of its own
(.venv-tests), runs it, and ends with one line counting the tests of every
environment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
import xml.etree.ElementTree as ET
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
VENV = REPO / ".venv-tests"
PYTHONS = ("3.10", "3.11", "3.12", "3.13")


# Debian packages the tests use, by the command each provides: the browser tests
# drive chromium, firefox-esr and WebKitGTK (through WebKitWebDriver, on an Xvfb
# screen); the translation test extracts messages with gettext; the shared-cache
# tests start redis-server.
DEBIAN_COMMANDS = {
    "chromium": "chromium",
    "firefox-esr": "firefox-esr",
    "WebKitWebDriver": "webkit2gtk-driver",
    "Xvfb": "xvfb",
    "xgettext": "gettext",
    "msgfmt": "gettext",
    "redis-server": "redis-server",
}
# The WebKit browser the tests launch (tests/support/webkit_browser.py) runs on Debian's
# Python with these bindings.
DEBIAN_PYTHON = "/usr/bin/python3"
WEBKIT_BINDINGS = ("python3-gi", "gir1.2-webkit2-4.1")
WEBKIT_CHECK = "import gi; gi.require_version('Gtk', '3.0'); gi.require_version('WebKit2', '4.1')"


def has_webkit_bindings() -> bool:
    if not Path(DEBIAN_PYTHON).exists():
        return False
    check = subprocess.run([DEBIAN_PYTHON, "-c", WEBKIT_CHECK], capture_output=True)
    return check.returncode == 0


def ensure_debian_packages() -> None:
    missing = {pkg for command, pkg in DEBIAN_COMMANDS.items() if not shutil.which(command)}
    if not has_webkit_bindings():
        missing.update(WEBKIT_BINDINGS)
    if not missing:
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        sys.exit(
            f"The tests need Debian's {', '.join(sorted(missing))}: "
            f"apt-get install {' '.join(sorted(missing))}"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", *sorted(missing)], check=True, env=env)


def select_interpreters() -> None:
    """Put python3.10 to 3.13 on PATH when pyenv holds them.

    The bin folders go on PATH directly: pyenv's shims answer only for the
    versions PYENV_VERSION names, and tox's interpreter discovery does not
    always run them with that variable.
    """
    if not shutil.which("pyenv"):
        return
    listed = subprocess.run(
        ["pyenv", "versions", "--bare"], capture_output=True, text=True, check=True
    ).stdout.split()
    wanted = [v for v in os.environ.get("PYENV_VERSION", "").split(":") if v in listed]
    for minor in PYTHONS:
        if any(v.startswith(minor + ".") for v in wanted):
            continue
        matches = [
            v for v in listed if v.startswith(minor + ".") and v[len(minor) + 1 :].isdigit()
        ]
        if matches:
            wanted.append(max(matches, key=lambda v: int(v.rsplit(".", 1)[1])))
    root = subprocess.run(["pyenv", "root"], capture_output=True, text=True, check=True)
    folders = [str(Path(root.stdout.strip()) / "versions" / v / "bin") for v in wanted]
    os.environ["PATH"] = os.pathsep.join([*folders, os.environ.get("PATH", "")])
    os.environ["PYENV_VERSION"] = ":".join(wanted)


def tox_python() -> Path:
    python = VENV / "bin" / "python"
    if not python.exists():
        venv.create(VENV, with_pip=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", "tox>=4.2"],
        check=True,
    )
    return python


def count_results() -> tuple[int, int, int]:
    passed = failed = skipped = 0
    for report in sorted((REPO / ".tox").glob("*/tmp/junit.xml")):
        for suite in ET.parse(report).getroot().iter("testsuite"):
            total = int(suite.get("tests", 0))
            bad = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
            skip = int(suite.get("skipped", 0))
            passed += total - bad - skip
            failed += bad
            skipped += skip
    return passed, failed, skipped


def main() -> int:
    ensure_debian_packages()
    select_interpreters()
    python = tox_python()
    for stale in (REPO / ".tox").glob("*/tmp/junit.xml"):
        stale.unlink()
    result = subprocess.run([str(python), "-m", "tox", *sys.argv[1:]], cwd=REPO)
    passed, failed, skipped = count_results()
    print(f"all environments: {passed} passed, {failed} failed, {skipped} skipped")
    if result.returncode == 0 and passed == 0:
        print("no test ran", file=sys.stderr)
        return 1
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
