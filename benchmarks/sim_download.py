"""Filling an empty sim cache by download from a loopback mirror, against a plain copy of the same bytes.

Usage: ``python benchmarks/sim_download.py`` (needs the built binaries in ~/.cache/k8s-tutor). The mirror
holds them packed like upstream (tests/sim_mirror.py); the download (HTTP, SHA-256 check, extraction, atomic
rename) is timed against ``shutil.copyfile`` of the same files (same run); the ratio is what
the download path costs beyond moving the bytes. Prints the total size, which is what a learner downloads.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.sim_mirror import Mirror, pack  # noqa: E402
from tutor.cluster import paths, sim  # noqa: E402
from tutor.cluster.binaries import install, pins  # noqa: E402
from tutor.cluster.binaries.fetch import MIRROR_ENV  # noqa: E402


def main() -> int:
    source = paths.bin_dir()
    plat = pins.current_platform()
    artifacts = [a for c in pins.COMPONENTS for a in c.downloads(plat)]
    files = [source / d for a in artifacts for d in a.members.values()]
    if not artifacts or not all(f.exists() for f in files):
        print(f"no built sim binaries in {source} (or nothing published for {plat}); run kind/sim/build.sh")
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        start = time.perf_counter()
        for f in files:
            shutil.copyfile(f, root / f"copy-{f.name}")
        copy_s = time.perf_counter() - start
        with Mirror(root / "mirror") as mirror:
            pack(mirror, artifacts, source)
            served = sum(mirror.path_of(a.url).stat().st_size for a in artifacts)
            os.environ.update({MIRROR_ENV: mirror.url, "K8S_TUTOR_CACHE": str(root / "cache")})
            start = time.perf_counter()
            install.obtain(sim.missing_binaries(), progress=lambda _line: None)
            download_s = time.perf_counter() - start
        assert sim.missing_binaries() == []
    mb = served / 1e6
    print(f"download size        {mb:8.1f} MB in {len(artifacts)} files (our builds, packed like upstream)")
    print(f"copy (baseline)      {copy_s:8.2f} s")
    print(f"download from mirror {download_s:8.2f} s  ({mb / download_s:.0f} MB/s over loopback)")
    print(f"ratio download/copy  {download_s / copy_s:8.2f}x")
    for mbit in (50, 100, 250):
        print(f"at {mbit:3d} Mbit/s        {mb * 8 / mbit:8.0f} s of transfer")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
