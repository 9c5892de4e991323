"""Freshness lifetimes (RFC 9111 section 4.2) and the verdicts a person reads."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils.http import http_date

from nocache_panel.freshness import (
    changed_since_served,
    freshness_lifetime,
    parse_cache_control,
    verdict,
)
from nocache_panel.records import ServedRecord

DAY = 24 * 3600
NOW = 1_800_000_000.0


def record(**changes: Any) -> ServedRecord:
    base: ServedRecord = {
        "time": NOW,
        "method": "GET",
        "path": "/static/site.css",
        "status": 200,
        "bytes_sent": 10,
        "duration_ms": 0.4,
        "no_cache": False,
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


def test_changed_since_served() -> None:
    served = record()
    assert not changed_since_served(served, served["mtime_ns"], 10)
    assert changed_since_served(served, served["mtime_ns"], 11)
    assert changed_since_served(served, (served["mtime_ns"] or 0) + 1, 10)
    assert changed_since_served(served, None, None)  # deleted


def text(v: Any) -> str:
    return str(v.text).replace("\xa0", " ")


def test_verdict_heuristic_freshness_needs_attention() -> None:
    served = record()
    result = verdict(served, served["mtime_ns"], 10, NOW + 60)
    assert text(result) == "fresh for 2 days by heuristic: edits will not show"
    assert result.attention


def test_verdict_edited_file_still_fresh_in_the_browser() -> None:
    served = record()
    result = verdict(served, (served["mtime_ns"] or 0) + 5, 10, NOW + 60)
    assert text(result).startswith("changed on disk since it was served: the browser keeps")
    assert result.attention


def test_verdict_revalidated_unchanged() -> None:
    served = record(status=304, response_headers={"Cache-Control": "no-cache"}, no_cache=True)
    result = verdict(served, served["mtime_ns"], 10, NOW)
    assert text(result) == "revalidated: unchanged"
    assert not result.attention


def test_verdict_no_cache_full_response_and_later_edit() -> None:
    served = record(response_headers={"Cache-Control": "no-cache"}, no_cache=True)
    assert text(verdict(served, served["mtime_ns"], 10, NOW)) == (
        "revalidated on every use: edits show on reload"
    )
    changed = verdict(served, 1, 10, NOW)
    assert text(changed) == "changed on disk since it was served: reload to see it"
    assert not changed.attention


def test_verdict_missing_file() -> None:
    result = verdict(record(status=404, mtime_ns=None, size=None), None, None, NOW)
    assert (text(result), result.attention) == ("not found", True)


def test_verdict_max_age() -> None:
    served = record(response_headers={"Cache-Control": "max-age=7200"})
    assert text(verdict(served, served["mtime_ns"], 10, NOW)) == (
        "fresh for 2 hours by max-age: edits will not show"
    )


def test_verdict_stale() -> None:
    served = record(response_headers={"Cache-Control": "max-age=10"})
    result = verdict(served, served["mtime_ns"], 10, NOW + 60)
    assert text(result) == "stale: the browser asks before reusing it"
