"""Spellings of one guarded media path, and a GET that sends a path exactly as written."""

from __future__ import annotations

import http.client

from tests.support.live import LiveServer

SECRET = b"payslip: secret"
# Each decodes or normalises to /media/private/secret.txt, or to nothing at all.
SPELLINGS = [
    "/media/private/secret.txt",
    "/media//private/secret.txt",
    "/media/./private/secret.txt",
    "/media/private/./secret.txt",
    "/media/public/../private/secret.txt",
    "/media/%2570rivate/secret.txt",
    "/media/private%252Fsecret.txt",
    "/media/%2570rivate%252Fsecret.txt",
    "/media/private%2Fsecret.txt",
    "/media///private//secret.txt",
    "/media/%2e%2e/media/private/secret.txt",  # out of the mount and back in
    "/media/../media/private/secret.txt",
    "/media/private%5csecret.txt",
    "/media/private/%73ecret.txt",
    "/media/./private%2Fsecret.txt",
]


def get(server: LiveServer, path: str) -> tuple[int, dict[str, str], bytes]:
    """GET ``path`` exactly as written (already percent-encoded)."""
    port = int(server.url.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()
