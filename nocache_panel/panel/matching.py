"""Which served records belong to a page: same browser, same visit, Referer chain."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from ..switch.log import PageVisit, ServedRecord


# A page's records share a handful of Referers: parse each once.
@lru_cache(maxsize=256)
def referer_path(referer: str | None) -> str | None:
    """A Referer as the path and query a record keeps (no scheme, host or fragment)."""
    if not referer:
        return None
    try:
        parts = urlsplit(referer)
    except ValueError:  # "http://[::1" and the like: any client can send one
        return None
    return parts.path + ("?" + parts.query if parts.query else "")


def visit_end(pages: list[PageVisit], session: str | None, url: str, since: float) -> float | None:
    """When the browser loaded the same page again: the end of this visit's window."""
    later = [
        page["time"]
        for page in pages
        if page["session"] == session and page["url"] == url and page["time"] > since
    ]
    return min(later, default=None)


def records_for_page(
    records: list[ServedRecord],
    session: str | None,
    url: str,
    since: float,
    until: float | None = None,
) -> list[ServedRecord]:
    """The page's file requests, in order, following Referer through stylesheets.

    A file a stylesheet loads names the stylesheet as its Referer, so each
    matched record's own path joins the set of accepted referers.
    """
    referers = {url}
    matched = []
    for record in records:
        if record["session"] != session or record["time"] < since:
            continue
        if until is not None and record["time"] >= until:
            continue
        if referer_path(record["request_headers"].get("Referer")) in referers:
            matched.append(record)
            referers.add(record["path"])
    return matched
