"""Settings for the test suite: the toolbar with NoCachePanel, sessions on, DEBUG on."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

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
TOOLBAR = "debug_toolbar.middleware.DebugToolbarMiddleware"
# The orders projects really use; live servers pick one with NOCACHE_MIDDLEWARE_ORDER.
MIDDLEWARE_ORDERS = {
    "toolbar-last": [NOCACHE, SESSION, CSRF, TOOLBAR],
    "toolbar-first": [TOOLBAR, NOCACHE, SESSION, CSRF],  # the toolbar's docs
    "toolbar-between": [NOCACHE, SESSION, TOOLBAR, CSRF],
    "no-csrf-middleware": [NOCACHE, SESSION, TOOLBAR],
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
if os.environ.get("NOCACHE_WHITENOISE") == "1":
    # For benchmarks: WhiteNoise where its docs put it, in place of our middleware,
    # scanning the finders once at startup as in production.
    MIDDLEWARE[MIDDLEWARE.index(NOCACHE)] = "whitenoise.middleware.WhiteNoiseMiddleware"
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = False
ROOT_URLCONF = "tests.urls"
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
DEBUG_TOOLBAR_PANELS = [*PANELS_DEFAULTS, "nocache_panel.panel.NoCachePanel"]
DEBUG_TOOLBAR_CONFIG = {
    "IS_RUNNING_TESTS": False,
    # The live-server tests run the toolbar both ways.
    "RENDER_PANELS": os.environ.get("NOCACHE_RENDER_PANELS") == "1",
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
