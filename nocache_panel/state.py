"""Is the no-cache switch on for this browser? The choice lives in its Django session.

The session is read from the cookie with the configured session engine rather
than through ``request.session``: the runserver handler and the middleware run
before ``SessionMiddleware``, and touching ``request.session`` in the view would
add ``Vary: Cookie`` and break header parity with Django's own view.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError
from django.utils.crypto import salted_hmac

from .conf import get_config

if TYPE_CHECKING:
    from django.contrib.sessions.backends.base import SessionBase
    from django.http import HttpRequest

SESSION_KEY = "nocache_panel_enabled"


def sessions_available() -> bool:
    """Can the switch persist? Needs the sessions app and an importable engine."""
    if not apps.is_installed("django.contrib.sessions"):
        return False
    try:
        import_module(settings.SESSION_ENGINE)
    except ImportError:
        return False
    return True


def session_key(request: HttpRequest) -> str | None:
    """The browser's session key: from ``request.session`` if loaded, else its cookie."""
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        return str(session.session_key)
    return request.COOKIES.get(settings.SESSION_COOKIE_NAME) or None


def session_digest(key: str | None) -> str | None:
    """A keyed one-way digest of a session key: lets records be matched per browser."""
    if not key:
        return None
    return salted_hmac("nocache_panel.session", key, algorithm="sha256").hexdigest()[:20]


def _cookie_session(request: HttpRequest) -> SessionBase | None:
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not key or not sessions_available():
        return None
    engine = import_module(settings.SESSION_ENGINE)
    store: SessionBase = engine.SessionStore(key)
    return store


def is_enabled(request: HttpRequest) -> bool:
    """The switch for this request's browser; the configured default if it never chose."""
    default = bool(get_config()["ENABLED_BY_DEFAULT"])
    session = _cookie_session(request)
    if session is None:
        return default
    try:
        value = session.get(SESSION_KEY)
    except DatabaseError:
        # A session table that is missing or locked must not break file serving.
        return default
    return default if value is None else bool(value)


def set_enabled(request: HttpRequest, enabled: bool) -> None:
    """Store the choice in the request's session (needs ``SessionMiddleware``)."""
    request.session[SESSION_KEY] = enabled
