"""The panel's endpoints, under the toolbar's URLs: flip the switch, read the page's files."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar

from debug_toolbar.decorators import render_with_toolbar_language, require_show_toolbar
from django.db import DatabaseError
from django.http import HttpRequest, JsonResponse
from django.middleware.csrf import get_token
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from ..switch import choice
from ..switch.log import served_log
from .browser_files import parse_browser_files
from .report import page_report, subtitle
from .table_html import table_html

View = TypeVar("View", bound=Callable[..., Any])

try:  # Django 5.1+: the toolbar's views must stay reachable under LoginRequiredMiddleware.
    from django.contrib.auth.decorators import login_not_required
except ImportError:  # Django < 5.1 has no LoginRequiredMiddleware to escape

    def login_not_required(view_func: View) -> View:
        return view_func


@login_not_required
@require_show_toolbar
@render_with_toolbar_language
@require_http_methods(["GET", "POST"])
@csrf_protect
def toggle(request: HttpRequest) -> JsonResponse:
    """POST: set this browser's switch from the ``enabled`` field ("1" or "0").

    GET: the switch's state and a CSRF token for the POST. The script asks
    before each flip: the answer also sets the CSRF cookie, which a page
    rendered by a toolbar placed before ``CsrfViewMiddleware`` never got.
    """
    if request.method == "GET":
        return JsonResponse({"enabled": choice.is_enabled(request), "csrf": get_token(request)})
    value = request.POST.get("enabled")
    if value not in ("0", "1"):
        return JsonResponse({"error": _('"enabled" must be "0" or "1".')}, status=400)
    if not hasattr(request, "session") or not choice.sessions_available():
        return JsonResponse({"error": str(choice.SESSIONS_UNAVAILABLE)}, status=409)
    enabled = value == "1"
    try:
        choice.set_enabled(request, enabled)
    except DatabaseError:
        return JsonResponse(
            {
                "error": _(
                    "The switch could not be saved: the session table is missing. "
                    "Run “python manage.py migrate”."
                )
            },
            status=503,
        )
    return JsonResponse({"enabled": enabled, "subtitle": subtitle(enabled, None)})


# It only reads, and what it answers a page of another site cannot read; the
# browser's copies come in the body, too long for a URL under gunicorn or uvicorn.
@csrf_exempt
@login_not_required
@require_show_toolbar
@render_with_toolbar_language
@require_http_methods(["GET", "POST"])
def records_feed(request: HttpRequest) -> JsonResponse:
    """The panel's table for one page visit (``url`` loaded at ``since``) by this browser.

    POST a JSON list as the body: the page's files as the panel's script found
    them, ``[{"path", "seen", "copy": {"etag", "last_modified", ...} | null}]``.
    The answer names the files no request reached (``unlogged``): the script
    reads the browser's copies of those, and asks again.
    """
    url = request.GET.get("url", "")
    try:
        since = float(request.GET.get("since", ""))
    except ValueError:
        since = math.nan
    files = parse_browser_files(
        request.body.decode(errors="replace") if request.method == "POST" else "[]"
    )
    if not url.startswith("/") or not math.isfinite(since) or files is None:
        return JsonResponse(
            {"error": _('"url" must be a path, "since" a Unix time and the body a JSON list.')},
            status=400,
        )
    session = choice.session_digest(choice.session_key(request))
    report = page_report(session, url, since, files)
    enabled = choice.is_enabled(request)
    return JsonResponse(
        {
            "count": len(report.rows),
            "enabled": enabled,
            "subtitle": subtitle(enabled, len(report.rows)),
            **table_html(report),
            "stale": [{"path": row.path, "version": row.version} for row in report.stale],
            "unlogged": report.unlogged,
            # How full this process's log is: its bound holds under any load.
            "logged": len(served_log()),
            "capacity": served_log().maxlen,
        }
    )
