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
        raise NotYet(f"DaemonSet {name_of(ds)}: {status.get('numberReady') or 0} of {expected} pods ready")


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
                f"DaemonSet {name} has no pod on {node_name}: the node has the taint "
                f"{taint_text(blocking[0])} and the pod template does not tolerate it. Add a "
                f"toleration (operator: Exists with no key tolerates every taint)"
            )
        if (spec.get("nodeSelector") or {}) or (spec.get("affinity") or {}).get("nodeAffinity"):
            raise CheckFailed(
                f"DaemonSet {name} has no pod on {node_name}: its {node_rules_text(spec)} "
                f"excludes that node; the task asks for every node"
            )
        raise NotYet(f"DaemonSet {name} has no pod on {node_name} yet")
    if any_taint and not tolerates_every_taint(spec.get("tolerations") or []):
        raise CheckFailed(
            f"DaemonSet {name} tolerates only some taints; a node tainted tomorrow with another key "
            f"would lose its pod. The task says whatever taints the nodes carry: a toleration with "
            f"operator: Exists and no key (and no effect) tolerates every taint"
        )
    _ds_ready(ds, len(all_nodes))


@check("workloads.daemonset_only_on")
def daemonset_only_on(ctx: CheckContext, name: str, key: str, value: str) -> None:
    """DaemonSet {name} runs exactly one pod on each node labelled {key}={value} and none elsewhere"""
    ds = ctx.get("apps/v1", "DaemonSet", name)
    spec = ctx.pod_spec(ds)
    if not demands_node_label(spec, key, value):
        raise CheckFailed(
            f"DaemonSet {name}'s pod template has {node_rules_text(spec)}; select the nodes with "
            f"spec.template.spec.nodeSelector {key}: {value} (labels on the DaemonSet itself select "
            f"nothing)"
        )
    wanted = {n for n, node in _nodes(ctx).items() if labels_of(node).get(key) == value}
    if not wanted:
        raise NotYet(f"no node is labelled {key}={value}")
    placed = _ds_pods_by_node(ctx, ds)
    missing = sorted(wanted - set(placed))
    if missing:
        raise NotYet(f"DaemonSet {name} has no pod on {', '.join(missing)} yet")
    _ds_ready(ds, len(wanted))


@check("workloads.headless_service")
def headless_service(ctx: CheckContext, name: str, selector: dict[str, str]) -> None:
    """Service {name} is headless (clusterIP: None) and selects {selector}"""
    svc = ctx.get("v1", "Service", name)
    spec = svc.get("spec") or {}
    if spec.get("clusterIP") != "None":
        raise CheckFailed(
            f"Service {name} has cluster IP {spec.get('clusterIP')}; a headless Service needs "
            f"clusterIP: None. The field is immutable: delete the Service and create it again"
        )
    if spec.get("selector") != selector:
        raise CheckFailed(f"Service {name} selects {spec.get('selector')}, expected {selector}")


@check("workloads.statefulset_pods")
def statefulset_pods(ctx: CheckContext, name: str, service: str, replicas: int) -> None:
    """StatefulSet {name} runs ready pods {name}-0..{name}-N with DNS names under Service {service}"""
    sts = find_expected(
        ctx,
        "StatefulSet",
        name,
        "Deployment",
        f"its pods get random names. Use kind: StatefulSet for stable names {name}-0, {name}-1, ...",
    )
    if (sts.get("spec") or {}).get("serviceName") != service:
        raise CheckFailed(
            f"StatefulSet {name} has serviceName {(sts.get('spec') or {}).get('serviceName')!r}, "
            f"expected {service!r} (the headless Service that gives each pod its DNS name); "
            f"serviceName is immutable, so recreate the StatefulSet"
        )
    if (sts.get("spec") or {}).get("replicas") != replicas:
        raise CheckFailed(
            f"StatefulSet {name} has {(sts.get('spec') or {}).get('replicas')} replicas, expected {replicas}"
        )
    for ordinal in range(replicas):
        pod = ctx.find("v1", "Pod", f"{name}-{ordinal}")
        if pod is None:
            raise NotYet(f"pod {name}-{ordinal} does not exist yet (StatefulSet pods start in order)")
        if (pod.get("spec") or {}).get("subdomain") != service:
            raise CheckFailed(
                f"pod {name}-{ordinal} has subdomain {(pod.get('spec') or {}).get('subdomain')!r}, "
                f"expected {service}"
            )
    if (sts.get("status") or {}).get("readyReplicas") != replicas:
        raise NotYet(
            f"StatefulSet {name}: {(sts.get('status') or {}).get('readyReplicas') or 0} of {replicas} ready"
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
            f"StatefulSet {name} has updateStrategy {strategy.get('type')} with partition {actual}; "
            f"expected RollingUpdate with partition {partition}"
        )
    template_image = _image(ctx.pod_spec(sts), container)
    if not images_equal(image, template_image):
        raise CheckFailed(f"StatefulSet {name}'s template runs {template_image}, expected {image}")
    for ordinal in range(int((sts.get("spec") or {}).get("replicas") or 0)):
        pod = ctx.find("v1", "Pod", f"{name}-{ordinal}")
        if pod is None:
            raise NotYet(f"pod {name}-{ordinal} is being replaced")
        running, want = _image(pod.get("spec") or {}, container), image if ordinal >= partition else old_image
        if not images_equal(want, running) and ordinal < partition:
            raise CheckFailed(
                f"pod {name}-{ordinal} runs {running}, but ordinals below the partition ({partition}) "
                f"must stay on {old_image}: set the partition before changing the image"
            )
        if not images_equal(want, running):
            raise NotYet(f"pod {name}-{ordinal} still runs {running}; the update is in progress")


@check("workloads.daemonset_rolled_out")
def daemonset_rolled_out(ctx: CheckContext, name: str, image: str, container: str | None = None) -> None:
    """DaemonSet {name} runs {image} on all its pods"""
    ds = ctx.expect_not_recreated(ctx.get("DaemonSet", name))
    template_image = _image(ctx.pod_spec(ds), container)
    if not images_equal(image, template_image):
        raise CheckFailed(
            f"DaemonSet {name}'s template runs {template_image}, expected {image}. "
            f"kubectl rollout history daemonset {name} lists its revisions"
        )
    stale = [
        name_of(p) for p in ctx.pods_of(ds) if not images_equal(image, _image(p.get("spec") or {}, container))
    ]
    status = ds.get("status") or {}
    if stale or status.get("updatedNumberScheduled") != status.get("desiredNumberScheduled"):
        raise NotYet(
            f"DaemonSet {name} is still updating ({', '.join(stale) or 'status'} not on {image} yet)"
        )
