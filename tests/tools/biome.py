"""Run Biome, the JavaScript linter and formatter django-debug-toolbar uses, on the script.

    python tests/tools/biome.py [biome arguments, default: ci]

Biome is one binary published to the npm registry; this fetches the pinned
version for this machine once (checked against the registry's SHA-512) into
.venv-tests/, then runs it on the files biome.json names. Needs no Node.js.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import platform
import subprocess
import sys
import tarfile
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
VERSION = "2.6.9"
REGISTRY = "https://registry.npmjs.org"
PLATFORMS = {("Linux", "x86_64"): "linux-x64", ("Linux", "aarch64"): "linux-arm64"}


def biome() -> Path:
    """The pinned Biome binary, fetched on first use."""
    target = REPO / ".venv-tests" / f"biome-{VERSION}" / "biome"
    if target.exists():
        return target
    name = PLATFORMS.get((platform.system(), platform.machine()))
    if name is None:
        sys.exit(f"No Biome build is pinned for {platform.system()} {platform.machine()}.")
    package = f"@biomejs/cli-{name}"
    with urllib.request.urlopen(f"{REGISTRY}/{package}/{VERSION}", timeout=60) as answer:
        dist = json.load(answer)["dist"]
    with urllib.request.urlopen(dist["tarball"], timeout=300) as answer:
        archive = answer.read()
    algorithm, _, expected = dist["integrity"].partition("-")
    if algorithm != "sha512" or hashlib.sha512(archive).digest() != base64.b64decode(expected):
        sys.exit(f"{package} {VERSION}: the download does not match the registry's SHA-512.")
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        member = tar.extractfile("package/biome")
        assert member is not None, "the package has no biome binary"
        data = member.read()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    partial.write_bytes(data)
    partial.chmod(0o755)
    os.replace(partial, target)
    return target


def main() -> int:
    command = [str(biome()), *(sys.argv[1:] or ["ci"])]
    return subprocess.run(command, cwd=REPO).returncode


if __name__ == "__main__":
    sys.exit(main())
