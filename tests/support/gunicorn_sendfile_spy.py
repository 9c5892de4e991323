"""A gunicorn config for tests: each worker logs its socket.sendfile() calls to a file."""

from __future__ import annotations

import json
import os
import socket
from typing import Any

_sendfile = socket.socket.sendfile


def post_worker_init(worker: Any) -> None:
    log = os.environ["SENDFILE_LOG"]

    def spy(self: socket.socket, file: Any, offset: int = 0, count: int | None = None) -> int:
        sent = _sendfile(self, file, offset, count)
        with open(log, "a") as out:
            out.write(json.dumps({"offset": offset, "count": count, "sent": sent}) + "\n")
        return sent

    socket.socket.sendfile = spy  # type: ignore[method-assign]
