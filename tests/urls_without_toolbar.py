from __future__ import annotations

from tests.urls import page
from django.urls import path

urlpatterns = [path("", page)]
