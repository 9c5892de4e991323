"""A newcomer's first hour: README's install steps, applied to a fresh ``startproject``.

The test takes the steps from README.md itself (the blocks that start with
"# settings.py: add at the end" and "# urls.py: add at the end", then
``migrate`` and ``runserver``), applies nothing else, and opens the admin's
login page in every engine: the toolbar shows, the panel lists the page's
static files, and the switch flips.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.engines import ROOT, Engine, cache_control, open_panel, rows, switch_on
from tests.support.live import REPO, LiveServer, run_server

README = REPO / "README.md"


def readme_block(first_line: str) -> str:
    """The fenced block of README.md whose first line is ``first_line``."""
    blocks = re.findall(r"```\w*\n(.*?)```", README.read_text(), flags=re.DOTALL)
    (block,) = [block for block in blocks if block.startswith(first_line + "\n")]
    return block


def test_readme_names_every_step_a_fresh_project_needs() -> None:
    settings = readme_block("# settings.py: add at the end")
    assert "INTERNAL_IPS" in settings
    assert "MEDIA_ROOT" in settings
    assert 'include("debug_toolbar.urls")' in readme_block("# urls.py: add at the end")
    assert "python manage.py migrate" in README.read_text()


@pytest.fixture(scope="module")
def fresh_project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Path]]:
    folder = tmp_path_factory.mktemp("newcomer")
    subprocess.run(
        [sys.executable, "-m", "django", "startproject", "mysite", str(folder)], check=True
    )
    for name in ("settings", "urls"):
        module = folder / "mysite" / f"{name}.py"
        step = readme_block(f"# {name}.py: add at the end")
        module.write_text(module.read_text() + "\n" + step)
    # run_server runs README's "migrate", then "runserver" (without the autoreloader).
    with run_server("mysite.settings", cwd=folder) as server:
        yield server, folder


def test_the_readmes_steps_give_a_fresh_project_the_toolbar_and_the_panel(
    engine: Engine, fresh_project: tuple[LiveServer, Path]
) -> None:
    server, _folder = fresh_project
    engine.open(server.url + "/admin/login/")
    assert engine.run(f"return {ROOT}.querySelector('#djdt-NoCachePanel') !== null")
    open_panel(engine)
    listed = rows(engine)
    assert "/static/admin/css/base.css" in listed
    assert listed["/static/admin/css/base.css"]["status"] == "200"
    switch_on(engine)
    assert cache_control(engine, "/static/admin/css/base.css") == "no-cache"


def test_media_is_served_as_the_readme_says(fresh_project: tuple[LiveServer, Path]) -> None:
    import urllib.request

    server, folder = fresh_project
    (folder / "media").mkdir(exist_ok=True)
    (folder / "media" / "upload.txt").write_bytes(b"uploaded")
    with urllib.request.urlopen(server.url + "/media/upload.txt") as answer:
        assert answer.read() == b"uploaded"
        assert "Last-Modified" in answer.headers
