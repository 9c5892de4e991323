"""django-debug-toolbar's own test suite, with and without NoCachePanel installed.

    python tests/tools/toolbar_suite.py WORKDIR

Downloads the source distribution of the installed django-debug-toolbar (its
tests ship there), runs its suite as shipped, then with "nocache_panel" in
INSTALLED_APPS and NoCachePanel appended to the panels, and fails when the
second run has a failure the first has not. One kind is expected and checked
exactly: tests that list every installed panel or static-files app see ours
as the one extra item. Writes WORKDIR/junit.xml for tests/tools/run.py's count.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import tarfile
from importlib.metadata import version
from pathlib import Path
from xml.sax.saxutils import quoteattr

SETTINGS_WITH_PANEL = """\
from debug_toolbar.settings import PANELS_DEFAULTS
from tests.settings import *  # noqa: F403

INSTALLED_APPS = ["nocache_panel", *INSTALLED_APPS]  # noqa: F405
DEBUG_TOOLBAR_PANELS = [*PANELS_DEFAULTS, "nocache_panel.panel.NoCachePanel"]
"""

# A test runner that also writes what failed, and how, as JSON.
RECORDING_RUNNER = """\
import json, os
from django.test.runner import DiscoverRunner

class Runner(DiscoverRunner):
    def run_suite(self, suite, **kwargs):
        result = super().run_suite(suite, **kwargs)
        failed = {test.id(): text for test, text in [*result.failures, *result.errors]}
        with open(os.environ["NOCACHE_SUITE_REPORT"], "w") as out:
            json.dump({"ran": result.testsRun, "skipped": len(result.skipped),
                       "failed": failed}, out)
        return result
"""

OURS = {"NoCachePanel", "nocache_panel"}


def fetch_sources(workdir: Path) -> Path:
    installed = version("django-debug-toolbar")
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check",
         "--no-deps", "--no-binary", ":all:", f"django-debug-toolbar=={installed}",
         "-d", str(workdir)],
        check=True,
    )  # fmt: skip
    (archive,) = workdir.glob("django_debug_toolbar-*.tar.gz")
    with tarfile.open(archive) as tar:
        tar.extractall(workdir, filter="data")
    source = workdir / archive.name.removesuffix(".tar.gz")
    (source / "nocache_toolbar_settings.py").write_text(SETTINGS_WITH_PANEL)
    (source / "nocache_toolbar_runner.py").write_text(RECORDING_RUNNER)
    return source


def run_suite(source: Path, settings: str, report: Path) -> dict[str, object]:
    env = {
        **os.environ,
        "PYTHONPATH": str(source),
        "DJANGO_SETTINGS_MODULE": settings,
        "NOCACHE_SUITE_REPORT": str(report),
    }
    subprocess.run(
        [sys.executable, "-m", "django", "test", "tests",
         "--testrunner=nocache_toolbar_runner.Runner"],
        cwd=source, env=env, check=False,
    )  # fmt: skip
    return json.loads(report.read_text())  # type: ignore[no-any-return]


def only_lists_ours(traceback: str) -> bool:
    """Is this an assertion whose one difference is our panel or app being listed?"""
    message = traceback.rsplit("AssertionError: ", 1)[-1].strip()
    if message.startswith("Items in the first set but not the second:"):
        extra = message.splitlines()[1:]
        return bool(extra) and {ast.literal_eval(line) for line in extra} <= OURS
    if message.startswith("Lists differ: "):
        first, second = message.splitlines()[0].removeprefix("Lists differ: ").split(" != ")
        found, expected = ast.literal_eval(first), ast.literal_eval(second)
        return [item for item in found if item not in OURS] == expected
    return False


def write_junit(path: Path, ran: int, skipped: int, failures: list[str]) -> None:
    # Only the tests that ran count: the toolbar skips its Selenium tests itself.
    cases = "".join(f"<testcase name={quoteattr(name)}><failure/></testcase>" for name in failures)
    path.write_text(
        f'<testsuites><testsuite name="toolbar-suite" tests="{ran - skipped}" '
        f'failures="{len(failures)}" errors="0" skipped="0">{cases}</testsuite></testsuites>'
    )


def main() -> int:
    workdir = Path(sys.argv[1]).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    source = fetch_sources(workdir)
    shipped = run_suite(source, "tests.settings", workdir / "shipped.json")
    with_panel = run_suite(source, "nocache_toolbar_settings", workdir / "with-panel.json")
    before: dict[str, str] = shipped["failed"]  # type: ignore[assignment]
    after: dict[str, str] = with_panel["failed"]  # type: ignore[assignment]
    new = {name: text for name, text in after.items() if name not in before}
    listing = sorted(name for name, text in new.items() if only_lists_ours(text))
    unexplained = sorted(set(new) - set(listing))
    print(f"\ndjango-debug-toolbar {version('django-debug-toolbar')}'s suite:")
    print(
        f"  as shipped: {shipped['ran']} ran, {len(before)} failed, {shipped['skipped']} skipped"
    )
    print(f"  with NoCachePanel: {with_panel['ran']} ran, {len(after)} failed")
    for name in listing:
        print(f"  expected: {name} lists every installed panel or app, ours among them")
    for name in unexplained:
        print(f"  NEW FAILURE: {name}\n{after[name]}")
    ran, skipped = int(with_panel["ran"]), int(with_panel["skipped"])  # type: ignore[call-overload]
    write_junit(workdir / "junit.xml", ran, skipped, unexplained)
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
