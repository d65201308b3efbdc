"""Grading speed: the engine against the anchors' way, on the same cluster in the same run.

Usage::

    python benchmarks/grading.py --kubeconfig K [--context C] [--lessons a,b] [--runs 3] [--json FILE]
    python benchmarks/grading.py --sim          # start a throw-away sim cluster for the run

Every exercise of the built-in pack that the cluster supports (and that has its own namespace and
no cluster-scoped cleanup, so all can be solved at once) is started and solved with its reference
solution. Then, for every check that passes:

* **engine, per check**: a fresh Grader grades that one check (cold cache: its list calls + evaluation);
* **engine, whole pack**: one Grader grades all of them together (shared rounds; hold windows set to 0
  so both sides answer "now" — the anchors have no hold windows);
* **baseline, per check**: what Killercoda/CK-X-style scripts do — one ``kubectl get ... -o jsonpath``
  subprocess for each kind/namespace the check reads (recorded from the engine's own reads, so both
  sides read the same things);
* **baseline, whole pack**: those subprocesses for every check, one after another.
* **checker worker vs in-process**: the engine runs pack code in a worker process
  (:mod:`tutor.grading.isolation`); the same checks graded with the checkers imported into this
  process instead (the pre-worker way), interleaved check by check, give the worker's cost as a ratio
  (issue 10's target: at most 2x per check and for the whole pack).

Prints medians and the ratio; exits 1 if the median engine verdict exceeds 50 ms, the speed-up
is under 5x, or the checker worker costs more than 2x the in-process figures.
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
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tutor.cluster import connect  # noqa: E402
from tutor.cluster.paths import find_kubectl  # noqa: E402
from tutor.grading.engine import Grader  # noqa: E402
from tutor.grading.isolation import isolated_checks  # noqa: E402
from tutor.grading.pack_test import ExerciseTester  # noqa: E402
from tutor.grading.registry import load_checks, require_clean  # noqa: E402
from tutor.model import CheckRef, Exercise  # noqa: E402
from tutor.results import Status  # noqa: E402

TARGET_MS = 50.0
TARGET_RATIO = 5.0
TARGET_WORKER_RATIO = 2.0


class RecordingReader:
    """Wraps a reader and records the (apiVersion, kind, namespace) of each list call."""

    def __init__(self, reader: Any):
        self._reader = reader
        self.lists: list[tuple[str, str, str | None]] = []

    def list(self, api_version: str, kind: str, namespace: str | None = None, label_selector: Any = None):
        self.lists.append((api_version, kind, namespace))
        return self._reader.list(api_version, kind, namespace=namespace)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._reader, name)


def no_hold(ref: CheckRef) -> CheckRef:
    """The reference with every hold window off: the reference's own ``hold`` wins over the checker's
    ``@check(hold=...)`` and a ``hold`` argument (probes.healthy holds 20 s, absent a few seconds)."""
    ref = replace(ref, args={**ref.args, "hold": 0}) if "hold" in ref.args else ref
    return replace(ref, hold=0)


def single(ex: Exercise, ref: CheckRef) -> Exercise:
    return replace(ex, checks=(no_hold(ref),))


def kubectl_argv(kubectl: str, kubeconfig: str, context: str, read: tuple[str, str, str | None]) -> list[str]:
    api_version, kind, namespace = read
    group, _, version = api_version.rpartition("/")
    resource = kind.lower() if not group else f"{kind.lower()}.{version}.{group}"
    where = ["-n", namespace] if namespace else ["-A"]
    return [
        kubectl,
        "--kubeconfig",
        kubeconfig,
        "--context",
        context,
        "get",
        resource,
        *where,
        "-o",
        "jsonpath={.items[*].metadata.name}",
    ]


def run_baseline(argvs: list[list[str]]) -> float:
    t0 = time.perf_counter()
    for argv in argvs:
        subprocess.run(argv, capture_output=True, text=True, check=False)
    return time.perf_counter() - t0


def load_pack() -> Any:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.course.conftest import load_course

    return load_course()


def prepare(tester: ExerciseTester, exercises: list[Exercise]) -> list[Exercise]:
    """Start and solve each exercise; the ones whose setup or solution broke are dropped (and named)."""
    from concurrent.futures import ThreadPoolExecutor

    def solve(ex: Exercise) -> Exercise | None:
        try:
            tester.start(ex)
            tester.apply(ex, ex.solution)
            return ex
        except Exception as exc:  # noqa: BLE001 - a broken exercise is reported, not fatal to the benchmark
            print(f"  skipped {ex.id}: {exc}", file=sys.stderr)
            return None

    with ThreadPoolExecutor(4) as pool:
        return [e for e in pool.map(solve, exercises) if e is not None]


def measure(cluster: Any, kubeconfig: str, context: str, lessons: list[str], runs: int) -> dict[str, Any]:
    pack = load_pack()
    t0 = time.perf_counter()
    registry = require_clean(isolated_checks(pack))
    worker_start = time.perf_counter() - t0
    caps = frozenset(cluster.read.capabilities())
    tester = ExerciseTester(cluster, pack, registry, cluster.writer(allow_context=context), capabilities=caps)
    candidates = [
        e
        for e in pack.exercises(include_exam_only=True)
        if e.requires <= caps
        and e.namespace
        and not e.cleanup
        and e.solution
        and (not lessons or e.lesson_id in lessons)
    ]
    print(f"preparing {len(candidates)} exercises (start + reference solution)...", file=sys.stderr)
    solved = prepare(tester, candidates)
    try:
        warm = Grader(registry, cluster.read, pack, capabilities=caps).grade(
            [replace(e, checks=tuple(no_hold(r) for r in e.checks)) for e in solved]
        )
        passing = [
            (ex, ref)
            for ex, res in zip(solved, warm, strict=True)
            for ref, c in zip(ex.checks, res.checks, strict=True)
            if c.status is Status.PASS
        ]
        print(f"{len(passing)} passing checks of {sum(len(e.checks) for e in solved)}", file=sys.stderr)
        kubectl = find_kubectl() or "kubectl"
        engine_ms, baseline_ms, argvs_all, calls = [], [], [], []
        for ex, ref in passing:
            best = []
            for _ in range(runs):
                reader = RecordingReader(cluster.read)
                t0 = time.perf_counter()
                Grader(registry, reader, pack, capabilities=caps).grade([single(ex, ref)])
                best.append(time.perf_counter() - t0)
            engine_ms.append(statistics.median(best) * 1000)
            reads = list(dict.fromkeys(reader.lists))
            calls.append(len(reads))
            argvs = [kubectl_argv(kubectl, kubeconfig, context, r) for r in reads] or [
                kubectl_argv(kubectl, kubeconfig, context, ("v1", "Namespace", None))
            ]
            argvs_all.extend(argvs)
            baseline_ms.append(statistics.median(run_baseline(argvs) for _ in range(runs)) * 1000)
        whole = []
        for _ in range(runs):
            g = Grader(registry, cluster.read, pack, capabilities=caps)
            t0 = time.perf_counter()
            g.grade([single(ex, ref) for ex, ref in passing])
            whole.append(time.perf_counter() - t0)
        whole_api_calls = g.api_calls
        baseline_whole = [run_baseline(argvs_all) for _ in range(max(1, runs // 2))]
        identity = measure_identity(cluster, registry, pack, caps, passing, runs)
        isolation = measure_isolation(cluster, registry, pack, caps, passing, runs)
        isolation["worker_start_ms"] = round(worker_start * 1000, 1)
    finally:
        for ex in solved:
            tester.cleanup(ex, wait=False)
    med_engine, med_base = statistics.median(engine_ms), statistics.median(baseline_ms)
    return {
        "exercises": len(solved),
        "checks": len(passing),
        "engine_per_check_ms": {"median": round(med_engine, 2), "p90": round(_p90(engine_ms), 2)},
        "baseline_per_check_ms": {"median": round(med_base, 2), "p90": round(_p90(baseline_ms), 2)},
        "per_check_ratio": round(med_base / med_engine, 1),
        "engine_whole_pack_s": round(statistics.median(whole), 3),
        "engine_whole_pack_api_calls": whole_api_calls,
        "baseline_whole_pack_s": round(statistics.median(baseline_whole), 3),
        "baseline_whole_pack_subprocesses": len(argvs_all),
        "whole_pack_ratio": round(statistics.median(baseline_whole) / statistics.median(whole), 1),
        "reads_per_check_median": statistics.median(calls),
        **identity,
        **isolation,
    }


def measure_isolation(
    cluster: Any, registry: Any, pack: Any, caps: frozenset[str], passing: list[Any], runs: int
) -> dict[str, Any]:
    """The checker worker against the checkers imported into this process, interleaved check by check."""
    in_process = require_clean(load_checks(pack))
    per: dict[str, list[float]] = {"worker": [], "in_process": []}
    for ex, ref in passing:
        for key, reg in (("worker", registry), ("in_process", in_process)):
            best = []
            for _ in range(runs):
                t0 = time.perf_counter()
                Grader(reg, cluster.read, pack, capabilities=caps).grade([single(ex, ref)])
                best.append(time.perf_counter() - t0)
            per[key].append(statistics.median(best) * 1000)
    whole: dict[str, list[float]] = {"worker": [], "in_process": []}
    for _ in range(runs):
        for key, reg in (("worker", registry), ("in_process", in_process)):
            t0 = time.perf_counter()
            Grader(reg, cluster.read, pack, capabilities=caps).grade([single(ex, ref) for ex, ref in passing])
            whole[key].append(time.perf_counter() - t0)
    med = {k: statistics.median(v) for k, v in per.items()}
    whole_med = {k: statistics.median(v) for k, v in whole.items()}
    return {
        "isolation_per_check_ms": {k: round(v, 2) for k, v in med.items()},
        "isolation_per_check_ratio": round(med["worker"] / med["in_process"], 2),
        "isolation_whole_pack_s": {k: round(v, 3) for k, v in whole_med.items()},
        "isolation_whole_pack_ratio": round(whole_med["worker"] / whole_med["in_process"], 2),
    }


def measure_identity(
    cluster: Any, registry: Any, pack: Any, caps: frozenset[str], passing: list[Any], runs: int
) -> dict[str, Any]:
    """What the read-only grader identity costs: preparing it (cold, then from the cached token) and,
    per check and for the whole pack, the engine reading as the grader against reading as the kubeconfig
    user — interleaved check by check so both see the same machine load."""
    from tutor.cluster import identity
    from tutor.cluster.guard import created_by_tutor

    record = created_by_tutor(cluster.context, cluster.server)
    identity._tokens.clear()
    if record is not None:
        (record.state_dir() / identity.TOKEN_FILE).unlink(missing_ok=True)
    cold = identity.grader_view(cluster, cluster.context).setup_seconds
    identity._tokens.clear()
    view = identity.grader_view(cluster, cluster.context)
    admin_ms, grader_ms = [], []
    for ex, ref in passing:
        for reader, out in ((cluster.read, admin_ms), (view.reader, grader_ms)):
            best = []
            for _ in range(runs):
                t0 = time.perf_counter()
                Grader(registry, reader, pack, capabilities=caps).grade([single(ex, ref)])
                best.append(time.perf_counter() - t0)
            out.append(statistics.median(best) * 1000)
    whole: dict[str, list[float]] = {"admin": [], "grader": []}
    for _ in range(runs):
        for key, reader in (("admin", cluster.read), ("grader", view.reader)):
            t0 = time.perf_counter()
            Grader(registry, reader, pack, capabilities=caps).grade([single(ex, ref) for ex, ref in passing])
            whole[key].append(time.perf_counter() - t0)
    med_admin, med_grader = statistics.median(admin_ms), statistics.median(grader_ms)
    return {
        "identity": view.identity,
        "identity_setup_ms": {
            "cold": round(cold * 1000, 1),
            "cached_token": round(view.setup_seconds * 1000, 1),
        },
        "identity_per_check_ms": {"kubeconfig_user": round(med_admin, 2), "grader": round(med_grader, 2)},
        "identity_per_check_ratio": round(med_grader / med_admin, 2),
        "identity_whole_pack_s": {k: round(statistics.median(v), 3) for k, v in whole.items()},
        "identity_whole_pack_ratio": round(
            statistics.median(whole["grader"]) / statistics.median(whole["admin"]), 2
        ),
    }


def _p90(values: list[float]) -> float:
    return sorted(values)[int(0.9 * (len(values) - 1))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kubeconfig")
    ap.add_argument("--context")
    ap.add_argument("--sim", action="store_true", help="start a throw-away sim cluster for the run")
    ap.add_argument("--lessons", default="", help="comma-separated lesson ids (default: all)")
    ap.add_argument("--runs", type=int, default=3, help="repetitions per measurement (median)")
    ap.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = ap.parse_args()
    name = None
    if args.sim:
        from tutor.cluster import sim

        name = f"bench-{os.getpid()}"
        kubeconfig = str(Path(tempfile.mkdtemp()) / "kubeconfig")
        args.context = sim.up(name, kubeconfig=Path(kubeconfig), timeout=180).context
    else:
        kubeconfig = args.kubeconfig or os.environ.get("KUBECONFIG") or str(Path.home() / ".kube" / "config")
    try:
        with connect(kubeconfig, args.context) as cluster:
            result = measure(
                cluster,
                kubeconfig,
                cluster.context,
                [x for x in args.lessons.split(",") if x],
                max(1, args.runs),
            )
    finally:
        if name:
            sim.down(name)
    print(json.dumps(result, indent=2))
    print(
        f"median verdict: engine {result['engine_per_check_ms']['median']} ms vs kubectl "
        f"{result['baseline_per_check_ms']['median']} ms per check ({result['per_check_ratio']}x); "
        f"whole pack {result['engine_whole_pack_s']} s vs {result['baseline_whole_pack_s']} s "
        f"({result['whole_pack_ratio']}x)"
    )
    print(
        f"grader identity: setup {result['identity_setup_ms']['cold']} ms cold, "
        f"{result['identity_setup_ms']['cached_token']} ms with the cached token; per check "
        f"{result['identity_per_check_ms']['grader']} ms vs "
        f"{result['identity_per_check_ms']['kubeconfig_user']} ms "
        f"as the kubeconfig user (ratio {result['identity_per_check_ratio']}); whole pack ratio "
        f"{result['identity_whole_pack_ratio']}"
    )
    per, whole = result["isolation_per_check_ms"], result["isolation_whole_pack_s"]
    print(
        f"checker worker: per check {per['worker']} ms vs {per['in_process']} ms in-process "
        f"(ratio {result['isolation_per_check_ratio']}); whole pack {whole['worker']} s vs "
        f"{whole['in_process']} s (ratio {result['isolation_whole_pack_ratio']}); "
        f"worker start + import {result['worker_start_ms']} ms"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    ok = (
        result["engine_per_check_ms"]["median"] <= TARGET_MS
        and min(result["per_check_ratio"], result["whole_pack_ratio"]) >= TARGET_RATIO
        and max(result["isolation_per_check_ratio"], result["isolation_whole_pack_ratio"])
        <= TARGET_WORKER_RATIO
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
