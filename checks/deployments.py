"""Checkers for the Deployments lesson: ReplicaSets, scaling, rolling updates, rollback, pause/resume.

A Deployment's history is its ReplicaSets: each pod-template change makes a new one and bumps the
``deployment.kubernetes.io/revision`` annotation, scaling does not. The checkers read exactly that,
so they accept `kubectl set image`, `kubectl edit` and `kubectl apply` alike, and they use the
start snapshot to tell "changed in place" from "deleted and recreated".
"""

from __future__ import annotations

import math
from typing import Any

from tutor.sdk import CheckContext, CheckFailed, NotYet, check, images_equal, msg

from ._kube import find_expected

REVISION = "deployment.kubernetes.io/revision"


def _revision(obj: dict[str, Any]) -> str:
    return str(((obj.get("metadata") or {}).get("annotations") or {}).get(REVISION, "?"))


def _owned_replicasets(ctx: CheckContext, deploy: dict[str, Any]) -> list[dict[str, Any]]:
    uid = deploy["metadata"]["uid"]
    return [
        rs
        for rs in ctx.list("apps/v1", "ReplicaSet")
        if any(r.get("uid") == uid for r in (rs.get("metadata") or {}).get("ownerReferences") or [])
    ]


def _image(ctx: CheckContext, obj: dict[str, Any], container: str | None) -> str:
    spec = ctx.pod_spec(obj)
    chosen = ctx.container(obj, container) if container else (spec.get("containers") or [{}])[0]
    return str(chosen.get("image"))


@check("deployments.bare_replicaset")
def bare_replicaset(ctx: CheckContext, name: str) -> None:
    """ReplicaSet {name} exists on its own, not managed by a Deployment"""
    rs = find_expected(
        ctx,
        "ReplicaSet",
        name,
        "Deployment",
        msg(
            en=f"a Deployment manages ReplicaSets named {name}-<hash> for you. This exercise wants a bare "
            f"ReplicaSet: delete the Deployment and use kind: ReplicaSet",
            zh=f"Deployment 会替你管理名为 {name}-<hash> 的 ReplicaSet。这个练习要的是一个单独的 "
            "ReplicaSet：删除该 Deployment，改用 kind: ReplicaSet",
        ),
    )
    owners = [r.get("kind") for r in (rs.get("metadata") or {}).get("ownerReferences") or []]
    if owners:
        raise CheckFailed(
            msg(
                en=f"ReplicaSet {name} is owned by a {owners[0]}; create the ReplicaSet itself",
                zh=f"ReplicaSet {name} 归一个 {owners[0]} 所有；请直接创建 ReplicaSet 本身",
            )
        )


@check("deployments.replicas")
def replicas(ctx: CheckContext, name: str, replicas: int) -> None:
    """Deployment {name} runs {replicas} ready replicas"""
    deploy = ctx.expect_not_recreated(ctx.get("Deployment", name))
    wanted = (deploy.get("spec") or {}).get("replicas")
    if wanted != replicas:
        raise CheckFailed(
            msg(
                en=f"Deployment {name} wants {wanted} replicas, not {replicas}. Scale the Deployment itself: "
                "scaling its ReplicaSet is undone by the Deployment controller",
                zh=f"Deployment {name} 期望 {wanted} 个副本，而不是 {replicas} 个。请扩缩 Deployment 本身："
                "对它的 ReplicaSet 扩缩会被 Deployment 控制器撤销",
            )
        )
    ready = (deploy.get("status") or {}).get("readyReplicas") or 0
    if ready != replicas:
        raise NotYet(
            msg(
                en=f"Deployment {name} has {ready} of {replicas} replicas ready",
                zh=f"Deployment {name} 的 {replicas} 个副本中有 {ready} 个就绪",
            )
        )


def _resolve(value: Any, replicas: int, round_up: bool) -> int:
    """A rolling-update IntOrString as a pod count, rounding percentages as the controller does."""
    if isinstance(value, str) and value.endswith("%"):
        exact = int(value[:-1]) * replicas / 100
        return math.ceil(exact) if round_up else math.floor(exact)
    return int(value)


@check("deployments.rolling_strategy")
def rolling_strategy(ctx: CheckContext, name: str, max_surge: int, max_unavailable: int) -> None:
    """Deployment {name} rolls out with at most {max_surge} extra and {max_unavailable} unavailable pods"""
    deploy = ctx.get("apps/v1", "Deployment", name)
    strategy = (deploy.get("spec") or {}).get("strategy") or {}
    if strategy.get("type") != "RollingUpdate":
        raise CheckFailed(
            msg(
                en=f"Deployment {name} uses strategy {strategy.get('type')}; Recreate stops every pod before "
                f"starting new ones. Use type: RollingUpdate",
                zh=f"Deployment {name} 使用的策略是 {strategy.get('type')}；"
                "Recreate 会在启动新 Pod 前停止所有 Pod。"
                "请使用 type: RollingUpdate",
            )
        )
    rolling = strategy.get("rollingUpdate") or {}
    count = int((deploy.get("spec") or {}).get("replicas") or 1)
    surge = _resolve(rolling.get("maxSurge", "25%"), count, round_up=True)
    unavailable = _resolve(rolling.get("maxUnavailable", "25%"), count, round_up=False)
    if (surge, unavailable) != (max_surge, max_unavailable):
        raise CheckFailed(
            msg(
                en=f"Deployment {name} allows maxSurge {rolling.get('maxSurge', '25%')} (= {surge} pods) and "
                f"maxUnavailable {rolling.get('maxUnavailable', '25%')} (= {unavailable} pods) with "
                f"{count} replicas; expected maxSurge {max_surge} and maxUnavailable {max_unavailable}",
                zh=f"Deployment {name} 在 {count} 个副本时允许 maxSurge {rolling.get('maxSurge', '25%')}"
                f"（= {surge} 个 Pod）和 maxUnavailable {rolling.get('maxUnavailable', '25%')}"
                f"（= {unavailable} 个 Pod）；应为 maxSurge {max_surge} 和 maxUnavailable {max_unavailable}",
            )
        )


@check("deployments.rolled_out")
def rolled_out(ctx: CheckContext, name: str, image: str, container: str | None = None) -> None:
    """Deployment {name} finished rolling out {image}"""
    deploy = ctx.expect_not_recreated(ctx.get("Deployment", name))
    actual = _image(ctx, deploy, container)
    if not images_equal(image, actual):
        raise CheckFailed(
            msg(
                en=f"Deployment {name} runs {actual}, expected {image}",
                zh=f"Deployment {name} 运行的是 {actual}，应为 {image}",
            )
        )
    if (deploy.get("spec") or {}).get("paused"):
        raise CheckFailed(
            msg(
                en=f"Deployment {name} is paused, so its new template is not rolled out",
                zh=f"Deployment {name} 已暂停，因此它的新模板不会上线",
            )
        )
    status, want = deploy.get("status") or {}, (deploy.get("spec") or {}).get("replicas", 1)
    if (status.get("observedGeneration") or 0) < deploy["metadata"].get("generation", 0) or not (
        status.get("updatedReplicas") == status.get("availableReplicas") == status.get("replicas") == want
    ):
        updated = status.get("updatedReplicas") or 0
        raise NotYet(
            msg(
                en=f"Deployment {name} is still rolling out ({updated} of {want} "
                f"pods updated); watch it with kubectl rollout status deployment {name}",
                zh=f"Deployment {name} 仍在上线中（{want} 个 Pod 中已更新 {updated} 个）；"
                f"可用 kubectl rollout status deployment {name} 观察",
            )
        )


@check("deployments.at_revision")
def at_revision(
    ctx: CheckContext,
    name: str,
    image: str,
    revision: str,
    container: str | None = None,
    at_least: bool = False,
) -> None:
    """Deployment {name} runs {image} as revision {revision}

    ``at_least``: a later revision is fine too (a rollback that took a detour is still a rollback).
    """
    deploy = ctx.expect_not_recreated(ctx.get("Deployment", name))
    actual, number = _image(ctx, deploy, container), _revision(deploy)
    if not images_equal(image, actual):
        same = [
            _revision(rs)
            for rs in _owned_replicasets(ctx, deploy)
            if images_equal(image, _image(ctx, rs, container))
        ]
        was = f" (revision {', '.join(same)} ran {image})" if same else ""
        was_zh = f"（修订版本 {', '.join(same)} 运行的是 {image}）" if same else ""
        raise CheckFailed(
            msg(
                en=f"Deployment {name} runs {actual} at revision {number}, expected {image}{was}. "
                f"kubectl rollout history deployment {name} --revision=N shows what each revision ran",
                zh=f"Deployment {name} 在修订版本 {number} 运行的是 {actual}，应为 {image}{was_zh}。"
                f"kubectl rollout history deployment {name} --revision=N 可以显示每个修订版本运行的内容",
            )
        )
    if number != str(revision) and not (at_least and number.isdigit() and int(number) >= int(revision)):
        raise CheckFailed(
            msg(
                en=f"Deployment {name} is at revision {number}, expected {revision}: "
                f"each pod-template change (and each rollback) makes one new revision, scaling makes none",
                zh=f"Deployment {name} 处于修订版本 {number}，应为 {revision}：每次修改 Pod 模板"
                "（以及每次回滚）都会产生一个新的修订版本，扩缩则不会",
            )
        )
