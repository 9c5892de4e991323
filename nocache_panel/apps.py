from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoCachePanelConfig(AppConfig):
    name = "nocache_panel"
    verbose_name = _("No-cache panel")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
