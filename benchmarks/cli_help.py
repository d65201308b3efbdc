"""Startup time of ``k8s-tutor --help`` against a bare interpreter, measured in the same run.

Usage: ``python benchmarks/cli_help.py [--runs N]``. Prints the median wall time of each command,
the difference (what k8s-tutor itself costs) and the ratio, and exits 1 if the median exceeds the
150 ms target. Medians of interleaved runs, so a busy machine slows both sides alike.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET_MS = 150.0


def _time(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return (time.perf_counter() - start) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    script = shutil.which("k8s-tutor", path=str(Path(sys.executable).parent)) or shutil.which("k8s-tutor")
    tutor = [script, "--help"] if script else [sys.executable, "-m", "tutor.cli", "--help"]
    baseline = [sys.executable, "-c", "pass"]
    _time(tutor), _time(baseline)  # warm the file cache
    tutor_ms, base_ms = [], []
    for _ in range(args.runs):
        tutor_ms.append(_time(tutor))
        base_ms.append(_time(baseline))
    t, b = statistics.median(tutor_ms), statistics.median(base_ms)
    print(f"k8s-tutor --help   median {t:7.1f} ms over {args.runs} runs  ({' '.join(tutor)})")
    print(f"python -c pass     median {b:7.1f} ms")
    print(
        f"k8s-tutor's own cost {t - b:7.1f} ms; ratio {t / b:.2f}x; target <= {TARGET_MS:.0f} ms: "
        f"{'ok' if t <= TARGET_MS else 'OVER'}"
    )
    return 0 if t <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
