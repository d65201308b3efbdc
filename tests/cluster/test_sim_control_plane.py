"""The sim cluster is a real control plane: scheduler, controllers and admission really run.

Each test would fail on a fake API (nothing would schedule, complete or be rejected).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from tutor.cluster import ApiError

pytestmark = pytest.mark.cluster


def wait_for(probe: Callable[[], Any], what: str, timeout: float = 30) -> Any:
    """Poll ``probe`` until it returns something truthy; fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.2)


def pod_manifest(name: str, extra_spec: str = "") -> str:
    return f"""
apiVersion: v1
kind: Pod
metadata: {{name: {name}}}
spec:
  containers: [{{name: c, image: registry.k8s.io/pause:3.10, resources: {{requests: {{cpu: 100m}}}}}}]
{extra_spec}
"""


def test_topology_has_three_ready_nodes_with_lesson_labels(cluster):
    nodes = {n["metadata"]["name"]: n for n in cluster.read.list("v1", "Node")}
    assert set(nodes) == {"k8s-tutor-control-plane", "k8s-tutor-worker", "k8s-tutor-worker2"}
    for node in nodes.values():
        conds = {c["type"]: c["status"] for c in node["status"]["conditions"]}
        assert conds["Ready"] == "True"
        addresses = {a["type"]: a["address"] for a in node["status"]["addresses"]}
        assert addresses == {"InternalIP": "127.0.0.1", "Hostname": node["metadata"]["name"]}
        assert node["status"]["allocatable"]["cpu"] == "4"
    cp = nodes["k8s-tutor-control-plane"]
    assert {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"} in cp["spec"]["taints"]
    assert cp["metadata"]["labels"]["ingress-ready"] == "true"
    assert nodes["k8s-tutor-worker"]["metadata"]["labels"]["disktype"] == "ssd"
    assert nodes["k8s-tutor-worker2"]["metadata"]["labels"]["topology.kubernetes.io/zone"] == "zone-b"
    assert cluster.read.version()["gitVersion"] == "v1.36.1"
    from tutor.cluster.paths import metrics_server_binary

    metrics = {"metrics"} if metrics_server_binary().exists() else set()  # metrics-server is optional
    assert cluster.read.capabilities() == {"api", "scheduler", "controllers", "container-states", *metrics}


def test_deployment_pods_are_scheduled_on_workers_and_become_ready(cluster, namespace):
    cluster.writer().apply(
        """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx:1.27}]}
""",
        namespace,
    )
    wait_for(
        lambda: (
            (cluster.read.get("apps/v1", "Deployment", "web", namespace).get("status") or {}).get(
                "readyReplicas"
            )
            == 3
        ),
        "3 ready replicas of Deployment web",
    )
    pods = cluster.read.list("v1", "Pod", namespace, label_selector={"app": "web"})
    assert len(pods) == 3
    for pod in pods:
        assert pod["status"]["phase"] == "Running"
        assert pod["spec"]["nodeName"] in {
            "k8s-tutor-worker",
            "k8s-tutor-worker2",
        }  # never the tainted control plane
        assert pod["status"]["podIP"].startswith("10.244.")
        assert pod["metadata"]["ownerReferences"][0]["kind"] == "ReplicaSet"


def test_node_selector_lands_on_the_labelled_worker(cluster, namespace):
    cluster.writer().apply(pod_manifest("ssd", "  nodeSelector: {disktype: ssd}"), namespace)
    pod = wait_for(
        lambda: (
            (p := cluster.read.get("v1", "Pod", "ssd", namespace))
            and p["status"].get("phase") == "Running"
            and p
        ),
        "pod ssd Running",
    )
    assert pod["spec"]["nodeName"] == "k8s-tutor-worker"


def test_untolerated_taint_keeps_the_pod_pending_with_failed_scheduling(cluster, namespace):
    w = cluster.writer()
    to_cp = "  nodeSelector: {kubernetes.io/hostname: k8s-tutor-control-plane}"
    w.apply(pod_manifest("stuck", to_cp), namespace)
    event = wait_for(
        lambda: next(
            (
                e
                for e in cluster.read.list("v1", "Event", namespace)
                if e["involvedObject"]["name"] == "stuck" and e["reason"] == "FailedScheduling"
            ),
            None,
        ),
        "a FailedScheduling event for pod stuck",
    )
    assert "untolerated taint" in event["message"]
    assert cluster.read.get("v1", "Pod", "stuck", namespace)["status"]["phase"] == "Pending"
    # The same pod with the toleration is scheduled there: the taint is what blocked it.
    tolerate = to_cp + "\n  tolerations: [{key: node-role.kubernetes.io/control-plane, effect: NoSchedule}]"
    w.apply(pod_manifest("tolerated", tolerate), namespace)
    pod = wait_for(
        lambda: (
            (p := cluster.read.get("v1", "Pod", "tolerated", namespace)) and p["spec"].get("nodeName") and p
        ),
        "pod tolerated scheduled",
    )
    assert pod["spec"]["nodeName"] == "k8s-tutor-control-plane"


def test_job_completes(cluster, namespace):
    cluster.writer().apply(
        """
apiVersion: batch/v1
kind: Job
metadata: {name: once}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox, command: ["true"]}]
""",
        namespace,
    )
    job = wait_for(
        lambda: (
            (j := cluster.read.get("batch/v1", "Job", "once", namespace))
            and j.get("status", {}).get("succeeded")
            and j
        ),
        "Job once to succeed",
    )
    assert job["status"]["succeeded"] == 1
    assert any(c["type"] == "Complete" and c["status"] == "True" for c in job["status"]["conditions"])
    (pod,) = cluster.read.list("v1", "Pod", namespace, label_selector={"job-name": "once"})
    assert pod["status"]["phase"] == "Succeeded"


def test_resource_quota_rejects_an_over_limit_pod(cluster, namespace):
    w = cluster.writer()
    w.apply(
        """
apiVersion: v1
kind: ResourceQuota
metadata: {name: small}
spec: {hard: {requests.cpu: 150m, pods: "5"}}
""",
        namespace,
    )
    # The quota controller fills status.hard first; until then admission may still allow a pod.
    wait_for(
        lambda: (cluster.read.get("v1", "ResourceQuota", "small", namespace).get("status") or {}).get("hard"),
        "quota status",
    )
    w.apply(pod_manifest("fits"), namespace)  # 100m of 150m
    with pytest.raises(ApiError) as err:
        w.apply(pod_manifest("too-much"), namespace)  # another 100m: over the quota
    assert err.value.status == 403
    assert "exceeded quota: small" in str(err.value)
    assert cluster.read.get("v1", "Pod", "too-much", namespace) is None


def test_writer_kubectl_is_pinned_to_the_cluster(cluster, namespace):
    w = cluster.writer()
    w.kubectl(f"kubectl create configmap from-kubectl --from-literal=a=1 -n {namespace}")
    cm = cluster.read.get("v1", "ConfigMap", "from-kubectl", namespace)
    assert cm["data"] == {"a": "1"}
    out = w.kubectl(["get", "configmap", "from-kubectl", "-o", "jsonpath={.data.a}"], namespace=namespace)
    assert out.stdout == "1"


def test_watch_reports_pod_events_and_ends_at_its_timeout(cluster, namespace):
    cluster.writer().apply(pod_manifest("watched"), namespace)
    start = time.monotonic()
    events = list(cluster.read.watch("v1", "Pod", namespace, timeout=2))
    assert 1.5 <= time.monotonic() - start < 10
    assert events[0]["type"] == "ADDED" and events[0]["object"]["metadata"]["name"] == "watched"
    assert events[0]["object"]["kind"] == "Pod"
