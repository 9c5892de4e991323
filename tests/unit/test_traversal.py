"""Hostile paths against the view: never a byte from outside the root, never a 500."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.support.files import body, write

SECRET = b"top-secret-outside-the-root"

ATTEMPTS = [
    "../secret.txt",
    "../../secret.txt",
    "sub/../../secret.txt",
    "%2e%2e/secret.txt",
    "%2e%2e%2fsecret.txt",
    "%252e%252e%252fsecret.txt",
    "..%2fsecret.txt",
    "..%252fsecret.txt",
    "..\\secret.txt",
    "..%5csecret.txt",
    "%2e%2e%5csecret.txt",
    "sub/..%00/secret.txt",
    "secret.txt%00.css",
    "%00",
    "/" + "{scratch}/secret.txt",
    "//{scratch}/secret.txt",
    "{scratch}/secret.txt",
    "C:\\Windows\\win.ini",
    "\\\\server\\share\\secret.txt",
    "....//secret.txt",
    ".../secret.txt",
    "%c0%ae%c0%ae/secret.txt",
    "link-out/../../secret.txt",
    "a" * 5000,
]


@pytest.fixture
def secret() -> Path:
    return write(Path(settings.SCRATCH) / "secret.txt", SECRET)


@pytest.mark.parametrize("attempt", ATTEMPTS)
def test_traversal_never_leaves_the_root(
    off_client: Client, docroot: Path, secret: Path, attempt: str
) -> None:
    write(docroot / "sub" / "ok.txt", b"fine")
    url = "/nocache/" + attempt.format(scratch=str(settings.SCRATCH).lstrip("/"))
    response = off_client.get(url)
    assert response.status_code in (400, 404)
    assert SECRET not in body(response)


def test_symlinks_inside_the_root_are_followed(off_client: Client, docroot: Path) -> None:
    vendor = Path(settings.SCRATCH) / "vendor"
    write(vendor / "lib.js", b"vendored();")
    (docroot / "vendor").symlink_to(vendor, target_is_directory=True)
    response = off_client.get("/nocache/vendor/lib.js")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"vendored();"


def test_a_fifo_is_not_found_rather_than_a_hang(off_client: Client, docroot: Path) -> None:
    import os

    os.mkfifo(docroot / "pipe.css")
    assert off_client.get("/nocache/pipe.css").status_code == 404


def test_an_unreadable_file_is_not_found_rather_than_a_500(
    off_client: Client, docroot: Path
) -> None:
    path = write(docroot / "locked.css", b"a {}")
    path.chmod(0)
    try:
        import os

        expected = 200 if os.access(path, os.R_OK) else 404  # root reads anything
        assert off_client.get("/nocache/locked.css").status_code == expected
    finally:
        path.chmod(0o644)
