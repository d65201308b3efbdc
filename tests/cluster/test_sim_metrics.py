"""Resource metrics and autoscaling on the sim cluster (docs/clusters.md, "What the sim simulates").

kwok serves each simulated kubelet's ``/metrics/resource`` from the usage rule in
:mod:`tutor.cluster.sim_metrics`; the real metrics-server scrapes it and serves ``metrics.k8s.io``; the real
HPA controller in kube-controller-manager reads that and scales. Without any link of that chain each test
here fails: no ``metrics`` capability, no PodMetrics, or replicas that never move.
"""

from __future__ import annotations

import pytest

from tests.cluster.test_sim_control_plane import wait_for
from tutor.cluster.paths import metrics_server_binary
from tutor.cluster.sim_metrics import CPU_ANNOTATION

pytestmark = pytest.mark.cluster

if not metrics_server_binary().exists():  # pragma: no cover - CI builds it (kind/sim/build.sh)
    pytestmark = [pytest.mark.cluster, pytest.mark.skip(reason="metrics-server is not built")]

#: metrics-server scrapes every 10 s and needs two scrapes for a CPU rate.
FIRST_METRICS = 60


def _millicores(quantity: str) -> float:
    if quantity.endswith("n"):
        return int(quantity[:-1]) / 1e6
    if quantity.endswith("u"):
        return int(quantity[:-1]) / 1e3
    if quantity.endswith("m"):
        return float(quantity[:-1])
    return float(quantity) * 1000


def _pod_cpu(cluster, namespace: str) -> dict[str, float]:
    """Pod name → CPU in millicores, as ``kubectl top pods`` shows it."""
    return {
        m["metadata"]["name"]: sum(_millicores(c["usage"]["cpu"]) for c in m["containers"])
        for m in cluster.read.list("metrics.k8s.io/v1beta1", "PodMetrics", namespace)
    }


def _pod(name: str, command: str, annotations: str = "{}", limits: str = "{cpu: 300m}") -> str:
    return f"""
apiVersion: v1
kind: Pod
metadata: {{name: {name}, annotations: {annotations}}}
spec:
  containers:
  - name: main
    image: busybox:1.36
    command: [sh, -c, "{command}"]
    resources: {{requests: {{cpu: 100m}}, limits: {limits}}}
"""


def test_sim_with_metrics_server_offers_metrics_and_node_usage(cluster):
    wait_for(lambda: "metrics" in cluster.read.capabilities(), "the metrics.k8s.io APIService", timeout=30)
    nodes = wait_for(
        lambda: cluster.read.list("metrics.k8s.io/v1beta1", "NodeMetrics"),
        "NodeMetrics",
        timeout=FIRST_METRICS,
    )
    assert {n["metadata"]["name"] for n in nodes} == {
        n["metadata"]["name"] for n in cluster.read.list("v1", "Node")
    }
    assert all("cpu" in n["usage"] and "memory" in n["usage"] for n in nodes)


def test_pod_cpu_follows_the_documented_rule(cluster, namespace):
    writer = cluster.writer()
    writer.apply(_pod("idle", "sleep 3600"), namespace)
    writer.apply(_pod("spin", "while true; do :; done"), namespace)
    writer.apply(_pod("unlimited", "while true; do :; done", limits="{}"), namespace)
    writer.apply(_pod("told", "sleep 3600", annotations=f'{{"{CPU_ANNOTATION}": "150m"}}'), namespace)
    cpu = wait_for(
        lambda: (c := _pod_cpu(cluster, namespace)) and len(c) == 4 and c,
        "PodMetrics of 4 pods",
        FIRST_METRICS,
    )
    assert cpu["idle"] <= 2, cpu  # idle: 1m
    assert 270 <= cpu["spin"] <= 330, cpu  # a spinning command uses its CPU limit (300m)
    assert 900 <= cpu["unlimited"] <= 1100, cpu  # ... or one core without a limit
    assert 130 <= cpu["told"] <= 170, cpu  # the pod's kwok.x-k8s.io/usage-cpu annotation wins


def test_hpa_scales_a_busy_deployment_up_then_down_when_the_load_stops(cluster, namespace):
    writer = cluster.writer()
    deployment = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: burn}
spec:
  replicas: 1
  selector: {matchLabels: {app: burn}}
  template:
    metadata: {labels: {app: burn}, annotations: {%s: "%s"}}
    spec:
      containers:
      - {name: burn, image: "busybox:1.36", command: [sleep, "3600"], resources: {requests: {cpu: 100m}}}
"""
    writer.apply(deployment % (CPU_ANNOTATION, "200m"), namespace)
    writer.apply(
        """
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: burn}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: burn}
  minReplicas: 1
  maxReplicas: 3
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
""",
        namespace,
    )

    def replicas() -> int:
        return (
            (cluster.read.get("apps/v1", "Deployment", "burn", namespace) or {})
            .get("spec", {})
            .get("replicas", 0)
        )

    def reported_utilization() -> int:
        """The HPA's last CPU reading; 0 while it has none (right after a scale, new pods are unmeasured)."""
        hpa = cluster.read.get("autoscaling/v2", "HorizontalPodAutoscaler", "burn", namespace) or {}
        for metric in hpa.get("status", {}).get("currentMetrics") or []:
            current = (metric.get("resource") or {}).get("current") or {}
            return current.get("averageUtilization", 0)
        return 0

    wait_for(lambda: replicas() == 3, "the HPA to scale burn from 1 to 3 replicas (200% of its request)", 150)
    wait_for(
        lambda: reported_utilization() >= 100, "the HPA to report burn's pods above 100% of their request", 60
    )
    writer.apply(deployment % (CPU_ANNOTATION, "5m"), namespace)  # the load stops
    wait_for(lambda: replicas() == 1, "the HPA to scale burn back down to 1 after its 30 s window", 180)


def test_clients_looping_over_a_service_make_its_pods_busy_until_they_stop(cluster, namespace):
    """The HTTP load rule (tutor/cluster/sim_traffic.py): 2 clients x 500m shared by 2 ready pods."""
    writer = cluster.writer()
    writer.apply(
        """
apiVersion: apps/v1
kind: Deployment
metadata: {name: php}
spec:
  replicas: 2
  selector: {matchLabels: {app: php}}
  template:
    metadata: {labels: {app: php}}
    spec:
      containers: [{name: php, image: "nginx:1.25", resources: {limits: {cpu: "1"}}}]
---
apiVersion: v1
kind: Service
metadata: {name: php}
spec: {selector: {app: php}, ports: [{port: 80}]}
""",
        namespace,
    )
    writer.apply(
        """
apiVersion: apps/v1
kind: Deployment
metadata: {name: load}
spec:
  replicas: 2
  selector: {matchLabels: {app: load}}
  template:
    metadata: {labels: {app: load}}
    spec:
      containers:
      - {name: load, image: "busybox:1.36", command: [sh, -c, "while true; do wget -q -O- http://php; done"]}
""",
        namespace,
    )

    def php_cpu() -> list[float]:
        return sorted(v for k, v in _pod_cpu(cluster, namespace).items() if k.startswith("php-"))

    wait_for(
        lambda: (c := php_cpu()) and len(c) == 2 and all(450 <= v <= 550 for v in c), "php at ~500m each", 60
    )
    writer.kubectl(["delete", "deployment", "load"], namespace=namespace)
    wait_for(lambda: (c := php_cpu()) and all(v <= 5 for v in c), "php idle again after the clients stop", 60)
