"""WhiteNoise serving the test project's static files, for the gunicorn benchmark."""

from __future__ import annotations

from typing import Any


def application() -> Any:
    from django.conf import settings
    from whitenoise import WhiteNoise

    from tests.wsgi import application as django_application

    return WhiteNoise(django_application, root=settings.STATIC_SOURCE, prefix="static/")
