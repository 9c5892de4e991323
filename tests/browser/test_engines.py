"""The panel's stories in Chromium, Firefox ESR and WebKit: what each promise looks like on screen.

One page with a file of each kind a page shows (a stylesheet, a url() in it, a
script, media, an image chosen by srcset), served by a real runserver with the
toolbar's middleware first, as its docs say. Its files were last modified a
month ago, so each engine may reuse them for three days without asking.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.engines import (
    ROOT,
    Engine,
    cache_control,
    in_panel,
    launcher,
    open_panel,
    row_state,
    rows,
    subtitle,
    summary,
    switch_on,
)
from tests.support.images import solid_png
from tests.support.live import LiveServer, free_port, run_server

MONTH = 30 * 24 * 3600
PAGE = "/engines/"
# What the page shows; /static/hover.png is only a :hover background it never needed.
PAGE_FILES = {
    "/static/site.css",
    "/static/banner.png",
    "/static/app.js",
    "/media/photo.png",
    "/static/small.png",
}


def project_env() -> dict[str, str]:
    """The toolbar's middleware first; toolbars before 8.0 put the panel's script on every
    page only when they render the panels with it."""
    from nocache_panel.panel.panel import HAS_TITLE_BAR

    env = {"NOCACHE_MIDDLEWARE_ORDER": "toolbar-first"}
    if not HAS_TITLE_BAR:
        env["NOCACHE_RENDER_PANELS"] = "1"
    return env


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with run_server(env=project_env()) as server:
        yield server


@pytest.fixture
def site(server: LiveServer) -> Iterator[LiveServer]:
    """The page's files, last modified a month ago; removed after the test."""
    colour(server, 1)
    files = {
        server.static_source / "app.js": b"document.body.dataset.app = 'ran';",
        server.static_source / "banner.png": solid_png((200, 0, 0)),
        server.static_source / "hover.png": solid_png((0, 200, 0)),
        server.static_source / "small.png": solid_png((0, 0, 200)),
        server.static_source / "large.png": solid_png((0, 0, 100)),
        server.media_root / "photo.png": solid_png((90, 90, 90)),
    }
    for path, data in files.items():
        aged(path, data)
    yield server
    for folder in (server.static_source, server.media_root):
        for child in folder.iterdir():
            shutil.rmtree(child) if child.is_dir() else child.unlink()


def aged(path: Path, data: bytes, age: float = MONTH) -> None:
    import os

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    stamp = path.stat().st_mtime - age
    os.utime(path, (stamp, stamp))


def colour(server: LiveServer, shade: int, *, mtime_ns: int | None = None) -> None:
    colour_in(server.static_source, shade, mtime_ns=mtime_ns)


def colour_in(folder: Path, shade: int, *, mtime_ns: int | None = None) -> None:
    """site.css with ``h1`` in rgb(shade, shade, shade), a month old.

    Each shade is dated a second of its own, as edits a person makes are: a copy
    served without an ETag (the switch off) tells versions apart by the second.
    """
    import os

    css = folder / "site.css"
    text = (
        f"h1 {{ color: rgb({shade}, {shade}, {shade}); }}\n"
        ".banner { width: 8px; height: 8px; background: url(banner.png); }\n"
        ".banner:hover { background: url(hover.png); }\n"
    )
    aged(css, text.encode())
    if mtime_ns is None:
        mtime_ns = (int(css.stat().st_mtime) - int(css.stat().st_mtime) % 60 + shade) * 10**9
    os.utime(css, ns=(mtime_ns, mtime_ns))


def shows(engine: Engine, shade: int) -> None:
    """Wait until the title has the colour: the panel's script may reload the page once."""
    engine.wait_for(
        "return getComputedStyle(document.querySelector('h1')).color"
        f" === 'rgb({shade}, {shade}, {shade})'"
    )


def title_shade(engine: Engine) -> str:
    return str(engine.run("return getComputedStyle(document.querySelector('h1')).color"))


def stale_making_load(engine: Engine, server: LiveServer) -> None:
    """The load that reuses month-old files without asking, in this engine.

    Chromium and Firefox: F5. WebKit revalidates every file on a reload, but not on
    a navigation to the page (a link, the address bar).
    """
    if engine.name == "webkit":
        engine.follow(server.url + PAGE)
    else:
        engine.reload()


def stale_after_an_edit(engine: Engine, server: LiveServer) -> None:
    engine.open(server.url + PAGE)
    shows(engine, 1)
    colour(server, 2)
    stale_making_load(engine, server)
    assert title_shade(engine) == "rgb(1, 1, 1)"  # the edit does not show


def pixel(engine: Engine, image: str = "photo") -> list[int]:
    """The colour an image of the page shows."""
    return list(
        engine.run(
            f"const img = document.getElementById({image!r});"
            "const canvas = document.createElement('canvas'); canvas.width = canvas.height = 8;"
            "const context = canvas.getContext('2d'); context.drawImage(img, 0, 0, 8, 8);"
            "return Array.from(context.getImageData(4, 4, 1, 1).data.slice(0, 3));"
        )
    )


def quiet(engine: Engine, *, server_went_away: bool = False) -> None:
    """No uncaught error on any of the tab's pages, nor in the console where it is read.

    While runserver restarts, the engine itself logs the refused connections.
    """
    assert engine.page_errors() == []
    console = engine.console_errors()
    if server_went_away:
        console = [text for text in console if "ERR_CONNECTION_REFUSED" not in text]
    assert console == []


def served(server: LiveServer, since: int) -> list[tuple[str, int]]:
    """The page's files runserver answered since the log was ``since`` characters long."""
    found = re.findall(r'"GET (/\S+) HTTP/1\.1" (\d{3})', server.log()[since:])
    return [(path, int(status)) for path, status in found if path in PAGE_FILES]


def test_an_edit_the_cache_hides_is_named_and_every_file_is_listed(
    engine: Engine, site: LiveServer
) -> None:
    stale_after_an_edit(engine, site)
    open_panel(engine)
    row_state(engine, "/static/site.css", "stale")
    table = rows(engine)
    assert set(table) == PAGE_FILES  # images from a memory cache too; not the :hover one
    assert table["/static/site.css"]["status"] == ""  # the browser never asked
    assert [path for path, row in table.items() if row["state"] == "stale"] == ["/static/site.css"]
    assert "1 file is stale in your browser: site.css" in summary(engine)
    quiet(engine)


def test_re_fetch_stale_files_shows_the_edit_with_the_switch_off(
    engine: Engine, site: LiveServer
) -> None:
    stale_after_an_edit(engine, site)
    open_panel(engine)
    engine.wait_for(f"return !!{in_panel('.djdt-nocache-refetch')}")
    engine.navigate(f"{in_panel('.djdt-nocache-refetch')}.click()")
    shows(engine, 2)
    assert subtitle(engine).startswith("off")
    quiet(engine)


def test_the_switch_shows_the_edit_at_once(engine: Engine, site: LiveServer) -> None:
    stale_after_an_edit(engine, site)
    switch_on(engine)
    shows(engine, 2)
    quiet(engine)


def test_with_the_switch_on_edits_show_and_unchanged_files_revalidate(
    engine: Engine, site: LiveServer
) -> None:
    engine.open(site.url + PAGE)
    switch_on(engine)
    shows(engine, 1)

    # Edited twice within one second: Last-Modified alone would say "unchanged".
    second = int((site.static_source / "site.css").stat().st_mtime)
    colour(site, 3, mtime_ns=second * 10**9 + 100_000_000)
    engine.reload()
    shows(engine, 3)
    colour(site, 4, mtime_ns=second * 10**9 + 900_000_000)
    engine.follow(site.url + PAGE + "?page=b")  # a navigation
    shows(engine, 4)

    # The panel's script has judged the page (the side bar counts its files): what it
    # read must not change what the next reload asks (WebKit re-fetches what it read).
    engine.wait_for(
        f"return /files?$/.test({ROOT}.querySelector('#djdt-NoCachePanel small').textContent)"
    )
    mark = len(site.log())
    engine.reload()  # nothing edited: every file is asked about, and answered 304
    shows(engine, 4)
    engine.wait_for("return document.body.dataset.app === 'ran'")
    answers = served(site, mark)
    assert {path for path, _status in answers} == PAGE_FILES
    assert {status for _path, status in answers} == {304}
    quiet(engine)


def test_history_back_back_again_forward_then_back_show_each_edit(
    engine: Engine, site: LiveServer
) -> None:
    engine.open(site.url + PAGE + "?page=a")
    switch_on(engine)
    engine.follow(site.url + PAGE + "?page=b")
    engine.follow(site.url + PAGE + "?page=c")
    shows(engine, 1)

    colour(site, 2)
    engine.back()  # to b
    shows(engine, 2)

    colour(site, 3)
    engine.back()  # to a
    shows(engine, 3)

    engine.forward()  # to b
    shows(engine, 3)
    colour(site, 4)
    engine.back()  # to a
    shows(engine, 4)

    colour(site, 5)  # the same file edited again, on the same page of the same tab
    engine.forward()  # to b
    shows(engine, 5)
    engine.back()  # to a
    shows(engine, 5)
    quiet(engine)


def test_the_stale_file_is_named_after_a_server_restart(
    engine: Engine, site: LiveServer, tmp_path: Path
) -> None:
    """The panel compares the browser's copy with the disk: no log of the first load needed."""
    shared = {**project_env(), "NOCACHE_TEST_SCRATCH": str(tmp_path)}
    for folder in ("static-source", "media"):
        shutil.copytree(site.scratch / folder, tmp_path / folder)
    port = free_port()
    with run_server(env=shared, port=port) as first:
        engine.open(first.url + PAGE)
        shows(engine, 1)
    colour_in(tmp_path / "static-source", 2)  # while no server runs
    with run_server(env=shared, port=port) as second:
        stale_making_load(engine, second)
        assert title_shade(engine) == "rgb(1, 1, 1)"
        open_panel(engine)
        row_state(engine, "/static/site.css", "stale")
        assert "1 file is stale in your browser: site.css" in summary(engine)
    quiet(engine, server_went_away=True)


def test_media_replaced_under_the_same_name_shows_with_the_switch(
    engine: Engine, site: LiveServer
) -> None:
    """An upload that replaces an avatar keeps its name: the old picture stays until asked."""
    engine.open(site.url + PAGE)
    engine.wait_for("return document.getElementById('photo').complete")
    assert pixel(engine) == [90, 90, 90]
    (site.media_root / "photo.png").write_bytes(solid_png((240, 140, 0)))  # just now
    stale_making_load(engine, site)
    assert pixel(engine) == [90, 90, 90]
    open_panel(engine)
    row_state(engine, "/media/photo.png", "stale")
    switch_on(engine)
    engine.wait_for(
        "const img = document.getElementById('photo'); return img.complete && img.naturalWidth"
    )
    assert pixel(engine) == [240, 140, 0]
    quiet(engine)


def test_the_switch_follows_the_browser_to_a_new_tab_and_no_one_else(
    engine: Engine, site: LiveServer, request: pytest.FixtureRequest, display: Any
) -> None:
    engine.open(site.url + PAGE)
    switch_on(engine)
    engine.new_tab()
    engine.open(site.url + PAGE)
    assert subtitle(engine).startswith("on")
    assert cache_control(engine, "/static/site.css") == "no-cache"

    stranger = launcher(engine.name, lambda: request.getfixturevalue("chromium"), display)
    try:
        stranger.open(site.url + PAGE)
        assert subtitle(stranger).startswith("off")
        assert cache_control(stranger, "/static/site.css") is None
    finally:
        stranger.close()


def test_a_service_worker_is_named_and_can_be_unregistered(
    engine: Engine, site: LiveServer
) -> None:
    engine.open(site.url + PAGE)
    engine.run(
        "return navigator.serviceWorker.register('/sw.js')"
        ".then(() => navigator.serviceWorker.ready).then(() => true)"
    )
    engine.reload()
    assert engine.run("return Boolean(navigator.serviceWorker.controller)")
    open_panel(engine)
    notice = in_panel(".djdt-nocache-serviceworker")
    engine.wait_for(f"return !{notice}.classList.contains('djdt-hidden')")
    engine.navigate(f"{notice}.querySelector('button').click()")
    assert (
        engine.run("return navigator.serviceWorker.getRegistrations().then((r) => r.length)") == 0
    )
    open_panel(engine)
    assert engine.run(f"return {notice}.classList.contains('djdt-hidden')")
    quiet(engine)
