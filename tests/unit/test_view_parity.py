"""nocache_panel.views.serve against django.views.static.serve, request by request.

Switch off: the same status, body and headers, except ``Accept-Ranges: bytes``
on full responses (the one documented addition: media can seek).
Switch on: only the documented differences: ``Cache-Control: no-cache``, a
strong ``ETag``, and ``If-None-Match`` answered as RFC 9110 section 13.1.2 says.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils.http import http_date

from nocache_panel.serving.validators import etag_for
from tests.support.files import body, write

MONTH = 30 * 24 * 3600

FILES: dict[str, bytes] = {
    "style.css": b"body { color: red; }\n",
    "app.js.gz": gzip.compress(b"console.log('hi');\n" * 50),
    "blob.unknownext": b"\x00\x01binary",
    "name with spaces.txt": b"spaces\n",
    "naïve-日本.txt": "unicode ✓\n".encode(),
    "a%2Fb.txt": b"percent-two-f\n",
    "empty.txt": b"",
    "big.bin": os.urandom(3 * 1024 * 1024),
    "sub/dir/image.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,
    "font.woff2": b"wOF2" + b"\x00" * 40,
    "index.html": b"<!doctype html><p>hello</p>",
}
# Paths requested: every file, plus a directory listing (show_indexes=True).
PATHS = [*FILES, "sub/"]

HeaderCase = Callable[[Path], dict[str, str]]


def _date(path: Path, delta: float) -> str:
    return http_date(path.stat().st_mtime + delta)


HEADER_CASES: dict[str, HeaderCase] = {
    "none": lambda p: {},
    "ims-past": lambda p: {"HTTP_IF_MODIFIED_SINCE": _date(p, -3600)},
    "ims-exact": lambda p: {"HTTP_IF_MODIFIED_SINCE": _date(p, 0)},
    "ims-future": lambda p: {"HTTP_IF_MODIFIED_SINCE": _date(p, 3600)},
    "ims-malformed": lambda p: {"HTTP_IF_MODIFIED_SINCE": "yesterday-ish; length=12"},
    "inm-match": lambda p: {"HTTP_IF_NONE_MATCH": etag_for(p.stat())},
    "inm-mismatch": lambda p: {"HTTP_IF_NONE_MATCH": '"not-this-one"'},
    "inm-weak": lambda p: {"HTTP_IF_NONE_MATCH": "W/" + etag_for(p.stat())},
    "inm-star": lambda p: {"HTTP_IF_NONE_MATCH": "*"},
    "inm-list": lambda p: {"HTTP_IF_NONE_MATCH": f'"x", {etag_for(p.stat())} , "y"'},
    "inm-mismatch-ims-exact": lambda p: {
        "HTTP_IF_NONE_MATCH": '"old"',
        "HTTP_IF_MODIFIED_SINCE": _date(p, 0),
    },
}
INM_MATCHES = {"inm-match", "inm-weak", "inm-star", "inm-list"}


@pytest.fixture
def files(docroot: Path) -> Path:
    for name, data in FILES.items():
        write(docroot / name, data, age=MONTH)
    return docroot


def _get(client: Client, prefix: str, name: str, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.get(f"/{prefix}/{quote(name)}", **headers)


def _headers(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return dict(response.headers.items())


@pytest.mark.parametrize("case", HEADER_CASES)
@pytest.mark.parametrize("name", PATHS)
def test_switch_off_matches_django(files: Path, off_client: Client, name: str, case: str) -> None:
    headers = HEADER_CASES[case](files / name)
    theirs = _get(off_client, "django", name, headers)
    ours = _get(off_client, "nocache", name, headers)

    assert ours.status_code == theirs.status_code
    assert body(ours) == body(theirs)
    expected = _headers(theirs)
    if theirs.status_code == 200 and name != "sub/":
        expected["Accept-Ranges"] = "bytes"
    assert _headers(ours) == expected


@pytest.mark.parametrize("case", HEADER_CASES)
@pytest.mark.parametrize("name", PATHS)
def test_switch_on_differs_only_as_documented(
    files: Path, on_client: Client, name: str, case: str
) -> None:
    headers = HEADER_CASES[case](files / name)
    theirs = _get(on_client, "django", name, headers)
    ours = _get(on_client, "nocache", name, headers)

    expected_headers = _headers(theirs)
    expected_status = theirs.status_code
    if name == "sub/":
        expected_headers["Cache-Control"] = "no-cache"
        assert ours.status_code == 200
        assert body(ours) == body(theirs)
        assert _headers(ours) == expected_headers
        return
    st = (files / name).stat()
    if "HTTP_IF_NONE_MATCH" in headers:
        # Django ignores If-None-Match; ours evaluates it, and then not If-Modified-Since.
        expected_status = 304 if case in INM_MATCHES else 200
    if expected_status == 304:
        expected_headers = {"Last-Modified": http_date(st.st_mtime)}
    else:
        # The full response Django gives without validators, plus the additions.
        expected_headers = _headers(_get(on_client, "django", name, {}))
        expected_headers["Accept-Ranges"] = "bytes"
    expected_headers["Cache-Control"] = "no-cache"
    expected_headers["ETag"] = etag_for(st)

    assert ours.status_code == expected_status
    assert _headers(ours) == expected_headers
    if expected_status == 200:
        assert body(ours) == FILES[name]
    else:
        assert body(ours) == b""


def test_missing_files_are_404_in_both(off_client: Client, docroot: Path) -> None:
    for prefix in ("django", "nocache"):
        assert off_client.get(f"/{prefix}/nothing-here.css").status_code == 404
        assert off_client.get(f"/{prefix}/").status_code == 200  # show_indexes


def test_the_etag_is_strong_and_tracks_mtime_and_size(on_client: Client, docroot: Path) -> None:
    path = write(docroot / "style.css", b"a {}", age=MONTH)
    first = on_client.get("/nocache/style.css")["ETag"]
    assert first.startswith('"')
    assert first.endswith('"')
    assert first == f'"{path.stat().st_mtime_ns:x}-{path.stat().st_size:x}"'
