"""Checkers for the Namespaces lesson: creating and labelling namespaces, placing objects, deleting.

Namespaces are cluster-scoped, so these checkers always name the namespace they read instead of
relying on the exercise namespace.
"""

from __future__ import annotations

from typing import Any

from tutor.sdk import CheckContext, CheckFailed, NotYet, argv_of, check, command_text, msg, names_of


def meta(obj: dict[str, Any]) -> dict[str, Any]:
    return obj.get("metadata") or {}


@check("namespaces.labelled")
def labelled(ctx: CheckContext, label: str, namespaces: dict[str, str]) -> None:
    """Each namespace exists and carries its {label} label"""
    for name, value in namespaces.items():
        ns = ctx.get("v1", "Namespace", name, namespace=None)
        labels = meta(ns).get("labels") or {}
        if label not in labels:
            raise CheckFailed(
                msg(
                    en=f"Namespace {name} exists but has no {label} label "
                    f"(the task asks for {label}={value})",
                    zh=f"名字空间 {name} 已存在，但没有 {label} 标签（题目要求 {label}={value}）",
                )
            )
        if labels[label] != value:
            raise CheckFailed(
                msg(
                    en=f"Namespace {name} is labelled {label}={labels[label]}, the task asks for "
                    f"{label}={value} (changing an existing label needs an overwrite)",
                    zh=f"名字空间 {name} 的标签是 {label}={labels[label]}，题目要求 {label}={value}"
                    "（修改已有的标签需要覆盖它）",
                )
            )


@check("namespaces.placed")
def placed(ctx: CheckContext, kind: str, name: str, namespace: str, apiVersion: str = "v1") -> None:
    """{kind} {name} is in namespace {namespace}"""
    if ctx.find(apiVersion, kind, name, namespace=namespace) is not None:
        return None
    stray = ctx.find(apiVersion, kind, name, namespace="default")
    if stray is not None:
        raise CheckFailed(
            msg(
                en=f"{kind} {name} is in namespace default, not {namespace}: an object without "
                f"metadata.namespace goes to the current namespace. Add `namespace: {namespace}` under the "
                f"{kind}'s metadata (or use `-n {namespace}`), and remove the stray copy from default",
                zh=f"{kind} {name} 在名字空间 default 中，而不是 {namespace}：没有 metadata.namespace 的对象"
                f"会进入当前名字空间。在 {kind} 的 metadata 下加上 `namespace: {namespace}`"
                f"（或使用 `-n {namespace}`），并删除 default 中多出来的那份",
            )
        )
    raise NotYet(
        msg(
            en=f"{kind} {name} not found in namespace {namespace}",
            zh=f"在名字空间 {namespace} 中找不到 {kind} {name}",
        )
    )


def _contents(ctx: CheckContext, namespace: str) -> list[str]:
    """``Pod tmp``, ``ConfigMap tmp-cfg`` ... still in ``namespace`` (kube-root-ca.crt left out)."""
    left: list[str] = []
    for api_version, kind in (
        ("v1", "Pod"),
        ("v1", "ConfigMap"),
        ("v1", "Secret"),
        ("v1", "Service"),
        ("apps/v1", "Deployment"),
    ):
        objs = [
            o
            for o in ctx.list(api_version, kind, namespace=namespace)
            if meta(o).get("name") != "kube-root-ca.crt"
        ]
        left.extend(f"{kind} {n}" for n in names_of(objs))
    return left


@check("namespaces.deleted")
def deleted(ctx: CheckContext, name: str, keep: str) -> None:
    """Namespace {name} is gone with everything in it; namespace {keep} is untouched"""
    kept = ctx.find("v1", "Namespace", keep, namespace=None)
    if kept is None or meta(kept).get("deletionTimestamp"):
        raise CheckFailed(
            msg(
                en=f"Namespace {keep} was deleted too; only {name} should go. "
                "Reset the exercise to get it back",
                zh=f"名字空间 {keep} 也被删除了；只应删除 {name}。重置练习可以恢复它",
            )
        )
    snapshot = ctx.snapshot_uid("v1", "Namespace", keep, namespace=None)
    if snapshot and meta(kept).get("uid") != snapshot:
        raise CheckFailed(
            msg(
                en=f"Namespace {keep} was deleted and recreated; only {name} should go. Reset the exercise",
                zh=f"名字空间 {keep} 被删除后又重新创建了；只应删除 {name}。请重置练习",
            )
        )
    ns = ctx.find("v1", "Namespace", name, namespace=None)
    if ns is None:
        return None
    if meta(ns).get("deletionTimestamp"):
        raise NotYet(
            msg(
                en=f"Namespace {name} is terminating: the namespace controller is deleting what is inside",
                zh=f"名字空间 {name} 正在终止：名字空间控制器正在删除其中的内容",
            )
        )
    left = _contents(ctx, name)
    inside = (
        f" (left inside: {', '.join(left)})" if left else " (it is empty, but the namespace object remains)"
    )
    inside_zh = f"（其中还剩：{'、'.join(left)}）" if left else "（它已经空了，但名字空间对象本身还在）"
    raise CheckFailed(
        msg(
            en=f"Namespace {name} still exists{inside}. Deleting a namespace deletes everything in it",
            zh=f"名字空间 {name} 仍然存在{inside_zh}。删除名字空间会删除其中的一切",
        )
    )


def _data(obj: dict[str, Any]) -> dict[str, Any]:
    return dict(obj.get("data") or {})


@check("namespaces.moved")
def moved(ctx: CheckContext, name: str, source: str, target: str, data: dict[str, str]) -> None:
    """ConfigMap {name} lives in {target} with its data, and no longer in {source}"""
    copy = ctx.find("v1", "ConfigMap", name, namespace=target)
    original = ctx.find("v1", "ConfigMap", name, namespace=source)
    if copy is None:
        raise NotYet(
            msg(
                en=f"ConfigMap {name} not found in namespace {target}",
                zh=f"在名字空间 {target} 中找不到 ConfigMap {name}",
            )
        )
    if _data(copy) != data:
        raise CheckFailed(
            msg(
                en=f"ConfigMap {name} in {target} has data {_data(copy)}, expected the original's {data}: "
                f"copy it with `kubectl get cm {name} -n {source} -o yaml`, change metadata.namespace and "
                f"drop uid/resourceVersion/creationTimestamp before applying",
                zh=f"{target} 中的 ConfigMap {name} 的数据是 {_data(copy)}，应与原对象相同：{data}。"
                f"用 `kubectl get cm {name} -n {source} -o yaml` 复制，修改 metadata.namespace，"
                f"并在应用前去掉 uid/resourceVersion/creationTimestamp",
            )
        )
    if original is not None and not meta(original).get("deletionTimestamp"):
        raise CheckFailed(
            msg(
                en=f"ConfigMap {name} still exists in {source}: a move leaves no copy behind",
                zh=f"ConfigMap {name} 仍然在 {source} 中：移动之后不应留下副本",
            )
        )


@check("namespaces.dns_client")
def dns_client(ctx: CheckContext, pod: str, client_namespace: str, service: str, namespace: str) -> None:
    """Pod {pod} in {client_namespace} fetched Service {service} of namespace {namespace} and exited successfully"""  # noqa: E501 - the title is the first line
    obj = ctx.get("v1", "Pod", pod, namespace=client_namespace)
    spec = ctx.pod_spec(obj)
    line = " ".join(command_text(argv_of(c)) for c in spec.get("containers") or [])
    if f"{service}.{namespace}" not in line:
        raise CheckFailed(
            msg(
                en=f"Pod {pod} runs `{line}`, which does not name {service}.{namespace}. A bare Service name "
                f"only resolves inside the client's own namespace; from {client_namespace} use "
                f"{service}.{namespace} (or {service}.{namespace}.svc.cluster.local)",
                zh=f"Pod {pod} 运行的是 `{line}`，其中没有 {service}.{namespace}。"
                "单独的 Service 名字只在客户端自己的名字空间里才能解析；"
                f"从 {client_namespace} 访问要用 {service}.{namespace}"
                f"（或 {service}.{namespace}.svc.cluster.local）",
            )
        )
    if spec.get("restartPolicy", "Always") == "Always":
        raise CheckFailed(
            msg(
                en=f"Pod {pod} has restartPolicy Always, so it is restarted after every successful run "
                f"and never ends in Succeeded: use `restartPolicy: Never` (kubectl run --restart=Never)",
                zh=f"Pod {pod} 的 restartPolicy 是 Always，每次成功运行后都会被重启，永远不会进入 Succeeded："
                f"请使用 `restartPolicy: Never`（kubectl run --restart=Never）",
            )
        )
    phase = (obj.get("status") or {}).get("phase")
    if phase == "Failed":
        raise CheckFailed(
            msg(
                en=f"Pod {pod} failed: read `kubectl logs {pod} -n {client_namespace}` "
                f'("bad address" means the name did not resolve)',
                zh=f"Pod {pod} 失败了：查看 `kubectl logs {pod} -n {client_namespace}`"
                "（“bad address” 表示名字没有解析成功）",
            )
        )
    if phase != "Succeeded":
        raise NotYet(
            msg(
                en=f"Pod {pod} is {phase}; waiting for it to finish",
                zh=f"Pod {pod} 处于 {phase} 状态；等待它结束",
            )
        )
