"""Which URL prefixes the middleware and the runserver handlers serve, and from where.

``STATIC_URL`` is served through the staticfiles finders, as runserver does;
``MEDIA_URL`` from ``MEDIA_ROOT``. Both only for local prefixes (not full URLs),
and never in place of the project: a media path its URLconf gives to a view of
its own goes to that view, and with WhiteNoise serving static files, they pass
on to it while the switch is off.
"""

from __future__ import annotations

import os
import posixpath
import stat
from collections.abc import Mapping
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles.views import serve as staticfiles_serve
from django.core.exceptions import SuspiciousFileOperation
from django.core.handlers.exception import response_for_exception
from django.core.handlers.wsgi import get_script_name
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import Http404, HttpResponseNotAllowed
from django.urls import Resolver404
from django.urls import resolve as resolve_url
from django.views.static import serve as django_serve

from ..conf import get_config
from ..switch.choice import is_enabled
from ..views import serve as nocache_serve
from .core import serve_file
from .locate import MEMO_PATH_CHARS, Locator, current_stat, find_static, resolve, under

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django.http.response import HttpResponseBase

STATIC = "static"
MEDIA = "media"
WHITENOISE_MIDDLEWARE = "whitenoise.middleware.WhiteNoiseMiddleware"
_SERVE_VIEWS = (django_serve, staticfiles_serve, nocache_serve)


class Mount(NamedTuple):
    kind: str  # STATIC or MEDIA
    prefix: str  # a URL path such as "/static/"
    root: str | None  # MEDIA_ROOT; None for static files, found by the finders


def local_prefix(url: str | None) -> str | None:
    """The path of ``url`` when it is served by this site, else ``None``."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.netloc:
        return None
    prefix = parts.path if parts.path.startswith("/") else "/" + parts.path
    return prefix if prefix.endswith("/") else prefix + "/"


@cache
def configured_mounts(*, static: bool, media: bool) -> tuple[Mount, ...]:
    """The mounts the current settings ask for, among the kinds requested."""
    found: list[Mount] = []
    static_prefix = local_prefix(settings.STATIC_URL)
    if static and static_prefix and apps.is_installed("django.contrib.staticfiles"):
        found.append(Mount(STATIC, static_prefix, None))
    media_prefix = local_prefix(settings.MEDIA_URL)
    media = media and get_config()["SERVE_MEDIA"]
    if media and media_prefix and settings.MEDIA_ROOT and media_prefix != "/":
        found.append(Mount(MEDIA, media_prefix, str(settings.MEDIA_ROOT)))
    return tuple(found)


@cache
def all_mounts() -> tuple[Mount, ...]:
    """Both kinds: what the middleware serves."""
    return configured_mounts(static=True, media=True)


@receiver(setting_changed)
def _forget_mounts(*, setting: str, **kwargs: Any) -> None:
    if setting in {"STATIC_URL", "MEDIA_URL", "MEDIA_ROOT", "INSTALLED_APPS", "NOCACHE_PANEL"}:
        configured_mounts.cache_clear()
        all_mounts.cache_clear()
    if setting in {"MIDDLEWARE", "ROOT_URLCONF"}:
        whitenoise_serves_static.cache_clear()
        _routed_to_project.cache_clear()


class Match(NamedTuple):
    mount: Mount
    url_path: str  # the path the browser asked for, as pages link it
    relative: str  # the file's path under the mount: decoded once (by the server), normalised
    canonical: str  # the path the project's URLconf would see for that file


def _match(mount: Mount, prefix: str, path_info: str, url_path: str) -> Match | None:
    """Decoded once, by the server, as Django's ``static.serve`` sees it; normalised as the
    file lookup does, so that the URLconf is asked about the very file served
    (``/media//private/x`` is ``/media/private/x``). A path that climbs out of the
    mount (``/media/../media/private/x``) is not the mount's: the project answers it."""
    rest = path_info[len(prefix) :]
    relative = _normalised(rest) if len(rest) <= MEMO_PATH_CHARS else _normalised.__wrapped__(rest)
    if relative is None:
        return None
    return Match(mount, url_path, relative, prefix + relative)


@lru_cache(maxsize=4096)
def _normalised(rest: str) -> str | None:
    """A path under a mount as the file lookup sees it; ``None`` if it climbs out."""
    relative = posixpath.normpath(rest).lstrip("/")
    if relative == ".." or relative.startswith("../"):
        return None
    return "" if relative == "." else relative


def match(
    mounts: tuple[Mount, ...], path_info: str, environ: Mapping[str, Any] | None = None
) -> Match | None:
    """The mount serving ``path_info``, if any.

    Behind a proxy that strips a sub-path (``FORCE_SCRIPT_NAME = "/app"``,
    ``STATIC_URL = "/app/static/"``) requests arrive as ``/static/...``: given
    the request's ``environ`` (its ``META``), a prefix is also matched without
    the script name, as WhiteNoise does.
    """
    for mount in mounts:
        if path_info.startswith(mount.prefix):
            return _match(mount, mount.prefix, path_info, path_info)
    script = get_script_name(environ).rstrip("/") if environ is not None else ""
    if not script:
        return None
    for mount in mounts:
        if mount.prefix.startswith(script + "/"):
            stripped = mount.prefix[len(script) :]
            if path_info.startswith(stripped):
                return _match(mount, stripped, path_info, script + path_info)
    return None


def may_pass_on(found: Match) -> bool:
    """Could the project own this request? If not, no request need be built to ask."""
    return found.mount.kind == MEDIA or whitenoise_serves_static()


def switch_if_ours(request: HttpRequest, found: Match) -> bool | None:
    """The browser's switch, for a request the package answers; ``None`` if the project does.

    The project owns a media path its URLconf gives to a view of its own, and,
    with WhiteNoise, static files while the switch is off. The switch is read
    here, once per request, and handed to the core.
    """
    if found.mount.kind == MEDIA:
        guarded = project_guards(found.canonical) or (
            request.path_info != found.canonical and project_guards(request.path_info)
        )
        return None if guarded else is_enabled(request)
    no_cache = is_enabled(request)
    return None if whitenoise_serves_static() and not no_cache else no_cache


def serve_mounted(
    request: HttpRequest, found: Match, no_cache: bool, entry_point: str
) -> HttpResponseBase:
    """Serve a request under a mount; errors become responses, as in Django's handler."""
    if request.method not in ("GET", "HEAD"):
        response: HttpResponseBase = HttpResponseNotAllowed(["GET", "HEAD"])
    else:
        query = request.META.get("QUERY_STRING", "")
        try:
            response = serve_file(
                request,
                found.relative,
                _locator(found.mount),
                normalised=True,
                nosniff=settings.SECURE_CONTENT_TYPE_NOSNIFF,
                no_cache=no_cache,
                entry_point=entry_point,
                url=f"{found.url_path}?{query}" if query else found.url_path,
            )
        except Http404 as exc:
            response = response_for_exception(request, exc)
        else:
            return response
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        # No SecurityMiddleware sees these responses; it would have added it.
        response["X-Content-Type-Options"] = "nosniff"
    return response


@cache
def whitenoise_serves_static() -> bool:
    """WhiteNoise's middleware is the project's static layer: off, the switch leaves it alone."""
    return WHITENOISE_MIDDLEWARE in settings.MIDDLEWARE


def project_guards(path_info: str) -> bool:
    """Does the URLconf give this media path to a view of the project's own?

    Stock Django serves ``MEDIA_URL`` only through a pattern the project adds,
    so such a view (``login_required`` on ``/media/private/``) must win.
    Django's serve views, which ``static()`` adds, are ours to replace.
    """
    if len(path_info) > MEMO_PATH_CHARS:
        return _routed_to_project.__wrapped__(path_info, settings.ROOT_URLCONF)
    return _routed_to_project(path_info, settings.ROOT_URLCONF)


@lru_cache(maxsize=1024)
def _routed_to_project(path_info: str, urlconf: str) -> bool:
    try:
        view = resolve_url(path_info, urlconf).func
    except Resolver404:
        return False
    return view not in _SERVE_VIEWS


def is_static(path: str) -> bool:
    """Is this URL path under ``STATIC_URL``?"""
    return match(configured_mounts(static=True, media=False), path) is not None


def current_version(path: str) -> os.stat_result | None:
    """The regular file a (decoded) URL path under a mount names, as it is now, if any."""
    found = match(all_mounts(), path)
    if found is None:
        return None
    if found.mount.kind == MEDIA and _guarded(found.canonical):
        return None  # the project's own view answers for it: its mtime is not ours to tell
    try:
        found_stat = current_stat(resolve(found.relative, _locator(found.mount)))
    except (Http404, SuspiciousFileOperation, OSError, ValueError):
        return None
    return found_stat if stat.S_ISREG(found_stat.st_mode) else None


def _guarded(url_path: str) -> bool:
    """``project_guards`` for a URL path as pages link it (with the script name, if any)."""
    script = (settings.FORCE_SCRIPT_NAME or "").rstrip("/")
    if script and url_path.startswith(script + "/"):
        return project_guards(url_path[len(script) :]) or project_guards(url_path)
    return project_guards(url_path)


def _locator(mount: Mount) -> Locator:
    return under(mount.root) if mount.root is not None else find_static
