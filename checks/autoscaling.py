"""Checkers for the autoscaling lesson: HorizontalPodAutoscaler objects, their targets and behaviour.

HPAs are always read through ``autoscaling/v2``: the API server converts objects created with
``kubectl autoscale`` or ``autoscaling/v1``, so every way of creating one is graded the same.
The object checks need only the API; ``scaled_up`` and ``metrics_active`` need metrics-server.
"""

from __future__ import annotations

from typing import Any

from tutor.sdk import CheckContext, CheckFailed, NotYet, api_version_of, check, msg, same_set

HPA = ("autoscaling/v2", "HorizontalPodAutoscaler")


def _hpa(ctx: CheckContext, name: str) -> dict[str, Any]:
    return ctx.get(*HPA, name)


@check("autoscaling.hpa_target")
def hpa_target(
    ctx: CheckContext, name: str, kind: str, target: str, min_replicas: int, max_replicas: int
) -> None:
    """HPA {name} scales {kind} {target} between {min_replicas} and {max_replicas} replicas"""
    spec = _hpa(ctx, name).get("spec") or {}
    ref = spec.get("scaleTargetRef") or {}
    if (ref.get("kind"), ref.get("name")) != (kind, target) or ref.get("apiVersion") != api_version_of(kind):
        raise CheckFailed(
            msg(
                en=f"HPA {name} scales {ref.get('apiVersion')} {ref.get('kind')} {ref.get('name')}; expected "
                f"scaleTargetRef {{apiVersion: {api_version_of(kind)}, kind: {kind}, name: {target}}}",
                zh=f"HPA {name} 扩缩的是 {ref.get('apiVersion')} {ref.get('kind')} {ref.get('name')}；"
                f"应为 scaleTargetRef {{apiVersion: {api_version_of(kind)}, kind: {kind}, name: {target}}}",
            )
        )
    bounds = (spec.get("minReplicas", 1), spec.get("maxReplicas"))
    if bounds != (min_replicas, max_replicas):
        raise CheckFailed(
            msg(
                en=f"HPA {name} allows {bounds[0]} to {bounds[1]} replicas, expected minReplicas "
                f"{min_replicas} and maxReplicas {max_replicas}",
                zh=f"HPA {name} 允许 {bounds[0]} 到 {bounds[1]} 个副本，应为 minReplicas {min_replicas} "
                f"和 maxReplicas {max_replicas}",
            )
        )


def _target_value(target: dict[str, Any]) -> Any:
    return {
        "Utilization": target.get("averageUtilization"),
        "AverageValue": target.get("averageValue"),
        "Value": target.get("value"),
    }.get(str(target.get("type")))


def _same(ctx: CheckContext, expected: Any, actual: Any) -> bool:
    if actual is None:
        return False
    try:
        return ctx.quantity(str(expected)) == ctx.quantity(str(actual))
    except ValueError:
        return str(expected) == str(actual)


@check("autoscaling.resource_target")
def resource_target(ctx: CheckContext, name: str, resource: str, type: str, value: Any) -> None:
    """HPA {name} keeps average {resource} at {value} ({type})"""
    metrics = (_hpa(ctx, name).get("spec") or {}).get("metrics") or []
    ours = [
        m.get("resource") or {}
        for m in metrics
        if m.get("type") == "Resource" and (m.get("resource") or {}).get("name") == resource
    ]
    if not ours:
        have = ", ".join(
            f"{m.get('type')} {(m.get('resource') or {}).get('name', '')}".strip() for m in metrics
        )
        metric = f"[{{type: Resource, resource: {{name: {resource}, target: ...}}}}]"
        raise CheckFailed(
            msg(
                en=f"HPA {name} has no Resource metric for {resource} (it has: {have or 'none'}). In "
                f"autoscaling/v2 it is metrics: {metric}",
                zh=f"HPA {name} 没有 {resource} 的 Resource 指标（现有：{have or '无'}）。"
                f"在 autoscaling/v2 中写作 metrics: {metric}",
            )
        )
    target = ours[0].get("target") or {}
    if target.get("type") != type or not _same(ctx, value, _target_value(target)):
        shown = f"{target.get('type')} {_target_value(target)}"
        raise CheckFailed(
            msg(
                en=f"HPA {name} targets {resource} {shown}; expected {type} {value}. Utilization is a "
                f"percentage of the pods' requests (averageUtilization), AverageValue an absolute amount "
                f"per pod (averageValue)",
                zh=f"HPA {name} 的 {resource} 目标是 {shown}；应为 {type} {value}。Utilization 是相对于 Pod "
                "请求的百分比（averageUtilization），AverageValue 是每个 Pod 的绝对值（averageValue）",
            )
        )


@check("autoscaling.replicas_at_least")
def replicas_at_least(ctx: CheckContext, kind: str, name: str, replicas: int) -> None:
    """{kind} {name} has been scaled to at least {replicas} replicas"""
    current = (ctx.get(kind, name).get("spec") or {}).get("replicas", 1)
    if current < replicas:
        raise NotYet(
            msg(
                en=f"{kind} {name} has {current} replicas; the HPA raises it to its minReplicas ({replicas}) "
                f"within a few seconds of being created",
                zh=f"{kind} {name} 有 {current} 个副本；"
                f"HPA 创建后几秒内会把它提高到 minReplicas（{replicas}）",
            )
        )


@check("autoscaling.cpu_request")
def cpu_request(ctx: CheckContext, kind: str, name: str, container: str, cpu: str) -> None:
    """Container {container} of {kind} {name} requests {cpu} CPU"""
    resources = ctx.container(ctx.get(kind, name), container).get("resources") or {}
    # A pod without a CPU request gets its limit as the request, so a limit alone also works.
    actual = (resources.get("requests") or {}).get("cpu") or (resources.get("limits") or {}).get("cpu")
    if actual is None:
        raise CheckFailed(
            msg(
                en=f"container {container} of {kind} {name} requests no CPU, so the HPA cannot compute CPU "
                f"utilization (a percentage of the request); the task asks for {cpu}",
                zh=f"{kind} {name} 的容器 {container} 没有请求 CPU，所以 HPA 无法计算 CPU 利用率"
                f"（相对于请求的百分比）；题目要求 {cpu}",
            )
        )
    if ctx.quantity(actual) != ctx.quantity(cpu):
        raise CheckFailed(
            msg(
                en=f"container {container} of {kind} {name} requests {actual} CPU, expected {cpu}",
                zh=f"{kind} {name} 的容器 {container} 请求的 CPU 是 {actual}，应为 {cpu}",
            )
        )


@check("autoscaling.scale_down_behavior")
def scale_down_behavior(ctx: CheckContext, name: str, window: int, pods: int, period: int) -> None:
    """HPA {name} waits {window}s before scaling down and removes at most {pods} pod(s) per {period}s"""
    down = ((_hpa(ctx, name).get("spec") or {}).get("behavior") or {}).get("scaleDown") or {}
    actual = down.get("stabilizationWindowSeconds")
    if actual != window:
        raise CheckFailed(
            msg(
                en=f"HPA {name}'s behavior.scaleDown.stabilizationWindowSeconds is {actual} "
                f"({'the default 300' if actual in (None, 300) else 'set'}), expected {window}",
                zh=f"HPA {name} 的 behavior.scaleDown.stabilizationWindowSeconds 是 {actual}"
                f"（{'默认值 300' if actual in (None, 300) else '已设置'}），应为 {window}",
            )
        )
    policies = [
        {"type": p.get("type"), "value": p.get("value"), "periodSeconds": p.get("periodSeconds")}
        for p in down.get("policies") or []
    ]
    wanted = {"type": "Pods", "value": pods, "periodSeconds": period}
    # Order and repeats of policies mean nothing; with selectPolicy Min the strictest policy wins, so
    # extra policies can only slow scale-down further and "at most N pods" still holds.
    if not same_set([wanted], policies) and not (down.get("selectPolicy") == "Min" and wanted in policies):
        shown = [f"{p['type']} {p['value']} per {p['periodSeconds']}s" for p in policies]
        raise CheckFailed(
            msg(
                en=f"HPA {name}'s scaleDown policies are {', '.join(shown) or 'the defaults'}; expected "
                f"{{type: Pods, value: {pods}, periodSeconds: {period}}} (with selectPolicy Max, "
                f"the default, the most permissive policy wins, so another policy would allow "
                "faster scale-down)",
                zh=f"HPA {name} 的 scaleDown 策略是 {', '.join(shown) or '默认值'}；应为 "
                f"{{type: Pods, value: {pods}, periodSeconds: {period}}}（默认的 selectPolicy Max 下，"
                "最宽松的策略生效，因此另一个策略会允许更快的缩容）",
            )
        )


@check("autoscaling.utilization_computable")
def utilization_computable(ctx: CheckContext, name: str, resource: str = "cpu") -> None:
    """HPA {name} can compute {resource} utilization: every container of its target requests {resource}"""
    hpa = ctx.expect_not_recreated(_hpa(ctx, name))
    spec = hpa.get("spec") or {}
    metrics = [m.get("resource") or {} for m in spec.get("metrics") or [] if m.get("type") == "Resource"]
    if not any(
        r.get("name") == resource and (r.get("target") or {}).get("type") == "Utilization" for r in metrics
    ):
        raise CheckFailed(
            msg(
                en=f"HPA {name} no longer targets {resource} Utilization; "
                f"leave the HPA as it was and fix its target's pods",
                zh=f"HPA {name} 不再以 {resource} Utilization 为目标；请保持 HPA 原样，修改它的目标的 Pod",
            )
        )
    ref = spec.get("scaleTargetRef") or {}
    target = ctx.get(str(ref.get("kind")), str(ref.get("name")))
    for container in ctx.pod_spec(target).get("containers") or []:
        res = container.get("resources") or {}
        if not ((res.get("requests") or {}).get(resource) or (res.get("limits") or {}).get(resource)):
            raise CheckFailed(
                msg(
                    en=f"container {container.get('name')} of {ref.get('kind')} {ref.get('name')} requests "
                    f"no {resource}: utilization is a percentage of the request, "
                    f"so HPA {name} shows <unknown>",
                    zh=f"{ref.get('kind')} {ref.get('name')} 的容器 {container.get('name')} "
                    f"没有请求 {resource}："
                    f"利用率是相对于请求的百分比，所以 HPA {name} 显示 <unknown>",
                )
            )


def _condition(hpa: dict[str, Any], kind: str) -> dict[str, Any]:
    return next((c for c in (hpa.get("status") or {}).get("conditions") or [] if c.get("type") == kind), {})


@check("autoscaling.metrics_active")
def metrics_active(ctx: CheckContext, name: str) -> None:
    """HPA {name} reads its metric (no <unknown> target)"""
    hpa = _hpa(ctx, name)
    active = _condition(hpa, "ScalingActive")
    if active.get("status") != "True":
        raise NotYet(
            msg(
                en=f"HPA {name} cannot compute its metric yet "
                f"({active.get('reason')}: {active.get('message')})",
                zh=f"HPA {name} 还无法计算它的指标（{active.get('reason')}：“{active.get('message')}”）",
            )
        )


@check("autoscaling.scaled_up", timeout=300)
def scaled_up(ctx: CheckContext, name: str, above: int) -> None:
    """HPA {name} scaled its target above {above} replicas under load"""
    hpa = _hpa(ctx, name)
    status = hpa.get("status") or {}
    current = int(status.get("currentReplicas") or 0)
    desired = int(status.get("desiredReplicas") or 0)
    if max(current, desired) > above:
        return None
    metric = next(iter(status.get("currentMetrics") or []), {})
    usage = ((metric.get("resource") or {}).get("current") or {}).get("averageUtilization")
    raise NotYet(
        msg(
            en=f"HPA {name} wants {desired} replicas (current CPU utilization: "
            f"{'unknown' if usage is None else f'{usage}%'}); keep the load running",
            zh=f"HPA {name} 期望 {desired} 个副本（当前 CPU 利用率："
            f"{'未知' if usage is None else f'{usage}%'}）；请保持负载运行",
        )
    )
