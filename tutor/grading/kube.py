"""Kubernetes rules checkers keep needing, written once the way the API server and scheduler apply them.

Label selectors (matchLabels + matchExpressions), node-selector requirements
(In/NotIn/Exists/DoesNotExist/Gt/Lt) and "which nodes does this pod spec admit", taints and
tolerations, the namespaces a PodAffinityTerm looks in, Secret values, named ports, "the only
container", and the apiVersion of the common kinds. Every function is pure over the dicts the API
returns, so a checker (or a checker running in another process) can call them on what it read.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping
from typing import Any

from tutor.grading.outcomes import CheckFailed

# -- kinds ---------------------------------------------------------------------------------------

API_VERSIONS = {
    "Pod": "v1",
    "Service": "v1",
    "Node": "v1",
    "Namespace": "v1",
    "ConfigMap": "v1",
    "Secret": "v1",
    "ServiceAccount": "v1",
    "PersistentVolume": "v1",
    "PersistentVolumeClaim": "v1",
    "ResourceQuota": "v1",
    "LimitRange": "v1",
    "Event": "v1",
    "Endpoints": "v1",
    "ReplicationController": "v1",
    "Deployment": "apps/v1",
    "ReplicaSet": "apps/v1",
    "DaemonSet": "apps/v1",
    "StatefulSet": "apps/v1",
    "ControllerRevision": "apps/v1",
    "Job": "batch/v1",
    "CronJob": "batch/v1",
    "HorizontalPodAutoscaler": "autoscaling/v2",
    "Ingress": "networking.k8s.io/v1",
    "IngressClass": "networking.k8s.io/v1",
    "NetworkPolicy": "networking.k8s.io/v1",
    "EndpointSlice": "discovery.k8s.io/v1",
    "StorageClass": "storage.k8s.io/v1",
    "PodDisruptionBudget": "policy/v1",
    "Role": "rbac.authorization.k8s.io/v1",
    "RoleBinding": "rbac.authorization.k8s.io/v1",
    "ClusterRole": "rbac.authorization.k8s.io/v1",
    "ClusterRoleBinding": "rbac.authorization.k8s.io/v1",
    "PriorityClass": "scheduling.k8s.io/v1",
    "Lease": "coordination.k8s.io/v1",
}
"""Kind → the apiVersion checkers read it through (HPAs via autoscaling/v2, whatever was applied)."""


def api_version_of(kind: str) -> str:
    """The apiVersion of a common kind; ValueError naming the known kinds otherwise."""
    try:
        return API_VERSIONS[kind]
    except KeyError:
        raise ValueError(
            f"no default apiVersion for kind {kind!r}; pass it explicitly (known: {', '.join(API_VERSIONS)})"
        ) from None


def is_kind(text: str) -> bool:
    """True when ``text`` names a kind (``Deployment``) rather than an apiVersion (``apps/v1``, ``v1``)."""
    return text in API_VERSIONS


# -- metadata --------------------------------------------------------------------------------------


def name_of(obj: Mapping[str, Any]) -> str:
    """``metadata.name`` (``?`` when absent)."""
    return str((obj.get("metadata") or {}).get("name", "?"))


def labels_of(obj: Mapping[str, Any]) -> dict[str, str]:
    """``metadata.labels`` as a dict (never None)."""
    return dict((obj.get("metadata") or {}).get("labels") or {})


def names_of(objs: Iterable[Mapping[str, Any]]) -> list[str]:
    """Sorted names of ``objs``."""
    return sorted(name_of(o) for o in objs)


def labels_text(labels: Mapping[str, Any] | None) -> str:
    """``app=web,tier=frontend`` (sorted), the way kubectl prints labels; ``<none>`` when empty."""
    return ",".join(f"{k}={v}" for k, v in sorted((labels or {}).items())) or "<none>"


# -- label selectors ------------------------------------------------------------------------------


def requirement_matches(requirement: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    """One ``matchExpressions`` item (label selector or node selector) against a label map.

    In/NotIn/Exists/DoesNotExist as label selectors define them (NotIn and DoesNotExist match an
    absent key); Gt/Lt as node selectors do (the label must exist and both sides parse as integers).
    An unknown operator matches nothing.
    """
    key, op = str(requirement.get("key")), requirement.get("operator")
    values = [str(v) for v in requirement.get("values") or []]
    present = requirement.get("key") is not None and key in labels
    if op == "In":
        return present and labels[key] in values
    if op == "NotIn":
        return not present or labels[key] not in values
    if op == "Exists":
        return present
    if op == "DoesNotExist":
        return not present
    if op in ("Gt", "Lt") and present and len(values) == 1:
        try:
            have, bound = int(labels[key]), int(values[0])
        except ValueError:
            return False
        return have > bound if op == "Gt" else have < bound
    return False


def selector_matches(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
    """Does a LabelSelector (``matchLabels`` + ``matchExpressions``, ANDed) select ``labels``?

    As the API defines it: a null selector selects nothing, an empty one (``{}``) everything.
    """
    if selector is None:
        return False
    if any(labels.get(k) != str(v) for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    return all(requirement_matches(r, labels) for r in selector.get("matchExpressions") or [])


def selector_text(selector: Mapping[str, Any] | None) -> str:
    """A LabelSelector in the string form ``kubectl get -l`` and the API's ``labelSelector`` take:
    ``app=web,tier in (a,b),!legacy``. Null gives ``<nothing>``; ``{}`` gives ``""`` (everything)."""
    if selector is None:
        return "<nothing>"
    parts = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for r in selector.get("matchExpressions") or []:
        key, op, values = r.get("key"), r.get("operator"), ",".join(sorted(map(str, r.get("values") or [])))
        parts.append(
            {"In": f"{key} in ({values})", "NotIn": f"{key} notin ({values})", "Exists": f"{key}"}.get(
                str(op), f"!{key}"
            )
        )
    return ",".join(parts)


# -- nodes: selectors, affinity, taints ------------------------------------------------------------


def node_term_matches(term: Mapping[str, Any], node: Mapping[str, Any]) -> bool:
    """Does one nodeSelectorTerm admit ``node``? Its matchExpressions (on labels) and matchFields
    (``metadata.name``) are ANDed; a term with neither matches nothing, as in the scheduler."""
    exprs, fields = term.get("matchExpressions") or [], term.get("matchFields") or []
    if not exprs and not fields:
        return False
    labels = labels_of(node)
    field_values = {"metadata.name": name_of(node)}
    return all(requirement_matches(e, labels) for e in exprs) and all(
        requirement_matches(f, field_values) for f in fields
    )


def required_node_terms(pod_spec: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The required nodeSelectorTerms of a pod spec (ORed); [] when it has no required node affinity."""
    node_affinity = (pod_spec.get("affinity") or {}).get("nodeAffinity") or {}
    required = node_affinity.get("requiredDuringSchedulingIgnoredDuringExecution") or {}
    return list(required.get("nodeSelectorTerms") or [])


def node_selection_admits(pod_spec: Mapping[str, Any], node: Mapping[str, Any]) -> bool:
    """Do the pod spec's hard node rules allow ``node``? nodeName, nodeSelector (every pair) and the
    required node affinity (any term); preferences never exclude a node. Taints are not looked at."""
    if pod_spec.get("nodeName") and pod_spec["nodeName"] != name_of(node):
        return False
    labels = labels_of(node)
    if any(labels.get(k) != str(v) for k, v in (pod_spec.get("nodeSelector") or {}).items()):
        return False
    terms = required_node_terms(pod_spec)
    return not terms or any(node_term_matches(t, node) for t in terms)


def admitted_nodes(
    pod_spec: Mapping[str, Any], nodes: Iterable[Mapping[str, Any]], *, taints: bool = True
) -> list[str]:
    """Names of the nodes the scheduler may place this pod on: its hard node rules admit the node and
    (``taints=True``) it tolerates the node's NoSchedule/NoExecute taints (nodeName skips taints).
    "Only on node X" holds when this is ``[X]``, whatever the scheduler happened to pick."""
    tolerations = pod_spec.get("tolerations") or []
    return sorted(
        name_of(n)
        for n in nodes
        if node_selection_admits(pod_spec, n)
        and (not taints or pod_spec.get("nodeName") or not untolerated_taints(tolerations, taints_of(n)))
    )


def term_admits(term: Mapping[str, Any], nodes: Iterable[Mapping[str, Any]]) -> list[str]:
    """Names of the nodes one nodeSelectorTerm admits."""
    return sorted(name_of(n) for n in nodes if node_term_matches(term, n))


def demands_node_label(
    pod_spec: Mapping[str, Any],
    key: str,
    value: str | None = None,
    *,
    selector: bool = True,
    affinity: bool = True,
) -> bool:
    """True when the pod may only land on nodes labelled ``key=value`` (or with ``key``), whatever
    other labels a node has: nodeSelector says so, or every required term (they are ORed) demands it.
    ``selector``/``affinity`` restrict which of the two ways count."""
    wanted = (
        {"key": key, "operator": "In", "values": [value]}
        if value is not None
        else {"key": key, "operator": "Exists"}
    )
    node_selector = pod_spec.get("nodeSelector") or {}
    if selector and key in node_selector and (value is None or node_selector[key] == value):
        return True
    terms = required_node_terms(pod_spec) if affinity else []
    return bool(terms) and all(
        any(_implies(e, wanted) for e in t.get("matchExpressions") or []) for t in terms
    )


def _implies(expr: Mapping[str, Any], wanted: Mapping[str, Any]) -> bool:
    """Every label map ``expr`` matches is one ``wanted`` matches (for In/Exists on the same key)."""
    if (
        expr.get("key") != wanted.get("key")
        or expr.get("operator") != "In"
        and expr.get("operator") != "Exists"
    ):
        return False
    values = [str(v) for v in expr.get("values") or []]
    if wanted["operator"] == "Exists":
        return expr.get("operator") == "Exists" or bool(values)
    return expr.get("operator") == "In" and bool(values) and set(values) <= set(wanted["values"])


def node_rules_text(pod_spec: Mapping[str, Any], language: str = "en") -> str:
    """The pod's hard node rules in words, for messages (``language="zh"`` inside a ``zh=`` message)."""
    zh = language.startswith("zh")
    parts = [f"nodeName {pod_spec['nodeName']}"] if pod_spec.get("nodeName") else []
    parts += [f"nodeSelector {k}={v}" for k, v in (pod_spec.get("nodeSelector") or {}).items()]
    for term in required_node_terms(pod_spec):
        exprs = [
            f"{e.get('key')} {e.get('operator')} {e.get('values') or ''}".strip()
            for e in (term.get("matchExpressions") or []) + (term.get("matchFields") or [])
        ]
        if zh:
            parts.append("必需的节点亲和性（" + " 且 ".join(exprs) + "）")
        else:
            parts.append("required node affinity (" + " and ".join(exprs) + ")")
    if zh:
        return "、".join(parts) or "没有 nodeSelector，也没有必需的节点亲和性"
    return ", ".join(parts) or "no nodeSelector and no required node affinity"


def taints_of(node: Mapping[str, Any]) -> list[dict[str, Any]]:
    """``spec.taints`` of a node (never None)."""
    return list((node.get("spec") or {}).get("taints") or [])


def tolerates(toleration: Mapping[str, Any], taint: Mapping[str, Any]) -> bool:
    """The scheduler's rule: does this toleration cover this taint?

    Same effect or none; operator Exists matches any value (and, without a key, any key); operator
    Equal (the default) needs the same key and value.
    """
    effect = toleration.get("effect") or ""
    if effect and effect != taint.get("effect"):
        return False
    key = toleration.get("key") or ""
    if (toleration.get("operator") or "Equal") == "Exists":
        return not key or key == taint.get("key")
    return key == taint.get("key") and (toleration.get("value") or "") == (taint.get("value") or "")


def untolerated_taints(
    tolerations: Iterable[Mapping[str, Any]], taints: Iterable[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The NoSchedule/NoExecute taints none of ``tolerations`` covers (PreferNoSchedule never blocks)."""
    tols = list(tolerations)
    return [
        dict(t)
        for t in taints
        if t.get("effect") in ("NoSchedule", "NoExecute") and not any(tolerates(x, t) for x in tols)
    ]


def tolerates_every_taint(tolerations: Iterable[Mapping[str, Any]]) -> bool:
    """True when the tolerations cover any taint a node could carry ("whatever taints the nodes have"):
    an Exists toleration without a key, for every blocking effect (one without an effect covers both)."""
    probe = "k8s-tutor.io/any-taint-key"
    tols = list(tolerations)
    return all(
        any(tolerates(t, {"key": probe, "value": "x", "effect": effect}) for t in tols)
        for effect in ("NoSchedule", "NoExecute")
    )


def taint_text(taint: Mapping[str, Any]) -> str:
    """``dedicated=batch:NoSchedule`` (``key:Effect`` without a value)."""
    value = f"={taint['value']}" if taint.get("value") else ""
    return f"{taint.get('key')}{value}:{taint.get('effect')}"


def toleration_text(toleration: Mapping[str, Any]) -> str:
    """``dedicated Equal batch, effect NoSchedule`` / ``(any key) Exists, effect (any)``."""
    op = toleration.get("operator") or "Equal"
    value = f" {toleration.get('value')}" if op == "Equal" and toleration.get("value") else ""
    return f"{toleration.get('key') or '(any key)'} {op}{value}, effect {toleration.get('effect') or '(any)'}"


# -- pod affinity ----------------------------------------------------------------------------------


def affinity_term_namespaces(
    term: Mapping[str, Any], pod_namespace: str, namespaces: Iterable[Mapping[str, Any]]
) -> set[str]:
    """The namespaces a PodAffinityTerm looks for pods in.

    The union of ``namespaces`` and the Namespace objects ``namespaceSelector`` selects (``{}``
    selects all); with neither, the pod's own namespace — the rule the scheduler applies.
    """
    listed = {str(n) for n in term.get("namespaces") or []}
    selector = term.get("namespaceSelector")
    if selector is not None:
        listed |= {name_of(ns) for ns in namespaces if selector_matches(selector, labels_of(ns))}
    elif not listed:
        listed = {pod_namespace}
    return listed


def affinity_term_selects(
    term: Mapping[str, Any],
    pod_namespace: str,
    pod: Mapping[str, Any],
    namespaces: Iterable[Mapping[str, Any]],
) -> bool:
    """Does a PodAffinityTerm count ``pod`` (its labelSelector and its namespace scope)?"""
    where = (pod.get("metadata") or {}).get("namespace") or pod_namespace
    return where in affinity_term_namespaces(term, pod_namespace, namespaces) and selector_matches(
        term.get("labelSelector"), labels_of(pod)
    )


# -- Secrets, ports, containers --------------------------------------------------------------------


def secret_value(secret: Mapping[str, Any], key: str) -> str | None:
    """The decoded text of one Secret key (``data`` is base64; ``stringData`` of an unsaved manifest
    is plain); None when the key is absent. Bytes that are not UTF-8 are replaced, never raised."""
    if key in (secret.get("stringData") or {}):
        return str(secret["stringData"][key])
    raw = (secret.get("data") or {}).get(key)
    if raw is None:
        return None
    try:
        return base64.b64decode(raw, validate=True).decode("utf-8", errors="replace")
    except (binascii.Error, ValueError):
        return str(raw)


def secret_values(secret: Mapping[str, Any]) -> dict[str, str]:
    """Every key of a Secret, decoded (see :func:`secret_value`)."""
    keys = list(secret.get("data") or {}) + list(secret.get("stringData") or {})
    return {k: secret_value(secret, k) or "" for k in keys}


def named_port(containers: Iterable[Mapping[str, Any]], port: Any) -> int | None:
    """A port as a number: a number stays; a name is looked up in the containers' ``ports`` (the way
    a Service targetPort or a probe port is resolved). None when no container declares that name."""
    if isinstance(port, int) or (isinstance(port, str) and port.isdigit()):
        return int(port)
    for c in containers:
        for p in c.get("ports") or []:
            if p.get("name") == port:
                return int(p["containerPort"])
    return None


POD_SPEC_PATHS = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}


def pod_spec_of(obj: Mapping[str, Any]) -> dict[str, Any]:
    """The PodSpec of a Pod or workload; a mapping without a kind is taken to be a PodSpec already."""
    if "kind" not in obj and "containers" in obj:
        return dict(obj)
    path = POD_SPEC_PATHS.get(str(obj.get("kind")))
    if path is None:
        raise CheckFailed(f"{obj.get('kind', 'the object')} {name_of(obj)} has no pod template")
    current: Any = obj
    for step in path:
        current = (current or {}).get(step)
    return dict(current or {})


def only_container(obj: Mapping[str, Any]) -> dict[str, Any]:
    """The one app container of a Pod, workload or PodSpec, whatever its name.

    For tasks that do not name the container (``kubectl run web --image=nginx`` calls it ``web``,
    a hand-written manifest maybe ``nginx``). CheckFailed when there is none or more than one.
    """
    containers = pod_spec_of(obj).get("containers") or []
    if len(containers) != 1:
        names = ", ".join(str(c.get("name")) for c in containers) or "none"
        what = f"{obj.get('kind', 'the pod spec')} {name_of(obj)}"
        raise CheckFailed(f"{what} should have exactly one container; it has {names}")
    return dict(containers[0])


def container_path(obj: Mapping[str, Any], name: str) -> str:
    """The field path of container ``name`` in ``obj`` (``spec.template.spec.containers[name=web]``),
    for :meth:`CheckContext.expect_field`'s ``at=``."""
    base = ".".join(POD_SPEC_PATHS.get(str(obj.get("kind")), ("spec",)))
    spec = pod_spec_of(obj)
    field = (
        "initContainers"
        if any(c.get("name") == name for c in spec.get("initContainers") or [])
        else "containers"
    )
    return f"{base}.{field}[name={name}]"
