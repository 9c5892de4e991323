"""Translations remembered per language: the panel renders hundreds of rows of a few phrases.

Drop-in for Django's ``gettext`` and ``ngettext`` (``makemessages`` still finds
the calls), and ``filesizeformat``. Keyed by the active language.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

from django.template.defaultfilters import filesizeformat as django_filesizeformat
from django.utils.translation import get_language
from django.utils.translation import gettext as django_gettext
from django.utils.translation import ngettext as django_ngettext

_language: ContextVar[str | None] = ContextVar("nocache_panel_language", default=None)


@contextmanager
def one_language() -> Iterator[None]:
    """Read the active language once for a whole render (asking costs a thread-local)."""
    token = _language.set(get_language())
    try:
        yield
    finally:
        _language.reset(token)


def language() -> str | None:
    """The active language: a key for texts remembered per language."""
    return _language.get() or get_language()


# Each of these runs several times a row: ``language()`` is spelled out, not called.
def gettext(message: str) -> str:
    return _gettext(_language.get() or get_language(), message)


def ngettext(singular: str, plural: str, number: int) -> str:
    return _ngettext(_language.get() or get_language(), singular, plural, number)


def filesizeformat(size: int) -> str:
    return _filesizeformat(_language.get() or get_language(), size)


# The language is part of each key: the cached text is the one active when first asked.
@lru_cache(maxsize=1024)
def _gettext(language: str | None, message: str) -> str:
    return django_gettext(message)


@lru_cache(maxsize=1024)
def _ngettext(language: str | None, singular: str, plural: str, number: int) -> str:
    return django_ngettext(singular, plural, number)


@lru_cache(maxsize=1024)
def _filesizeformat(language: str | None, size: int) -> str:
    return str(django_filesizeformat(size))
