"""The test project under channels: Django for HTTP, an echo consumer at /ws/echo/."""

from __future__ import annotations

from channels.generic.websocket import WebsocketConsumer
from channels.routing import ProtocolTypeRouter, URLRouter
from django.core.asgi import get_asgi_application
from django.urls import path

django_application = get_asgi_application()


class Echo(WebsocketConsumer):
    def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        self.send(text_data=f"echo: {text_data}")


application = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": URLRouter([path("ws/echo/", Echo.as_asgi())]),
    }
)
