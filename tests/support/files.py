"""Helpers for tests: files with a given age, a browser with the switch set, an outside address."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.test import Client

from nocache_panel.switch.choice import SESSION_KEY, forget_choices


def switch_on(client: Client, enabled: bool = True) -> Client:
    """Give the client's browser a session with the switch set."""
    session = client.session
    session[SESSION_KEY] = enabled
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    forget_choices()  # written behind the memo's back, as another process would
    return client


# A browser outside INTERNAL_IPS: the toolbar does not run and add its headers.
# (The address is only a header value in the test client; nothing is contacted.)
OUTSIDE = "192.0.2.10"


def write(path: Path, data: bytes, *, age: float = 0) -> Path:
    """Write a file and date its mtime ``age`` seconds in the past."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    if age:
        stamp = path.stat().st_mtime - age
        os.utime(path, (stamp, stamp))
    return path


def body(response: object) -> bytes:
    """A test client response's body, streamed or not."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)  # type: ignore[attr-defined]
    return response.content  # type: ignore[attr-defined, no-any-return]
