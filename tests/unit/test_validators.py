"""Edits the browser must see: the one-second hole of Last-Modified, closed by the ETag."""

from __future__ import annotations

import os
from pathlib import Path

from django.test import Client

from tests.support.files import write


def _edit_in_same_second(path: Path, data: bytes) -> None:
    """Rewrite the file (same size) and keep its mtime within the same second."""
    before = path.stat()
    path.write_bytes(data)
    second = int(before.st_mtime)
    os.utime(path, ns=(before.st_atime_ns, second * 10**9 + 900_000_000))


def _revalidate(client: Client, first) -> object:  # type: ignore[no-untyped-def]
    headers = {"HTTP_IF_MODIFIED_SINCE": first["Last-Modified"]}
    if first.has_header("ETag"):
        headers["HTTP_IF_NONE_MATCH"] = first["ETag"]
    return client.get("/nocache/style.css", **headers)


def test_an_edit_within_the_same_second_is_served_with_the_switch_on(
    on_client: Client, docroot: Path
) -> None:
    path = write(docroot / "style.css", b"h1 { color: red;  }")
    os.utime(path, ns=(path.stat().st_atime_ns, int(path.stat().st_mtime) * 10**9))
    first = on_client.get("/nocache/style.css")
    assert b"".join(first.streaming_content) == b"h1 { color: red;  }"

    _edit_in_same_second(path, b"h1 { color: blue; }")
    second = _revalidate(on_client, first)

    assert second.status_code == 200
    assert b"".join(second.streaming_content) == b"h1 { color: blue; }"
    assert second["ETag"] != first["ETag"]

    # Unchanged since: revalidates to a 304 that carries the validators.
    third = on_client.get("/nocache/style.css", HTTP_IF_NONE_MATCH=second["ETag"])
    assert third.status_code == 304
    assert third["ETag"] == second["ETag"]
    assert third["Cache-Control"] == "no-cache"
    assert third["Last-Modified"] == second["Last-Modified"]


def test_with_the_switch_off_the_same_second_edit_is_missed_as_in_django(
    off_client: Client, docroot: Path
) -> None:
    path = write(docroot / "style.css", b"h1 { color: red;  }")
    os.utime(path, ns=(path.stat().st_atime_ns, int(path.stat().st_mtime) * 10**9))
    first = off_client.get("/nocache/style.css")
    _edit_in_same_second(path, b"h1 { color: blue; }")

    assert _revalidate(off_client, first).status_code == 304


def test_if_match_mismatch_is_a_precondition_failure(on_client: Client, docroot: Path) -> None:
    write(docroot / "style.css", b"a {}")
    response = on_client.get("/nocache/style.css", HTTP_IF_MATCH='"other"')
    assert response.status_code == 412
