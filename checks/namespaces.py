"""Checkers for the Namespaces lesson: creating and labelling namespaces, placing objects, deleting.

Namespaces are cluster-scoped, so these checkers always name the namespace they read instead of
relying on the exercise namespace.
"""

from __future__ import annotations

from typing import Any

from tutor.sdk import CheckContext, CheckFailed, NotYet, argv_of, check, command_text, names_of


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
                f"Namespace {name} exists but has no {label} label (the task asks for {label}={value})"
            )
        if labels[label] != value:
            raise CheckFailed(
                f"Namespace {name} is labelled {label}={labels[label]}, the task asks for {label}={value} "
                "(changing an existing label needs an overwrite)"
            )


@check("namespaces.placed")
def placed(ctx: CheckContext, kind: str, name: str, namespace: str, apiVersion: str = "v1") -> None:
    """{kind} {name} is in namespace {namespace}"""
    if ctx.find(apiVersion, kind, name, namespace=namespace) is not None:
        return None
    stray = ctx.find(apiVersion, kind, name, namespace="default")
    if stray is not None:
        raise CheckFailed(
            f"{kind} {name} is in namespace default, not {namespace}: an object without metadata.namespace "
            f"goes to the current namespace. Add `namespace: {namespace}` under the {kind}'s metadata "
            f"(or use `-n {namespace}`), and remove the stray copy from default"
        )
    raise NotYet(f"{kind} {name} not found in namespace {namespace}")


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
            f"Namespace {keep} was deleted too; only {name} should go. Reset the exercise to get it back"
        )
    snapshot = ctx.snapshot_uid("v1", "Namespace", keep, namespace=None)
    if snapshot and meta(kept).get("uid") != snapshot:
        raise CheckFailed(
            f"Namespace {keep} was deleted and recreated; only {name} should go. Reset the exercise"
        )
    ns = ctx.find("v1", "Namespace", name, namespace=None)
    if ns is None:
        return None
    if meta(ns).get("deletionTimestamp"):
        raise NotYet(f"Namespace {name} is terminating: the namespace controller is deleting what is inside")
    left = _contents(ctx, name)
    inside = (
        f" (left inside: {', '.join(left)})" if left else " (it is empty, but the namespace object remains)"
    )
    raise CheckFailed(
        f"Namespace {name} still exists{inside}. Deleting a namespace deletes everything in it"
    )


def _data(obj: dict[str, Any]) -> dict[str, Any]:
    return dict(obj.get("data") or {})


@check("namespaces.moved")
def moved(ctx: CheckContext, name: str, source: str, target: str, data: dict[str, str]) -> None:
    """ConfigMap {name} lives in {target} with its data, and no longer in {source}"""
    copy = ctx.find("v1", "ConfigMap", name, namespace=target)
    original = ctx.find("v1", "ConfigMap", name, namespace=source)
    if copy is None:
        raise NotYet(f"ConfigMap {name} not found in namespace {target}")
    if _data(copy) != data:
        raise CheckFailed(
            f"ConfigMap {name} in {target} has data {_data(copy)}, expected the original's {data}: "
            f"copy it with `kubectl get cm {name} -n {source} -o yaml`, change metadata.namespace and drop "
            f"uid/resourceVersion/creationTimestamp before applying"
        )
    if original is not None and not meta(original).get("deletionTimestamp"):
        raise CheckFailed(f"ConfigMap {name} still exists in {source}: a move leaves no copy behind")


@check("namespaces.dns_client")
def dns_client(ctx: CheckContext, pod: str, client_namespace: str, service: str, namespace: str) -> None:
    """Pod {pod} in {client_namespace} fetched Service {service} of namespace {namespace} and exited successfully"""  # noqa: E501 - the title is the first line
    obj = ctx.get("v1", "Pod", pod, namespace=client_namespace)
    spec = ctx.pod_spec(obj)
    line = " ".join(command_text(argv_of(c)) for c in spec.get("containers") or [])
    if f"{service}.{namespace}" not in line:
        raise CheckFailed(
            f"Pod {pod} runs `{line}`, which does not name {service}.{namespace}. A bare Service name only "
            f"resolves inside the client's own namespace; from {client_namespace} use {service}.{namespace} "
            f"(or {service}.{namespace}.svc.cluster.local)"
        )
    if spec.get("restartPolicy", "Always") == "Always":
        raise CheckFailed(
            f"Pod {pod} has restartPolicy Always, so it is restarted after every successful run "
            f"and never ends in Succeeded: use `restartPolicy: Never` (kubectl run --restart=Never)"
        )
    phase = (obj.get("status") or {}).get("phase")
    if phase == "Failed":
        raise CheckFailed(
            f"Pod {pod} failed: read `kubectl logs {pod} -n {client_namespace}` "
            f'("bad address" means the name did not resolve)'
        )
    if phase != "Succeeded":
        raise NotYet(f"Pod {pod} is {phase}; waiting for it to finish")
