"""The grading engine on the sim cluster: eventual consistency, hold windows, the matcher, reads per round."""

from __future__ import annotations

import threading
import time

import pytest

from tutor.grading.engine import Grader
from tutor.grading.outcomes import NotYet
from tutor.grading.registry import CheckSpec, Registry, builtin_registry
from tutor.model import CheckRef, Exercise
from tutor.results import Status

pytestmark = pytest.mark.cluster


def deployment_available(ctx, name):
    """Deployment {name} is available"""
    dep = ctx.get("apps/v1", "Deployment", name)
    want, have = ctx.field(dep, "spec.replicas"), ctx.field(dep, "status.availableReplicas", default=0)
    if have < want:
        raise NotYet(f"Deployment {name}: {have}/{want} replicas available")


def registry() -> Registry:
    reg = Registry("cluster tests", parent=builtin_registry())
    reg.add(CheckSpec("deployment.available", deployment_available, title="Deployment {name} is available"))
    return reg


def exercise(namespace: str, *refs: CheckRef) -> Exercise:
    return Exercise(
        id=f"ex-{namespace}", title="t", task="", checks=tuple(refs), namespace=namespace, points=2
    )


def later(seconds: float, action) -> threading.Thread:
    """Run ``action`` after ``seconds`` in the background (the learner acting mid-grade)."""
    thread = threading.Thread(target=lambda: (time.sleep(seconds), action()), daemon=True)
    thread.start()
    return thread


SLOW_DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: slow}
spec:
  replicas: 1
  minReadySeconds: 4          # available ~5 s after creation: pod scheduled + kwok-ready in ~1 s, then 4 s
  selector: {matchLabels: {app: slow}}
  template:
    metadata: {labels: {app: slow}}
    spec: {containers: [{name: c, image: registry.k8s.io/pause:3.10}]}
"""


@pytest.mark.parametrize("timeout,status", [(10, Status.PASS), (3, Status.TIMEOUT)])
def test_deployment_ready_five_seconds_after_grading_starts(cluster, namespace, timeout, status):
    cluster.writer().apply(SLOW_DEPLOYMENT, namespace=namespace)
    ex = exercise(namespace, CheckRef("deployment.available", {"name": "slow"}, timeout=timeout))
    [res] = Grader(registry(), cluster.read).grade([ex])
    check = res.checks[0]
    assert check.status is status, check.message
    if status is Status.PASS:
        assert 3 <= check.duration <= 10
    else:
        assert check.message.startswith("timed out after 3 s: Deployment slow: 0/1 replicas available")
        assert check.attempts >= 3


POD = """
apiVersion: v1
kind: Pod
metadata: {{name: {name}, labels: {{app: {app}}}}}
spec:
  containers:
  - {{name: sidecar, image: "busybox:1.36"}}
  - {{name: web, image: "nginx:1.25", ports: [{{containerPort: 80}}]}}
"""


def test_hold_window_fails_when_the_object_appears_mid_window(cluster, namespace):
    writer = cluster.writer()
    later(3, lambda: writer.apply(POD.format(name="intruder", app="x"), namespace=namespace))
    ref = CheckRef("absent", {"apiVersion": "v1", "kind": "Pod", "name": "intruder", "hold": 8})
    [res] = Grader(registry(), cluster.read).grade([exercise(namespace, ref)])
    check = res.checks[0]
    assert check.status is Status.FAIL
    assert "hold window" in check.message and "Pod intruder in namespace" in check.message
    assert 3 <= check.duration < 8


def test_hold_window_passes_when_nothing_appears(cluster, namespace):
    ref = CheckRef("absent", {"apiVersion": "v1", "kind": "Pod", "name": "intruder", "hold": 2})
    [res] = Grader(registry(), cluster.read).grade([exercise(namespace, ref)])
    assert res.checks[0].status is Status.PASS and res.checks[0].duration >= 2


def test_matcher_table_on_live_pods(cluster, namespace):
    writer = cluster.writer()
    for name in ("a", "b"):
        writer.apply(POD.format(name=name, app="web"), namespace=namespace)
    pod = {"apiVersion": "v1", "kind": "Pod"}
    refs = [
        CheckRef(
            "match",
            {**pod, "name": "a", "match": {"spec": {"containers": [{"name": "web", "image": "nginx:1.25"}]}}},
            timeout=2,
        ),
        CheckRef("match", {**pod, "labels": {"app": "web"}, "count": 3}, timeout=2),
        CheckRef(
            "match",
            {
                **pod,
                "labels": "app=web",
                "count": 2,
                "match": {"spec": {"containers": [{"name": "web", "ports": [{"containerPort": 80}]}]}},
            },
            timeout=2,
        ),
        CheckRef(
            "match",
            {**pod, "name": "a", "match": {"spec": {"containers": [{"name": "web", "image": "nginx:1.24"}]}}},
            timeout=2,
        ),
    ]
    [res] = Grader(registry(), cluster.read).grade([exercise(namespace, *refs)])
    assert [c.status for c in res.checks] == [Status.PASS, Status.FAIL, Status.PASS, Status.FAIL]
    assert (
        "expected exactly 3 Pod with labels app=web" in res.checks[1].message
        and "found 2" in res.checks[1].message
    )
    diff = res.checks[3].diffs[0]
    assert (diff.path, diff.expected, diff.actual) == (
        ".spec.containers[name=web].image",
        "nginx:1.24",
        "nginx:1.25",
    )


def test_one_list_per_kind_per_round(cluster, namespace):
    writer = cluster.writer()
    writer.apply(POD.format(name="a", app="web"), namespace=namespace)
    refs = [CheckRef("match", {"apiVersion": "v1", "kind": "Pod", "name": "a"}) for _ in range(10)]
    refs += [
        CheckRef("absent", {"apiVersion": "v1", "kind": "ConfigMap", "name": f"c{i}", "hold": 0})
        for i in range(10)
    ]
    grader = Grader(registry(), cluster.read)
    [res] = grader.grade([exercise(namespace, *refs)])
    assert all(c.status is Status.PASS for c in res.checks)
    assert grader.rounds == 1 and grader.api_calls == 2  # Pods once, ConfigMaps once, for 20 checks


def test_failure_carries_events_of_an_unschedulable_pod(cluster, namespace):
    cluster.writer().apply(
        """
apiVersion: v1
kind: Pod
metadata: {name: stuck}
spec:
  nodeSelector: {disktype: nvme}
  containers: [{name: c, image: registry.k8s.io/pause:3.10}]
""",
        namespace=namespace,
    )
    ref = CheckRef(
        "match",
        {"apiVersion": "v1", "kind": "Pod", "name": "stuck", "match": {"status": {"phase": "Running"}}},
        timeout=4,
        hint=2,
    )
    [res] = Grader(registry(), cluster.read).grade([exercise(namespace, ref)])
    check = res.checks[0]
    assert check.status is Status.FAIL and check.hint == 2
    assert check.diffs[0].path == ".status.phase"
    assert any("FailedScheduling on Pod stuck" in line for line in check.diagnostics), check.diagnostics
