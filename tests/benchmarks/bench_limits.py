"""Streaming big files through live servers: each server's peak RSS growth.

    python -m tests.benchmarks.bench_limits

Target: under 32 MiB each. The server process's peak (VmHWM, from /proc) is
read before and after the download; the files are sparse, so the disk is not
the limit. Measured: 1 GiB through runserver; 64 MiB over ASGI with a sync-only
middleware after ours (Django then runs ours in sync mode), under uvicorn and
under daphne's runserver.
"""

from __future__ import annotations

from tests.support.live import Command, download_watching_memory, run_server, runserver, uvicorn

MIB = 1024**2
TARGET_MIB = 32
CASES: list[tuple[str, Command, str, int]] = [
    ("runserver (WSGI)", runserver, "", 1024 * MIB),
    ("uvicorn, sync-only middleware", uvicorn, "sync-only-middleware", 64 * MIB),
    ("daphne runserver, sync-only middleware", runserver, "sync-only-middleware,daphne", 64 * MIB),
]


def measure(label: str, command: Command, with_: str, size: int) -> None:
    with run_server(command=command, env={"NOCACHE_WITH": with_}) as server:
        with (server.media_root / "big.bin").open("wb") as handle:
            handle.truncate(size)
        download = download_watching_memory(server, "/media/big.bin")
    assert download.received == size, download.received
    growth = download.growth_mib
    verdict = "ok" if growth < TARGET_MIB else "OVER TARGET"
    print(
        f"{size // MIB} MiB via {label} in {download.seconds:.1f} s: peak RSS "
        f"{download.peak_before_kib / 1024:.1f} -> {download.peak_after_kib / 1024:.1f} MiB, "
        f"growth {growth:.1f} MiB = {growth / TARGET_MIB:.2f}x the {TARGET_MIB} MiB target  "
        f"{verdict}"
    )


def main() -> None:
    for case in CASES:
        measure(*case)


if __name__ == "__main__":
    main()
