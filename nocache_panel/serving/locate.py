"""Where a requested path's file is: under one document root, or through the staticfiles finders.

A locator takes a normalised path and returns ``Located``, or raises
``Http404`` when nothing is there and ``SuspiciousFileOperation`` when the path
leaves its root. A locator that had to try candidates opens the one it found:
the core then reads the stat of what it will send, with no stat before.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any, NamedTuple

from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import Http404
from django.utils._os import safe_join
from django.utils.translation import gettext as _

# O_NONBLOCK: a FIFO in a static folder must give a 404, not hang the server.
OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


class Located(NamedTuple):
    root: str  # the document root it was found under
    relative: str  # its path under that root
    fullpath: str
    fd: int | None  # opened, when finding it meant trying to open it


def open_file(fullpath: str) -> int:
    """A descriptor of the file, directory or FIFO at ``fullpath``; ``Http404`` if none."""
    try:
        return os.open(fullpath, OPEN_FLAGS)
    except (OSError, ValueError):
        # Missing, unreadable, a NUL byte, a symlink loop: all "not found".
        raise Http404(_("“%(path)s” does not exist") % {"path": fullpath}) from None


def current_stat(located: Located) -> os.stat_result:
    """The stat of what was located, now; the descriptor, if any, closed."""
    if located.fd is None:
        return os.stat(located.fullpath)
    try:
        return os.fstat(located.fd)
    finally:
        os.close(located.fd)


Locator = Callable[[str], Located]


def under(document_root: str | os.PathLike[str]) -> Locator:
    """The locator for a single document root."""
    root = os.fspath(document_root)
    return lambda path: Located(root, path, safe_join(root, path), None)


def resolve(path: str, locate: Locator) -> Located:
    """Where a requested path's file is, after normalising the path as Django's view does."""
    return locate(posixpath.normpath(path).lstrip("/"))


def find_static(path: str) -> Located:
    """Locate a static file as the staticfiles finders do, in their order.

    The stock finders' roots are known once: each request then tries to open the
    candidates in order (a stat would be their ``exists``), without their per-call
    overhead, and keeps the one it opened. Any other finder is asked through
    ``finders.find``.
    """
    if path in ("", "."):
        raise Http404("Directory indexes are not allowed here.")
    if path == ".." or path.startswith("../"):
        raise SuspiciousFileOperation(f"The joined path ({path}) leaves the static roots.")
    candidates = (
        _candidates(path) if len(path) <= MEMO_PATH_CHARS else _candidates.__wrapped__(path)
    )
    if candidates is None:
        return _ask_finders(path)
    for root, relative, fullpath in candidates:
        try:
            return Located(root, relative, fullpath, os.open(fullpath, OPEN_FLAGS))
        except (FileNotFoundError, NotADirectoryError):
            continue  # not in this root: the finders look in the next
        except (OSError, ValueError):
            break  # there, but unreadable (or a NUL byte): the finders stop here too
    raise Http404(f"'{path}' could not be found")


# Paths longer than this are worked out each time: the memos of paths (here, and of
# mounts and routes) stay bounded in bytes.
MEMO_PATH_CHARS = 1024


@lru_cache(maxsize=4096)
def _candidates(path: str) -> tuple[tuple[str, str, str], ...] | None:
    """Where the stock finders would look for ``path``, in their order; ``None``: ask them."""
    roots = _stock_roots()
    if roots is None:
        return None
    found = []
    for prefix, root in roots:
        if prefix and not path.startswith(prefix):
            continue
        relative = path[len(prefix) :]
        # A normalised relative path with no ".." part cannot leave its root.
        found.append((root, relative, os.path.join(root, relative)))
    return tuple(found)


def _ask_finders(path: str) -> Located:
    absolute = finders.find(path)
    if not absolute or isinstance(absolute, list):
        raise Http404(f"'{path}' could not be found")
    # Keep the path under its root for the log when the finder's root is a plain prefix.
    suffix = os.sep + path.replace("/", os.sep)
    if absolute.endswith(suffix):
        return Located(absolute[: -len(suffix)] or os.sep, path, absolute, None)
    root, name = os.path.split(absolute)
    return Located(root, name, absolute, None)


@cache
def _stock_roots() -> tuple[tuple[str, str], ...] | None:
    """``(prefix/, root)`` of every finder, in order; ``None`` if one is not a stock finder."""
    roots: list[tuple[str, str]] = []
    for finder in finders.get_finders():
        if type(finder) is finders.FileSystemFinder:
            roots.extend(
                (f"{prefix}/" if prefix else "", os.fspath(root))
                for prefix, root in finder.locations
            )
        elif type(finder) is finders.AppDirectoriesFinder:
            roots.extend(("", str(finder.storages[app].location)) for app in finder.apps)
        else:
            return None
    return tuple(roots)


@receiver(setting_changed)
def _forget_roots(*, setting: str, **kwargs: Any) -> None:
    if setting in {"STATICFILES_DIRS", "STATICFILES_FINDERS", "INSTALLED_APPS"}:
        _stock_roots.cache_clear()
        _candidates.cache_clear()
