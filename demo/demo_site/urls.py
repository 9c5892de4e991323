from __future__ import annotations

from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("avatar/", views.upload_avatar, name="upload_avatar"),
    path("__debug__/", include("debug_toolbar.urls")),
]
