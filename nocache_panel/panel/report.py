"""What the panel shows for a page: every static and media file it used, one verdict each.

One pipeline for the panel's content, its side bar count and the JSON feed.
Three sources meet in each row: the copy the browser holds (sent by the panel's
script, when it has read it), the server's log of this page visit, and the file
on disk now. ``page_files`` lists the files without any I/O (the side bar
counts them); ``page_report`` stats only the rows it renders.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote

from ..serving.mounts import current_version, is_static, whitenoise_serves_static
from ..serving.validators import etag_for, http_date_for, is_our_etag, last_modified
from ..switch.log import ServedRecord, page_log, served_log
from .browser_files import BrowserFile, Held
from .freshness import Copy, Verdict, judge, parse_http_date_safe
from .matching import records_for_page, visit_end
from .translations import filesizeformat, language, ngettext, one_language
from .translations import gettext as _

# A file reused without asking for less than this is not worth a warning: an edit
# shows by the time a person has switched back from the editor.
WORTH_SAYING = 60

# Static folders of the tools themselves: listed apart, collapsed.
TOOLBAR_FOLDER, PANEL_FOLDER = "/debug_toolbar/", "/nocache_panel/"


@dataclass(slots=True)  # built for every row of every poll: the fastest to build
class PageFile:
    path: str  # path and query, as requested
    records: list[ServedRecord]  # what this package answered in this visit, in order
    held: Held | None


@dataclass(slots=True)
class Row:
    path: str
    status: str  # what this package answered in this visit; "" if it was not asked
    verdict: Verdict
    answer: str  # the status and Cache-Control it was given, in words
    browser: str  # where the browser's copy came from and its validators
    disk: str  # mtime and size now
    details: str  # bytes sent and duration
    tooling: bool
    version: str  # the file on disk now, as its strong ETag ("" if it is not there)

    @property
    def name(self) -> str:
        return self.path.split("?", 1)[0].rsplit("/", 1)[-1]


@dataclass(frozen=True)
class PageReport:
    rows: list[Row]  # the page's own files, stale ones first
    tooling: list[Row]  # the toolbar's and this panel's files
    stale: list[Row]  # those that lead ``rows``
    reusable: list[Row]  # those of ``rows`` the browser may reuse without asking
    unlogged: list[str]  # files no request for reached this package in this visit


def page_files(
    session: str | None, url: str, since: float, browser: Mapping[str, BrowserFile] | None = None
) -> list[PageFile]:
    """The page's files: those this package answered, then those only the browser names.

    A ``url()`` of a stylesheet that neither this package nor the browser's cache
    knows was never needed by the page (a ``:hover`` background): it is left out.
    """
    until = visit_end(page_log().snapshot(), session, url, since)
    answered: dict[str, list[ServedRecord]] = {}
    for record in records_for_page(served_log().snapshot(), session, url, since, until):
        path = record["path"]
        if path in answered:
            answered[path].append(record)
        else:
            answered[path] = [record]
    browser = browser or {}
    files = [
        PageFile(path, records, found.copy if (found := browser.get(path)) else None)
        for path, records in answered.items()
    ]
    files += [
        PageFile(path, [], found.copy)
        for path, found in browser.items()
        if path not in answered and (found.copy is not None or found.seen != "style")
    ]
    return files


def is_tooling(path: str) -> bool:
    """The toolbar's and this panel's own files: listed apart, not counted."""
    return TOOLBAR_FOLDER in path or PANEL_FOLDER in path


def page_report(
    session: str | None,
    url: str,
    since: float,
    browser: Mapping[str, BrowserFile] | None = None,
    now: float | None = None,
) -> PageReport:
    now = time.time() if now is None else now
    whitenoise = whitenoise_serves_static()
    with one_language():
        files = page_files(session, url, since, browser)
        answered = {file.path for file in files if file.records}
        rows = [row_for(file, now, whitenoise) for file in files]
    stale, others, tooling = [], [], []
    for row in rows:  # each list in arrival order
        if row.tooling:
            tooling.append(row)
        elif row.verdict.state == "stale":
            stale.append(row)
        else:
            others.append(row)
    return PageReport(
        rows=stale + others,
        tooling=tooling,
        stale=stale,
        reusable=[
            row
            for row in others
            if row.verdict.state == "heuristic" and row.verdict.reusable_for >= WORTH_SAYING
        ],
        unlogged=[path for path in browser or () if path not in answered],
    )


def row_for(file: PageFile, now: float, whitenoise: bool) -> Row:
    """``whitenoise``: the project's static files go to WhiteNoise while the switch is off."""
    path, records, held = file.path, file.records, file.held
    latest = records[-1] if records else None
    disk = _on_disk(path, latest)
    current = _is_current(held, latest, disk)
    passed_on = latest is None and whitenoise and is_static(path)
    verdict = judge(
        status=latest["status"] if latest else None,
        copy=_copy(held, latest, now),
        current=current,
        on_disk=disk is not None,
        # Nothing this package served, and a copy (another server's) with nothing that
        # compares with the disk; no copy at all is "not in the browser's cache".
        foreign=latest is None and current is None and (held is not None or passed_on),
        now=now,
        passed_on=passed_on,
    )
    return Row(
        path,
        str(latest["status"]) if latest else "",
        verdict,
        _answer(latest, passed_on),
        _browser(held, latest),
        _disk(disk),
        _details(records),
        is_tooling(path),
        etag_for(disk) if disk is not None else "",
    )


def _on_disk(path: str, latest: ServedRecord | None) -> os.stat_result | None:
    root, relative = (latest["root"], latest["file"]) if latest is not None else (None, None)
    if root is not None and relative is not None:
        try:
            # What os.path.join gives for the relative path serving resolved, cheaper.
            return os.stat(f"{root}{os.sep}{relative}")
        except (OSError, ValueError):
            return None
    return current_version(unquote(path.split("?", 1)[0]))  # sent by the browser: any text


def _copy(held: Held | None, latest: ServedRecord | None, now: float) -> Copy | None:
    """The response the browser holds: as its script read it, else as it was served."""
    if held is not None:
        served_at = parse_http_date_safe(held.date) if held.date else None
        return Copy(held.cache_control, held.expires, held.last_modified, served_at or now)
    if latest is not None and latest["status"] in (200, 206, 304):
        headers = latest["response_headers"]
        return Copy(
            headers.get("Cache-Control"),
            headers.get("Expires"),
            headers.get("Last-Modified"),
            latest["time"],
        )
    return None


def _is_current(
    held: Held | None, latest: ServedRecord | None, disk: os.stat_result | None
) -> bool | None:
    """Does the browser's copy describe the file on disk now? ``None``: cannot tell.

    A copy is compared in the terms it carries: this package's ETag, else its
    ``Last-Modified`` and length, which any server's copy of a file may carry;
    never our ETag format against another server's.
    """
    if disk is None:
        return None
    if held is not None:
        ours = bool(held.etag) and is_our_etag(held.etag or "")
        if ours and held.etag == etag_for(disk):
            return True
        if held.last_modified:
            if held.last_modified != last_modified(disk):
                return False
            if held.content_length and held.content_length != str(disk.st_size):
                return False
            return not ours  # ours, yet another ETag: edited within the same second
        return False if ours else None
    if latest is not None and latest["mtime_ns"] is not None:
        return (latest["mtime_ns"], latest["size"]) == (disk.st_mtime_ns, disk.st_size)
    return None


def format_mtime(mtime: int) -> str:
    """As ``Last-Modified`` says it, so that the two read side by side."""
    return http_date_for(mtime)


def _disk(disk: os.stat_result | None) -> str:
    if disk is None:
        return ""
    return f"{format_mtime(int(disk.st_mtime))} · {filesizeformat(disk.st_size)}"


def _answer(latest: ServedRecord | None, passed_on: bool) -> str:
    """What the server column says: the Cache-Control sent, or why there is none."""
    if latest is None:
        if passed_on:
            return _("passed on to WhiteNoise")
        return _("not asked in this visit")
    cache_control = latest["response_headers"].get("Cache-Control")
    return cache_control or _("no Cache-Control")


def _browser(held: Held | None, latest: ServedRecord | None) -> str:
    if held is not None and latest is None:
        where = _("its own copy")
    elif latest is not None and latest["status"] == 304:
        where = _("revalidated its copy")
    elif latest is not None:
        where = _("fetched")
    else:
        where = ""
    validator = (held.etag or held.last_modified) if held is not None else None
    return f"{where} · {validator}" if validator and where else where


def _details(records: list[ServedRecord]) -> str:
    """How it was served: requests, bytes, time, the entry point, the validators sent."""
    if not records:
        return ""
    latest = records[-1]
    count = len(records)
    if count == 1:  # the usual case
        sent, took = latest["bytes_sent"], latest["duration_ms"]
    else:
        sent = sum(record["bytes_sent"] for record in records)
        took = sum(record["duration_ms"] for record in records)
    text = _served_via(language(), count, latest["entry_point"]) % {
        "count": count,
        "bytes": filesizeformat(sent),
        "ms": took,
    }
    validators = latest["request_headers"]
    for name in ("If-None-Match", "If-Modified-Since"):
        if name in validators:
            text += f" · {name}: {validators[name]}"
    return text


@lru_cache(maxsize=256)
def _served_via(language: str | None, count: int, entry_point: str) -> str:
    """The details' fixed words in ``language``, for ``%`` to fill in: count, bytes, time."""
    served = ngettext(
        "%(count)d request, %(bytes)s sent in %(ms).1f ms",
        "%(count)d requests, %(bytes)s sent in %(ms).1f ms",
        count,
    )
    via = _("via %(entry_point)s") % {"entry_point": entry_point.replace("%", "%%")}
    return f"{served} · {via}"


def subtitle(enabled: bool, count: int | None) -> str:
    """``"on · 14 files"``; just the state while the page's files are not in yet."""
    label = _("on") if enabled else _("off")
    if not count:
        return label
    return ngettext("%(state)s · %(count)d file", "%(state)s · %(count)d files", count) % {
        "state": label,
        "count": count,
    }
