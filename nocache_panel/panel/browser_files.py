"""The page's files as the panel's script reports them, with the browser's copies."""

from __future__ import annotations

import json
from typing import NamedTuple

from ..switch.log import clip


class Held(NamedTuple):
    """The browser's copy of a file, as the panel's script read it (``only-if-cached``)."""

    etag: str | None = None
    last_modified: str | None = None
    content_length: str | None = None
    cache_control: str | None = None
    expires: str | None = None
    date: str | None = None


class BrowserFile(NamedTuple):
    """A file of the page as the panel's script found it, and the copy it read, if any."""

    seen: str  # "timing", "element", or "style" (a url() in a stylesheet)
    copy: Held | None


# A page's files, described in one request; more are not looked at.
MAX_FILES = 300
_COPY_FIELDS = ("etag", "last_modified", "content_length", "cache_control", "expires", "date")
_SEEN = ("timing", "element", "style")


def parse_browser_files(raw: str) -> dict[str, BrowserFile] | None:
    """The page's files from the script's JSON, or ``None`` if it is not a list of them."""
    try:
        items = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    if not isinstance(items, list):
        return None
    files: dict[str, BrowserFile] = {}
    for item in items[:MAX_FILES]:
        if not isinstance(item, dict) or not isinstance(item.get("path"), str):
            return None
        copy = item.get("copy")
        held = None
        if isinstance(copy, dict):
            held = Held(
                **{
                    name: clip(value)
                    for name in _COPY_FIELDS
                    if isinstance(value := copy.get(name), str) and value
                }
            )
        seen = item.get("seen") if item.get("seen") in _SEEN else "timing"
        files[clip(item["path"])] = BrowserFile(str(seen), held)
    return files
