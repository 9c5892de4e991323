"""The serving core against django.views.static.serve, no toolbar, in one run.

    python -m tests.benchmarks.bench_core

Prints ours/Django per request (body read to the end): target at most 1.10x.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from tests.benchmarks.benchutil import compare, report, setup_django

setup_django()

from django.test import RequestFactory  # noqa: E402
from django.utils.http import http_date  # noqa: E402
from django.views import static as django_static  # noqa: E402

from nocache_panel import views  # noqa: E402
from nocache_panel.switch.log import served_log  # noqa: E402


def consume(response: object) -> None:
    if getattr(response, "streaming", False):
        for _ in response.streaming_content:  # type: ignore[attr-defined]
            pass
    response.close()  # type: ignore[attr-defined]


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="nocache-bench-"))
    (root / "small.css").write_bytes(b"body { color: red; }\n")
    (root / "medium.js").write_bytes(os.urandom(100 * 1024))
    factory = RequestFactory()
    log = served_log()
    cases = {
        "small file (21 B), 200": ("small.css", {}),
        "100 KB file, 200": ("medium.js", {}),
        "304 (If-Modified-Since)": (
            "small.css",
            {"HTTP_IF_MODIFIED_SINCE": http_date((root / "small.css").stat().st_mtime)},
        ),
    }
    print("serving core vs django.views.static.serve (no toolbar, switch off, no session)")
    for label, (name, headers) in cases.items():
        request = factory.get(f"/files/{name}", **headers)

        def ours(request: object = request, name: str = name) -> None:
            consume(views.serve(request, name, root))  # type: ignore[arg-type]

        def theirs(request: object = request, name: str = name) -> None:
            consume(django_static.serve(request, name, root))  # type: ignore[arg-type]

        report(label, compare(ours, theirs), target=1.10)
        log.clear()


if __name__ == "__main__":
    main()
