"""Against a real runserver: other spellings of a guarded path, and names in any script."""

from __future__ import annotations

import http.client
from urllib.parse import quote, unquote

import pytest

from .conftest import write
from .live import LiveServer
from .test_spellings import SECRET, SPELLINGS

# Uploaded media is named in every language.
NAMES = ["café.txt", "naïve résumé.txt", "日本.txt", "😀.txt", "Ελληνικά.txt", "עברית.txt",
         "русский файл.txt", "ﬁ-ligature.txt"]  # fmt: skip


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

    from .live import Browser

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


def test_long_unknown_paths_grow_our_runserver_no_more_than_stock() -> None:
    """An outsider's 400 requests for unknown 58 KB media paths (one non-BMP character in
    each makes Python keep 4 bytes a character): what stock runserver keeps, and no more."""
    from .live import peak_rss_kib, run_server, server_pid

    def growth_mib(env: dict[str, str]) -> float:
        with run_server(env=env) as server:
            get(server, "/media/warm-up.txt")
            pid = server_pid(server)
            before = peak_rss_kib(pid)
            for number in range(400):
                path = f"/media/{number}" + "a" * 58_000 + quote("😀")
                status, _headers, _body = get(server, path)
                assert status == 404, status
            return (peak_rss_kib(pid) - before) / 1024

    ours = growth_mib({})
    stock = growth_mib({"NOCACHE_STOCK_RUNSERVER": "1", "NOCACHE_WITH": "no-nocache-middleware"})
    assert ours <= stock + 8, (ours, stock)
