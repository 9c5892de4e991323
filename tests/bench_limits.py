"""Streaming a 1 GiB file through a live runserver: the server's peak RSS growth.

    python -m tests.bench_limits

Target: under 32 MiB. The server process's peak (VmHWM, from /proc) is read
before and after the download; the file is sparse, so the disk is not the limit.
"""

from __future__ import annotations

import http.client
import subprocess
import time

from tests.live import run_server

GIB = 1024**3
TARGET_MIB = 32


def peak_rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM")


def server_pid(wrapper_pid: int) -> int:
    """runserver runs under `timeout`: the Python process is its child."""
    children = subprocess.run(
        ["pgrep", "-P", str(wrapper_pid)], capture_output=True, text=True, check=True
    ).stdout.split()
    return int(children[0])


def main() -> None:
    with run_server() as server:
        big = server.media_root / "one-gib.bin"
        with big.open("wb") as handle:
            handle.truncate(GIB)
        pid = server_pid(server.process.pid)
        port = int(server.url.rsplit(":", 1)[1])
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("GET", "/media/small-warmup.txt")  # load the code paths first
        connection.getresponse().read()
        before = peak_rss_kib(pid)
        started = time.perf_counter()
        connection.request("GET", "/media/one-gib.bin")
        response = connection.getresponse()
        received = 0
        while chunk := response.read(1024 * 1024):
            received += len(chunk)
        seconds = time.perf_counter() - started
        after = peak_rss_kib(pid)
        connection.close()
    assert received == GIB, received
    growth_mib = (after - before) / 1024
    verdict = "ok" if growth_mib < TARGET_MIB else "OVER TARGET"
    print(
        f"1 GiB via runserver in {seconds:.1f} s: server peak RSS {before / 1024:.1f} MiB -> "
        f"{after / 1024:.1f} MiB, growth {growth_mib:.1f} MiB "
        f"= {growth_mib / TARGET_MIB:.2f}x the {TARGET_MIB} MiB target  {verdict}"
    )


if __name__ == "__main__":
    main()
