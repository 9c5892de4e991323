from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import include, path, re_path
from django.views import static as django_static_views

from nocache_panel import views
from nocache_panel.urls import static


def django_serve(request: HttpRequest, path: str) -> HttpResponseBase:
    return django_static_views.serve(request, path, settings.DOCROOT, show_indexes=True)


def nocache_serve(request: HttpRequest, path: str) -> HttpResponseBase:
    return views.serve(request, path, settings.DOCROOT, show_indexes=True)


def page(request: HttpRequest) -> HttpResponseBase:
    return render(request, "page.html")


def engines(request: HttpRequest) -> HttpResponseBase:
    """A page with a file of every kind a page shows (tests/browser/test_engines.py)."""
    return render(request, "engines.html")


def many(request: HttpRequest) -> HttpResponseBase:
    """A page of ``n`` images under /static/many/ (benchmarks write them)."""
    count = min(int(request.GET.get("n", "100")), 1000)
    return render(request, "many.html", {"files": [f"many/{i}.png" for i in range(count)]})


def service_worker(request: HttpRequest) -> HttpResponseBase:
    """A service worker with a fetch handler: it controls the pages under / once installed."""
    script = "self.addEventListener('fetch', () => {});"
    return HttpResponse(script, content_type="text/javascript")


@login_required
def private_media(request: HttpRequest, name: str) -> HttpResponseBase:
    """A project's own view under MEDIA_URL: only for users who logged in."""
    return django_static_views.serve(request, name, f"{settings.MEDIA_ROOT}/private")


def blank(request: HttpRequest) -> HttpResponseBase:
    """A page of the site with nothing on it (no body tag: no toolbar), for the script's
    modules to be imported into on their own."""
    return HttpResponse("<!doctype html><title>blank</title>")


def no_content_with_a_body(request: HttpRequest) -> HttpResponseBase:
    """A view's mistake a server must survive: a 204 that carries bytes."""
    return HttpResponse(b"these bytes must not reach the wire", status=204)


def csp(request: HttpRequest) -> HttpResponseBase:
    return render(request, "csp.html")


def planted(request: HttpRequest) -> HttpResponseBase:
    return render(request, "planted.html")


urlpatterns = [
    path("", page, name="page"),
    path("planted/", planted),
    path("csp/", csp),
    path("no-content/", no_content_with_a_body),
    path("blank/", blank),
    path("sw.js", service_worker),
    path("many/", many),
    path("engines/", engines),
    re_path(r"^django/(?P<path>.*)$", django_serve),
    re_path(r"^nocache/(?P<path>.*)$", nocache_serve),
    path("__debug__/", include("debug_toolbar.urls")),
    path("media/private/<path:name>", private_media),
    *static("/files/", document_root=settings.MEDIA_ROOT),
]

if "django_browser_reload" in settings.INSTALLED_APPS:
    urlpatterns.append(path("__reload__/", include("django_browser_reload.urls")))
