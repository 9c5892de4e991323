"""The toolbar's language holds for everything the panel renders, and German is complete."""

from __future__ import annotations

import html
import shutil
import subprocess
import sys
from pathlib import Path

from debug_toolbar.store import get_store
from django.conf import settings
from django.test import Client, override_settings

from nocache_panel.panel.panel import HAS_TITLE_BAR
from tests.support.files import write
from tests.support.live import REPO

GERMAN = {**settings.DEBUG_TOOLBAR_CONFIG, "TOOLBAR_LANGUAGE": "de"}


def test_the_german_catalogue_covers_every_message(tmp_path: Path) -> None:
    package = tmp_path / "nocache_panel"
    shutil.copytree(REPO / "nocache_panel", package, ignore=shutil.ignore_patterns("*.mo"))
    env = {"DJANGO_SETTINGS_MODULE": "tests.project.settings", "PYTHONPATH": str(REPO), "PATH": ""}
    env["PATH"] = str(Path(shutil.which("xgettext") or "xgettext").parent)
    # makemessages merges what the code says now into the shipped catalogue.
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "de", "--no-location", "-v0"],
        cwd=package, env=env, check=True,
    )  # fmt: skip
    merged = package / "locale" / "de" / "LC_MESSAGES" / "django.po"
    stats = subprocess.run(
        ["msgfmt", "--statistics", "-o", "/dev/null", str(merged)],
        capture_output=True, text=True, check=True,
    ).stderr  # fmt: skip
    assert "translated messages" in stats
    assert "untranslated" not in stats, stats
    assert "fuzzy" not in stats, stats


def test_the_shipped_catalogue_is_compiled_from_the_shipped_po(tmp_path: Path) -> None:
    messages = REPO / "nocache_panel" / "locale" / "de" / "LC_MESSAGES"
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "-o", str(compiled), str(messages / "django.po")], check=True)
    assert compiled.read_bytes() == (messages / "django.mo").read_bytes()


def test_the_endpoints_and_the_switch_speak_the_toolbars_language(
    db: None, static_source: Path
) -> None:
    write(static_source / "site.css", b"h1 {}")
    with override_settings(DEBUG_TOOLBAR_CONFIG=GERMAN):
        browser = Client()
        page = browser.get("/").content.decode()
        request_id = list(get_store().request_ids())[-1]
        since = get_store().panel(request_id, "NoCachePanel")["since"]
        browser.get("/static/site.css", HTTP_REFERER="http://testserver/").close()
        browser.get("/static/gone.css", HTTP_REFERER="http://testserver/").close()
        feed = browser.get("/__debug__/nocache/records/", {"url": "/", "since": repr(since)})
        assert feed.json()["subtitle"] == "aus · 2 Dateien"
        assert "nicht gefunden" in feed.json()["rows"]
        bad = browser.post("/__debug__/nocache/toggle/", {"enabled": "maybe"})
        assert bad.json()["error"] == '"enabled" muss "0" oder "1" sein.'
        if HAS_TITLE_BAR:
            switch = page
        else:
            switch = browser.get(
                "/__debug__/render_panel/", {"request_id": request_id, "panel_id": "NoCachePanel"}
            ).json()["content"]
        assert "Mit no-cache ausliefern" in switch
        assert "No-Cache ist aus." in html.unescape(switch)
