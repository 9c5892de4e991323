"""``serve()``: a drop-in replacement for ``django.views.static.serve``."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from django.conf import settings
from django.http import Http404

from .serving.core import serve_file
from .serving.locate import under
from .switch.choice import is_enabled

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django.http.response import HttpResponseBase

ENTRY_POINT = "view"


def serve(
    request: HttpRequest,
    path: str,
    document_root: str | os.PathLike[str] | None = None,
    show_indexes: bool = False,
    *,
    insecure: bool = False,
) -> HttpResponseBase:
    """Serve a file below ``document_root``, honouring the browser's no-cache switch.

    Like ``django.contrib.staticfiles.views.serve`` it answers 404 when
    ``DEBUG`` is off, unless called with ``insecure=True``.
    """
    if not settings.DEBUG and not insecure:
        raise Http404
    if document_root is None:
        # Django's view fails with a TypeError here; say what is missing instead.
        raise TypeError("serve() needs a document_root")
    return serve_file(
        request,
        path,
        under(document_root),
        no_cache=is_enabled(request),
        entry_point=ENTRY_POINT,
        show_indexes=show_indexes,
    )
