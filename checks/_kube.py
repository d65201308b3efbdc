"""Helpers shared by the scheduling, controller and autoscaling checkers.

They answer the questions several lessons ask in the same way — "which pods belong to this
object", "does this pod spec *require* a node label", "does this toleration cover that taint" —
so every lesson grades them identically. Pure functions over API dicts; nothing here writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tutor.grading.selectors import workload_selector
from tutor.sdk import CheckContext, CheckFailed, NotYet

API_VERSION = {
    "Pod": "v1",
    "Service": "v1",
    "Node": "v1",
    "Deployment": "apps/v1",
    "ReplicaSet": "apps/v1",
    "DaemonSet": "apps/v1",
    "StatefulSet": "apps/v1",
    "Job": "batch/v1",
    "CronJob": "batch/v1",
    "HorizontalPodAutoscaler": "autoscaling/v2",
}


def api_version(kind: str) -> str:
    """The API version the checkers read ``kind`` through (HPAs via autoscaling/v2, whatever was applied)."""
    try:
        return API_VERSION[kind]
    except KeyError:
        raise ValueError(f"checker argument kind={kind!r} is not one of {', '.join(API_VERSION)}") from None


def get(ctx: CheckContext, kind: str, name: str) -> dict[str, Any]:
    """The object ``kind/name`` in the exercise namespace (NotYet while absent)."""
    return ctx.get(api_version(kind), kind, name)


def same_object(ctx: CheckContext, obj: Mapping[str, Any]) -> dict[str, Any]:
    """``obj``, or CheckFailed when it replaced the object of that name the exercise started with.

    Tasks that say "change X" are graded on X itself: a deleted and recreated object loses its
    history (revisions, ControllerRevisions, status), so recreating it is a different answer.
    """
    kind, name = str(obj.get("kind")), name_of(obj)
    before = ctx.snapshot_uid(api_version(kind), kind, name)
    if before is not None and (obj.get("metadata") or {}).get("uid") != before:
        raise CheckFailed(
            f"{kind} {name} was deleted and recreated (its UID changed), which throws its history "
            f"away. Reset the exercise and change the existing object (kubectl set/scale/edit/patch/rollout)"
        )
    return dict(obj)


def name_of(obj: Mapping[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("name", "?"))


def labels_of(obj: Mapping[str, Any]) -> dict[str, str]:
    return dict((obj.get("metadata") or {}).get("labels") or {})


def pods(ctx: CheckContext, kind: str, name: str) -> list[dict[str, Any]]:
    """The live (not terminating) pods of ``kind/name``; a Pod is its own only pod."""
    return ctx.pods_of(get(ctx, kind, name))


def nodes(ctx: CheckContext) -> dict[str, dict[str, Any]]:
    """Every Node by name."""
    return {name_of(n): n for n in ctx.list("v1", "Node", namespace=None)}


def selects(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
    """Whether a LabelSelector (matchLabels + matchExpressions) selects an object with ``labels``."""
    return workload_selector(selector)(dict(labels))


# -- node constraints ----------------------------------------------------------------------------


def _expression_demands(expr: Mapping[str, Any], key: str, value: str | None) -> bool:
    if expr.get("key") != key:
        return False
    op, values = expr.get("operator"), list(expr.get("values") or [])
    if value is None:
        return op == "Exists" or (op == "In" and bool(values))
    return op == "In" and values == [value]


def required_terms(pod_spec: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The required nodeSelectorTerms of a pod spec (ORed), [] when there is no required node affinity."""
    node_affinity = (pod_spec.get("affinity") or {}).get("nodeAffinity") or {}
    required = node_affinity.get("requiredDuringSchedulingIgnoredDuringExecution") or {}
    return list(required.get("nodeSelectorTerms") or [])


def demands_label(
    pod_spec: Mapping[str, Any],
    key: str,
    value: str | None = None,
    *,
    selector: bool = True,
    affinity: bool = True,
) -> bool:
    """True when the scheduler may only place this pod on nodes labelled ``key=value`` (or ``key``).

    Either ``nodeSelector`` says so, or *every* required nodeSelectorTerm (they are ORed) has an
    expression that does. ``selector``/``affinity`` restrict which of the two ways count.
    """
    node_selector = pod_spec.get("nodeSelector") or {}
    if selector and key in node_selector and (value is None or node_selector[key] == value):
        return True
    terms = required_terms(pod_spec) if affinity else []
    return bool(terms) and all(
        any(_expression_demands(e, key, value) for e in t.get("matchExpressions") or []) for t in terms
    )


def describe_constraints(pod_spec: Mapping[str, Any]) -> str:
    """The pod's hard node constraints in words, for messages."""
    parts = [f"nodeSelector {k}={v}" for k, v in (pod_spec.get("nodeSelector") or {}).items()]
    for term in required_terms(pod_spec):
        exprs = [
            f"{e.get('key')} {e.get('operator')} {e.get('values') or ''}".strip()
            for e in term.get("matchExpressions") or []
        ]
        parts.append("required node affinity (" + " and ".join(exprs) + ")")
    return ", ".join(parts) or "no nodeSelector and no required node affinity"


# -- taints and tolerations ----------------------------------------------------------------------


def tolerates(toleration: Mapping[str, Any], taint: Mapping[str, Any]) -> bool:
    """The scheduler's rule: does this toleration cover this taint?"""
    effect = toleration.get("effect") or ""
    if effect and effect != taint.get("effect"):
        return False
    key = toleration.get("key") or ""
    if (toleration.get("operator") or "Equal") == "Exists":
        return not key or key == taint.get("key")
    return key == taint.get("key") and (toleration.get("value") or "") == (taint.get("value") or "")


def untolerated(pod_spec: Mapping[str, Any], node: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The node's NoSchedule/NoExecute taints the pod spec does not tolerate."""
    tols = pod_spec.get("tolerations") or []
    return [
        t
        for t in (node.get("spec") or {}).get("taints") or []
        if t.get("effect") in ("NoSchedule", "NoExecute") and not any(tolerates(x, t) for x in tols)
    ]


def taint_text(taint: Mapping[str, Any]) -> str:
    value = f"={taint['value']}" if taint.get("value") else ""
    return f"{taint.get('key')}{value}:{taint.get('effect')}"


def require_toleration(ctx: CheckContext, obj: Mapping[str, Any], taint: Mapping[str, Any]) -> None:
    """CheckFailed unless ``obj``'s pod spec tolerates ``taint``, saying what its tolerations are."""
    tols = ctx.pod_spec(obj).get("tolerations") or []
    if not any(tolerates(t, taint) for t in tols):
        have = (
            "; ".join(
                f"{t.get('key') or '(any key)'} {t.get('operator') or 'Equal'} {t.get('value') or ''} "
                f"effect {t.get('effect') or '(any)'}".replace("  ", " ")
                for t in tols
            )
            or "none"
        )
        raise CheckFailed(
            f"{obj.get('kind')} {name_of(obj)} does not tolerate the taint {taint_text(taint)} "
            f"(its tolerations: {have}). A toleration needs the same key, the same value with "
            f"operator Equal (or operator Exists), and the same effect or none"
        )


def find_expected(ctx: CheckContext, kind: str, name: str, mistaken_kind: str, advice: str) -> dict[str, Any]:
    """``kind/name``; CheckFailed with ``advice`` when a ``mistaken_kind`` of that name was made instead."""
    obj = ctx.find(api_version(kind), kind, name)
    if obj is not None:
        return obj
    if ctx.find(api_version(mistaken_kind), mistaken_kind, name) is not None:
        raise CheckFailed(f"{name} is a {mistaken_kind}, not a {kind}: {advice}")
    raise NotYet(f"{kind} {name} not found in namespace {ctx.namespace}")
