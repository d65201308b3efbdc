"""Checkers for the workloads lesson: DaemonSets and StatefulSets with their headless Service.

DaemonSet placement is judged against the nodes as they are now (a node the DaemonSet skips is
explained by the taint it does not tolerate); StatefulSet pods are looked up by their ordinal
names, which is the whole point of a StatefulSet.
"""

from __future__ import annotations

from typing import Any

from tutor.sdk import (
    CheckContext,
    CheckFailed,
    NotYet,
    check,
    demands_node_label,
    images_equal,
    labels_of,
    msg,
    name_of,
    node_rules_text,
    taint_text,
    taints_of,
    tolerates_every_taint,
    untolerated_taints,
)

from ._kube import find_expected


def _image(pod_or_template_spec: dict[str, Any], container: str | None) -> str:
    containers = pod_or_template_spec.get("containers") or [{}]
    chosen = (
        next((c for c in containers if c.get("name") == container), containers[0])
        if container
        else containers[0]
    )
    return str(chosen.get("image"))


def _nodes(ctx: CheckContext) -> dict[str, dict[str, Any]]:
    return {name_of(n): n for n in ctx.list("Node")}


def _ds_pods_by_node(ctx: CheckContext, ds: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    placed: dict[str, list[dict[str, Any]]] = {}
    for pod in ctx.pods_of(ds):
        placed.setdefault((pod.get("spec") or {}).get("nodeName") or "", []).append(pod)
    return placed


def _ds_ready(ds: dict[str, Any], expected: int) -> None:
    status = ds.get("status") or {}
    if not (status.get("desiredNumberScheduled") == status.get("numberReady") == expected):
        raise NotYet(
            msg(
                en=f"DaemonSet {name_of(ds)}: {status.get('numberReady') or 0} of {expected} pods ready",
                zh=f"DaemonSet {name_of(ds)}：{expected} 个 Pod 中有 {status.get('numberReady') or 0} 个就绪",
            )
        )


@check("workloads.daemonset_on_every_node")
def daemonset_on_every_node(ctx: CheckContext, name: str, any_taint: bool = False) -> None:
    """DaemonSet {name} runs a ready pod on every node

    ``any_taint``: the task says "whatever taints the nodes carry", so tolerating just today's
    taints is not enough: the template must tolerate every taint (``operator: Exists``, no key).
    """
    ds = ctx.get("apps/v1", "DaemonSet", name)
    spec = ctx.pod_spec(ds)
    all_nodes = _nodes(ctx)
    placed = _ds_pods_by_node(ctx, ds)
    for node_name, node in sorted(all_nodes.items()):
        if node_name in placed:
            continue
        blocking = untolerated_taints(spec.get("tolerations") or [], taints_of(node))
        if blocking:
            raise CheckFailed(
                msg(
                    en=f"DaemonSet {name} has no pod on {node_name}: the node has the taint "
                    f"{taint_text(blocking[0])} and the pod template does not tolerate it. Add a "
                    f"toleration (operator: Exists with no key tolerates every taint)",
                    zh=f"DaemonSet {name} 在 {node_name} 上没有 Pod：该节点有污点 {taint_text(blocking[0])}"
                    "，而 Pod 模板不容忍它。请加上容忍度（operator: Exists 且不写键可以容忍所有污点）",
                )
            )
        if (spec.get("nodeSelector") or {}) or (spec.get("affinity") or {}).get("nodeAffinity"):
            raise CheckFailed(
                msg(
                    en=f"DaemonSet {name} has no pod on {node_name}: its {node_rules_text(spec)} "
                    f"excludes that node; the task asks for every node",
                    zh=f"DaemonSet {name} 在 {node_name} 上没有 Pod：它的 {node_rules_text(spec, 'zh')} "
                    "排除了该节点；题目要求每个节点都有",
                )
            )
        raise NotYet(
            msg(
                en=f"DaemonSet {name} has no pod on {node_name} yet",
                zh=f"DaemonSet {name} 在 {node_name} 上还没有 Pod",
            )
        )
    if any_taint and not tolerates_every_taint(spec.get("tolerations") or []):
        raise CheckFailed(
            msg(
                en=f"DaemonSet {name} tolerates only some taints; a node tainted tomorrow with another key "
                f"would lose its pod. The task says whatever taints the nodes carry: a toleration with "
                f"operator: Exists and no key (and no effect) tolerates every taint",
                zh=f"DaemonSet {name} 只容忍部分污点；哪天某个节点加上了另一个键的污点，就会失去它的 "
                "Pod。题目说的是无论节点带有什么污点：operator: Exists 且不写键（也不写效果）"
                "的容忍度可以容忍所有污点",
            )
        )
    _ds_ready(ds, len(all_nodes))


@check("workloads.daemonset_only_on")
def daemonset_only_on(ctx: CheckContext, name: str, key: str, value: str) -> None:
    """DaemonSet {name} runs exactly one pod on each node labelled {key}={value} and none elsewhere"""
    ds = ctx.get("apps/v1", "DaemonSet", name)
    spec = ctx.pod_spec(ds)
    if not demands_node_label(spec, key, value):
        raise CheckFailed(
            msg(
                en=f"DaemonSet {name}'s pod template has {node_rules_text(spec)}; select the nodes with "
                f"spec.template.spec.nodeSelector {key}: {value} (labels on the DaemonSet itself select "
                f"nothing)",
                zh=f"DaemonSet {name} 的 Pod 模板规则是 {node_rules_text(spec, 'zh')}；请用 spec.template.spe"
                f"c.nodeSelector {key}: {value} 选择节点（DaemonSet 自身上的标签什么也选不了）",
            )
        )
    wanted = {n for n, node in _nodes(ctx).items() if labels_of(node).get(key) == value}
    if not wanted:
        raise NotYet(msg(en=f"no node is labelled {key}={value}", zh=f"没有节点带有标签 {key}={value}"))
    placed = _ds_pods_by_node(ctx, ds)
    missing = sorted(wanted - set(placed))
    if missing:
        raise NotYet(
            msg(
                en=f"DaemonSet {name} has no pod on {', '.join(missing)} yet",
                zh=f"DaemonSet {name} 在 {', '.join(missing)} 上还没有 Pod",
            )
        )
    _ds_ready(ds, len(wanted))


@check("workloads.headless_service")
def headless_service(ctx: CheckContext, name: str, selector: dict[str, str]) -> None:
    """Service {name} is headless (clusterIP: None) and selects {selector}"""
    svc = ctx.get("v1", "Service", name)
    spec = svc.get("spec") or {}
    if spec.get("clusterIP") != "None":
        raise CheckFailed(
            msg(
                en=f"Service {name} has cluster IP {spec.get('clusterIP')}; a headless Service needs "
                f"clusterIP: None. The field is immutable: delete the Service and create it again",
                zh=f"Service {name} 的集群 IP 是 {spec.get('clusterIP')}；无头 Service 需要 "
                "clusterIP: None。该字段不可修改：请删除 Service 后重新创建",
            )
        )
    if spec.get("selector") != selector:
        raise CheckFailed(
            msg(
                en=f"Service {name} selects {spec.get('selector')}, expected {selector}",
                zh=f"Service {name} 选择的是 {spec.get('selector')}，应为 {selector}",
            )
        )


@check("workloads.statefulset_pods")
def statefulset_pods(ctx: CheckContext, name: str, service: str, replicas: int) -> None:
    """StatefulSet {name} runs ready pods {name}-0..{name}-N with DNS names under Service {service}"""
    sts = find_expected(
        ctx,
        "StatefulSet",
        name,
        "Deployment",
        msg(
            en=f"its pods get random names. Use kind: StatefulSet for stable names {name}-0, {name}-1, ...",
            zh=f"它的 Pod 名字是随机的。请用 kind: StatefulSet 得到稳定的名字 {name}-0、{name}-1……",
        ),
    )
    if (sts.get("spec") or {}).get("serviceName") != service:
        raise CheckFailed(
            msg(
                en=f"StatefulSet {name} has serviceName {(sts.get('spec') or {}).get('serviceName')!r}, "
                f"expected {service!r} (the headless Service that gives each pod its DNS name); "
                f"serviceName is immutable, so recreate the StatefulSet",
                zh=f"StatefulSet {name} 的 serviceName 是 {(sts.get('spec') or {}).get('serviceName')!r}"
                f"，应为 {service!r}（为每个 Pod 提供 DNS 名字的无头 Service）；serviceName "
                "不可修改，所以请重新创建 StatefulSet",
            )
        )
    if (sts.get("spec") or {}).get("replicas") != replicas:
        raise CheckFailed(
            msg(
                en=f"StatefulSet {name} has {(sts.get('spec') or {}).get('replicas')} replicas, "
                f"expected {replicas}",
                zh=f"StatefulSet {name} 有 {(sts.get('spec') or {}).get('replicas')} 个副本，"
                f"应为 {replicas} 个",
            )
        )
    for ordinal in range(replicas):
        pod = ctx.find("v1", "Pod", f"{name}-{ordinal}")
        if pod is None:
            raise NotYet(
                msg(
                    en=f"pod {name}-{ordinal} does not exist yet (StatefulSet pods start in order)",
                    zh=f"Pod {name}-{ordinal} 还不存在（StatefulSet 的 Pod 按顺序启动）",
                )
            )
        if (pod.get("spec") or {}).get("subdomain") != service:
            raise CheckFailed(
                msg(
                    en=f"pod {name}-{ordinal} has subdomain {(pod.get('spec') or {}).get('subdomain')!r}, "
                    f"expected {service}",
                    zh=f"Pod {name}-{ordinal} 的 subdomain 是 {(pod.get('spec') or {}).get('subdomain')!r}，"
                    f"应为 {service}",
                )
            )
    if (sts.get("status") or {}).get("readyReplicas") != replicas:
        raise NotYet(
            msg(
                en=f"StatefulSet {name}: {(sts.get('status') or {}).get('readyReplicas') or 0} "
                f"of {replicas} ready",
                zh=f"StatefulSet {name}：{replicas} 个中有 "
                f"{(sts.get('status') or {}).get('readyReplicas') or 0} 个就绪",
            )
        )


@check("workloads.partitioned_update")
def partitioned_update(
    ctx: CheckContext, name: str, partition: int, image: str, old_image: str, container: str | None = None
) -> None:
    """StatefulSet {name} runs {image} only on ordinals >= {partition}, the rest stay on {old_image}"""
    sts = ctx.expect_not_recreated(ctx.get("StatefulSet", name))
    strategy = (sts.get("spec") or {}).get("updateStrategy") or {}
    actual = (strategy.get("rollingUpdate") or {}).get("partition")
    if strategy.get("type", "RollingUpdate") != "RollingUpdate" or actual != partition:
        raise CheckFailed(
            msg(
                en=f"StatefulSet {name} has updateStrategy {strategy.get('type')} with partition {actual}; "
                f"expected RollingUpdate with partition {partition}",
                zh=f"StatefulSet {name} 的 updateStrategy 是 {strategy.get('type')}，partition "
                f"为 {actual}；应为 RollingUpdate，partition 为 {partition}",
            )
        )
    template_image = _image(ctx.pod_spec(sts), container)
    if not images_equal(image, template_image):
        raise CheckFailed(
            msg(
                en=f"StatefulSet {name}'s template runs {template_image}, expected {image}",
                zh=f"StatefulSet {name} 的模板运行的是 {template_image}，应为 {image}",
            )
        )
    for ordinal in range(int((sts.get("spec") or {}).get("replicas") or 0)):
        pod = ctx.find("v1", "Pod", f"{name}-{ordinal}")
        if pod is None:
            raise NotYet(
                msg(en=f"pod {name}-{ordinal} is being replaced", zh=f"Pod {name}-{ordinal} 正在被替换")
            )
        running, want = _image(pod.get("spec") or {}, container), image if ordinal >= partition else old_image
        if not images_equal(want, running) and ordinal < partition:
            raise CheckFailed(
                msg(
                    en=f"pod {name}-{ordinal} runs {running}, but ordinals below the partition ({partition}) "
                    f"must stay on {old_image}: set the partition before changing the image",
                    zh=f"Pod {name}-{ordinal} 运行的是 {running}，但序号低于 partition（{partition}）"
                    f"的 Pod 必须保持 {old_image}：请先设置 partition，再修改镜像",
                )
            )
        if not images_equal(want, running):
            raise NotYet(
                msg(
                    en=f"pod {name}-{ordinal} still runs {running}; the update is in progress",
                    zh=f"Pod {name}-{ordinal} 仍在运行 {running}；更新正在进行",
                )
            )


@check("workloads.daemonset_rolled_out")
def daemonset_rolled_out(ctx: CheckContext, name: str, image: str, container: str | None = None) -> None:
    """DaemonSet {name} runs {image} on all its pods"""
    ds = ctx.expect_not_recreated(ctx.get("DaemonSet", name))
    template_image = _image(ctx.pod_spec(ds), container)
    if not images_equal(image, template_image):
        raise CheckFailed(
            msg(
                en=f"DaemonSet {name}'s template runs {template_image}, expected {image}. "
                f"kubectl rollout history daemonset {name} lists its revisions",
                zh=f"DaemonSet {name} 的模板运行的是 {template_image}，应为 {image}。kubectl "
                f"rollout history daemonset {name} 会列出它的修订版本",
            )
        )
    stale = [
        name_of(p) for p in ctx.pods_of(ds) if not images_equal(image, _image(p.get("spec") or {}, container))
    ]
    status = ds.get("status") or {}
    if stale or status.get("updatedNumberScheduled") != status.get("desiredNumberScheduled"):
        raise NotYet(
            msg(
                en=f"DaemonSet {name} is still updating ({', '.join(stale) or 'status'} not on {image} yet)",
                zh=f"DaemonSet {name} 仍在更新（{', '.join(stale) or 'status'} 还没有运行 {image}）",
            )
        )
