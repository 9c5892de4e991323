from __future__ import annotations

from django.urls import path

from tests.project.urls import page

urlpatterns = [path("", page)]
