from __future__ import annotations

from django.urls import path

from tests.urls import page

urlpatterns = [path("", page)]
