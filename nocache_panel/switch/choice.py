"""Is the no-cache switch on for this browser? The choice lives in its Django session.

The session is read from the cookie with the configured session engine rather
than through ``request.session``: the runserver handler and the middleware run
before ``SessionMiddleware``, and touching ``request.session`` in the view would
add ``Vary: Cookie`` and break header parity with Django's own view.
"""

from __future__ import annotations

import time
from functools import cache, lru_cache
from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.core.signals import setting_changed
from django.db import DatabaseError
from django.dispatch import receiver
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from ..conf import get_config
from . import shared_cache

if TYPE_CHECKING:
    from django.contrib.sessions.backends.base import SessionBase
    from django.http import HttpRequest

    from .cache_stores import Store

SESSION_KEY = "nocache_panel_enabled"
# Said by the system check, the panel and the toggle endpoint alike.
SESSIONS_UNAVAILABLE = _("Sessions are not available: the no-cache switch cannot be saved.")
SESSIONS_HINT = _(
    'Install "django.contrib.sessions" and add '
    '"django.contrib.sessions.middleware.SessionMiddleware" to MIDDLEWARE.'
)
# A page asks for dozens of files at once: one session read serves them all
# for this long, even when the browser asks for each with "Cache-Control:
# no-cache" (DevTools' "Disable cache"). The toggle endpoint updates the memo
# at once, and the panel's re-fetch, which sends "X-NoCache-Refetch", always
# reads the session. Other worker processes follow within MEMO_SECONDS; with
# a shared cache, at once (on Redis flips are announced to every process, and
# elsewhere the choice is read from the cache on every request).
_REFETCH_META = "HTTP_X_NOCACHE_REFETCH"
MEMO_SECONDS = 2.0
_MEMO_LIMIT = 1000
# Session keys are 32 characters (40 at most in the database); a longer cookie
# (the signed-cookie engine, or a hostile one) is read each time, not kept.
_MEMO_KEY_LIMIT = 256
_memo: dict[str, tuple[bool | None, float]] = {}
_generation = 0  # counts forget_choices() calls


@cache
def _session_engine() -> ModuleType | None:
    if not apps.is_installed("django.contrib.sessions"):
        return None
    try:
        return import_module(settings.SESSION_ENGINE)
    except ImportError:
        return None


def sessions_available() -> bool:
    """Can the switch persist? Needs the sessions app and an importable engine."""
    return _session_engine() is not None


def forget_choices() -> None:
    """Drop the memo of session choices (a flip elsewhere, changed settings, a test)."""
    global _generation
    _generation += 1
    _memo.clear()


@receiver(setting_changed)
def _settings_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in {"INSTALLED_APPS", "SESSION_ENGINE", "SESSION_COOKIE_NAME"}:
        _session_engine.cache_clear()
        forget_choices()
    if setting == "SECRET_KEY":
        _digest.cache_clear()


def session_key(request: HttpRequest) -> str | None:
    """The browser's session key: from ``request.session`` if loaded, else its cookie."""
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        return str(session.session_key)
    return _session_cookie(request)


def _session_cookie(request: HttpRequest) -> str | None:
    if "HTTP_COOKIE" not in request.META:
        return None  # no cookie to parse (Django's test client sends them as this header too)
    return request.COOKIES.get(settings.SESSION_COOKIE_NAME) or None


def session_digest(key: str | None) -> str | None:
    """A keyed one-way digest of a session key: lets records be matched per browser."""
    if not key:
        return None
    # A page's files share a session: one HMAC serves them all.
    return _digest(key) if len(key) <= _MEMO_KEY_LIMIT else _digest.__wrapped__(key)


@lru_cache(maxsize=_MEMO_LIMIT)
def _digest(key: str) -> str:
    return salted_hmac("nocache_panel.session", key, algorithm="sha256").hexdigest()[:20]


def _stored_choice(request: HttpRequest) -> bool | None:
    """The choice saved in the browser's session, or ``None`` if it never chose."""
    key = _session_cookie(request)
    if not key:
        return None  # most file requests of a browser that never chose, and every bot's
    engine = _session_engine()
    if engine is None:
        return None
    refetch = _REFETCH_META in request.META
    memorable = len(key) <= _MEMO_KEY_LIMIT
    store = shared_cache.shared_store() if memorable else None
    if store is not None and not store.announces_flips(forget_choices):
        return _shared_choice(store, engine, key, refetch)  # read on every request
    now = time.monotonic()
    memo = _memo.get(key)
    if memo is not None and not refetch and now - memo[1] < MEMO_SECONDS:
        return memo[0]
    generation = _generation
    if store is not None:
        choice = _shared_choice(store, engine, key, refetch)
    else:
        choice = _read_session(engine, key)
    # Not kept if a flip was announced meanwhile: what was read may predate it.
    if memorable and generation == _generation:
        if len(_memo) >= _MEMO_LIMIT:
            _memo.clear()
        _memo[key] = (choice, now)
    return choice


def _shared_choice(store: Store, engine: ModuleType, key: str, refetch: bool) -> bool | None:
    """The choice from the shared cache, where a flip reaches every process at once.

    Kept there under a keyed digest of the session key, never the key itself.
    """
    name = _digest(key)
    if not refetch:
        cached = shared_cache.guarded(lambda: store.get_choice(name), shared_cache.UNKNOWN)
        if cached is not shared_cache.UNKNOWN:
            return cached  # type: ignore[no-any-return]
    choice = _read_session(engine, key)
    shared_cache.guarded(lambda: store.set_choice(name, choice), None)
    return choice


def _read_session(engine: ModuleType, key: str) -> bool | None:
    session: SessionBase = engine.SessionStore(key)
    value = session.get(SESSION_KEY)
    return None if value is None else bool(value)


def is_enabled(request: HttpRequest) -> bool:
    """The switch for this request's browser; the configured default if it never chose."""
    default = bool(get_config()["ENABLED_BY_DEFAULT"])
    try:
        choice = _stored_choice(request)
    except Exception:
        # A session store that fails (a table missing or locked, a cache that
        # is down) must not break file serving.
        return default
    return default if choice is None else choice


def set_enabled(request: HttpRequest, enabled: bool) -> None:
    """Store the choice in the request's session (needs ``SessionMiddleware``).

    Saved here rather than by the middleware, so that a session store that
    fails (no table before ``migrate``) raises ``DatabaseError`` to the caller.
    """
    request.session[SESSION_KEY] = enabled
    try:
        request.session.save()
    except DatabaseError:
        request.session.modified = False  # nothing the middleware could save either
        raise
    key = str(request.session.session_key)
    _memo[key] = (enabled, time.monotonic())
    store = shared_cache.shared_store()
    if store is not None:
        shared_cache.guarded(lambda: store.set_choice(_digest(key), enabled), None)
