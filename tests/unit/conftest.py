"""Unit tests run in this process only: starting one is a mistake, caught here."""

from __future__ import annotations

import subprocess

import pytest


@pytest.fixture(autouse=True)
def no_process(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a unit test started a process: it belongs in tests/live")

    monkeypatch.setattr(subprocess.Popen, "__init__", refuse)
