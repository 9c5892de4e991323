"""Freshness lifetimes (RFC 9111 section 4.2) and the verdicts a person reads."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils.http import http_date

from nocache_panel.panel.freshness import (
    Copy,
    Verdict,
    describe_duration,
    freshness_lifetime,
    judge,
    parse_cache_control,
)
from nocache_panel.switch.log import ServedRecord

DAY = 24 * 3600
NOW = 1_800_000_000.0


def record(**changes: Any) -> ServedRecord:
    base: ServedRecord = {
        "time": NOW,
        "path": "/static/site.css",
        "status": 200,
        "bytes_sent": 10,
        "duration_ms": 0.4,
        "entry_point": "runserver",
        "session": None,
        "request_headers": {},
        "response_headers": {"Last-Modified": http_date(NOW - 30 * DAY)},
        "root": "/srv",
        "file": "site.css",
        "mtime_ns": int((NOW - 30 * DAY) * 1e9),
        "size": 10,
    }
    base.update(changes)  # type: ignore[typeddict-item]
    return base


def test_parse_cache_control() -> None:
    assert parse_cache_control('no-cache, Max-Age="60" ,private') == {
        "no-cache": None,
        "max-age": "60",
        "private": None,
    }
    assert parse_cache_control(None) == {}


@pytest.mark.parametrize(
    ("cache_control", "expires", "expected"),
    [
        (None, None, (3 * DAY, "heuristic")),  # 10% of 30 days
        ("no-cache", None, (0, "no-cache")),
        ("no-store", None, (0, "no-store")),
        ("max-age=60", None, (60, "max-age")),
        ("max-age=bogus", None, (0, "max-age")),
        ("public", http_date(NOW + 120), (120, "expires")),
        (None, "not a date", (0, "expires")),
    ],
)
def test_freshness_lifetime(
    cache_control: str | None, expires: str | None, expected: tuple[float, str]
) -> None:
    fresh = freshness_lifetime(cache_control, expires, http_date(NOW - 30 * DAY), NOW)
    assert (fresh.seconds, fresh.basis) == expected


def test_no_validator_and_no_lifetime_is_not_fresh() -> None:
    fresh = freshness_lifetime(None, None, None, NOW)
    assert (fresh.seconds, fresh.basis) == (0, "none")


def copy(cache_control: str | None = None, age: float = 30 * DAY) -> Copy:
    """A response served at NOW for a file last modified ``age`` before."""
    return Copy(cache_control, None, http_date(NOW - age), NOW)


def judged(**given: Any) -> Verdict:
    arguments: dict[str, Any] = {
        "status": 200,
        "copy": copy(),
        "current": True,
        "on_disk": True,
        "foreign": False,
        "now": NOW + 60,
    }
    arguments.update(given)
    return judge(**arguments)


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0, "0 seconds"),
        (1, "1 second"),
        (59.6, "1 minute"),
        (3 * DAY - 60, "3 days"),  # 10% of a month-old file's age, a minute later
        (2.6 * DAY, "3 days"),
        (7200, "2 hours"),
        (45 * DAY, "2 months"),
        (10**30, "100 years"),
    ],
)
def test_durations_round_to_the_nearest_unit_with_plurals(seconds: float, words: str) -> None:
    assert describe_duration(seconds).replace("\xa0", " ") == words


def test_a_month_old_file_is_reused_for_3_days_without_asking() -> None:
    verdict = judged()
    assert verdict.state == "heuristic"
    assert verdict.text == "reused without asking for 3 days more: an edit would not show"


def test_a_copy_older_than_the_disk_is_stale() -> None:
    verdict = judged(current=False)
    assert verdict.state == "stale"
    assert verdict.text == "the browser holds an older copy: the edit does not show"
    assert judged(current=False, copy=copy("no-cache")).state == "stale"


def test_no_cache_revalidates() -> None:
    assert judged(status=304, copy=copy("no-cache")).text == "revalidated: unchanged"
    full = judged(copy=copy("no-cache"))
    assert (full.state, full.text) == ("revalidate", "asked before each use: edits show on reload")


def test_missing_refused_gone_and_foreign() -> None:
    assert judged(status=404).state == "missing"
    assert judged(status=416).text == "refused (416)"
    assert judged(on_disk=False).text == "no longer on disk"
    foreign = judged(status=None, foreign=True)
    assert (foreign.state, foreign.text) == (
        "foreign",
        "served by another handler, and its copy cannot be compared",
    )
    whitenoise = judged(status=None, foreign=True, passed_on=True)
    assert whitenoise.text == "served by WhiteNoise while the switch is off"


def test_explicit_lifetimes_and_expiry() -> None:
    assert judged(copy=copy("max-age=7200"), now=NOW).text == (
        "reused without asking for 2 hours more: an edit would not show"
    )
    expired = judged(copy=copy("max-age=10"))
    assert (expired.state, expired.text) == (
        "revalidate",
        "expired: the browser asks before reusing it",
    )


def test_a_freshness_of_seconds_is_no_warning() -> None:
    """A photo uploaded seconds ago: "up to 1 second" is not worth saying."""
    seconds = judged(copy=copy(age=100), now=NOW + 2)  # fresh for 10 s, 8 left
    assert (seconds.state, seconds.text) == (
        "heuristic",
        "reused without asking for less than a minute more",
    )
