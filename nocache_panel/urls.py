"""``static()``: a drop-in replacement for ``django.conf.urls.static.static``."""

from __future__ import annotations

from typing import Any

from django.conf.urls.static import static as django_static
from django.urls import URLPattern

from .views import serve


def static(prefix: str, view: Any = serve, **kwargs: Any) -> list[URLPattern]:
    """URL patterns serving ``prefix`` with the no-cache view while ``DEBUG`` is on.

    Returns no patterns when ``DEBUG`` is off or ``prefix`` is a full URL,
    exactly as Django's helper does (it does the work; only the view differs).
    """
    return django_static(prefix, view=view, **kwargs)
