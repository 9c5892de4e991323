"""The demo shows the problem out of the box: its files are a month old on first start."""

from __future__ import annotations

import importlib.util
import shutil
import time
from pathlib import Path
from types import ModuleType

from .live import REPO

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
