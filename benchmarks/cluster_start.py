"""Warm-cache start time and memory of the sim cluster, against etcd alone measured in the same run.

Usage: ``python benchmarks/cluster_start.py [--runs N] [--json]``. Needs the binaries built
(``bash kind/sim/build.sh``). Each run starts a throw-away sim cluster in a temporary state folder
and kubeconfig (the user's ``~/.kube/config`` is not touched), measures the wall time until
``cluster up`` returns (3 Ready nodes, controllers serving), sums the resident memory (RSS) of the
component processes (six with metrics-server) after 5 s of settling, and tears it down. The
baseline is etcd alone (start to a healthy ``/health``), interleaved with the cluster runs so a busy
machine slows both alike. Exits 1 if the median start exceeds the 30 s target.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGET_S = 30.0


def rss_mib(pid: int) -> float:
    """Resident set size of ``pid`` in MiB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def etcd_alone(workdir: Path) -> float:
    """Seconds from spawning etcd to a healthy /health: the floor any control plane start pays."""
    from tutor.cluster import procs
    from tutor.cluster.paths import sim_binaries

    port, peer = procs.free_port(), procs.free_port()
    data = workdir / f"etcd-{port}"
    cmd = [
        str(sim_binaries()["etcd"]),
        "--name=bench",
        f"--data-dir={data}",
        f"--listen-client-urls=http://127.0.0.1:{port}",
        f"--advertise-client-urls=http://127.0.0.1:{port}",
        f"--listen-peer-urls=http://127.0.0.1:{peer}",
        f"--initial-advertise-peer-urls=http://127.0.0.1:{peer}",
        f"--initial-cluster=bench=http://127.0.0.1:{peer}",
        "--unsafe-no-fsync=true",
        "--log-level=warn",
    ]
    start = time.perf_counter()
    pid = procs.spawn(cmd, workdir / f"etcd-{port}.log", workdir)
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as resp:
                    if b'"health":"true"' in resp.read():
                        return time.perf_counter() - start
            except OSError:
                time.sleep(0.02)
            if time.perf_counter() - start > 30:
                raise RuntimeError("etcd did not become healthy in 30 s")
    finally:
        procs.stop(pid, str(data))


def cluster_run(workdir: Path, index: int) -> tuple[float, float, dict[str, float]]:
    """(start seconds, total RSS MiB, RSS per component) of one sim cluster start."""
    from tutor.cluster import sim

    name = f"bench-{os.getpid()}-{index}"
    start = time.perf_counter()
    st = sim.up(name, kubeconfig=workdir / f"kubeconfig-{index}", make_current=True, timeout=120)
    took = time.perf_counter() - start
    try:
        time.sleep(5)
        per = {c: rss_mib(pid) for c, pid in st.pids.items()}
    finally:
        sim.down(name)
    return took, sum(per.values()), per


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    from tutor.cluster import sim

    if sim.missing_binaries():
        print(
            f"sim binaries missing ({sim.missing_binaries()[0]}): run `bash kind/sim/build.sh` first",
            file=sys.stderr,
        )
        return 2
    with tempfile.TemporaryDirectory(prefix="k8s-tutor-bench-") as tmp:
        work = Path(tmp)
        os.environ["K8S_TUTOR_STATE_DIR"] = str(work / "state")
        starts, rss, base, per_last = [], [], [], {}
        for i in range(args.runs):
            base.append(etcd_alone(work))
            took, total, per_last = cluster_run(work, i)
            starts.append(took)
            rss.append(total)
    med, med_base, med_rss = statistics.median(starts), statistics.median(base), statistics.median(rss)
    result = {
        "runs": args.runs,
        "sim_up_seconds_median": round(med, 2),
        "sim_up_seconds_all": [round(s, 2) for s in starts],
        "etcd_alone_seconds_median": round(med_base, 3),
        "ratio_up_vs_etcd": round(med / med_base, 1),
        "control_plane_rss_mib_median": round(med_rss, 1),
        "rss_mib_per_component_last_run": {k: round(v, 1) for k, v in per_last.items()},
        "target_seconds": TARGET_S,
    }
    starts_text = ", ".join(f"{s:.1f}" for s in starts)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"sim cluster up (warm cache), median of {args.runs}: {med:.1f} s  (runs: {starts_text})")
        print(
            f"baseline etcd alone, median:           {med_base:.2f} s  -> ratio {result['ratio_up_vs_etcd']}x"
        )
        print(f"control-plane RSS ({len(per_last)} processes), median: {med_rss:.0f} MiB")
        for comp, mib in result["rss_mib_per_component_last_run"].items():
            print(f"  {comp:<24}{mib:7.1f} MiB")
        print(f"target: up <= {TARGET_S:.0f} s -> {'OK' if med <= TARGET_S else 'TOO SLOW'}")
    return 0 if med <= TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
