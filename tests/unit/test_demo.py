"""The demo shows the problem out of the box: its files are a month old on first start."""

from __future__ import annotations

import importlib.util
import shutil
import time
from pathlib import Path
from types import ModuleType

import pytest

from tests.support.live import REPO

MONTH = 30 * 24 * 3600


def demo_copy(tmp_path: Path) -> tuple[Path, ModuleType]:
    folder = tmp_path / "demo"
    shutil.copytree(REPO / "demo", folder, ignore=shutil.ignore_patterns("db.sqlite3", "media"))
    (folder / ".dated-back").unlink(missing_ok=True)
    spec = importlib.util.spec_from_file_location("seed", folder / "demo_site" / "seed.py")
    assert spec
    assert spec.loader
    seed = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(seed)
    return folder, seed


def test_the_first_start_dates_static_and_media_a_month_back(tmp_path: Path) -> None:
    folder, seed = demo_copy(tmp_path)
    assert seed.date_back_once(folder / "media") is True
    month_ago = time.time() - MONTH
    files = [*(folder / "demo_site" / "static" / "demo").iterdir(), *(folder / "media").iterdir()]
    assert {path.name for path in files} >= {"site.css", "avatar.png", "clip.webm"}
    for path in files:
        assert abs(path.stat().st_mtime - month_ago) < 60, path


def test_later_starts_keep_the_dates_of_your_edits(tmp_path: Path) -> None:
    folder, seed = demo_copy(tmp_path)
    seed.date_back_once(folder / "media")
    css = folder / "demo_site" / "static" / "demo" / "site.css"
    css.write_text(css.read_text() + "\n/* edited */\n")
    edited = css.stat().st_mtime
    assert seed.date_back_once(folder / "media") is False
    assert css.stat().st_mtime == edited


def start_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("start", REPO / "demo" / "start.py")
    assert spec
    assert spec.loader
    start = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(start)
    return start


def test_the_demo_takes_a_port_and_says_when_one_is_taken(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import socket

    start = start_script()
    assert start.parse_port([]) == 8000
    assert start.parse_port(["8001"]) == 8001
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert start.main([str(port)]) == 1
    said = capsys.readouterr()
    assert f"Port {port} is in use" in said.err
    assert f"python3 demo/start.py {port + 1}" in said.err
    assert "http://" not in said.out  # no address for a server that is not there


def test_the_demo_installs_the_package_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    start = start_script()
    installs: list[list[str]] = []
    monkeypatch.setattr(start, "INSTALLED", tmp_path / "installed")
    monkeypatch.setattr(start.subprocess, "run", lambda argv, **kw: installs.append(argv))
    start.install_once(tmp_path / "python")
    start.install_once(tmp_path / "python")
    assert len(installs) == 1
    assert installs[0][-2:] == ["-e", str(REPO)]
