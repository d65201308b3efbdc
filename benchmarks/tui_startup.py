"""First paint and memory of the TUI with the built-in pack, against a bare Textual app in the same run.

Usage: ``python benchmarks/tui_startup.py [--runs N]``.

Each sample is a fresh process (headless Textual, no cluster: ``KUBECONFIG`` points nowhere, the
data dir is a temp dir), timed by the parent from spawn to the child's report, so interpreter start
and imports count. Reported per app, as medians of interleaved runs:

- first paint: the first frame is on screen (the catalog says "Loading lesson packs…").
- catalog ready: the built-in pack is loaded and its lessons are listed (k8s-tutor only).
- max RSS: the child's peak resident memory when the catalog is ready.

Targets (issue 6): first paint <= 800 ms, max RSS <= 150 MB. Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

FIRST_PAINT_TARGET_MS = 800.0
RSS_TARGET_MB = 150.0

CHILD = r"""
import json, resource, sys, time
mode = sys.argv[1]

def report(app, event):
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"event": event, "t": time.time(), "rss_mb": rss_mb}), flush=True)

if mode == "baseline":
    from textual.app import App
    from textual.widgets import Footer, Static

    class Bare(App):
        def compose(self):
            yield Static("hello")
            yield Footer()

        def on_mount(self):
            self.call_after_refresh(self.done)

        def done(self):
            report(self, "first_paint")
            report(self, "ready")
            self.exit()

    Bare().run(headless=True, size=(100, 30))
else:
    from tutor.store.progress import ProgressStore
    from tutor.tui.app import TutorApp
    from tutor.tui.core_backend import CoreBackend

    class Bench(TutorApp):
        def on_mount(self):
            super().on_mount()
            self.call_after_refresh(lambda: report(self, "first_paint"))
            self.set_interval(0.01, self.poll)

        def poll(self):
            if self.entries is not None:
                self.entries = None  # report once
                self.call_after_refresh(self.done)

        def done(self):
            report(self, "ready")
            self.exit()

    backend = CoreBackend(ProgressStore.open(), pack=None)
    Bench(backend, status_interval=0, first_run=False).run(headless=True, size=(100, 30))
"""


def sample(mode: str, env: dict[str, str]) -> dict[str, float]:
    """One fresh process: ms to first paint and to ready, and peak RSS in MB."""
    start = time.time()
    out = subprocess.run(
        [sys.executable, "-c", CHILD, mode], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    events = {}
    for line in out.stdout.splitlines():
        if line.startswith("{"):
            data = json.loads(line)
            events[data["event"]] = data
    if "ready" not in events:
        raise SystemExit(f"{mode}: the app did not report (exit {out.returncode}):\n{out.stderr[-2000:]}")
    return {
        "first_paint_ms": (events["first_paint"]["t"] - start) * 1000,
        "ready_ms": (events["ready"]["t"] - start) * 1000,
        "rss_mb": events["ready"]["rss_mb"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print the medians as JSON too")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "K8S_TUTOR_DATA_DIR": tmp, "KUBECONFIG": os.path.join(tmp, "none")}
        sample("baseline", env), sample("tutor", env)  # warm the file cache
        runs: dict[str, list[dict[str, float]]] = {"baseline": [], "tutor": []}
        for _ in range(args.runs):
            for mode in runs:
                runs[mode].append(sample(mode, env))
    med = {mode: {key: statistics.median(r[key] for r in rs) for key in rs[0]} for mode, rs in runs.items()}
    b, t = med["baseline"], med["tutor"]
    print(f"bare Textual app   first paint {b['first_paint_ms']:7.0f} ms   max RSS {b['rss_mb']:6.1f} MB")
    print(
        f"k8s-tutor start    first paint {t['first_paint_ms']:7.0f} ms"
        f"   catalog ready {t['ready_ms']:7.0f} ms   max RSS {t['rss_mb']:6.1f} MB   (medians of {args.runs})"
    )
    print(
        f"k8s-tutor's own cost: {t['first_paint_ms'] - b['first_paint_ms']:+.0f} ms to first paint, "
        f"{t['rss_mb'] - b['rss_mb']:+.1f} MB"
    )
    paint_ok = t["first_paint_ms"] <= FIRST_PAINT_TARGET_MS
    rss_ok = t["rss_mb"] <= RSS_TARGET_MB
    print(
        f"targets: first paint <= {FIRST_PAINT_TARGET_MS:.0f} ms {'ok' if paint_ok else 'OVER'}; "
        f"RSS <= {RSS_TARGET_MB:.0f} MB {'ok' if rss_ok else 'OVER'}"
    )
    if args.json:
        print(json.dumps(med, indent=2))
    return 0 if paint_ok and rss_ok else 1


if __name__ == "__main__":
    sys.exit(main())
