"""The test project as a WSGI application, for servers other than runserver."""

from __future__ import annotations

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()


def whitenoise_outside_django() -> object:
    """WhiteNoise wrapping the WSGI application, for the benchmark's sense of scale."""
    from django.conf import settings
    from whitenoise import WhiteNoise

    return WhiteNoise(application, root=settings.STATIC_SOURCE, prefix="static/")
