"""Next to what projects really run (test client): their own media views, WhiteNoise,
sub-paths, ASGI behind sync-only middleware, and the checks that name what cannot work."""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.contrib.auth.models import User
from django.core.checks import run_checks
from django.http.response import HttpResponseBase
from django.test import AsyncClient, Client, override_settings

from nocache_panel.switch.log import served_log
from tests.support.files import switch_on, write

NOCACHE = "nocache_panel.middleware.NoCacheMiddleware"
WHITENOISE = "whitenoise.middleware.WhiteNoiseMiddleware"


def _ids(**overrides: object) -> list[str]:
    with override_settings(**overrides):
        return [message.id for message in run_checks() if message.id]


def _messages(**overrides: object) -> dict[str, str]:
    with override_settings(**overrides):
        return {m.id: f"{m.msg} {m.hint}" for m in run_checks() if m.id}


# --- NOCACHE_PANEL is checked -------------------------------------------------------------


def test_a_mistyped_key_is_an_error_that_names_it_and_the_right_one() -> None:
    found = _messages(NOCACHE_PANEL={"ENABLED_BY_DEFALT": True})
    assert "'ENABLED_BY_DEFALT'" in found["nocache_panel.E001"]
    assert "'ENABLED_BY_DEFAULT'" in found["nocache_panel.E001"]


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ({"MAX_RECORDS": "500"}, "'500'"),
        ({"MAX_RECORDS": True}, "True"),
        ({"MAX_RECORDS": 0}, "0"),
        ({"SERVE_MEDIA": "no"}, "'no'"),
        ({"ENABLED_BY_DEFAULT": 1}, "1"),
        ({"CACHE": "not-in-caches"}, "'not-in-caches'"),
        ({"CACHE": 0}, "0"),
    ],
)
def test_a_value_of_the_wrong_kind_is_an_error_that_names_key_and_value(
    value: dict[str, object], shown: str
) -> None:
    found = _messages(NOCACHE_PANEL=value)
    key = next(iter(value))
    assert f"NOCACHE_PANEL['{key}'] must be" in found["nocache_panel.E002"]
    assert f"not {shown}." in found["nocache_panel.E002"]


def test_valid_settings_raise_nothing() -> None:
    valid = {"ENABLED_BY_DEFAULT": True, "MAX_RECORDS": 50, "SERVE_MEDIA": False, "CACHE": None}
    ids = _ids(NOCACHE_PANEL=valid)
    assert not [i for i in ids if i.startswith("nocache_panel.E")]
    assert "nocache_panel.E002" in _ids(NOCACHE_PANEL=["MAX_RECORDS"])


# --- runserver: whose command runs ------------------------------------------------------------


def _apps(*names: str) -> list[str]:
    return [*names, *(a for a in settings.INSTALLED_APPS if a != "nocache_panel")]


def test_daphne_listed_first_is_named_with_the_fix() -> None:
    found = _messages(INSTALLED_APPS=_apps("daphne", "nocache_panel"))
    assert "'daphne'" in found["nocache_panel.W001"]
    assert "List 'nocache_panel' before 'daphne'" in found["nocache_panel.W001"]
    assert "nocache_panel.W001" not in _ids(INSTALLED_APPS=_apps("nocache_panel", "daphne"))


def test_whitenoise_runserver_nostatic_first_still_reaches_ours() -> None:
    # Its runserver extends the next one, which is ours: nothing to warn about.
    first = _apps("whitenoise.runserver_nostatic", "nocache_panel")
    assert "nocache_panel.W001" not in _ids(INSTALLED_APPS=first)


def test_runserver_plus_with_its_static_handler_gets_a_warning(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    apps_with_extensions = [*settings.INSTALLED_APPS, "django_extensions"]
    monkeypatch.setattr(sys, "argv", ["manage.py", "runserver_plus"])
    found = _messages(INSTALLED_APPS=apps_with_extensions)
    assert "runserver_plus --nostatic" in found["nocache_panel.W005"]
    monkeypatch.setattr(sys, "argv", ["manage.py", "runserver_plus", "--nostatic"])
    assert "nocache_panel.W005" not in _ids(INSTALLED_APPS=apps_with_extensions)
    monkeypatch.setattr(sys, "argv", ["manage.py", "runserver"])
    assert "nocache_panel.W005" not in _ids(INSTALLED_APPS=apps_with_extensions)


def test_whitenoise_middleware_before_ours_gets_a_warning() -> None:
    after = [NOCACHE, WHITENOISE, *settings.MIDDLEWARE[1:]]
    before = [WHITENOISE, NOCACHE, *settings.MIDDLEWARE[1:]]
    assert "nocache_panel.W006" in _ids(MIDDLEWARE=before)
    assert "nocache_panel.W006" not in _ids(MIDDLEWARE=after)


def test_the_toolbar_between_ours_and_whitenoise_gets_a_warning_naming_it() -> None:
    """The toolbar's docs say "early", WhiteNoise's "right after SecurityMiddleware": put
    the toolbar between ours and WhiteNoise, and it runs on every static file."""
    toolbar = "debug_toolbar.middleware.DebugToolbarMiddleware"
    rest = [m for m in settings.MIDDLEWARE if m not in (NOCACHE, toolbar)]
    between = [NOCACHE, toolbar, WHITENOISE, *rest]
    adjacent = [NOCACHE, WHITENOISE, toolbar, *rest]
    message = _messages(MIDDLEWARE=between)["nocache_panel.W007"]
    assert toolbar in message
    assert "Put 'whitenoise.middleware.WhiteNoiseMiddleware' right after" in message
    assert "nocache_panel.W007" not in _ids(MIDDLEWARE=adjacent)


def test_a_toolbar_with_no_internal_ips_gets_a_warning_saying_so() -> None:
    message = _messages(INTERNAL_IPS=[])["nocache_panel.W008"]
    assert 'INTERNAL_IPS = ["127.0.0.1"]' in message
    assert "nocache_panel.W008" not in _ids(INTERNAL_IPS=["127.0.0.1"])
    custom = {**settings.DEBUG_TOOLBAR_CONFIG, "SHOW_TOOLBAR_CALLBACK": "tests.project.urls.page"}
    assert "nocache_panel.W008" not in _ids(INTERNAL_IPS=[], DEBUG_TOOLBAR_CONFIG=custom)


# --- never shadow the project's own media views ---------------------------------------------


@pytest.fixture
def private_and_public(media_root: Path) -> Path:
    write(media_root / "private" / "payslip.pdf", b"%PDF secret")
    write(media_root / "photo.png", b"\x89PNG public")
    return media_root


def test_a_login_required_media_view_answers_anonymous_with_a_redirect(
    db: None, private_and_public: Path
) -> None:
    client = switch_on(Client())
    refused = client.get("/media/private/payslip.pdf")
    assert refused.status_code == 302
    assert refused["Location"].startswith(settings.LOGIN_URL)
    served = client.get("/media/photo.png")
    assert served.status_code == 200
    assert served["Cache-Control"] == "no-cache"
    assert [r["path"] for r in served_log().snapshot()] == ["/media/photo.png"]

    client.force_login(User.objects.create(username="ada"))
    allowed = client.get("/media/private/payslip.pdf")
    assert allowed.status_code == 200
    assert b"".join(allowed.streaming_content) == b"%PDF secret"  # type: ignore[arg-type]


def test_media_serving_can_be_turned_off(db: None, private_and_public: Path) -> None:
    with override_settings(NOCACHE_PANEL={"SERVE_MEDIA": False}):
        assert Client().get("/media/photo.png").status_code == 404
    assert not served_log().snapshot()


# --- sub-paths -----------------------------------------------------------------------------


@override_settings(FORCE_SCRIPT_NAME="/app", STATIC_URL="/app/static/", MEDIA_URL="/app/media/")
def test_behind_a_proxy_that_strips_the_sub_path_files_are_served(
    db: None, static_source: Path, media_root: Path
) -> None:
    write(static_source / "site.css", b"h1 {}")
    write(media_root / "photo.png", b"\x89PNG")
    client = switch_on(Client())
    # What the proxy forwards for /app/static/site.css and /app/media/photo.png.
    for path in ("/static/site.css", "/media/photo.png?v=2"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Cache-Control"] == "no-cache"
    # Logged as the browser asked for them, which is what the panel matches.
    paths = [r["path"] for r in served_log().snapshot()]
    assert paths == ["/app/static/site.css", "/app/media/photo.png?v=2"]


# --- nosniff ----------------------------------------------------------------------------


def test_served_files_carry_nosniff_as_security_middleware_would(
    db: None, static_source: Path
) -> None:
    write(static_source / "data.txt", b"<script>")
    assert Client().get("/static/data.txt")["X-Content-Type-Options"] == "nosniff"
    assert Client().get("/static/missing.txt")["X-Content-Type-Options"] == "nosniff"
    with override_settings(SECURE_CONTENT_TYPE_NOSNIFF=False):
        assert "X-Content-Type-Options" not in Client().get("/static/data.txt")


# --- WhiteNoise -------------------------------------------------------------------------


@pytest.fixture
def with_whitenoise(static_source: Path) -> Path:
    css = b"body { color: red }\n" * 100
    write(static_source / "site.css", css)
    write(static_source / "site.css.gz", gzip.compress(css))
    middleware = [NOCACHE, WHITENOISE, *settings.MIDDLEWARE[1:]]
    with override_settings(MIDDLEWARE=middleware):
        yield static_source


def test_switch_off_static_files_pass_on_to_whitenoise_untouched(
    db: None, with_whitenoise: Path
) -> None:
    response = Client().get("/static/site.css", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"  # WhiteNoise's compressed copy
    assert response["Access-Control-Allow-Origin"] == "*"  # and its headers
    assert not served_log().snapshot()


def test_switch_on_static_files_are_served_with_no_cache(db: None, with_whitenoise: Path) -> None:
    response = switch_on(Client()).get("/static/site.css", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-cache"
    assert "Access-Control-Allow-Origin" not in response
    assert [r["status"] for r in served_log().snapshot()] == [200]


# --- ASGI with a sync-only middleware after ours ----------------------------------------------


def test_asgi_bodies_stream_even_when_django_runs_us_in_sync_mode(
    db: None, media_root: Path
) -> None:
    write(media_root / "clip.webm", b"x" * 300_000)
    middleware = [NOCACHE, "tests.project.sync_only.SyncOnlyMiddleware", *settings.MIDDLEWARE[1:]]

    async def fetch() -> HttpResponseBase:
        return await AsyncClient().get("/media/clip.webm")  # type: ignore[no-any-return]

    with override_settings(MIDDLEWARE=middleware):
        response = async_to_sync(fetch)()
    assert response.status_code == 200
    # An async body: Django's handler would otherwise read the file into a list
    # (and warn, which this suite turns into an error).
    assert response.is_async

    async def body() -> bytes:
        return b"".join([chunk async for chunk in response.streaming_content])  # type: ignore[union-attr]

    assert len(async_to_sync(body)()) == 300_000
