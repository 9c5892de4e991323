"""How long a browser reuses a response without asking, and what that means, in words.

Pure functions over a served record: RFC 9111 section 4.2.1 (explicit lifetime
from ``max-age`` or ``Expires``) and section 4.2.2 (heuristic: 10% of the time
since ``Last-Modified``), as Chromium and Firefox implement them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from django.utils.http import parse_http_date_safe
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

if TYPE_CHECKING:
    from .records import ServedRecord

Basis = Literal["no-store", "no-cache", "max-age", "expires", "heuristic", "none"]
HEURISTIC_FRACTION = 0.1
LONGEST = 100 * 365 * 24 * 3600


@dataclass(frozen=True)
class Freshness:
    seconds: float  # how long the browser may reuse the response without asking
    basis: Basis


@dataclass(frozen=True)
class Verdict:
    text: str
    attention: bool  # the person should act: edits will not show


def parse_cache_control(value: str | None) -> dict[str, str | None]:
    """``"no-cache, max-age=0"`` to ``{"no-cache": None, "max-age": "0"}``."""
    directives: dict[str, str | None] = {}
    for item in (value or "").split(","):
        name, _sep, arg = item.partition("=")
        if name.strip():
            directives[name.strip().lower()] = arg.strip().strip('"') if _sep else None
    return directives


def freshness_lifetime(
    cache_control: str | None,
    expires: str | None,
    last_modified: str | None,
    date: float,
) -> Freshness:
    """The freshness lifetime a private browser cache gives a response served at ``date``."""
    directives = parse_cache_control(cache_control)
    if "no-store" in directives:
        return Freshness(0, "no-store")
    if "no-cache" in directives:
        return Freshness(0, "no-cache")
    max_age = directives.get("max-age")
    if max_age is not None:
        # An invalid max-age makes the response stale (section 5.2.2.1).
        valid = max_age.isascii() and max_age.isdigit()
        return Freshness(int(max_age) if valid else 0, "max-age")
    if expires is not None:
        expires_at = parse_http_date_safe(expires)
        return Freshness(max(0, expires_at - date) if expires_at else 0, "expires")
    modified_at = parse_http_date_safe(last_modified) if last_modified else None
    if modified_at is not None:
        return Freshness(max(0.0, (date - modified_at) * HEURISTIC_FRACTION), "heuristic")
    return Freshness(0, "none")


def record_freshness(record: ServedRecord) -> Freshness:
    headers = record["response_headers"]
    return freshness_lifetime(
        headers.get("Cache-Control"),
        headers.get("Expires"),
        headers.get("Last-Modified"),
        record["time"],
    )


def changed_since_served(record: ServedRecord, mtime_ns: int | None, size: int | None) -> bool:
    """Does the file on disk differ from the version this record describes?"""
    if record["mtime_ns"] is None:
        return False
    return (mtime_ns, size) != (record["mtime_ns"], record["size"])


def describe_duration(seconds: float) -> str:
    """``"3 days"``, ``"5 hours"``: the largest unit only, translated."""
    start = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
    seconds = min(seconds, LONGEST)  # a max-age of 10**20 is "100 years", not an overflow
    if seconds < 60:
        whole = int(seconds)
        return ngettext("%(seconds)d second", "%(seconds)d seconds", whole) % {"seconds": whole}
    return timesince(start, start + dt.timedelta(seconds=seconds), depth=1)


def verdict(record: ServedRecord, mtime_ns: int | None, size: int | None, now: float) -> Verdict:
    """One line a person understands, given the file's current mtime and size."""
    status = record["status"]
    if status == 404:
        return Verdict(_("not found"), True)
    if status >= 400:
        return Verdict(_("refused (%(status)d)") % {"status": status}, True)
    changed = changed_since_served(record, mtime_ns, size)
    fresh = record_freshness(record)
    remaining = fresh.seconds - (now - record["time"])
    if fresh.basis in ("no-cache", "no-store"):
        if changed:
            return Verdict(_("changed on disk since it was served: reload to see it"), False)
        if status == 304:
            return Verdict(_("revalidated: unchanged"), False)
        return Verdict(_("revalidated on every use: edits show on reload"), False)
    if changed and remaining > 0:
        return Verdict(
            _("changed on disk since it was served: the browser keeps the old copy for %(left)s")
            % {"left": describe_duration(remaining)},
            True,
        )
    if changed:
        return Verdict(_("changed on disk since it was served"), True)
    if status == 304:
        return Verdict(_("revalidated: unchanged"), False)
    if remaining > 0 and fresh.basis == "heuristic":
        return Verdict(
            _("fresh for %(left)s by heuristic: edits will not show")
            % {"left": describe_duration(remaining)},
            True,
        )
    if remaining > 0:
        return Verdict(
            _("fresh for %(left)s by %(basis)s: edits will not show")
            % {"left": describe_duration(remaining), "basis": fresh.basis},
            True,
        )
    return Verdict(_("stale: the browser asks before reusing it"), False)
