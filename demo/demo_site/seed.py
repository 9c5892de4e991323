"""The demo's starting media: an avatar and a short video, copied in on first start."""

from __future__ import annotations

import shutil
from pathlib import Path

SEED = Path(__file__).resolve().parent.parent / "seed"


def ensure_media(media_root: str | Path) -> None:
    root = Path(media_root)
    root.mkdir(parents=True, exist_ok=True)
    for source in SEED.iterdir():
        if not (root / source.name).exists():
            shutil.copy2(source, root / source.name)
