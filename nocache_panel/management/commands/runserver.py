"""``runserver`` whose file handler serves STATIC_URL and MEDIA_URL through the core.

It extends the ``runserver`` of the next app in ``INSTALLED_APPS`` that has
one (``django.contrib.staticfiles``, daphne, ``whitenoise.runserver_nostatic``),
as ``whitenoise.runserver_nostatic`` does: that command keeps running its own
server (daphne's ASGI server, websockets and all), and this one only puts the
files handler in front of the application it serves. ``--nostatic`` and
``--insecure`` keep their meanings.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import CommandParser
from django.core.management.commands.runserver import Command as DjangoRunserverCommand
from django.core.servers.basehttp import WSGIServer
from django.utils.translation import gettext as _

from nocache_panel.apps import THIS_APP
from nocache_panel.serving.dev_server import NoCacheWSGIServer
from nocache_panel.serving.runserver_handlers import NoCacheASGIFilesHandler, NoCacheFilesHandler


def next_runserver_command() -> type[DjangoRunserverCommand]:
    """The ``runserver`` this app's would hide: the next one in ``INSTALLED_APPS``."""
    names = [config.name for config in apps.get_app_configs()]
    after = names[names.index(THIS_APP) + 1 :] if THIS_APP in names else []
    for name in [*after, "django.core"]:
        try:
            command: type[DjangoRunserverCommand] = import_module(
                f"{name}.management.commands.runserver"
            ).Command
        except (ImportError, AttributeError):
            continue
        return command
    return DjangoRunserverCommand


NextCommand = next_runserver_command()


class Command(NextCommand):  # type: ignore[valid-type, misc]
    help = "Starts a lightweight web server for development."

    def add_arguments(self, parser: CommandParser) -> None:
        """The next command's options; the description says what this one serves."""
        super().add_arguments(parser)
        serves_static = parser.get_default("use_static_handler") is not False
        if serves_static:
            files = _(
                "It serves static files (STATIC_URL) and media (MEDIA_URL) with each "
                "browser's no-cache switch (django-nocache-panel)."
            )
        else:  # whitenoise.runserver_nostatic turned --nostatic on
            files = _(
                "Static files are left to WhiteNoise; media (MEDIA_URL) is served with each "
                "browser's no-cache switch (django-nocache-panel)."
            )
        parser.description = f"{self.help} {files}"
        for action in parser._actions:
            if action.dest == "use_static_handler":
                action.help = _(
                    "Do not serve static files at STATIC_URL. Media at MEDIA_URL is still "
                    "served while DEBUG is on."
                )

    # Django's own WSGI server gets the one without the delayed-ACK stall; a
    # server of another kind (daphne's) is left as it is.
    if getattr(NextCommand, "server_cls", None) is WSGIServer:
        server_cls = NoCacheWSGIServer

    def get_handler(self, *args: Any, **options: Any) -> Any:
        """The WSGI application: the next command's, without its static handler, behind ours."""
        handler = super().get_handler(*args, **{**options, "use_static_handler": False})
        return _wrap(NoCacheFilesHandler, handler, options)

    def get_application(self, options: dict[str, Any]) -> Any:
        """The ASGI application of a command that serves one (daphne's), behind ours."""
        application = super().get_application({**options, "use_static_handler": False})
        return _wrap(NoCacheASGIFilesHandler, application, options)


def _wrap(handler_class: Any, application: Any, options: dict[str, Any]) -> Any:
    static_default = apps.is_installed("django.contrib.staticfiles")
    use_static = options.get("use_static_handler", static_default)
    static = use_static and (settings.DEBUG or options.get("insecure_serving", False))
    media = settings.DEBUG
    if static or media:
        return handler_class(application, static=static, media=media)
    return application
