"""What bounded pack input costs: loading the built-in pack with and without the YAML hazard scan.

Usage: ``python benchmarks/pack_load.py [--runs N]``.

Every YAML text a pack supplies is scanned for aliases and deep nesting (``tutor.limits.yaml_hazard``)
before anything is built from it. This loads the built-in pack ``--runs`` times each way, interleaved,
in one process with the scan's cache cleared before every load (so each load pays the scan, as a
fresh process does), and prints the medians and the ratio. The baseline replaces the scan with a
no-op: the loader as it was before the scan existed.

Target: the scan at most doubles a load (exit 1 otherwise). Measured on the shared 2-core machine
(load average 6-9): 1.04x-1.9x between runs; counted directly, the scan is ~55 ms of a ~280 ms load
(~300 texts, 130 KB). Detecting aliases while constructing (instead of a separate scan) would save
most of that for front matter and exercise metadata; not done yet.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

MAX_RATIO = 2.0


def _load_once(scan: bool) -> float:
    import tutor.content.steps as steps
    import tutor.content.yamlsrc as yamlsrc
    from tutor import limits
    from tutor.content import load_pack
    from tutor.content.builtin import pack_path

    limits._cached_hazard.cache_clear()
    chosen = limits.yaml_hazard if scan else (lambda text: None)
    steps.yaml_hazard = yamlsrc.yaml_hazard = chosen
    started = time.perf_counter()
    load_pack(pack_path())
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    _load_once(True)  # imports and markdown-it set-up are not what is measured
    with_scan, without = [], []
    for _ in range(args.runs):
        with_scan.append(_load_once(True))
        without.append(_load_once(False))
    scanned, baseline = statistics.median(with_scan), statistics.median(without)
    ratio = scanned / baseline
    print(f"built-in pack load, median of {args.runs}:")
    print(f"  without the YAML hazard scan (baseline)  {baseline * 1000:7.1f} ms")
    print(f"  with the scan                            {scanned * 1000:7.1f} ms")
    print(f"  ratio                                    {ratio:7.2f}x (target <= {MAX_RATIO}x)")
    return 0 if ratio <= MAX_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
