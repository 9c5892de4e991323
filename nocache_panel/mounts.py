"""Which URL prefixes the middleware and the runserver handler serve, and from where.

``STATIC_URL`` is served through the staticfiles finders, as runserver does;
``MEDIA_URL`` from ``MEDIA_ROOT``. Both only for local prefixes (not full URLs).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.apps import apps
from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.handlers.exception import response_for_exception
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import Http404, HttpResponseNotAllowed

from .serving import Locator, resolve, serve_file, under

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django.http.response import HttpResponseBase

STATIC = "static"
MEDIA = "media"


@dataclass(frozen=True)
class Mount:
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
    if media and media_prefix and settings.MEDIA_ROOT and media_prefix != "/":
        found.append(Mount(MEDIA, media_prefix, str(settings.MEDIA_ROOT)))
    return tuple(found)


@receiver(setting_changed)
def _forget_mounts(*, setting: str, **kwargs: Any) -> None:
    if setting in {"STATIC_URL", "MEDIA_URL", "MEDIA_ROOT", "INSTALLED_APPS"}:
        configured_mounts.cache_clear()


def find_mount(mounts: tuple[Mount, ...], path: str) -> Mount | None:
    for mount in mounts:
        if path.startswith(mount.prefix):
            return mount
    return None


def serve_mounted(request: HttpRequest, mount: Mount, entry_point: str) -> HttpResponseBase:
    """Answer a request under ``mount``; errors become responses, as in Django's handler."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    try:
        return serve_file(
            request, _relative(mount, request.path_info), _locator(mount), entry_point=entry_point
        )
    except Http404 as exc:
        return response_for_exception(request, exc)


def current_version(path: str) -> os.stat_result | None:
    """The regular file a (decoded) URL path under a mount names, as it is now, if any."""
    mount = find_mount(configured_mounts(static=True, media=True), path)
    if mount is None:
        return None
    try:
        _root, _relative_path, fullpath = resolve(_relative(mount, path), _locator(mount))
        found = os.stat(fullpath)
    except (Http404, SuspiciousFileOperation, OSError, ValueError):
        return None
    return found if stat.S_ISREG(found.st_mode) else None


def _relative(mount: Mount, path: str) -> str:
    # Decoded once more, as Django's static handler does (url2pathname).
    return url2pathname(path.removeprefix(mount.prefix))


def _locator(mount: Mount) -> Locator:
    return under(mount.root) if mount.root is not None else find_static


def find_static(path: str) -> tuple[str, str]:
    """Locate a static file with the staticfiles finders, as runserver does."""
    from django.contrib.staticfiles import finders

    absolute = finders.find(path)
    if not absolute or isinstance(absolute, list):
        if path in ("", "."):
            raise Http404("Directory indexes are not allowed here.")
        raise Http404(f"'{path}' could not be found")
    # Keep the path under its root for the log when the finder's root is a plain prefix.
    suffix = os.sep + path.replace("/", os.sep)
    if absolute.endswith(suffix):
        return absolute[: -len(suffix)] or os.sep, path
    return os.path.split(absolute)
