"""The sim's HTTP load rule: a pod that requests a Service in a tight loop makes the Service's pods busy.

On a real cluster, ``while true; do wget -q -O- http://php; done`` in a pod keeps the pods behind Service
``php`` busy, their CPU use rises and an HPA scales them. The sim has no packets, so nothing would happen;
kwok reads CPU use from a pod's ``kwok.x-k8s.io/usage-cpu`` annotation (see :mod:`tutor.cluster.sim_metrics`)
but cannot look at other pods. This small controller, started by the sim driver next to kwok, applies the
rule (docs/clusters.md, "What the sim simulates"):

- a **client** is a running pod whose container command/args loop over ``wget``/``curl`` of
  ``http://<service>[.<namespace>[.svc[.cluster.local]]][:port][/path]`` without a ``sleep``
  (:data:`CLIENT_RE`);
- each client puts :data:`CLIENT_MILLICORES` of work on that Service, shared evenly by its ready endpoints
  (EndpointSlices), each capped at its container's CPU limit;
- the controller writes the result as ``kwok.x-k8s.io/usage-cpu`` on those pods, with
  ``sim.k8s-tutor.dev/load`` saying where it comes from, and removes both when the load stops. It never
  touches a usage annotation it did not write.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tutor.cluster.sim_metrics import CPU_ANNOTATION

LOAD_ANNOTATION = "sim.k8s-tutor.dev/load"
#: Work one client in a tight loop puts on the Service it calls (a CPU-heavy page: half a core).
CLIENT_MILLICORES = 500
IDLE_MILLICORES = 1
#: A loop that fetches http://HOST... with wget or curl (the host is group 1); a ``sleep`` disqualifies it.
CLIENT_RE = re.compile(r"\b(?:while|for|until)\b.*\b(?:wget|curl)\b[^;|&]*?\bhttps?://([a-z0-9.-]+)")
INTERVAL_SECONDS = 2.0


@dataclass(frozen=True)
class Load:
    """The CPU the rule gives one pod, and why."""

    millicores: int
    reason: str


def client_target(pod: Mapping[str, Any]) -> tuple[str, str] | None:
    """``(namespace, service)`` a running client pod loads, or None (see :data:`CLIENT_RE`)."""
    if (pod.get("status") or {}).get("phase") != "Running" or (pod.get("metadata") or {}).get(
        "deletionTimestamp"
    ):
        return None
    namespace = pod["metadata"].get("namespace", "default")
    for container in (pod.get("spec") or {}).get("containers") or []:
        text = " ".join([*(container.get("command") or []), *(container.get("args") or [])])
        match = CLIENT_RE.search(text)
        if not match or re.search(r"\bsleep\b", text):
            continue
        parts = match.group(1).split(".")
        if len(parts) == 1 or parts[2:] in ([], ["svc"], ["svc", "cluster", "local"]):
            return (parts[1] if len(parts) > 1 else namespace, parts[0])
    return None


def _ready_endpoint_pods(slices: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], list[str]]:
    """(namespace, service) -> names of the pods that are ready endpoints of it."""
    ready: dict[tuple[str, str], list[str]] = defaultdict(list)
    for eps in slices:
        meta = eps.get("metadata") or {}
        service = (meta.get("labels") or {}).get("kubernetes.io/service-name")
        if not service:
            continue
        for endpoint in eps.get("endpoints") or []:
            ref = endpoint.get("targetRef") or {}
            if ref.get("kind") == "Pod" and (endpoint.get("conditions") or {}).get("ready", True):
                ready[(meta.get("namespace", "default"), service)].append(ref["name"])
    return ready


def _limit_millicores(pod: Mapping[str, Any]) -> float:
    """The pod's CPU limit in millicores (infinite when a container has none)."""
    total = 0.0
    for container in (pod.get("spec") or {}).get("containers") or []:
        cpu = ((container.get("resources") or {}).get("limits") or {}).get("cpu")
        if cpu is None:
            return math.inf
        text = str(cpu)
        total += float(text[:-1]) if text.endswith("m") else float(text) * 1000
    return total


def plan(
    pods: Sequence[Mapping[str, Any]], slices: Sequence[Mapping[str, Any]]
) -> dict[tuple[str, str], Load]:
    """(namespace, pod) -> the load the rule gives it, for every pod behind a loaded Service."""
    clients: dict[tuple[str, str], int] = defaultdict(int)
    for pod in pods:
        if target := client_target(pod):
            clients[target] += 1
    by_name = {(p["metadata"].get("namespace", "default"), p["metadata"]["name"]): p for p in pods}
    ready = _ready_endpoint_pods(slices)
    loads: dict[tuple[str, str], Load] = {}
    for (namespace, service), count in clients.items():
        backends = [
            (namespace, name) for name in ready.get((namespace, service), []) if (namespace, name) in by_name
        ]
        for key in backends:
            share = count * CLIENT_MILLICORES / len(backends)
            millicores = int(max(IDLE_MILLICORES, min(share, _limit_millicores(by_name[key]))))
            reason = f"{count} client(s) of Service {service} shared by {len(backends)} ready pod(s)"
            loads[key] = Load(millicores, reason)
    return loads


def _patches(
    pods: Sequence[Mapping[str, Any]], loads: dict[tuple[str, str], Load]
) -> list[tuple[str, str, dict[str, str | None]]]:
    """The annotation changes that make ``pods`` carry ``loads`` (only on pods this rule annotates)."""
    out = []
    for pod in pods:
        meta = pod["metadata"]
        key = (meta.get("namespace", "default"), meta["name"])
        annotations = meta.get("annotations") or {}
        load = loads.get(key)
        if load:
            want: dict[str, str | None] = {
                CPU_ANNOTATION: f"{load.millicores}m",
                LOAD_ANNOTATION: load.reason,
            }
            if any(annotations.get(k) != v for k, v in want.items()):
                out.append((key[0], key[1], want))
        elif LOAD_ANNOTATION in annotations:
            out.append((key[0], key[1], {CPU_ANNOTATION: None, LOAD_ANNOTATION: None}))
    return out


def run(kubeconfig: Path, interval: float = INTERVAL_SECONDS) -> None:  # pragma: no cover - a process
    """Apply the rule every ``interval`` seconds until killed (``cluster down`` stops it)."""
    from tutor.cluster.client import connect
    from tutor.errors import TutorError

    with connect(kubeconfig, "sim") as c:
        while True:
            try:
                pods = c.read.list("v1", "Pod")
                slices = c.read.list("discovery.k8s.io/v1", "EndpointSlice")
                for namespace, name, annotations in _patches(pods, plan(pods, slices)):
                    c.transport.request(
                        "PATCH",
                        f"/api/v1/namespaces/{namespace}/pods/{name}",
                        body={"metadata": {"annotations": annotations}},
                        content_type="application/merge-patch+json",
                        what=f"load annotation of pod {name} in namespace {namespace}",
                    )
                    print(f"{namespace}/{name}: {annotations}", flush=True)
            except TutorError as exc:  # a pod deleted meanwhile, the API server restarting: next round
                print(f"skipped a round: {exc}", file=sys.stderr, flush=True)
            time.sleep(interval)


def main(argv: list[str] | None = None) -> None:  # pragma: no cover - a process
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kubeconfig", type=Path, required=True)
    parser.add_argument(
        "--state-dir", type=Path, required=True, help="the cluster's folder (marks the process)"
    )
    args = parser.parse_args(argv)
    run(args.kubeconfig)


if __name__ == "__main__":  # pragma: no cover
    main()
