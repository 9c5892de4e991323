"""The test project as a WSGI application, for servers other than runserver."""

from __future__ import annotations

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
