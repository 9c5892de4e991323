"""The ``NOCACHE_PANEL`` settings dict, its defaults, and what is wrong with it."""

from __future__ import annotations

import difflib
from functools import cache
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise


class Config(TypedDict):
    ENABLED_BY_DEFAULT: bool
    MAX_RECORDS: int
    SERVE_MEDIA: bool
    CACHE: str | None


DEFAULTS: Config = {
    "ENABLED_BY_DEFAULT": False,
    "MAX_RECORDS": 500,
    "SERVE_MEDIA": True,
    "CACHE": None,
}
# What each key must hold, in the words a check message uses.
EXPECTED: dict[str, tuple[type | tuple[type, ...], StrOrPromise]] = {
    "ENABLED_BY_DEFAULT": (bool, _("True or False")),
    "MAX_RECORDS": (int, _("a positive integer")),
    "SERVE_MEDIA": (bool, _("True or False")),
    "CACHE": ((str, type(None)), _("the alias of a cache in CACHES, or None")),
}


@cache
def get_config() -> Config:
    """The defaults overlaid with the user's ``NOCACHE_PANEL`` dict."""
    user = getattr(settings, "NOCACHE_PANEL", {})
    return cast(Config, {**DEFAULTS, **(user if isinstance(user, dict) else {})})


def unknown_keys() -> list[str]:
    """Keys of ``NOCACHE_PANEL`` this package does not have (a typo is otherwise silent)."""
    user: Any = getattr(settings, "NOCACHE_PANEL", {})
    return [str(key) for key in user if key not in EXPECTED] if isinstance(user, dict) else []


def close_key(key: str) -> str | None:
    """The known key a mistyped one most likely meant."""
    return next(iter(difflib.get_close_matches(key.upper(), EXPECTED, n=1)), None)


def wrong_values() -> list[tuple[str, StrOrPromise, Any]]:
    """``(key, what it must hold, what it holds)`` for every value of the wrong kind."""
    user: Any = getattr(settings, "NOCACHE_PANEL", {})
    if not isinstance(user, dict):
        return [("", _("a dict"), user)]
    wrong = []
    for key, value in user.items():
        if key not in EXPECTED:
            continue
        kind, words = EXPECTED[key]
        if kind is int:
            # bool is an int to Python, never a count to a person.
            fits = isinstance(value, int) and not isinstance(value, bool) and value >= 1
        else:
            fits = isinstance(value, kind)
        if key == "CACHE" and isinstance(value, str):
            fits = value in settings.CACHES  # an alias of no cache is as wrong as a number
        if not fits:
            wrong.append((key, words, value))
    return wrong


@receiver(setting_changed)
def _forget_config(*, setting: str, **kwargs: Any) -> None:
    # Tests change settings on the fly; the cached dict must follow.
    if setting == "NOCACHE_PANEL":
        get_config.cache_clear()
