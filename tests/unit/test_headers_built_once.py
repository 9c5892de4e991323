"""A file's headers are built once per version, and a new version gets new ones at once."""

from __future__ import annotations

import os
from pathlib import Path

from django.test import Client

from nocache_panel.serving.headers import headers_for
from tests.support.files import write


def test_headers_are_reused_while_the_stat_is_the_same(docroot: Path) -> None:
    path = str(write(docroot / "a.css", b"a {}"))
    first = headers_for(path, os.stat(path), no_cache=True)
    assert headers_for(path, os.stat(path), no_cache=True) is first
    assert headers_for(path, os.stat(path), no_cache=False) is not first


def test_an_edit_a_nanosecond_later_of_the_same_size_is_a_new_version(
    docroot: Path,
) -> None:
    target = write(docroot / "a.css", b"a {}")
    path = str(target)
    before = headers_for(path, os.stat(path), no_cache=True)
    stamp = os.stat(path).st_mtime_ns
    target.write_bytes(b"b {}")  # same size
    os.utime(path, ns=(stamp + 1, stamp + 1))  # one nanosecond later
    after = headers_for(path, os.stat(path), no_cache=True)
    assert after.etag != before.etag
    assert after.last_modified == before.last_modified  # the same second


def test_a_served_edit_carries_the_new_length_and_validator(
    on_client: Client, docroot: Path
) -> None:
    target = write(docroot / "a.css", b"a {}")
    first = on_client.get("/nocache/a.css")
    first.close()
    stamp = os.stat(target).st_mtime_ns
    target.write_bytes(b"a { color: red }")
    os.utime(target, ns=(stamp, stamp))  # the mtime unchanged: only the size tells
    second = on_client.get("/nocache/a.css")
    assert second["Content-Length"] == "16"
    assert second["ETag"] != first["ETag"]
    assert b"".join(second.streaming_content) == b"a { color: red }"
