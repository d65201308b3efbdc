"""When grade may stop waiting (tutor.grading.settle): what counts as still converging."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tutor.grading.cache import RoundCache
from tutor.grading.settle import converging

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


class Reader:
    def __init__(self, objects: dict[tuple[str, str], list[dict]]):
        self.objects = objects

    def list(self, api_version, kind, namespace=None, label_selector=None):
        return [
            o
            for o in self.objects.get((api_version, kind), [])
            if namespace is None or o["metadata"].get("namespace") == namespace
        ]


def _pod(phase="Running", ready=True, started_ago=600, waiting=None, deleting=False, unschedulable=False):
    started = (NOW - timedelta(seconds=started_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")
    state = {"waiting": {"reason": waiting}} if waiting else {"running": {"startedAt": started}}
    meta = {"name": "p", "namespace": "ns", **({"deletionTimestamp": "x"} if deleting else {})}
    conditions = (
        [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable"}] if unschedulable else []
    )
    return {
        "metadata": meta,
        "status": {
            "phase": phase,
            "conditions": conditions,
            "containerStatuses": [{"ready": ready, "state": state}],
        },
    }


def _why(**objects) -> str:
    table = {
        ("v1", "Pod"): objects.get("pods", []),
        ("apps/v1", "Deployment"): objects.get("deployments", []),
        ("batch/v1", "Job"): objects.get("jobs", []),
        ("autoscaling/v2", "HorizontalPodAutoscaler"): objects.get("hpas", []),
        ("v1", "Namespace"): objects.get("namespaces", []),
    }
    return converging(RoundCache(Reader(table)), ["ns"], now=NOW)


@pytest.mark.parametrize(
    ("objects", "reason"),
    [
        ({}, ""),
        ({"pods": [_pod()]}, ""),
        ({"pods": [_pod(phase="Pending")]}, "pod p is pending"),
        (
            {"pods": [_pod(phase="Pending", waiting="ImagePullBackOff")]},
            "",
        ),  # stuck: will not start by itself
        ({"pods": [_pod(phase="Pending", unschedulable=True)]}, ""),
        ({"pods": [_pod(deleting=True)]}, "pod p is terminating"),
        ({"pods": [_pod(ready=False, started_ago=10)]}, "pod p is starting"),
        ({"pods": [_pod(ready=False, started_ago=600)]}, ""),  # not ready for 10 minutes: settled
        ({"pods": [_pod(ready=False, waiting="CrashLoopBackOff")]}, ""),
    ],
)
def test_pods(objects, reason):
    assert _why(**objects).startswith(reason) if reason else _why(**objects) == ""


def test_workloads_and_schedules_keep_grading_waiting():
    meta = {"name": "w", "namespace": "ns", "generation": 2}
    assert "rolling out" in _why(
        deployments=[
            {
                "metadata": meta,
                "spec": {"replicas": 3},
                "status": {"observedGeneration": 2, "updatedReplicas": 1},
            }
        ]
    )
    assert "not seen yet" in _why(
        deployments=[{"metadata": meta, "spec": {}, "status": {"observedGeneration": 1}}]
    )
    settled = {"observedGeneration": 2, "updatedReplicas": 3, "replicas": 3}
    assert _why(deployments=[{"metadata": meta, "spec": {"replicas": 3}, "status": settled}]) == ""
    assert "running pods" in _why(jobs=[{"metadata": meta, "status": {"observedGeneration": 2, "active": 1}}])
    for verdict in ("Complete", "Failed", "FailureTarget"):  # its pods may still be terminating
        condition = {"type": verdict, "status": "True"}
        status = {"observedGeneration": 2, "active": 1, "conditions": [condition]}
        assert _why(jobs=[{"metadata": meta, "status": status}]) == "", verdict
    assert "own schedule" in _why(hpas=[{"metadata": meta, "status": {"observedGeneration": 2}}])
    terminating = {"metadata": {"name": "scratch"}, "status": {"phase": "Terminating"}}
    assert _why(namespaces=[terminating]) == "namespace scratch is terminating"


def test_a_fingerprint_changes_with_any_write():
    reader = Reader(
        {
            ("v1", "ConfigMap"): [
                {"metadata": {"name": "a", "namespace": "ns", "uid": "1", "resourceVersion": "5"}}
            ]
        }
    )
    first = RoundCache(reader)
    first.list("v1", "ConfigMap", "ns")
    same = RoundCache(reader)
    same.list("v1", "ConfigMap", "ns")
    before = first.fingerprint()
    assert before == same.fingerprint()
    reader.objects[("v1", "ConfigMap")][0]["metadata"]["resourceVersion"] = "6"
    changed = RoundCache(reader)
    changed.list("v1", "ConfigMap", "ns")
    assert changed.fingerprint() != before
