"""Against a real runserver: other spellings of a guarded path, and names in any script."""

from __future__ import annotations

from urllib.parse import quote, unquote

import pytest

from tests.support.files import write
from tests.support.live import LiveServer
from tests.support.spellings import SECRET, SPELLINGS, get

# Uploaded media is named in every language.
NAMES = ["café.txt", "naïve résumé.txt", "日本.txt", "😀.txt", "Ελληνικά.txt", "עברית.txt",
         "русский файл.txt", "ﬁ-ligature.txt"]  # fmt: skip


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_runserver_serves_no_spelling_of_a_guarded_file(live: LiveServer, spelling: str) -> None:
    write(live.media_root / "private" / "secret.txt", SECRET)
    status, _headers, body = get(live, spelling)
    assert status in (302, 404), spelling
    assert SECRET not in body


@pytest.mark.parametrize("name", NAMES)
def test_runserver_serves_media_named_in_any_script(live: LiveServer, name: str) -> None:
    write(live.media_root / "uploads" / name, name.encode())
    status, _headers, body = get(live, "/media/uploads/" + quote(name))
    assert (status, body) == (200, name.encode())


def test_a_request_passed_on_sees_the_path_stock_django_gives(live: LiveServer) -> None:
    """The project's own view gets the path decoded once, as without the package."""
    write(live.media_root / "private" / "日本.txt", b"guarded")
    status, headers, _body = get(live, "/media/private/" + quote("日本.txt"))
    assert status == 302
    # Django's login redirect quotes the request's escaped path once more for ``next``.
    assert unquote(unquote(headers["Location"])).endswith("next=/media/private/日本.txt")


def test_the_panels_feed_tells_nothing_of_a_guarded_file_here_either(live: LiveServer) -> None:
    import json

    from tests.support.live import Browser

    write(live.media_root / "private" / "secret.txt", SECRET)
    browser = Browser(live.url)
    page, _request_id = browser.page("/")
    since = browser.visit_since(page)
    files = [{"path": path, "seen": "element", "copy": None} for path in SPELLINGS]
    feed = browser.request(
        f"/__debug__/nocache/records/?url=/&since={since}",
        method="POST",
        data=json.dumps(files).encode(),
    )
    assert feed.status == 200
    assert f"{len(SECRET)} bytes" not in json.loads(feed.body)["rows"]
