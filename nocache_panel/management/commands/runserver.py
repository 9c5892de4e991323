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
from django.core.management.commands.runserver import Command as DjangoRunserverCommand
from django.core.servers.basehttp import WSGIServer

from nocache_panel.handlers import NoCacheASGIFilesHandler, NoCacheFilesHandler, NoCacheWSGIServer

THIS_APP = "nocache_panel"


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
    help = (
        f"{NextCommand.help} Static and media files honour each browser's no-cache switch "
        "(django-nocache-panel)."
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
