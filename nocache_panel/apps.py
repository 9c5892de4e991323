from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

THIS_APP = "nocache_panel"


class NoCachePanelConfig(AppConfig):
    name = THIS_APP
    verbose_name = _("No-cache panel")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
