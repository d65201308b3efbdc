"""When ``grade`` may stop waiting: the cluster has settled.

A check that has not passed polls until its timeout (20 s by default, minutes for some), because
controllers may still be making the answer true. But once nothing a round reads has changed for
:data:`QUIET_SECONDS` and nothing in the graded namespaces is still converging by itself, waiting
longer cannot change the verdict — so ``grade`` ends the still-failing checks there and says so
(an untouched lesson: about 6 s instead of 61 s of silence). Watch mode and the course tests keep the
full timeouts; kuttl and chainsaw always wait them out.

"Still converging" is deliberately generous (any doubt means wait): a pod that is terminating,
pending (unless stuck on a pull or crash back-off, or unschedulable) or running but not yet ready in
its first two minutes; a workload whose controller has not caught up (observedGeneration, a rollout
in progress); a Job with active pods; any HPA or CronJob (they act on their own schedule); a
terminating namespace.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from tutor.grading.cache import RoundCache

QUIET_SECONDS = 5.0
#: Pods waiting for one of these will not start by themselves soon: not "converging".
STUCK_REASONS = frozenset(
    {"ErrImagePull", "ImagePullBackOff", "InvalidImageName", "CrashLoopBackOff", "CreateContainerConfigError"}
)
STARTING_SECONDS = 120


def _age_seconds(stamp: str | None, now: datetime) -> float:
    if not stamp:
        return 0.0
    return (now - datetime.fromisoformat(stamp.replace("Z", "+00:00"))).total_seconds()


def _pod_converging(pod: dict[str, Any], now: datetime) -> str:
    meta, status = pod.get("metadata") or {}, pod.get("status") or {}
    name = f"pod {meta.get('name')}"
    if meta.get("deletionTimestamp"):
        return f"{name} is terminating"
    statuses = status.get("containerStatuses") or []
    waiting = {((s.get("state") or {}).get("waiting") or {}).get("reason") for s in statuses}
    if waiting & STUCK_REASONS:
        return ""
    phase = status.get("phase")
    if phase == "Pending":
        unschedulable = any(
            c.get("type") == "PodScheduled" and c.get("reason") == "Unschedulable"
            for c in status.get("conditions") or []
        )
        return "" if unschedulable else f"{name} is pending"
    if phase == "Running":
        for s in statuses:
            started = ((s.get("state") or {}).get("running") or {}).get("startedAt")
            if not s.get("ready") and started and _age_seconds(started, now) < STARTING_SECONDS:
                return f"{name} is starting (not ready yet)"
    return ""


def _workload_converging(obj: dict[str, Any]) -> str:
    kind, meta = obj.get("kind", ""), obj.get("metadata") or {}
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    name = f"{kind} {meta.get('name')}"
    if status.get("observedGeneration", 0) < meta.get("generation", 0):
        return f"{name} has changes its controller has not seen yet"
    if kind == "Deployment":
        want = spec.get("replicas", 1)
        if status.get("updatedReplicas", 0) < want or status.get("replicas", 0) > want:
            return f"{name} is rolling out"
    if kind == "StatefulSet" and status.get("currentRevision") != status.get("updateRevision"):
        return f"{name} is rolling out"
    if kind == "DaemonSet" and status.get("updatedNumberScheduled", 0) < status.get(
        "desiredNumberScheduled", 0
    ):
        return f"{name} is rolling out"
    if kind == "Job":
        done = any(
            c.get("type") in ("Complete", "Failed", "FailureTarget") and c.get("status") == "True"
            for c in status.get("conditions") or []
        )
        if status.get("active") and not done:
            return f"{name} has running pods"
    if kind in ("HorizontalPodAutoscaler", "CronJob"):
        return f"{name} acts on its own schedule"
    return ""


_WORKLOADS = (
    ("apps/v1", "Deployment"),
    ("apps/v1", "StatefulSet"),
    ("apps/v1", "DaemonSet"),
    ("batch/v1", "Job"),
    ("batch/v1", "CronJob"),
    ("autoscaling/v2", "HorizontalPodAutoscaler"),
)


def converging(cache: RoundCache, namespaces: Iterable[str | None], now: datetime | None = None) -> str:
    """Why the graded namespaces may still change by themselves (the first reason found), or ""."""
    now = now or datetime.now(UTC)
    for ns_obj in cache.list("v1", "Namespace", None):
        if (ns_obj.get("status") or {}).get("phase") == "Terminating":
            return f"namespace {ns_obj['metadata']['name']} is terminating"
    for ns in sorted({n for n in namespaces if n}):
        for pod in cache.list("v1", "Pod", ns):
            if reason := _pod_converging(pod, now):
                return f"{reason} in namespace {ns}"
        for api_version, kind in _WORKLOADS:
            for obj in cache.list(api_version, kind, ns):
                obj.setdefault("kind", kind)
                if reason := _workload_converging(obj):
                    return f"{reason} in namespace {ns}"
    return ""
