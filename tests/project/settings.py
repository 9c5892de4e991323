"""Settings for the test suite: the toolbar with NoCachePanel, sessions on, DEBUG on."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from debug_toolbar.settings import PANELS_DEFAULTS

HERE = Path(__file__).resolve().parent
# One scratch folder per test process; tests fill it through fixtures.
SCRATCH = Path(os.environ.get("NOCACHE_TEST_SCRATCH") or tempfile.mkdtemp(prefix="nocache-"))
DOCROOT = SCRATCH / "docroot"
STATIC_SOURCE = SCRATCH / "static-source"
MEDIA_ROOT = str(SCRATCH / "media")
for folder in (DOCROOT, STATIC_SOURCE, Path(MEDIA_ROOT)):
    folder.mkdir(parents=True, exist_ok=True)

SECRET_KEY = "tests-only"
DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
INTERNAL_IPS = ["127.0.0.1"]
USE_TZ = True

INSTALLED_APPS = [
    "nocache_panel",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "debug_toolbar",
]
if os.environ.get("NOCACHE_STOCK_RUNSERVER") == "1":
    # For benchmarks: staticfiles' runserver (Django's own) wins, as for a project without us.
    INSTALLED_APPS.remove("nocache_panel")
    INSTALLED_APPS.insert(INSTALLED_APPS.index("debug_toolbar"), "nocache_panel")
NOCACHE = "nocache_panel.middleware.NoCacheMiddleware"
SESSION = "django.contrib.sessions.middleware.SessionMiddleware"
CSRF = "django.middleware.csrf.CsrfViewMiddleware"
AUTH = "django.contrib.auth.middleware.AuthenticationMiddleware"
TOOLBAR = "debug_toolbar.middleware.DebugToolbarMiddleware"
# The orders projects really use; live servers pick one with NOCACHE_MIDDLEWARE_ORDER.
MIDDLEWARE_ORDERS = {
    "toolbar-last": [NOCACHE, SESSION, CSRF, AUTH, TOOLBAR],
    "toolbar-first": [TOOLBAR, NOCACHE, SESSION, CSRF, AUTH],  # the toolbar's docs
    "toolbar-between": [NOCACHE, SESSION, TOOLBAR, CSRF, AUTH],
    "no-csrf-middleware": [NOCACHE, SESSION, AUTH, TOOLBAR],
}
MIDDLEWARE = list(MIDDLEWARE_ORDERS[os.environ.get("NOCACHE_MIDDLEWARE_ORDER", "toolbar-last")])
if os.environ.get("NOCACHE_STRICT_CSP") == "1":
    # A strict policy: scripts and stylesheets only with the response's nonce.
    from csp.constants import NONCE, SELF

    MIDDLEWARE.insert(0, "csp.middleware.CSPMiddleware")
    CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {
            "default-src": [SELF],
            "script-src": [NONCE, "'strict-dynamic'"],
            "style-src": [NONCE],
            "img-src": [SELF, "data:"],
        }
    }
if os.environ.get("NOCACHE_WHITENOISE") in ("1", "development"):
    # For benchmarks: WhiteNoise where its docs put it, in place of our middleware,
    # either scanning the finders once at startup as in production ("1"), or as it
    # runs under DEBUG by default, looking files up on each request ("development").
    MIDDLEWARE[MIDDLEWARE.index(NOCACHE)] = "whitenoise.middleware.WhiteNoiseMiddleware"
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = os.environ["NOCACHE_WHITENOISE"] == "development"
# The packages projects run next to ours; live servers pick them with NOCACHE_WITH,
# a comma-separated list of the names below.
WITH = set(filter(None, os.environ.get("NOCACHE_WITH", "").split(",")))
WHITENOISE = "whitenoise.middleware.WhiteNoiseMiddleware"
if "whitenoise" in WITH:  # its middleware where its docs put it, ours just before, both
    # ahead of anything that runs per request (the toolbar), as README says
    MIDDLEWARE.remove(NOCACHE)
    MIDDLEWARE[0:0] = [NOCACHE, WHITENOISE]
if "whitenoise-before-ours" in WITH:
    MIDDLEWARE.insert(MIDDLEWARE.index(NOCACHE), WHITENOISE)
if "no-nocache-middleware" in WITH:  # with NOCACHE_STOCK_RUNSERVER: Django's own serving
    MIDDLEWARE.remove(NOCACHE)
if "whitenoise-alone" in WITH:  # WhiteNoise's middleware, ours not installed
    MIDDLEWARE[MIDDLEWARE.index(NOCACHE)] = WHITENOISE
if "runserver-nostatic" in WITH:  # whitenoise.runserver_nostatic, after our app
    INSTALLED_APPS.insert(1, "whitenoise.runserver_nostatic")
if "runserver-nostatic-first" in WITH:
    INSTALLED_APPS.insert(0, "whitenoise.runserver_nostatic")
if "daphne" in WITH or "daphne-first" in WITH:  # daphne's runserver, channels' routing
    INSTALLED_APPS.insert(0 if "daphne-first" in WITH else 1, "daphne")
    INSTALLED_APPS.append("channels")
    ASGI_APPLICATION = "tests.project.asgi_channels.application"
if "django-extensions" in WITH:
    INSTALLED_APPS.append("django_extensions")
if "browser-reload" in WITH:  # django-browser-reload: reloads the page when a file changes
    INSTALLED_APPS.append("django_browser_reload")
    MIDDLEWARE.append("django_browser_reload.middleware.BrowserReloadMiddleware")
if "sync-only-middleware" in WITH:  # Django then adapts ours to sync mode under ASGI
    MIDDLEWARE.insert(MIDDLEWARE.index(NOCACHE) + 1, "tests.project.sync_only.SyncOnlyMiddleware")
# A cache every worker process shares, for the log and the switch: a redis:// URL
# (a redis-server the tests start) or a folder for the file-based cache.
SHARED_CACHE = os.environ.get("NOCACHE_SHARED_CACHE", "")
CACHES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
if SHARED_CACHE.startswith("redis://"):
    CACHES["shared"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": SHARED_CACHE,
        # Bounded: a Redis that hangs costs half a second, then is left alone a while.
        "OPTIONS": {"socket_timeout": 0.5, "socket_connect_timeout": 0.5},
    }
elif SHARED_CACHE:
    CACHES["shared"] = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": SHARED_CACHE,
    }
if SHARED_CACHE:
    NOCACHE_PANEL = {"CACHE": "shared"}
ROOT_URLCONF = "tests.project.urls"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("NOCACHE_TEST_DB") or str(SCRATCH / "db.sqlite3"),
    }
}
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [HERE / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
STATIC_URL = "/static/"
STATICFILES_DIRS = [STATIC_SOURCE]
MEDIA_URL = "/media/"
if "sub-path" in WITH:  # deployed under /app behind a proxy that strips it
    FORCE_SCRIPT_NAME = "/app"
    STATIC_URL = "/app/static/"
    MEDIA_URL = "/app/media/"
DEBUG_TOOLBAR_PANELS = [*PANELS_DEFAULTS, "nocache_panel.panel.NoCachePanel"]
DEBUG_TOOLBAR_CONFIG: dict[str, Any] = {
    "IS_RUNNING_TESTS": False,
    # The live-server tests run the toolbar both ways.
    "RENDER_PANELS": os.environ.get("NOCACHE_RENDER_PANELS") == "1",
}
if SHARED_CACHE:
    # Several workers: the toolbar's own data in the database they share (toolbar 6+).
    DEBUG_TOOLBAR_CONFIG["TOOLBAR_STORE_CLASS"] = "debug_toolbar.store.DatabaseStore"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
