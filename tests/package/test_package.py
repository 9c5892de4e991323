"""The distribution: builds, carries its templates, static files and py.typed, installs."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tempfile
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.live import REPO

SHIPPED = [
    "nocache_panel/py.typed",
    "nocache_panel/templates/nocache_panel/panel.html",
    "nocache_panel/templates/nocache_panel/switch.html",
    "nocache_panel/static/nocache_panel/js/panel.js",
    "nocache_panel/static/nocache_panel/css/panel.css",
    "nocache_panel/management/commands/runserver.py",
]


@pytest.fixture(scope="module")
def dist() -> Iterator[Path]:
    out = Path(tempfile.mkdtemp(prefix="nocache-dist-"))
    subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(out), str(REPO)],
        check=True,
        capture_output=True,
    )
    yield out
    shutil.rmtree(out, ignore_errors=True)


def test_the_wheel_ships_templates_static_files_and_py_typed(dist: Path) -> None:
    (wheel,) = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
        text = archive.read(metadata).decode()
    for path in SHIPPED:
        assert path in names
    assert not [name for name in names if name.startswith(("tests/", "demo/"))]
    for django in ("4.2", "5.0", "5.1", "5.2", "6.0", "6.1"):
        assert f"Classifier: Framework :: Django :: {django}" in text
    for python in ("3.10", "3.11", "3.12", "3.13"):
        assert f"Classifier: Programming Language :: Python :: {python}" in text
    assert "Project-URL: Source" in text
    assert "Requires-Dist: Django>=4.2" in text
    assert "Requires-Dist: django-debug-toolbar>=6.0" in text


def test_the_sdist_ships_the_same_files(dist: Path) -> None:
    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    for path in SHIPPED:
        assert path in names


def test_the_wheel_installs_cleanly_and_the_demo_passes_checks(dist: Path) -> None:
    (wheel,) = dist.glob("*.whl")
    where = Path(tempfile.mkdtemp(prefix="nocache-install-"))
    try:
        venv.create(where / "venv", with_pip=True)
        python = str(where / "venv" / "bin" / "python")
        subprocess.run(
            [python, "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)],
            check=True,
        )
        demo = where / "demo"
        shutil.copytree(REPO / "demo", demo, ignore=shutil.ignore_patterns("db.sqlite3", "media"))
        check = subprocess.run(
            [python, "-m", "django", "check", "--settings", "demo_site.settings"],
            cwd=demo,
            capture_output=True,
            text=True,
            env={"PATH": "/usr/bin:/bin", "DEMO_DB": str(where / "db.sqlite3")},
        )
        assert check.returncode == 0, check.stderr
        assert "System check identified no issues" in check.stdout
        located = subprocess.run(
            [python, "-c", "import nocache_panel; print(nocache_panel.__file__)"],
            cwd=where,
            capture_output=True,
            text=True,
            check=True,
        )
        assert str(where / "venv") in located.stdout  # the installed copy, not the checkout
    finally:
        shutil.rmtree(where, ignore_errors=True)
