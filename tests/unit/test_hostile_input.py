"""Hostile paths and headers against the view and the middleware.

Never a 500, never a traceback, never a byte from outside the document root.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.support.files import OUTSIDE, body, write
from tests.support.hostile import SECRET, check_answer, header_cases, traversal_paths

PATHS = traversal_paths()
HEADERS = header_cases()
assert len(PATHS) >= 200


@pytest.fixture
def planted(db: None, docroot: Path, media_root: Path, static_source: Path) -> Client:
    """A secret beside each root, a file inside each, and a browser with the switch on."""
    write(Path(settings.SCRATCH) / "secret.txt", SECRET)
    for root in (docroot, media_root, static_source):
        write(root / "sub" / "deeper" / "ok.txt", b"fine")
    from tests.support.files import switch_on

    return switch_on(Client(REMOTE_ADDR=OUTSIDE))


@pytest.mark.parametrize("prefix", ["/nocache/", "/nocache/sub/deeper/", "/media/", "/static/"])
def test_hostile_paths_through_the_test_client(planted: Client, prefix: str) -> None:
    for path in PATHS:
        response = planted.get(prefix + path)
        check_answer(response.status_code, body(response))


@pytest.mark.parametrize("url", ["/nocache/sub/deeper/ok.txt", "/media/sub/deeper/ok.txt"])
def test_malformed_validators_and_cookies_through_the_test_client(
    planted: Client, url: str
) -> None:
    for headers in HEADERS:
        # As a WSGI server hands them over: the header's bytes, decoded as latin-1.
        meta = {
            "HTTP_" + name.upper().replace("-", "_"): value.encode().decode("latin-1")
            for name, value in headers.items()
        }
        response = planted.get(url, **meta)
        check_answer(response.status_code, body(response))
        assert response.status_code in (200, 206, 304, 412, 416)
