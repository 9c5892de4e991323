"""``NoCachePanel``: the page's static and media requests, and the no-cache switch."""

from __future__ import annotations

import json
import time
from inspect import isawaitable
from typing import TYPE_CHECKING, Any

from asgiref.sync import sync_to_async
from debug_toolbar.panels import Panel
from django.apps import apps
from django.conf import settings
from django.core.checks import CheckMessage, Warning
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..serving.mounts import configured_mounts
from ..switch import choice
from ..switch.log import PageVisit, clip, page_log
from . import endpoints
from .report import is_tooling, page_files, page_report, subtitle
from .table_html import table_html

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

# Toolbars before 8.0 have no title bar hook: the switch then sits in the content.
HAS_TITLE_BAR = hasattr(Panel, "title_bar")
SCRIPT = "nocache_panel/js/panel.js"
STYLESHEET = "nocache_panel/css/panel.css"


class NoCachePanel(Panel):
    is_async = True
    title = _("No-cache")
    nav_title = _("No-cache")
    template = "nocache_panel/panel.html"
    _switch: tuple[bool, float]  # the switch and the time, read as the request came in

    # Stats: what the panel knew when the page was served. JSON-serialisable.

    def process_request(self, request: HttpRequest) -> Any:
        since = time.time()
        response = super().process_request(request)
        if isawaitable(response):
            # Under ASGI the session read (maybe a database query) must not
            # run on the event loop; read it before the view is awaited.
            async def read_then_respond() -> HttpResponse:
                self._switch = (await sync_to_async(choice.is_enabled)(request), since)
                result: HttpResponse = await response
                return result

            return read_then_respond()
        self._switch = (choice.is_enabled(request), since)
        return response

    def generate_stats(self, request: HttpRequest, response: HttpResponse) -> None:
        enabled, since = self._switch
        session = choice.session_digest(choice.session_key(request))
        url = clip(request.get_full_path())
        page_log().add(PageVisit(session=session, url=url, time=since))
        self.record_stats(
            {
                "enabled": enabled,
                "sessions_available": choice.sessions_available(),
                "session": session,
                "page_url": url,
                "since": since,
                "prefixes": [m.prefix for m in configured_mounts(static=True, media=True)],
            }
        )

    # What the toolbar shows.

    @property
    def nav_subtitle(self) -> str:
        stats = self.get_stats()
        if not stats:
            return ""
        files = page_files(stats["session"], stats["page_url"], stats["since"])
        # The page's own files, as the table lists them; the tools' are apart.
        return subtitle(stats["enabled"], sum(not is_tooling(file.path) for file in files))

    @property
    def title_bar(self) -> str:
        return self._render_switch() if self.get_stats() else ""

    @property
    def content(self) -> str:
        stats = self.get_stats()
        report = page_report(stats["session"], stats["page_url"], stats["since"])
        return render_to_string(
            self.template,
            {
                **stats,
                **table_html(report),
                "sessions_unavailable": choice.SESSIONS_UNAVAILABLE,
                "sessions_hint": choice.SESSIONS_HINT,
                "switch": "" if HAS_TITLE_BAR else self._render_switch(),
            },
        )

    @property
    def scripts(self) -> list[str]:
        return [*super().scripts, script_url()]

    def _render_switch(self) -> str:
        stats = self.get_stats()
        return render_to_string(
            "nocache_panel/switch.html",
            {
                **stats,
                "sessions_unavailable": choice.SESSIONS_UNAVAILABLE,
                "csp_nonce": getattr(self.toolbar, "csp_nonce", None),
                "script": script_url(),
                "stylesheet": static(STYLESHEET) if HAS_TITLE_BAR else "",
                "strings": json.dumps(script_strings()),
                "subtitle": subtitle(stats["enabled"], None),
            },
        )

    @classmethod
    def get_urls(cls) -> list[URLPattern]:
        return [
            path("nocache/toggle/", endpoints.toggle, name="nocache_toggle"),
            path("nocache/records/", endpoints.records_feed, name="nocache_records"),
        ]

    @classmethod
    def run_checks(cls) -> list[CheckMessage]:
        return panel_checks()


def script_strings() -> dict[str, str]:
    """What the panel's script says, in the toolbar's language (it renders the switch)."""
    return {
        "noAnswer": gettext("The switch could not be saved: the server did not answer."),
        "refused": gettext("The switch could not be saved (%(status)s)."),
        "refetching": gettext("Re-fetching this page’s files…"),
        "refetched": gettext("Files re-fetched: %(count)s. Reloading…"),
        "stale": gettext("Stale files replaced: %(count)s. Reloading…"),
        "off": gettext("No-cache is off."),
    }


def script_url() -> str:
    """The panel's script, with its endpoints in the query: it trusts nothing on the page."""
    url = static(SCRIPT)
    config = {name: reverse(f"djdt:nocache_{name}") for name in ("toggle", "records")}
    config["css"] = static(STYLESHEET)
    return f"{url}{'&' if '?' in url else '?'}{urlencode(config)}"


def panel_checks() -> list[CheckMessage]:
    """Misconfigurations that leave the panel unable to work, in plain words."""
    messages: list[CheckMessage] = []
    if not apps.is_installed("nocache_panel"):
        messages.append(
            Warning(
                gettext("NoCachePanel is listed but the nocache_panel app is not installed."),
                hint=gettext(
                    'Add "nocache_panel" to INSTALLED_APPS, before "django.contrib.staticfiles".'
                ),
                id="nocache_panel.W002",
            )
        )
    if not choice.sessions_available() or (
        "django.contrib.sessions.middleware.SessionMiddleware" not in settings.MIDDLEWARE
    ):
        messages.append(
            Warning(
                str(choice.SESSIONS_UNAVAILABLE),
                hint=str(choice.SESSIONS_HINT),
                id="nocache_panel.W003",
            )
        )
    try:
        reverse("djdt:nocache_toggle")
    except NoReverseMatch:
        messages.append(
            Warning(
                gettext(
                    "The debug toolbar's URLs are not included: the panel cannot reach its views."
                ),
                hint=gettext(
                    'Add path("__debug__/", include("debug_toolbar.urls")) to your URLconf.'
                ),
                id="nocache_panel.W004",
            )
        )
    return messages
