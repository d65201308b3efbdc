"""Checkers for the Resources lesson: requests/limits, QoS, scheduling on requests, quotas, LimitRanges.

Every quantity is compared by value, so ``cpu: 0.1`` and ``cpu: 100m`` are the same answer and
``memory: 128Mi`` equals ``134217728``.
"""

from __future__ import annotations

from typing import Any

from tutor.sdk import CheckContext, CheckFailed, NotYet, check


def meta(obj: dict[str, Any]) -> dict[str, Any]:
    return obj.get("metadata") or {}


def _same(ctx: CheckContext, expected: Any, actual: Any) -> bool:
    try:
        return ctx.quantity(expected) == ctx.quantity(actual)
    except ValueError:
        return False


def _explain(resource: str, actual: Any) -> str:
    """A note for the classic unit mistakes."""
    text = str(actual)
    if resource == "memory" and text.endswith("m"):
        return f" ({text} means milli-bytes: `m` is milli. Use Mi for mebibytes)"
    if resource == "memory" and text[-1:] in "MGK" and text[-2:-1].isdigit():
        return f" ({text} is decimal; Mi/Gi are the binary units)"
    return ""


def _compare(
    ctx: CheckContext, where: str, section: str, actual: dict[str, Any], wanted: dict[str, Any]
) -> None:
    for resource, value in wanted.items():
        if resource not in actual:
            raise CheckFailed(f"{where} has no {section}.{resource}; the task asks for {value}")
        if not _same(ctx, value, actual[resource]):
            raise CheckFailed(f"{where} has {section}.{resource}: {actual[resource]}, expected {value}"
                              f"{_explain(resource, actual[resource])}")


@check("resources.values")
def values(ctx: CheckContext, objects: dict[str, dict[str, dict[str, Any]]], kind: str = "Pod") -> None:
    """The containers request and limit what the task asks"""
    for name, want in objects.items():
        obj = ctx.get(kind, name)
        containers = ctx.pod_spec(obj).get("containers") or []
        for c in containers:
            where = f"Container {c.get('name')} of {kind} {name}"
            res = c.get("resources") or {}
            _compare(ctx, where, "requests", res.get("requests") or {}, want.get("requests") or {})
            _compare(ctx, where, "limits", res.get("limits") or {}, want.get("limits") or {})


QOS_RULES = {
    "Guaranteed": (
        "every container sets cpu and memory limits with requests equal to them (limits alone do it)"
    ),
    "Burstable": "at least one request or limit is set, but not Guaranteed",
    "BestEffort": "no container sets any request or limit",
}


@check("resources.qos")
def qos(ctx: CheckContext, pods: dict[str, str]) -> None:
    """Each pod has the asked QoS class"""
    for name, wanted in pods.items():
        actual = (ctx.get("v1", "Pod", name).get("status") or {}).get("qosClass")
        if actual != wanted:
            raise CheckFailed(
                f"Pod {name} has QoS class {actual}, expected {wanted}: {wanted} means "
                f"{QOS_RULES.get(wanted, '?')}. Resources of a pod cannot be edited in place: recreate "
                f"it (`kubectl replace --force -f <file>`)"
            )


@check("resources.workload_qos")
def workload_qos(ctx: CheckContext, deployment: str, qos: str) -> None:
    """The pods of Deployment {deployment} have QoS class {qos}"""
    pods = ctx.pods_of(ctx.get("apps/v1", "Deployment", deployment))
    if not pods:
        raise NotYet(f"Deployment {deployment} has no pods yet")
    wrong = [(meta(p).get("name"), (p.get("status") or {}).get("qosClass")) for p in pods
             if (p.get("status") or {}).get("qosClass") != qos]
    if wrong:
        raise CheckFailed(f"Pod {wrong[0][0]} of {deployment} is {wrong[0][1]}, expected {qos}: {qos} means "
                          f"{QOS_RULES.get(qos, '?')}")


def _pending_reason(ctx: CheckContext, pod: dict[str, Any]) -> str:
    events = [e for e in ctx.events_for(pod) if e.get("reason") == "FailedScheduling"]
    return f" The scheduler says: {events[-1].get('message') or events[-1].get('note')}" if events else ""


@check("resources.scheduled")
def scheduled(ctx: CheckContext, deployment: str) -> None:
    """Every pod of Deployment {deployment} is scheduled on a node"""
    deploy = ctx.get("apps/v1", "Deployment", deployment)
    pods = ctx.pods_of(deploy)
    if not pods:
        raise NotYet(f"Deployment {deployment} has no pods yet")
    pending = [p for p in pods if not (p.get("spec") or {}).get("nodeName")]
    if pending:
        raise CheckFailed(
            f"Pod {meta(pending[0]).get('name')} of {deployment} is Pending: no node has enough "
            f"unreserved cpu/memory for its requests.{_pending_reason(ctx, pending[0])}"
        )
    status = deploy.get("status") or {}
    if status.get("updatedReplicas", 0) < (deploy.get("spec") or {}).get("replicas", 1):
        raise NotYet(f"Deployment {deployment} is still rolling out")


@check("resources.quota")
def quota(ctx: CheckContext, name: str, hard: dict[str, Any]) -> None:
    """ResourceQuota {name} sets the asked hard limits"""
    actual = (ctx.get("v1", "ResourceQuota", name).get("spec") or {}).get("hard") or {}
    aliases = {"requests.cpu": "cpu", "requests.memory": "memory"}
    for key, value in hard.items():
        got = actual.get(key, actual.get(aliases.get(key, key)))
        if got is None:
            raise CheckFailed(
                f"ResourceQuota {name} has no hard {key} (it has {', '.join(sorted(actual)) or 'none'})"
            )
        if not _same(ctx, value, got):
            note = _explain(key.split(".")[-1], got)
            raise CheckFailed(f"ResourceQuota {name} has hard {key}: {got}, expected {value}{note}")


@check("resources.limitrange")
def limitrange(
    ctx: CheckContext, name: str, limits: dict[str, dict[str, Any]], type: str = "Container"
) -> None:
    """LimitRange {name} sets the asked {type} values"""
    items = (ctx.get("v1", "LimitRange", name).get("spec") or {}).get("limits") or []
    item = next((i for i in items if i.get("type") == type), None)
    if item is None:
        raise CheckFailed(f"LimitRange {name} has no entry with type: {type}")
    for section, want in limits.items():
        _compare(ctx, f"LimitRange {name} ({type})", section, item.get(section) or {}, want)


@check("resources.defaults_applied")
def defaults_applied(ctx: CheckContext, deployment: str, replicas: int, requests: dict[str, Any]) -> None:
    """Deployment {deployment} runs {replicas} pods that got the LimitRange defaults"""
    deploy = ctx.get("apps/v1", "Deployment", deployment)
    pods = ctx.pods_of(deploy)
    if len(pods) < replicas:
        failures = [
            c.get("message", "")
            for rs in ctx.list("apps/v1", "ReplicaSet")
            if any(r.get("uid") == meta(deploy).get("uid") for r in meta(rs).get("ownerReferences") or [])
            for c in (rs.get("status") or {}).get("conditions") or []
            if c.get("type") == "ReplicaFailure"
        ]
        if failures:
            raise CheckFailed(
                f"Deployment {deployment} has {len(pods)} of {replicas} pods; its ReplicaSet reports: "
                f"{failures[0]}. With a cpu/memory quota every pod must declare requests and limits: "
                f"a LimitRange with default and defaultRequest fills them in"
            )
        raise NotYet(f"Deployment {deployment} has {len(pods)} of {replicas} pods")
    for pod in pods:
        for c in ctx.pod_spec(pod).get("containers") or []:
            _compare(ctx, f"Container {c.get('name')} of pod {meta(pod).get('name')}", "requests",
                     (c.get("resources") or {}).get("requests") or {}, requests)


@check("resources.oom_diagnosed")
def oom_diagnosed(ctx: CheckContext, pod: str, reason_key: str, code_key: str) -> None:
    """Pod {pod} is annotated with the real termination reason and exit code"""
    obj = ctx.get("v1", "Pod", pod)
    statuses = (obj.get("status") or {}).get("containerStatuses") or []
    state = statuses[0] if statuses else {}
    ended = (state.get("state") or {}).get("terminated") or (state.get("lastState") or {}).get("terminated")
    if not ended:
        raise NotYet(f"The container of pod {pod} has not terminated yet")
    notes = meta(obj).get("annotations") or {}
    if reason_key not in notes or code_key not in notes:
        raise CheckFailed(f"Pod {pod} needs the annotations {reason_key} and {code_key}: "
                          f"`kubectl annotate pod {pod} {reason_key}=<reason> {code_key}=<exit code>`")
    if notes[reason_key] != ended.get("reason"):
        raise CheckFailed(
            f"{reason_key} is {notes[reason_key]!r}, but that is not what the container status says: "
            f"look at state.terminated.reason in `kubectl get pod {pod} -o yaml`"
        )
    if str(notes[code_key]).strip() != str(ended.get("exitCode")):
        raise CheckFailed(
            f"{code_key} is {notes[code_key]!r}, which is not the exit code in state.terminated.exitCode"
        )
