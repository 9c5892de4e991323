"""How long a browser reuses a response without asking, and what that means, in words.

Pure functions: RFC 9111 section 4.2.1 (explicit lifetime from ``max-age`` or
``Expires``) and section 4.2.2 (heuristic: 10% of the time since
``Last-Modified``), as Chromium and Firefox implement them, and the one verdict
a file of the page gets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Literal

from django.utils.http import parse_http_date_safe as django_parse_http_date_safe
from django.utils.translation import ngettext_lazy

from .translations import gettext as _

Basis = Literal["no-store", "no-cache", "max-age", "expires", "heuristic", "none"]
HEURISTIC_FRACTION = 0.1
LONGEST = 100 * 365 * 24 * 3600


# The values of a render (hundreds a poll): slotted dataclasses, which Python
# builds faster than named tuples or frozen dataclasses.
@dataclass(slots=True)
class Freshness:
    seconds: float  # how long the browser may reuse the response without asking
    basis: Basis


# The row contract's states (README): what a person should know about a file.
State = Literal["stale", "heuristic", "revalidate", "missing", "foreign"]


@dataclass(slots=True)
class Copy:
    """A response's caching headers, as served or as the browser holds it."""

    cache_control: str | None
    expires: str | None
    last_modified: str | None
    date: float  # when it was served


@dataclass(slots=True)
class Verdict:
    state: State
    text: str
    reusable_for: float = 0.0  # seconds the browser may still reuse it without asking


# Each poll of the panel reads the same dates again: each is parsed once.
@lru_cache(maxsize=4096)
def parse_http_date_safe(value: str) -> int | None:
    """``django.utils.http.parse_http_date_safe``, remembered."""
    return django_parse_http_date_safe(value)


# A page's files carry a handful of distinct headers: each is parsed once.
@lru_cache(maxsize=256)
def parse_cache_control(value: str | None) -> Mapping[str, str | None]:
    """``"no-cache, max-age=0"`` to ``{"no-cache": None, "max-age": "0"}`` (read-only)."""
    directives: dict[str, str | None] = {}
    for item in (value or "").split(","):
        name, _sep, arg = item.partition("=")
        if name.strip():
            directives[name.strip().lower()] = arg.strip().strip('"') if _sep else None
    return MappingProxyType(directives)


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


# The units a duration is told in, largest first; the plural is chosen by "count".
_UNITS = (
    (365 * 24 * 3600, ngettext_lazy("%(count)d year", "%(count)d years", "count")),
    (30 * 24 * 3600, ngettext_lazy("%(count)d month", "%(count)d months", "count")),
    (24 * 3600, ngettext_lazy("%(count)d day", "%(count)d days", "count")),
    (3600, ngettext_lazy("%(count)d hour", "%(count)d hours", "count")),
    (60, ngettext_lazy("%(count)d minute", "%(count)d minutes", "count")),
    (1, ngettext_lazy("%(count)d second", "%(count)d seconds", "count")),
)


def describe_duration(seconds: float) -> str:
    """``"3 days"``, ``"5 hours"``: the largest unit, rounded to the nearest, translated."""
    seconds = float(round(min(max(seconds, 0.0), LONGEST)))  # 10**20 s is "100 years"
    for size, words in _UNITS:
        if seconds >= size or size == 1:
            return str(words % {"count": round(seconds / size)})
    raise AssertionError("unreachable: the last unit is one second")


def judge(
    *,
    status: int | None,
    copy: Copy | None,
    current: bool | None,
    on_disk: bool,
    foreign: bool,
    now: float,
    passed_on: bool = False,
) -> Verdict:
    """The verdict on one file of a page.

    ``status``: what this package answered for it in this page visit, if it was
    asked. ``copy``: the response the browser holds (or, failing that, was
    given). ``current``: does that copy describe the file on disk now (``None``:
    unknown). ``foreign``: fetched, but from something other than this package;
    ``passed_on``: because the package leaves it to WhiteNoise while the switch is off.
    """
    if status == 404:
        return Verdict("missing", _("not found: check the path, or run collectstatic"))
    if status is not None and status >= 400:
        return Verdict("missing", _("refused (%(status)d)") % {"status": status})
    if not on_disk:
        return Verdict("missing", _("no longer on disk"))
    if foreign and passed_on:
        return Verdict("foreign", _("served by WhiteNoise while the switch is off"))
    if foreign:
        return Verdict("foreign", _("served by another handler, and its copy cannot be compared"))
    if copy is None:
        return Verdict("revalidate", _("not in the browser’s cache"))
    fresh = freshness_lifetime(copy.cache_control, copy.expires, copy.last_modified, copy.date)
    asks = fresh.basis in ("no-cache", "no-store")
    if current is False:
        if asks:
            return Verdict("stale", _("changed on disk since the browser got it: reload"))
        return Verdict("stale", _("the browser holds an older copy: the edit does not show"))
    if asks:
        if status == 304:
            return Verdict("revalidate", _("revalidated: unchanged"))
        return Verdict("revalidate", _("asked before each use: edits show on reload"))
    left = fresh.seconds - (now - copy.date)
    if left <= 0:
        return Verdict("revalidate", _("expired: the browser asks before reusing it"))
    if left < 60:
        return Verdict(
            "heuristic",
            _("reused without asking for less than a minute more"),
            reusable_for=left,
        )
    return Verdict(
        "heuristic",
        _("reused without asking for %(left)s more: an edit would not show")
        % {"left": describe_duration(left)},
        reusable_for=left,
    )
