"""Byte ranges on the view and the middleware, both switch states, and the parsers' laws."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.test import Client
from django.utils.http import http_date
from hypothesis import given
from hypothesis import strategies as st

from nocache_panel.serving.ranges import UNSATISFIABLE, if_range_allows, parse_range
from nocache_panel.serving.validators import etag_for
from tests.support.files import OUTSIDE, body, switch_on, write

DATA = bytes(range(256)) * 40  # 10240 bytes, every offset distinguishable


@pytest.fixture(params=["view", "middleware"])
def url(request: pytest.FixtureRequest, docroot: Path, media_root: Path) -> str:
    write(docroot / "clip.bin", DATA)
    write(media_root / "clip.bin", DATA)
    return "/nocache/clip.bin" if request.param == "view" else "/media/clip.bin"


@pytest.fixture(params=[False, True], ids=["off", "on"])
def browser(request: pytest.FixtureRequest, db: None) -> Client:
    return switch_on(Client(REMOTE_ADDR=OUTSIDE), request.param)


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=100-", 100, 10239),
        ("bytes=-500", 9740, 10239),
        ("bytes=10000-20000", 10000, 10239),
        ("bytes=-99999", 0, 10239),
        ("BYTES = 5 - 5", 5, 5),
    ],
)
def test_a_single_range_is_206_with_only_those_bytes(
    url: str, browser: Client, header: str, start: int, end: int
) -> None:
    response = browser.get(url, HTTP_RANGE=header)
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {start}-{end}/10240"
    assert response["Content-Length"] == str(end - start + 1)
    assert body(response) == DATA[start : end + 1]


@pytest.mark.parametrize("header", ["bytes=10240-", "bytes=20000-30000", "bytes=-0"])
def test_unsatisfiable_ranges_are_416(url: str, browser: Client, header: str) -> None:
    response = browser.get(url, HTTP_RANGE=header)
    assert response.status_code == 416
    assert response["Content-Range"] == "bytes */10240"


@pytest.mark.parametrize(
    "header",
    ["bytes=0-1,5-6", "items=0-5", "bytes=5-1", "bytes=abc", "bytes=", "0-5", "bytes=1-2-3"],
)
def test_several_or_malformed_ranges_get_the_whole_file(
    url: str, browser: Client, header: str
) -> None:
    response = browser.get(url, HTTP_RANGE=header)
    assert response.status_code == 200
    assert response["Accept-Ranges"] == "bytes"
    assert body(response) == DATA


def test_if_range_with_the_exact_date_or_strong_tag(url: str, browser: Client) -> None:
    full = browser.get(url)
    assert full["Accept-Ranges"] == "bytes"
    matching = browser.get(url, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=full["Last-Modified"])
    assert matching.status_code == 206
    stale = browser.get(url, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=http_date(0))
    assert stale.status_code == 200
    assert body(stale) == DATA
    if full.has_header("ETag"):
        tagged = browser.get(url, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=full["ETag"])
        assert tagged.status_code == 206
        weak = browser.get(url, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE="W/" + full["ETag"])
        assert weak.status_code == 200


def test_an_empty_file_cannot_satisfy_a_range(docroot: Path, browser: Client) -> None:
    write(docroot / "empty.bin", b"")
    assert browser.get("/nocache/empty.bin", HTTP_RANGE="bytes=0-").status_code == 416


def test_head_ignores_range(url: str, browser: Client) -> None:
    response = browser.head(url, HTTP_RANGE="bytes=0-9")
    assert response.status_code == 200
    assert response["Content-Length"] == "10240"


@given(st.text(max_size=60), st.integers(min_value=0, max_value=10**12))
def test_parse_range_never_raises_and_stays_in_bounds(header: str, size: int) -> None:
    result = parse_range(header, size)
    if isinstance(result, tuple):
        start, length = result
        assert 0 <= start < size
        assert 1 <= length <= size - start


@given(
    st.integers(min_value=0, max_value=10**9),
    st.integers(min_value=0, max_value=10**9),
    st.integers(min_value=1, max_value=10**9),
)
def test_parse_range_matches_the_arithmetic(first: int, last: int, size: int) -> None:
    result = parse_range(f"bytes={first}-{last}", size)
    if last < first:
        assert result is None
    elif first >= size:
        assert result is UNSATISFIABLE
    else:
        assert result == (first, min(last, size - 1) - first + 1)


@given(st.text(max_size=80), st.text(max_size=40))
def test_if_range_only_allows_an_identical_strong_tag_or_date(if_range: str, tag: str) -> None:
    etag = f'"{tag}"'
    allowed = if_range_allows(if_range, etag, "Wed, 21 Oct 2015 07:28:00 GMT")
    stripped = if_range.strip()
    assert allowed == (stripped == etag or stripped == "Wed, 21 Oct 2015 07:28:00 GMT")


def test_the_etag_names_the_version(tmp_path: Path) -> None:
    path = write(tmp_path / "a", b"x")
    before = etag_for(path.stat())
    os.utime(path, ns=(0, path.stat().st_mtime_ns + 1))
    assert etag_for(path.stat()) != before
