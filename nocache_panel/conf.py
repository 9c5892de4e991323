"""The ``NOCACHE_PANEL`` settings dict and its defaults."""

from __future__ import annotations

from functools import cache
from typing import Any, TypedDict, cast

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver


class Config(TypedDict):
    ENABLED_BY_DEFAULT: bool
    MAX_RECORDS: int


DEFAULTS: Config = {"ENABLED_BY_DEFAULT": False, "MAX_RECORDS": 500}


@cache
def get_config() -> Config:
    """The defaults overlaid with the user's ``NOCACHE_PANEL`` dict."""
    user: dict[str, Any] = getattr(settings, "NOCACHE_PANEL", {})
    return cast(Config, {**DEFAULTS, **user})


@receiver(setting_changed)
def _forget_config(*, setting: str, **kwargs: Any) -> None:
    # Tests change settings on the fly; the cached dict must follow.
    if setting == "NOCACHE_PANEL":
        get_config.cache_clear()
