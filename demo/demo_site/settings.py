"""The demo: a page with static CSS, JS and images, an avatar upload, and a video."""

from __future__ import annotations

import os
from pathlib import Path

from debug_toolbar.settings import PANELS_DEFAULTS

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "demo-only-not-secret"
DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INTERNAL_IPS = ["127.0.0.1"]

INSTALLED_APPS = [
    "nocache_panel",  # before staticfiles: its runserver serves files with the switch
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "debug_toolbar",
    "demo_site",
]
MIDDLEWARE = [
    "nocache_panel.middleware.NoCacheMiddleware",  # for servers other than runserver
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "debug_toolbar.middleware.DebugToolbarMiddleware",
]
ROOT_URLCONF = "demo_site.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.media",
            ]
        },
    }
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("DEMO_DB", str(BASE_DIR / "db.sqlite3")),
    }
}
STATIC_URL = "/static/"
MEDIA_URL = "/media/"
MEDIA_ROOT = os.environ.get("DEMO_MEDIA_ROOT", str(BASE_DIR / "media"))
DEBUG_TOOLBAR_PANELS = [*PANELS_DEFAULTS, "nocache_panel.panel.NoCachePanel"]
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
