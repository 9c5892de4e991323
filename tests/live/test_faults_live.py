"""Files that change while they are served: against a live runserver and the core."""

from __future__ import annotations

import http.client
import os
import socket
from pathlib import Path

import pytest
from django.test import Client

from nocache_panel.serving import core
from tests.support.files import OUTSIDE, write
from tests.support.live import LiveServer

# Larger than what can be in flight (the server's send buffer, up to tcp_wmem's 4 MiB
# here, and the client's receive buffer, fixed below): the server is still reading
# the file when a test changes it.
SIZE = 16 * 1024 * 1024
RECEIVE_BUFFER = 256 * 1024
OLD = bytes([1]) * SIZE
NEW = bytes([2]) * SIZE


def _start(
    live: LiveServer, path: str
) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
    port = int(live.url.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    sock = socket.socket()
    # Set before connecting, it also stops the kernel growing the buffer on its own.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
    sock.settimeout(10)
    sock.connect(("127.0.0.1", port))
    connection.sock = sock
    connection.request("GET", path)
    response = connection.getresponse()
    assert response.status == 200
    return connection, response


def test_a_file_replaced_by_rename_keeps_streaming_the_opened_version(live: LiveServer) -> None:
    target = write(live.media_root / "big.bin", OLD)
    connection, response = _start(live, "/media/big.bin")
    head = response.read(64 * 1024)
    replacement = write(live.media_root / "big.bin.tmp", NEW)
    os.replace(replacement, target)
    assert head + response.read() == OLD
    connection.close()


def test_a_file_deleted_while_streaming_is_sent_whole(live: LiveServer) -> None:
    target = write(live.media_root / "big.bin", OLD)
    connection, response = _start(live, "/media/big.bin")
    head = response.read(64 * 1024)
    target.unlink()
    assert head + response.read() == OLD
    connection.close()


def test_a_file_truncated_while_streaming_ends_the_response_early(live: LiveServer) -> None:
    target = write(live.media_root / "big.bin", OLD)
    connection, response = _start(live, "/media/big.bin")
    head = response.read(64 * 1024)
    with target.open("r+b") as handle:
        handle.truncate(1000)
    # The promised length cannot be met: the server closes the connection
    # (no hang: the socket timeout is 10 s), and no byte of another version is sent.
    with pytest.raises(http.client.IncompleteRead) as cut:
        response.read()
    received = head + cut.value.partial
    assert len(received) < SIZE
    assert set(received) == {1}
    connection.close()
    # The server goes on serving.
    write(live.media_root / "small.txt", b"still here")
    connection, response = _start(live, "/media/small.txt")
    assert response.read() == b"still here"
    connection.close()


def test_a_file_removed_between_the_stat_and_the_open_is_404(
    db: None, docroot: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = write(docroot / "going.css", b"a {}")
    real_open = os.open

    def remove_then_open(path: str, flags: int, *args: int) -> int:
        target.unlink(missing_ok=True)
        return real_open(path, flags, *args)

    monkeypatch.setattr(core.os, "open", remove_then_open)
    assert Client(REMOTE_ADDR=OUTSIDE).get("/nocache/going.css").status_code == 404


def test_a_file_replaced_between_the_stat_and_the_open_is_described_as_sent(
    db: None, docroot: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = write(docroot / "swap.css", b"old {}")
    real_open = os.open

    def replace_then_open(path: str, flags: int, *args: int) -> int:
        fresh = write(docroot / "swap.tmp", b"new version {}")
        os.replace(fresh, target)
        return real_open(path, flags, *args)

    monkeypatch.setattr(core.os, "open", replace_then_open)
    response = Client(REMOTE_ADDR=OUTSIDE).get("/nocache/swap.css")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body == b"new version {}"
    assert response["Content-Length"] == str(len(body))


def test_truncation_under_the_test_client_raises_rather_than_short_changes(
    db: None, docroot: Path
) -> None:
    target = write(docroot / "big.bin", OLD)
    response = Client(REMOTE_ADDR=OUTSIDE).get("/nocache/big.bin")
    chunks = iter(response.streaming_content)
    first = next(chunks)
    with target.open("r+b") as handle:
        handle.truncate(10)
    with pytest.raises(OSError, match="truncated"):
        for _ in chunks:
            pass
    assert set(first) == {1}
    response.close()
