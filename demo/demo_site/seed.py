"""The demo's starting media, copied in on first start, and its files dated a month back.

Only the standard library: ``demo/start.py`` calls it before the virtual
environment exists.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

DEMO = Path(__file__).resolve().parent.parent
SEED = DEMO / "seed"
STATIC = DEMO / "demo_site" / "static" / "demo"
MONTH = 30 * 24 * 3600
# Present once the files have been dated back: later starts keep the user's edits' dates.
MARKER = DEMO / ".dated-back"


def ensure_media(media_root: str | Path) -> None:
    root = Path(media_root)
    root.mkdir(parents=True, exist_ok=True)
    for source in SEED.iterdir():
        if not (root / source.name).exists():
            shutil.copy2(source, root / source.name)


def date_back_once(media_root: str | Path) -> bool:
    """Date the demo's static files and starting media a month back, on the first start.

    Freshly checked-out files are minutes old, and a browser reuses them for a
    tenth of that: the demo would show staleness in seconds, not in days.
    """
    if MARKER.exists():
        return False
    ensure_media(media_root)
    month_ago = time.time() - MONTH
    for folder in (STATIC, Path(media_root)):
        for path in folder.iterdir():
            if path.is_file():
                os.utime(path, (month_ago, month_ago))
    MARKER.touch()
    return True
