"""Checkers for the Volumes lesson.

They read Pod specs (which volume, which mount, in which container), where the scheduler put the
Pods (hostPath data is per node), and what the PV controller did with claims. When a claim stays
``Pending`` the checker compares it with the intended PV the way the binder does (class, size,
access mode) so that the learner is told *why* nothing binds, not just that it did not.
"""

from __future__ import annotations

from typing import Any

from tutor.sdk import CheckContext, CheckFailed, Message, NotYet, check, msg

CONTROL_PLANE_LABEL = "node-role.kubernetes.io/control-plane"


def _volume(ctx: CheckContext, pod: str, volume: str, source: str) -> dict[str, Any]:
    """Volume ``volume`` of Pod ``pod``; CheckFailed unless it is of type ``source``."""
    volumes = ctx.get("v1", "Pod", pod)["spec"].get("volumes") or []
    found = next((v for v in volumes if v["name"] == volume), None)
    if found is None:
        names = ", ".join(v["name"] for v in volumes) or "none"
        raise CheckFailed(
            msg(
                en=f"Pod {pod} declares no volume {volume} (its volumes: {names}).",
                zh=f"Pod {pod} 没有声明卷 {volume}（它的卷：{names}）。",
            )
        )
    if source not in found:
        kind = next((k for k in found if k != "name"), "unknown")
        raise CheckFailed(
            msg(
                en=f"Volume {volume} of Pod {pod} is a {kind} volume; the task asks for {source}.",
                zh=f"Pod {pod} 的卷 {volume} 是 {kind} 卷；题目要求 {source}。",
            )
        )
    return found[source] or {}


@check("volumes.emptydir")
def emptydir(
    ctx: CheckContext, pod: str, volume: str, medium: str | None = None, size_limit: str | None = None
) -> None:
    """Pod {pod} has an emptyDir volume {volume}"""
    spec = _volume(ctx, pod, volume, "emptyDir")
    if medium is not None and (spec.get("medium") or "") != medium:
        raise CheckFailed(
            msg(
                en=f"emptyDir {volume} has medium {spec.get('medium') or '(node disk)'}; set "
                f"medium: {medium}.",
                zh=f"emptyDir {volume} 的 medium 是 {spec.get('medium') or '（节点磁盘）'}；"
                f"请设置 medium: {medium}。",
            )
        )
    if size_limit is not None:
        actual = spec.get("sizeLimit")
        if actual is None or ctx.quantity(actual) != ctx.quantity(size_limit):
            raise CheckFailed(
                msg(
                    en=f"emptyDir {volume} has sizeLimit {actual}; set sizeLimit: {size_limit}.",
                    zh=f"emptyDir {volume} 的 sizeLimit 是 {actual}；请设置 sizeLimit: {size_limit}。",
                )
            )


@check("volumes.hostpath")
def hostpath(ctx: CheckContext, pod: str, path: str, type: str | None = None) -> None:  # noqa: A002
    """Pod {pod} mounts the node folder {path}"""
    volumes = ctx.get("v1", "Pod", pod)["spec"].get("volumes") or []
    found = [v["hostPath"] for v in volumes if "hostPath" in v]
    match = next((h for h in found if h.get("path", "").rstrip("/") == path.rstrip("/")), None)
    if match is None:
        have = ", ".join(h.get("path", "") for h in found) or "none"
        raise CheckFailed(
            msg(
                en=f"Pod {pod} has no hostPath volume for {path} (its hostPath volumes: {have}).",
                zh=f"Pod {pod} 没有 {path} 的 hostPath 卷（它的 hostPath 卷：{have}）。",
            )
        )
    if type is not None and (match.get("type") or "") != type:
        raise CheckFailed(
            msg(
                en=f"The hostPath volume {path} of Pod {pod} has type {match.get('type') or '(none)'!s}; "
                f"set type: {type} so the folder is created if the node lacks it.",
                zh=f"Pod {pod} 的 hostPath 卷 {path} 的类型是 {match.get('type') or '（无）'!s}；"
                f"请设置 type: {type}，这样节点上没有该目录时会创建它。",
            )
        )


@check("volumes.mount")
def mount(
    ctx: CheckContext, pod: str, container: str, volume: str, path: str, read_only: bool | None = None
) -> None:
    """Container {container} of Pod {pod} mounts volume {volume} at {path}"""
    c = ctx.container(ctx.get("v1", "Pod", pod), container)
    mounts = c.get("volumeMounts") or []
    at_path = next((m for m in mounts if m["mountPath"].rstrip("/") == path.rstrip("/")), None)
    if at_path is not None and at_path["name"] != volume:
        raise CheckFailed(
            msg(
                en=f"Container {container} mounts volume {at_path['name']} at {path}, not {volume}. "
                f"Containers share "
                f"files only when they mount the same volume: use volume {volume}.",
                zh=f"容器 {container} 在 {path} 挂载的是卷 {at_path['name']}，而不是 {volume}。"
                f"容器只有挂载同一个卷时才能共享文件：请使用卷 {volume}。",
            )
        )
    if at_path is None:
        elsewhere = [m["mountPath"] for m in mounts if m["name"] == volume]
        where = f" (it is mounted at {', '.join(elsewhere)})" if elsewhere else ""
        where_zh = f"（它挂载在 {', '.join(elsewhere)}）" if elsewhere else ""
        raise CheckFailed(
            msg(
                en=f"Container {container} of Pod {pod} mounts nothing at {path}{where}; add a volumeMount.",
                zh=f"Pod {pod} 的容器 {container} 没有在 {path} 挂载任何东西{where_zh}；请加上 volumeMount。",
            )
        )
    if read_only is not None and bool(at_path.get("readOnly")) != read_only:
        want = "read-only: readOnly: true" if read_only else "writable: remove readOnly"
        want_zh = "只读的：readOnly: true" if read_only else "可写的：去掉 readOnly"
        raise CheckFailed(
            msg(
                en=f"The mount of {volume} at {path} in container {container} must be {want}.",
                zh=f"容器 {container} 中 {volume} 在 {path} 的挂载必须是{want_zh}。",
            )
        )


@check("volumes.same_node")
def same_node(ctx: CheckContext, pods: list[str], workers_only: bool = True) -> str:
    """Pods {pods} run on the same worker node"""
    nodes = {}
    for name in pods:
        node = ctx.get("v1", "Pod", name)["spec"].get("nodeName")
        if not node:
            raise NotYet(msg(en=f"Pod {name} is not scheduled yet", zh=f"Pod {name} 还没有被调度"))
        nodes[name] = node
    if len(set(nodes.values())) > 1:
        where = ", ".join(f"{p} on {n}" for p, n in nodes.items())
        raise CheckFailed(
            msg(
                en=f"The Pods run on different nodes ({where}); each node has its own hostPath folder. Pin "
                f"both Pods "
                "to the same node with nodeSelector, node affinity or nodeName. A Pod's node cannot change: "
                "delete and recreate it.",
                zh=f"这些 Pod 运行在不同的节点上（{where}）；每个节点都有自己的 hostPath 目录。"
                "请用 nodeSelector、节点亲和性或 nodeName 把两个 Pod 固定到同一个节点。"
                "Pod 所在的节点不能更改：请删除后重新创建。",
            )
        )
    node = next(iter(nodes.values()))
    labels = ctx.get("v1", "Node", node, namespace=None)["metadata"].get("labels") or {}
    if workers_only and CONTROL_PLANE_LABEL in labels:
        raise CheckFailed(
            msg(
                en=f"The Pods run on the control-plane node {node}; use a worker node.",
                zh=f"这些 Pod 运行在控制平面节点 {node} 上；请使用工作节点。",
            )
        )
    return node


@check("volumes.pv")
def pv(
    ctx: CheckContext, name: str, capacity: str, storage_class: str, reclaim_policy: str, access_mode: str
) -> None:
    """PersistentVolume {name}: {capacity}, {access_mode}, class {storage_class}, reclaim {reclaim_policy}"""
    spec = ctx.get("v1", "PersistentVolume", name, namespace=None)["spec"]
    actual = (spec.get("capacity") or {}).get("storage")
    if actual is None or ctx.quantity(actual) != ctx.quantity(capacity):
        raise CheckFailed(
            msg(
                en=f"PersistentVolume {name} has capacity {actual}; set spec.capacity.storage: {capacity}.",
                zh=f"PersistentVolume {name} 的容量是 {actual}；请设置 spec.capacity.storage: {capacity}。",
            )
        )
    if access_mode not in (spec.get("accessModes") or []):
        raise CheckFailed(
            msg(
                en=f"PersistentVolume {name} has accessModes {spec.get('accessModes')}; include "
                f"{access_mode}.",
                zh=f"PersistentVolume {name} 的 accessModes 是 {spec.get('accessModes')}；请包含 "
                f"{access_mode}。",
            )
        )
    if spec.get("storageClassName", "") != storage_class:
        raise CheckFailed(
            msg(
                en=f"PersistentVolume {name} has storageClassName {spec.get('storageClassName')!r}; set "
                f"{storage_class!r}.",
                zh=f"PersistentVolume {name} 的 storageClassName 是 {spec.get('storageClassName')!r}；"
                f"请设置为 {storage_class!r}。",
            )
        )
    if spec.get("persistentVolumeReclaimPolicy") != reclaim_policy:
        raise CheckFailed(
            msg(
                en=f"PersistentVolume {name} has reclaim policy {spec.get('persistentVolumeReclaimPolicy')}; "
                f"set persistentVolumeReclaimPolicy: {reclaim_policy}.",
                zh=f"PersistentVolume {name} 的回收策略是 {spec.get('persistentVolumeReclaimPolicy')}；"
                f"请设置 persistentVolumeReclaimPolicy: {reclaim_policy}。",
            )
        )


def _binding_problem(ctx: CheckContext, claim: dict[str, Any], volume: dict[str, Any]) -> Message | None:
    """Why the PV controller will not bind ``claim`` to ``volume`` (in both languages); None if it could."""
    cspec, vspec = claim["spec"], volume["spec"]
    cname, vname = claim["metadata"]["name"], volume["metadata"]["name"]
    ref = vspec.get("claimRef")
    if ref and (ref.get("name"), ref.get("namespace")) != (cname, claim["metadata"].get("namespace")):
        owner = f"{ref.get('namespace')}/{ref.get('name')}"
        return msg(
            en=f"PersistentVolume {vname} is already claimed by {owner}",
            zh=f"PersistentVolume {vname} 已经被 {owner} 申领",
        )
    wanted_class, offered_class = cspec.get("storageClassName"), vspec.get("storageClassName")
    if (wanted_class or "") != (offered_class or ""):
        return msg(
            en=f"the claim asks for class {wanted_class!r} but PersistentVolume {vname} has class "
            f"{offered_class!r}; the class names must be equal",
            zh=f"申领要求的存储类是 {wanted_class!r}，而 PersistentVolume {vname} 的存储类是 "
            f"{offered_class!r}；两者必须相同",
        )
    want = ((cspec.get("resources") or {}).get("requests") or {}).get("storage", "0")
    have = (vspec.get("capacity") or {}).get("storage", "0")
    if ctx.quantity(want) > ctx.quantity(have):
        return msg(
            en=f"the claim asks for {want} but PersistentVolume {vname} only has {have}",
            zh=f"申领请求 {want}，但 PersistentVolume {vname} 只有 {have}",
        )
    missing = sorted(set(cspec.get("accessModes") or []) - set(vspec.get("accessModes") or []))
    if missing:
        return msg(
            en=f"the claim asks for access modes {missing} that PersistentVolume {vname} does not offer",
            zh=f"申领要求的访问模式 {missing} 是 PersistentVolume {vname} 不提供的",
        )
    return None


@check("volumes.claim_bound")
def claim_bound(ctx: CheckContext, claim: str, volume: str, storage: str | None = None) -> None:
    """Claim {claim} is Bound to PersistentVolume {volume}

    ``storage``: the size the task says the claim asks for (compared by value: ``50Mi`` ==
    ``52428800``); a claim for more still binds to a big enough volume, so binding alone proves nothing.
    """
    pvc = ctx.get("v1", "PersistentVolumeClaim", claim)
    asked = ((pvc["spec"].get("resources") or {}).get("requests") or {}).get("storage")
    size_problem = storage is not None and (asked is None or ctx.quantity(asked) != ctx.quantity(storage))
    bound_to = pvc["spec"].get("volumeName")
    if bound_to and bound_to != volume:
        raise CheckFailed(
            msg(
                en=f"Claim {claim} is bound to PersistentVolume {bound_to}, not {volume}.",
                zh=f"申领 {claim} 绑定到了 PersistentVolume {bound_to}，而不是 {volume}。",
            )
        )
    target = ctx.find("v1", "PersistentVolume", volume, namespace=None)
    bound = bound_to == volume and (pvc.get("status") or {}).get("phase") == "Bound"
    problem = None if bound or target is None else _binding_problem(ctx, pvc, target)
    if problem:  # why it stays Pending teaches more than the size alone
        raise CheckFailed(
            msg(
                en=f"Claim {claim} stays Pending: {problem}.",
                zh=f"申领 {claim} 一直处于 Pending：{problem.in_language('zh')}。",
            )
        )
    if size_problem:
        raise CheckFailed(
            msg(
                en=f"Claim {claim} asks for {asked or 'no storage'}; the task asks for {storage}. "
                "A claim's size "
                f"is fixed at creation (it can only grow, where the class allows): delete and recreate it.",
                zh=f"申领 {claim} 请求的是 {asked or '空'}；题目要求 {storage}。"
                "申领的大小在创建时就确定了（在存储类允许时只能扩大）：请删除后重新创建。",
            )
        )
    if bound:
        return
    if target is None:
        raise NotYet(msg(en=f"PersistentVolume {volume} not found", zh=f"找不到 PersistentVolume {volume}"))
    raise NotYet(
        msg(
            en=f"waiting for the PV controller to bind {claim} to {volume}",
            zh=f"等待 PV 控制器把 {claim} 绑定到 {volume}",
        )
    )


@check("volumes.uses_claim")
def uses_claim(ctx: CheckContext, pod: str, claim: str, path: str) -> None:
    """Pod {pod} mounts claim {claim} at {path}"""
    obj = ctx.get("v1", "Pod", pod)
    volumes = [
        v["name"]
        for v in obj["spec"].get("volumes") or []
        if (v.get("persistentVolumeClaim") or {}).get("claimName") == claim
    ]
    if not volumes:
        raise CheckFailed(
            msg(
                en=f"Pod {pod} has no volume for claim {claim}; add volumes: [{{name: data, "
                "persistentVolumeClaim: "
                f"{{claimName: {claim}}}}}].",
                zh=f"Pod {pod} 没有用于申领 {claim} 的卷；请加上 volumes: "
                f"[{{name: data, persistentVolumeClaim: {{claimName: {claim}}}}}]。",
            )
        )
    for c in obj["spec"].get("containers") or []:
        for m in c.get("volumeMounts") or []:
            if m["name"] in volumes and m["mountPath"].rstrip("/") == path.rstrip("/"):
                return
    raise CheckFailed(
        msg(
            en=f"No container of Pod {pod} mounts the claim's volume at {path}.",
            zh=f"Pod {pod} 没有任何容器把该申领的卷挂载在 {path}。",
        )
    )
