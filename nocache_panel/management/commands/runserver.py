"""``runserver`` whose file handler serves STATIC_URL and MEDIA_URL through the core.

Takes over from ``django.contrib.staticfiles``' runserver when ``nocache_panel``
is listed before it in ``INSTALLED_APPS``; ``--nostatic`` and ``--insecure``
keep their meanings.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.staticfiles.management.commands.runserver import (
    Command as StaticfilesRunserverCommand,
)
from django.core.handlers.wsgi import WSGIHandler
from django.core.management.commands.runserver import Command as RunserverCommand

from nocache_panel.handlers import NoCacheFilesHandler, NoCacheWSGIServer


class Command(StaticfilesRunserverCommand):
    help = (
        "Starts a lightweight web server for development; serves static and media "
        "files honouring each browser's no-cache switch."
    )

    server_cls = NoCacheWSGIServer

    def get_handler(self, *args: Any, **options: Any) -> WSGIHandler:
        handler: WSGIHandler = RunserverCommand.get_handler(self, *args, **options)
        static = options["use_static_handler"] and (settings.DEBUG or options["insecure_serving"])
        media = settings.DEBUG
        if static or media:
            return NoCacheFilesHandler(handler, static=static, media=media)
        return handler
