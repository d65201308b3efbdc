"""The SDK's Kubernetes helpers against the real thing: the API server's label-selector list, and the
scheduler's placement on the sim cluster's kwok nodes. If a helper and the cluster disagree, a
checker built on the helper would grade a correct answer wrong (or a wrong one right)."""

from __future__ import annotations

import secrets
import time

import pytest
import yaml

from tutor.sdk import admitted_nodes, affinity_term_selects, selector_matches, selector_text

pytestmark = pytest.mark.cluster

PAUSE = "registry.k8s.io/pause:3.10"
POD_LABELS = {
    "a": {"app": "web", "tier": "front"},
    "b": {"app": "web", "tier": "back"},
    "c": {"app": "db", "tier": "back", "legacy": "yes"},
    "d": {"app": "web"},
    "e": {},
}
SELECTORS = [
    {"matchLabels": {"app": "web"}},
    {"matchLabels": {"app": "web", "tier": "back"}},
    {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["front", "back"]}]},
    {"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["front"]}]},
    {"matchExpressions": [{"key": "legacy", "operator": "DoesNotExist"}]},
    {
        "matchExpressions": [
            {"key": "tier", "operator": "Exists"},
            {"key": "app", "operator": "NotIn", "values": ["db"]},
        ]
    },
    {"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]},
    {},
]


def _pod(name: str, labels: dict, spec: dict | None = None) -> str:
    body = {"containers": [{"name": "c", "image": PAUSE}], **(spec or {})}
    return yaml.safe_dump(
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": labels}, "spec": body}
    )


def test_label_selector_agrees_with_the_api_server(cluster, namespace):
    writer = cluster.writer()
    for name, labels in POD_LABELS.items():
        writer.apply(_pod(name, labels), namespace)
    for selector in SELECTORS:
        served = {
            p["metadata"]["name"]
            for p in cluster.read.list("v1", "Pod", namespace, label_selector=selector_text(selector))
        }
        ours = {n for n, labels in POD_LABELS.items() if selector_matches(selector, labels)}
        assert ours == served, f"selector {selector} ({selector_text(selector)!r})"


def _required(*exprs: dict, fields: tuple = ()) -> dict:
    term: dict = {"matchExpressions": list(exprs)} if exprs else {}
    if fields:
        term["matchFields"] = list(fields)
    return {
        "affinity": {
            "nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [term]}}
        }
    }


CP = "node-role.kubernetes.io/control-plane"
PLACEMENTS = {
    "plain": {},
    "ssd": {"nodeSelector": {"disktype": "ssd"}},
    "not-hdd": _required({"key": "disktype", "operator": "NotIn", "values": ["hdd"]}),
    "zone-b": _required({"key": "topology.kubernetes.io/zone", "operator": "In", "values": ["zone-b"]}),
    "cp-no-toleration": _required({"key": CP, "operator": "Exists"}),
    "cp-tolerated": {
        **_required({"key": CP, "operator": "Exists"}),
        "tolerations": [{"key": CP, "operator": "Exists", "effect": "NoSchedule"}],
    },
    "by-name": _required(
        fields=({"key": "metadata.name", "operator": "In", "values": ["k8s-tutor-worker2"]},)
    ),
    "gt-not-a-number": _required({"key": "kubernetes.io/hostname", "operator": "Gt", "values": ["1"]}),
    "preferred-only": {
        "affinity": {
            "nodeAffinity": {
                "preferredDuringSchedulingIgnoredDuringExecution": [
                    {
                        "weight": 100,
                        "preference": {
                            "matchExpressions": [{"key": "disktype", "operator": "In", "values": ["hdd"]}]
                        },
                    }
                ]
            }
        }
    },
}


def _placed(cluster, namespace: str, name: str, timeout: float = 30) -> str | None:
    """The pod's node, or None once the scheduler reports it Unschedulable."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pod = cluster.read.get("v1", "Pod", name, namespace) or {}
        if (pod.get("spec") or {}).get("nodeName"):
            return pod["spec"]["nodeName"]
        for cond in (pod.get("status") or {}).get("conditions") or []:
            if cond.get("type") == "PodScheduled" and cond.get("reason") == "Unschedulable":
                return None
        time.sleep(0.2)
    pytest.fail(f"pod {name} was neither scheduled nor reported Unschedulable in {timeout}s")


def test_admitted_nodes_agree_with_the_scheduler(cluster, namespace):
    writer = cluster.writer()
    nodes = cluster.read.list("v1", "Node")
    for name, spec in PLACEMENTS.items():
        writer.apply(_pod(name, {"t": name}, spec), namespace)
    for name, spec in PLACEMENTS.items():
        admitted = admitted_nodes(spec, nodes)
        node = _placed(cluster, namespace, name)
        if not admitted:
            assert node is None, f"{name}: the helper admits no node, the scheduler chose {node}"
        else:
            assert node in admitted, f"{name}: scheduled on {node}, the helper admits only {admitted}"
    assert admitted_nodes(PLACEMENTS["by-name"], nodes) == ["k8s-tutor-worker2"]
    assert len(admitted_nodes(PLACEMENTS["preferred-only"], nodes)) == 2  # "only on" needs a hard rule


def test_pod_affinity_namespace_scope_agrees_with_the_scheduler(cluster, namespace):
    writer = cluster.writer()
    other = f"t-affinity-scope-{secrets.token_hex(3)}"
    writer.ensure_namespace(other, {"k8s-tutor.dev/test": "true", "scope": other})
    try:
        writer.apply(_pod("target", {"role": "cache"}, {"nodeName": "k8s-tutor-worker2"}), other)
        terms = {
            "own-namespace": {
                "labelSelector": {"matchLabels": {"role": "cache"}},
                "topologyKey": "kubernetes.io/hostname",
            },
            "listed": {
                "labelSelector": {"matchLabels": {"role": "cache"}},
                "topologyKey": "kubernetes.io/hostname",
                "namespaces": [other],
            },
            "by-selector": {
                "labelSelector": {"matchLabels": {"role": "cache"}},
                "topologyKey": "kubernetes.io/hostname",
                "namespaceSelector": {"matchLabels": {"scope": other}},
            },
        }
        for name, term in terms.items():
            spec = {"affinity": {"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term]}}}
            writer.apply(_pod(name, {}, spec), namespace)
        target = cluster.read.get("v1", "Pod", "target", other)
        namespaces = cluster.read.list("v1", "Namespace")
        for name, term in terms.items():
            counts = affinity_term_selects(term, namespace, target, namespaces)
            node = _placed(cluster, namespace, name)
            assert (node == "k8s-tutor-worker2") is counts and (node is None) is not counts, (
                name,
                node,
                counts,
            )
    finally:
        writer.delete_namespace(other, wait=False)
