"""Side-by-side timing for the benchmark scripts: ratios from one run, never absolutes."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.project.settings")
    import django

    django.setup()


def per_call(fn: Callable[[], object], calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls


def compare(
    ours: Callable[[], object],
    baseline: Callable[[], object],
    *,
    rounds: int = 15,
    calls: int = 200,
) -> tuple[float, float, float]:
    """Median of per-round ratios ours/baseline, alternating which runs first.

    Returns ``(ratio, ours_seconds, baseline_seconds)`` (medians per call).
    """
    for fn in (ours, baseline):
        per_call(fn, calls // 4 or 1)  # warm caches and imports
    ratios, ours_times, base_times = [], [], []
    for number in range(rounds):
        pair = (ours, baseline) if number % 2 == 0 else (baseline, ours)
        first, second = (per_call(fn, calls) for fn in pair)
        mine, theirs = (first, second) if number % 2 == 0 else (second, first)
        ratios.append(mine / theirs)
        ours_times.append(mine)
        base_times.append(theirs)
    return statistics.median(ratios), statistics.median(ours_times), statistics.median(base_times)


def report(label: str, result: tuple[float, float, float], target: float | None = None) -> None:
    ratio, mine, theirs = result
    verdict = "" if target is None else ("  ok" if ratio <= target else f"  OVER {target:.2f}x")
    print(f"{label:<58} {ratio:6.2f}x   ({mine * 1e6:8.1f} µs vs {theirs * 1e6:8.1f} µs){verdict}")
