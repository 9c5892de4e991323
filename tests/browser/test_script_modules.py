"""The panel script's deciding pieces on their own, in each engine: its modules imported
into a blank page of the site, with no toolbar around them.

Which files a page uses (``page_files.js``), what to repair (``repairs.js``), how the
table takes an answer (``rows.js``), and the one fetch helper's error path (``http.js``).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.engines import Engine
from tests.support.files import write
from tests.support.images import solid_png
from tests.support.live import LiveServer

MODULES = "/static/nocache_panel/js/"


@pytest.fixture
def blank(engine: Engine, live: LiveServer) -> Engine:
    engine.open(live.url + "/blank/")
    return engine


def run(engine: Engine, module: str, body: str) -> Any:
    """Run ``body`` in the page with the module imported as ``m``; returns its result.

    An async function's promise, returned: every engine's driver waits for it.
    """
    return engine.run(
        f'return (async () => {{ const m = await import("{MODULES}{module}"); {body} }})();'
    )


def test_page_path_keeps_only_this_sites_files_under_the_prefixes(blank: Engine) -> None:
    paths = run(
        blank,
        "page_files.js",
        """
        const prefixes = ["/static/", "/media/"];
        return [
            m.pagePath("/static/site.css?v=2", prefixes),
            m.pagePath(location.origin + "/media/a b.png", prefixes),
            m.pagePath("css/x.css", prefixes, location.origin + "/static/"),
            m.pagePath("http://127.0.0.2:9/static/site.css", prefixes),
            m.pagePath("/other/site.css", prefixes),
            m.pagePath("http://[bad", prefixes),
        ];
        """,
    )
    assert paths == [
        "/static/site.css?v=2",
        "/media/a%20b.png",
        "/static/css/x.css",
        None,
        None,
        None,
    ]


def test_page_files_lists_what_the_page_shows_and_no_unneeded_hover_image(
    blank: Engine, live: LiveServer
) -> None:
    for name in ("used.png", "hover.png", "photo.png"):
        write(live.static_source / name, solid_png((10, 20, 30)))
    write(live.media_root / "upload.png", solid_png((30, 20, 10)))
    files = run(
        blank,
        "page_files.js",
        """
        const style = document.createElement("style");
        style.textContent = `.used { background: url("/static/used.png") }
            .unused:hover { background: url(/static/hover.png) }`;
        document.head.append(style);
        document.body.innerHTML = `<div class="used">a</div><p class="unused">b</p>
            <img src="/media/upload.png"><img src="/static/photo.png">
            <img src="http://127.0.0.2:9/static/elsewhere.png"><img src="/other/x.png">`;
        await Promise.all([...document.images].map((img) => img.decode().catch(() => null)));
        // What resource timing would add is left out: the DOM and the styles alone.
        performance.clearResourceTimings();
        return Object.fromEntries(m.pageFiles([document], ["/static/", "/media/"]));
        """,
    )
    assert files == {
        "/static/used.png": "style",
        "/media/upload.png": "element",
        "/static/photo.png": "element",
    }


def test_the_feed_body_carries_each_file_with_the_copy_read_of_it(blank: Engine) -> None:
    body = run(
        blank,
        "page_files.js",
        """
        const files = new Map([["/static/a.css", "timing"], ["/media/b.png", "element"]]);
        const copies = new Map([["/media/b.png", { etag: '"1-2"' }]]);
        return m.browserFiles(files, copies);
        """,
    )
    assert body == [
        {"path": "/static/a.css", "seen": "timing", "copy": None},
        {"path": "/media/b.png", "seen": "element", "copy": {"etag": '"1-2"'}},
    ]


def test_a_stale_file_is_repaired_once_per_version_and_page(blank: Engine) -> None:
    rounds = run(
        blank,
        "repairs.js",
        """
        const href = "http://site/page/";
        const v1 = [{ path: "/static/a.css", version: "v1" }];
        const v2 = [{ path: "/static/a.css", version: "v2" }];
        const first = m.toRepair(v1, [], href);
        const again = m.toRepair(v1, first.remember, href);
        const edited = m.toRepair(v2, first.remember, href);
        const elsewhere = m.toRepair(v1, first.remember, "http://site/other/");
        const many = Array.from({ length: 300 }, (_, i) => ({ path: `/${i}`, version: "v" }));
        return {
            first: first.fresh.length,
            again: again.fresh.length,
            edited: edited.fresh.length,
            elsewhere: elsewhere.fresh.length,
            remembered: m.toRepair(many, [], href).remember.length,
        };
        """,
    )
    assert rounds == {"first": 1, "again": 0, "edited": 1, "elsewhere": 1, "remembered": 200}


def test_unreadable_repair_memory_counts_as_nothing_tried(blank: Engine) -> None:
    tried = run(
        blank,
        "repairs.js",
        """
        const storage = (value) => ({ getItem: () => value });
        return [
            m.triedRepairs(storage("not json")),
            m.triedRepairs(storage('{"a": 1}')),
            m.triedRepairs(storage(null)),
            m.triedRepairs(storage('["x"]')),
        ];
        """,
    )
    assert tried == [[], [], [], ["x"]]


def test_a_poll_replaces_only_the_rows_that_changed(blank: Engine) -> None:
    kept = run(
        blank,
        "rows.js",
        """
        const rows = document.createElement("tbody");
        rows.innerHTML = "<tr><td>a</td></tr><tr><td>b</td></tr><tr><td>c</td></tr>";
        const [a, b] = rows.children;
        m.updateRows(rows, "<tr><td>a</td></tr><tr><td>B</td></tr>");
        return {
            texts: [...rows.children].map((row) => row.textContent),
            firstKept: rows.children[0] === a,
            secondReplaced: rows.children[1] !== b,
        };
        """,
    )
    assert kept == {"texts": ["a", "B"], "firstKept": True, "secondReplaced": True}


def test_the_fetch_helper_answers_status_0_when_no_server_answers(blank: Engine) -> None:
    answers = run(
        blank,
        "http.js",
        """
        const gone = await m.getJSON("http://127.0.0.1:9/nothing-listens-here");
        const missing = await m.getJSON("/static/no-such-file.json");
        return [gone, { ok: missing.ok, status: missing.status }];
        """,
    )
    assert answers == [{"ok": False, "status": 0, "data": {}}, {"ok": False, "status": 404}]
