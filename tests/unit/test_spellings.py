"""Another spelling of a path is the same file: a media file the project guards is never
served under one, through the middleware (WSGI and ASGI) or the panel's feed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient, Client

from tests.support.files import OUTSIDE, body, write
from tests.support.spellings import SECRET, SPELLINGS


@pytest.fixture
def guarded(media_root: Path) -> Path:
    write(media_root / "public" / "photo.png", b"\x89PNG public")
    return write(media_root / "private" / "secret.txt", SECRET)


@pytest.mark.parametrize("spelling", SPELLINGS)
@pytest.mark.parametrize("switch", [False, True], ids=["off", "on"])
def test_no_spelling_of_a_guarded_file_serves_it(
    db: None, guarded: Path, spelling: str, switch: bool
) -> None:
    from tests.support.files import switch_on

    client = switch_on(Client(REMOTE_ADDR=OUTSIDE), switch)
    response = client.get(spelling)
    assert response.status_code in (302, 404), spelling
    assert SECRET not in body(response)


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_no_spelling_serves_it_under_asgi(db: None, guarded: Path, spelling: str) -> None:
    async def fetch() -> object:
        return await AsyncClient(REMOTE_ADDR=OUTSIDE).get(spelling)

    response = async_to_sync(fetch)()
    assert response.status_code in (302, 404), spelling  # type: ignore[attr-defined]
    assert SECRET not in body(response)


def test_other_spellings_of_a_public_file_still_serve_it(db: None, guarded: Path) -> None:
    for spelling in ("/media/public/photo.png", "/media//public/photo.png",
                     "/media/./public/photo.png"):  # fmt: skip
        response = Client(REMOTE_ADDR=OUTSIDE).get(spelling)
        assert response.status_code == 200, spelling
        assert body(response) == b"\x89PNG public"


def test_the_feed_tells_nothing_of_a_guarded_file(db: None, guarded: Path) -> None:
    """The panel's rows never show the mtime and size of a file the project guards."""
    browser = Client()
    browser.get("/")
    from debug_toolbar.store import get_store

    since = get_store().panel(list(get_store().request_ids())[-1], "NoCachePanel")["since"]
    files = [{"path": path, "seen": "element", "copy": None} for path in SPELLINGS]
    feed = browser.post(
        f"/__debug__/nocache/records/?url=/&since={since!r}",
        json.dumps(files),
        content_type="application/json",
    )
    assert feed.status_code == 200
    size = f"{len(SECRET)} bytes"
    assert size not in feed.json()["rows"]
    assert 'data-nocache-state="missing"' in feed.json()["rows"]


def test_a_body_nested_deeper_than_python_recurses_is_a_400(db: None) -> None:
    nested = "[" * 100_000 + "]" * 100_000
    feed = Client().post(
        "/__debug__/nocache/records/?url=/&since=1.0", nested, content_type="application/json"
    )
    assert feed.status_code == 400
    assert "JSON list" in feed.json()["error"]


def test_long_unknown_paths_neither_fill_the_memo_nor_the_log(db: None, media_root: Path) -> None:
    """An outsider's 60 KB paths: the routing memo and the log keep none of them whole."""
    from nocache_panel.serving.mounts import _routed_to_project
    from nocache_panel.switch.log import served_log

    _routed_to_project.cache_clear()
    name = "😀" * 15_000  # 60 KB of UTF-8, 4 bytes a character in Python too
    write(media_root / "ok.txt", b"ok")
    for number in range(20):
        Client(REMOTE_ADDR=OUTSIDE).get(f"/media/{number}{name}").close()
    cached = _routed_to_project.cache_info().currsize
    assert cached == 0
    for record in served_log().snapshot():
        assert all(len(str(value)) <= 1024 for value in record.values() if isinstance(value, str))
