"""System checks for configurations where the package cannot do what it promises."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig, apps
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.core.management import find_commands
from django.utils.translation import gettext as _

from .apps import THIS_APP
from .conf import close_key, unknown_keys, wrong_values
from .serving.mounts import WHITENOISE_MIDDLEWARE

MIDDLEWARE = "nocache_panel.middleware.NoCacheMiddleware"
# Apps whose runserver extends the next one in INSTALLED_APPS, so ours still runs.
CHAINING_RUNSERVERS = {"whitenoise.runserver_nostatic"}


@register()
def check_settings(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """``NOCACHE_PANEL``: a typo in a key or a wrong type is an error, not silently ignored."""
    messages: list[CheckMessage] = []
    for key in unknown_keys():
        close = close_key(key)
        messages.append(
            Error(
                _("NOCACHE_PANEL has an unknown key %(key)r.") % {"key": key},
                hint=_("Did you mean %(close)r?") % {"close": close} if close else None,
                id="nocache_panel.E001",
            )
        )
    for key, expected, value in wrong_values():
        messages.append(
            Error(
                _("NOCACHE_PANEL[%(key)r] must be %(expected)s, not %(value)r.")
                % {"key": key, "expected": expected, "value": value}
                if key
                else _("NOCACHE_PANEL must be a dict, not %(value)r.") % {"value": value},
                id="nocache_panel.E002",
            )
        )
    return messages


@register(Tags.staticfiles)
def check_runserver(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """runserver's command comes from the first app that defines one."""
    names = [config.name for config in apps.get_app_configs()]
    if THIS_APP not in names:
        return []  # not installed: the panel's own check says so
    winner = _runserver_owner()
    if winner is not None:
        return [
            Warning(
                _(
                    "runserver comes from %(app)r, not from nocache_panel: static and "
                    "media files are served without the no-cache switch."
                )
                % {"app": winner},
                hint=_(
                    "List %(ours)r before %(app)r in INSTALLED_APPS: its runserver then "
                    "wraps the one %(app)r provides."
                )
                % {"ours": THIS_APP, "app": winner},
                id="nocache_panel.W001",
            )
        ]
    # runserver_plus leaves static files alone when whitenoise.runserver_nostatic is installed.
    static_handler = "--nostatic" not in sys.argv and "whitenoise.runserver_nostatic" not in names
    if _running("runserver_plus") and static_handler:
        return [
            Warning(
                _(
                    "runserver_plus serves static files itself, before any middleware: "
                    "they are served without the no-cache switch."
                ),
                hint=_(
                    "Run “manage.py runserver_plus --nostatic”, with %(middleware)r in MIDDLEWARE."
                )
                % {"middleware": MIDDLEWARE},
                id="nocache_panel.W005",
            )
        ]
    return []


@register(Tags.staticfiles)
def check_whitenoise(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """WhiteNoise answers static requests itself: ours must come first to see them."""
    middleware = list(settings.MIDDLEWARE)
    if WHITENOISE_MIDDLEWARE not in middleware or MIDDLEWARE not in middleware:
        return []
    ours, theirs = middleware.index(MIDDLEWARE), middleware.index(WHITENOISE_MIDDLEWARE)
    if ours < theirs:
        between = middleware[ours + 1 : theirs]
        if not between:
            return []
        # WhiteNoise answers static requests in its middleware: whatever sits between
        # the two (the toolbar) runs on every file it serves while the switch is off.
        return [
            Warning(
                _(
                    "%(between)s run(s) on every static file WhiteNoise serves: they sit "
                    "between NoCacheMiddleware and WhiteNoiseMiddleware."
                )
                % {"between": ", ".join(between)},
                hint=_("Put %(theirs)r right after %(ours)r in MIDDLEWARE.")
                % {"ours": MIDDLEWARE, "theirs": WHITENOISE_MIDDLEWARE},
                id="nocache_panel.W007",
            )
        ]
    return [
        Warning(
            _(
                "WhiteNoiseMiddleware comes before NoCacheMiddleware: static files are "
                "served without the no-cache switch."
            ),
            hint=_(
                "Move %(ours)r before %(theirs)r in MIDDLEWARE: with the switch off, "
                "static requests still pass on to WhiteNoise."
            )
            % {"ours": MIDDLEWARE, "theirs": WHITENOISE_MIDDLEWARE},
            id="nocache_panel.W006",
        )
    ]


def _runserver_owner() -> str | None:
    """The app whose runserver runs instead of this app's, if any.

    ``manage.py`` takes the command of the first app that has one; an app in
    ``CHAINING_RUNSERVERS`` hands on to the next, so the search goes on past it.
    """
    for config in apps.get_app_configs():
        if config.name == THIS_APP:
            return None
        commands = find_commands(os.path.join(config.path, "management"))
        if "runserver" in commands and config.name not in CHAINING_RUNSERVERS:
            return config.name
    return None


def _running(command: str) -> bool:
    """Is ``manage.py command`` what this process runs? (Checks run inside commands.)"""
    return len(sys.argv) > 1 and sys.argv[1] == command


# The toolbar's own default: it shows for addresses in INTERNAL_IPS only.
DEFAULT_SHOW_TOOLBAR = "debug_toolbar.middleware.show_toolbar"


@register()
def check_toolbar_shows(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """A toolbar that shows to no address shows no panel: say so, not a silent page."""
    config = getattr(settings, "DEBUG_TOOLBAR_CONFIG", {}) or {}
    callback = config.get("SHOW_TOOLBAR_CALLBACK", DEFAULT_SHOW_TOOLBAR)
    if not settings.DEBUG or callback != DEFAULT_SHOW_TOOLBAR or settings.INTERNAL_IPS:
        return []
    return [
        Warning(
            _(
                "INTERNAL_IPS is empty: the debug toolbar, and the No-cache panel in it, "
                "show to no browser."
            ),
            hint=_('Add INTERNAL_IPS = ["127.0.0.1"] to your settings.'),
            id="nocache_panel.W008",
        )
    ]
