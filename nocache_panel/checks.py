"""System checks for configurations where the package cannot do what it promises."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig, apps
from django.core.checks import Tags, Warning, register
from django.utils.translation import gettext as _


@register(Tags.staticfiles)
def check_app_order(
    app_configs: Sequence[AppConfig] | None = None,
    databases: Sequence[str] | None = None,
    **kwargs: Any,
) -> list[Warning]:
    """runserver's command comes from the first app that defines one."""
    names = [config.name for config in apps.get_app_configs()]
    staticfiles = "django.contrib.staticfiles"
    if "nocache_panel" not in names or staticfiles not in names:
        return []  # not installed: the panel's own check says so
    if names.index(staticfiles) < names.index("nocache_panel"):
        return [
            Warning(
                _("runserver will serve static files without the no-cache switch."),
                hint=_(
                    'List "nocache_panel" before "django.contrib.staticfiles" in '
                    "INSTALLED_APPS so that its runserver command takes over."
                ),
                id="nocache_panel.W001",
            )
        ]
    return []
