"""Checkers for the Resources lesson: requests/limits, QoS, scheduling on requests, quotas, LimitRanges.

Every quantity is compared by value, so ``cpu: 0.1`` and ``cpu: 100m`` are the same answer and
``memory: 128Mi`` equals ``134217728``.
"""

from __future__ import annotations

from typing import Any

from tutor.sdk import CheckContext, CheckFailed, NotYet, check, msg


def meta(obj: dict[str, Any]) -> dict[str, Any]:
    return obj.get("metadata") or {}


def _same(ctx: CheckContext, expected: Any, actual: Any) -> bool:
    try:
        return ctx.quantity(expected) == ctx.quantity(actual)
    except ValueError:
        return False


def _explain(resource: str, actual: Any) -> tuple[str, str]:
    """A note for the classic unit mistakes, in English and in Chinese."""
    text = str(actual)
    if resource == "memory" and text.endswith("m"):
        return (
            f" ({text} means milli-bytes: `m` is milli. Use Mi for mebibytes)",
            f"（{text} 表示毫字节：`m` 是千分之一。MiB 要写 Mi）",
        )
    if resource == "memory" and text[-1:] in "MGK" and text[-2:-1].isdigit():
        return (
            f" ({text} is decimal; Mi/Gi are the binary units)",
            f"（{text} 是十进制单位；Mi/Gi 才是二进制单位）",
        )
    return ("", "")


Where = tuple[str, str]
"""What is compared, in English and in Chinese: ``("Container web of Pod x", "Pod x 的容器 web")``."""


def _compare(
    ctx: CheckContext, where: Where, section: str, actual: dict[str, Any], wanted: dict[str, Any]
) -> None:
    for resource, value in wanted.items():
        if resource not in actual:
            raise CheckFailed(
                msg(
                    en=f"{where[0]} has no {section}.{resource}; the task asks for {value}",
                    zh=f"{where[1]} 没有 {section}.{resource}；题目要求 {value}",
                )
            )
        if not _same(ctx, value, actual[resource]):
            note, note_zh = _explain(resource, actual[resource])
            raise CheckFailed(
                msg(
                    en=f"{where[0]} has {section}.{resource}: {actual[resource]}, expected {value}{note}",
                    zh=f"{where[1]} 的 {section}.{resource} 是 {actual[resource]}，应为 {value}{note_zh}",
                )
            )


@check("resources.values")
def values(ctx: CheckContext, objects: dict[str, dict[str, dict[str, Any]]], kind: str = "Pod") -> None:
    """The containers request and limit what the task asks"""
    for name, want in objects.items():
        obj = ctx.get(kind, name)
        containers = ctx.pod_spec(obj).get("containers") or []
        for c in containers:
            where = (f"Container {c.get('name')} of {kind} {name}", f"{kind} {name} 的容器 {c.get('name')}")
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
QOS_RULES_ZH = {
    "Guaranteed": "每个容器都设置了 cpu 和 memory 的限制，且请求等于限制（只设限制也可以）",
    "Burstable": "至少设置了一个请求或限制，但不满足 Guaranteed",
    "BestEffort": "没有任何容器设置请求或限制",
}


@check("resources.qos")
def qos(ctx: CheckContext, pods: dict[str, str]) -> None:
    """Each pod has the asked QoS class"""
    for name, wanted in pods.items():
        actual = (ctx.get("v1", "Pod", name).get("status") or {}).get("qosClass")
        if actual != wanted:
            raise CheckFailed(
                msg(
                    en=f"Pod {name} has QoS class {actual}, expected {wanted}: {wanted} means "
                    f"{QOS_RULES.get(wanted, '?')}. Resources of a pod cannot be edited in place: recreate "
                    f"it (`kubectl replace --force -f <file>`)",
                    zh=f"Pod {name} 的 QoS 类是 {actual}，应为 {wanted}：{wanted} 表示"
                    f"{QOS_RULES_ZH.get(wanted, '?')}。Pod 的资源不能原地修改：请重新创建它"
                    "（`kubectl replace --force -f <文件>`）",
                )
            )


@check("resources.workload_qos")
def workload_qos(ctx: CheckContext, deployment: str, qos: str) -> None:
    """The pods of Deployment {deployment} have QoS class {qos}"""
    pods = ctx.pods_of(ctx.get("apps/v1", "Deployment", deployment))
    if not pods:
        raise NotYet(
            msg(en=f"Deployment {deployment} has no pods yet", zh=f"Deployment {deployment} 还没有 Pod")
        )
    wrong = [
        (meta(p).get("name"), (p.get("status") or {}).get("qosClass"))
        for p in pods
        if (p.get("status") or {}).get("qosClass") != qos
    ]
    if wrong:
        raise CheckFailed(
            msg(
                en=f"Pod {wrong[0][0]} of {deployment} is {wrong[0][1]}, expected {qos}: {qos} means "
                f"{QOS_RULES.get(qos, '?')}",
                zh=f"{deployment} 的 Pod {wrong[0][0]} 是 {wrong[0][1]}，应为 {qos}："
                f"{qos} 表示{QOS_RULES_ZH.get(qos, '?')}",
            )
        )


def _pending_reason(ctx: CheckContext, pod: dict[str, Any]) -> str:
    events = [e for e in ctx.events_for(pod) if e.get("reason") == "FailedScheduling"]
    return f" {events[-1].get('message') or events[-1].get('note')}" if events else ""


@check("resources.scheduled")
def scheduled(ctx: CheckContext, deployment: str) -> None:
    """Every pod of Deployment {deployment} is scheduled on a node"""
    deploy = ctx.get("apps/v1", "Deployment", deployment)
    pods = ctx.pods_of(deploy)
    if not pods:
        raise NotYet(
            msg(en=f"Deployment {deployment} has no pods yet", zh=f"Deployment {deployment} 还没有 Pod")
        )
    pending = [p for p in pods if not (p.get("spec") or {}).get("nodeName")]
    if pending:
        said = _pending_reason(ctx, pending[0])
        raise CheckFailed(
            msg(
                en=f"Pod {meta(pending[0]).get('name')} of {deployment} is Pending: no node has enough "
                f"unreserved cpu/memory for its requests." + (f" The scheduler says:{said}" if said else ""),
                zh=f"{deployment} 的 Pod {meta(pending[0]).get('name')} 处于 Pending："
                "没有节点剩余足够的 cpu/memory "
                "满足它的请求。" + (f"调度器说：“{said.strip()}”" if said else ""),
            )
        )
    status = deploy.get("status") or {}
    if status.get("updatedReplicas", 0) < (deploy.get("spec") or {}).get("replicas", 1):
        raise NotYet(
            msg(en=f"Deployment {deployment} is still rolling out", zh=f"Deployment {deployment} 仍在上线中")
        )


@check("resources.quota")
def quota(ctx: CheckContext, name: str, hard: dict[str, Any]) -> None:
    """ResourceQuota {name} sets the asked hard limits"""
    actual = (ctx.get("v1", "ResourceQuota", name).get("spec") or {}).get("hard") or {}
    aliases = {"requests.cpu": "cpu", "requests.memory": "memory"}
    for key, value in hard.items():
        got = actual.get(key, actual.get(aliases.get(key, key)))
        if got is None:
            raise CheckFailed(
                msg(
                    en=f"ResourceQuota {name} has no hard {key} "
                    f"(it has {', '.join(sorted(actual)) or 'none'})",
                    zh=f"ResourceQuota {name} 没有 hard {key}（现有：{', '.join(sorted(actual)) or '无'}）",
                )
            )
        if not _same(ctx, value, got):
            note, note_zh = _explain(key.split(".")[-1], got)
            raise CheckFailed(
                msg(
                    en=f"ResourceQuota {name} has hard {key}: {got}, expected {value}{note}",
                    zh=f"ResourceQuota {name} 的 hard {key} 是 {got}，应为 {value}{note_zh}",
                )
            )


@check("resources.limitrange")
def limitrange(
    ctx: CheckContext, name: str, limits: dict[str, dict[str, Any]], type: str = "Container"
) -> None:
    """LimitRange {name} sets the asked {type} values"""
    items = (ctx.get("v1", "LimitRange", name).get("spec") or {}).get("limits") or []
    item = next((i for i in items if i.get("type") == type), None)
    if item is None:
        raise CheckFailed(
            msg(
                en=f"LimitRange {name} has no entry with type: {type}",
                zh=f"LimitRange {name} 没有 type: {type} 的条目",
            )
        )
    for section, want in limits.items():
        where = (f"LimitRange {name} ({type})", f"LimitRange {name}（{type}）")
        _compare(ctx, where, section, item.get(section) or {}, want)


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
                msg(
                    en=f"Deployment {deployment} has {len(pods)} of {replicas} pods; its ReplicaSet reports: "
                    f"{failures[0]}. With a cpu/memory quota every pod must declare requests and limits: "
                    f"a LimitRange with default and defaultRequest fills them in",
                    zh=f"Deployment {deployment} 只有 {len(pods)}/{replicas} 个 Pod；它的 ReplicaSet 报告："
                    f"“{failures[0]}”。有 cpu/memory 配额时，每个 Pod 都必须声明请求和限制："
                    "带 default 和 defaultRequest 的 LimitRange 会替它们补上",
                )
            )
        raise NotYet(
            msg(
                en=f"Deployment {deployment} has {len(pods)} of {replicas} pods",
                zh=f"Deployment {deployment} 有 {len(pods)}/{replicas} 个 Pod",
            )
        )
    for pod in pods:
        for c in ctx.pod_spec(pod).get("containers") or []:
            where = (
                f"Container {c.get('name')} of pod {meta(pod).get('name')}",
                f"Pod {meta(pod).get('name')} 的容器 {c.get('name')}",
            )
            _compare(ctx, where, "requests", (c.get("resources") or {}).get("requests") or {}, requests)


@check("resources.oom_diagnosed")
def oom_diagnosed(ctx: CheckContext, pod: str, reason_key: str, code_key: str) -> None:
    """Pod {pod} is annotated with the real termination reason and exit code"""
    obj = ctx.get("v1", "Pod", pod)
    statuses = (obj.get("status") or {}).get("containerStatuses") or []
    state = statuses[0] if statuses else {}
    ended = (state.get("state") or {}).get("terminated") or (state.get("lastState") or {}).get("terminated")
    if not ended:
        raise NotYet(
            msg(en=f"The container of pod {pod} has not terminated yet", zh=f"Pod {pod} 的容器还没有终止")
        )
    notes = meta(obj).get("annotations") or {}
    if reason_key not in notes or code_key not in notes:
        raise CheckFailed(
            msg(
                en=f"Pod {pod} needs the annotations {reason_key} and {code_key}: "
                f"`kubectl annotate pod {pod} {reason_key}=<reason> {code_key}=<exit code>`",
                zh=f"Pod {pod} 需要注解 {reason_key} 和 {code_key}："
                f"`kubectl annotate pod {pod} {reason_key}=<原因> {code_key}=<退出码>`",
            )
        )
    if notes[reason_key] != ended.get("reason"):
        raise CheckFailed(
            msg(
                en=f"{reason_key} is {notes[reason_key]!r}, but that is not what the container status says: "
                f"look at state.terminated.reason in `kubectl get pod {pod} -o yaml`",
                zh=f"{reason_key} 是 {notes[reason_key]!r}，但容器状态里写的不是这个："
                f"请查看 `kubectl get pod {pod} -o yaml` 中的 state.terminated.reason",
            )
        )
    if str(notes[code_key]).strip() != str(ended.get("exitCode")):
        raise CheckFailed(
            msg(
                en=f"{code_key} is {notes[code_key]!r}, which is not the exit code in "
                "state.terminated.exitCode",
                zh=f"{code_key} 是 {notes[code_key]!r}，这不是 state.terminated.exitCode 中的退出码",
            )
        )
