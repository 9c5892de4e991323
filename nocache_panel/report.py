"""What the panel shows for a page: its file requests as table rows with verdicts."""

from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import dataclass

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .freshness import Verdict, verdict
from .matching import records_for_page, visit_end
from .records import ServedRecord, page_log, served_log


@dataclass(frozen=True)
class Row:
    status: int
    url: str
    method: str
    cache_control: str
    etag: str
    last_modified: str
    if_none_match: str
    if_modified_since: str
    mtime: str
    size: str
    verdict: Verdict
    tooling: bool  # the toolbar's or this panel's own file, listed last


@dataclass(frozen=True)
class PageReport:
    rows: list[Row]
    served_paths: list[str]  # for the script's "never asked the server" list

    @property
    def attention(self) -> int:
        return sum(row.verdict.attention for row in self.rows)


def on_disk(record: ServedRecord) -> tuple[int | None, int | None]:
    """The file's current ``(mtime_ns, size)``, or ``(None, None)`` if it is gone."""
    if record["root"] is None or record["file"] is None:
        return None, None
    try:
        st = os.stat(os.path.join(record["root"], record["file"]))
    except (OSError, ValueError):
        return None, None
    return st.st_mtime_ns, st.st_size


# Static folders of the tools themselves: shown after the page's own files.
TOOLING_FOLDERS = ("debug_toolbar/", "nocache_panel/")


def format_mtime(mtime_ns: int | None) -> str:
    """UTC with milliseconds, beside ``Last-Modified`` (which is GMT, to the second)."""
    if mtime_ns is None:
        return ""
    moment = dt.datetime.fromtimestamp(mtime_ns / 1e9, tz=dt.timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond // 1000:03d} UTC"


def row_for(record: ServedRecord, now: float) -> Row:
    sent = record["request_headers"]
    received = record["response_headers"]
    mtime_ns, size = on_disk(record)
    return Row(
        status=record["status"],
        url=record["path"],
        method=record["method"],
        cache_control=received.get("Cache-Control", ""),
        etag=received.get("ETag", ""),
        last_modified=received.get("Last-Modified", ""),
        if_none_match=sent.get("If-None-Match", ""),
        if_modified_since=sent.get("If-Modified-Since", ""),
        mtime=format_mtime(record["mtime_ns"]),
        size="" if record["size"] is None else filesizeformat(record["size"]),
        verdict=verdict(record, mtime_ns, size, now),
        tooling=(record["file"] or "").startswith(TOOLING_FOLDERS),
    )


def page_report(session: str | None, url: str, since: float) -> PageReport:
    """The file requests of the page ``url`` loaded at ``since`` by ``session``."""
    until = visit_end(page_log().snapshot(), session, url, since)
    records = records_for_page(served_log().snapshot(), session, url, since, until)
    now = time.time()
    rows = [row_for(record, now) for record in records]
    return PageReport(
        rows=sorted(rows, key=lambda row: row.tooling),  # stable: arrival order within
        served_paths=sorted({record["path"] for record in records}),
    )


def subtitle(enabled: bool, count: int | None) -> str:
    """``"on · 14 files"``; just the state while the page's files are not in yet."""
    label = _("on") if enabled else _("off")
    if not count:
        return label
    return ngettext("%(state)s · %(count)d file", "%(state)s · %(count)d files", count) % {
        "state": label,
        "count": count,
    }
