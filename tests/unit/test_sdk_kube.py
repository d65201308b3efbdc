"""Kubernetes-semantics helpers of tutor.sdk (selectors, node rules, taints, affinity scope, secrets...).

The cluster twins of the selector and node-affinity tables are in tests/cluster/test_sdk_truth.py,
where the API server and the scheduler give the verdict.
"""

from __future__ import annotations

import base64

import pytest

from tutor.grading.context import CheckContext
from tutor.sdk import (
    CheckFailed,
    admitted_nodes,
    affinity_term_namespaces,
    api_version_of,
    container_path,
    demands_node_label,
    named_port,
    only_container,
    requirement_matches,
    secret_value,
    selector_matches,
    selector_text,
    term_admits,
    tolerates,
    tolerates_every_taint,
    untolerated_taints,
)

LABELS = {"app": "web", "tier": "front", "gen": "3"}


@pytest.mark.parametrize(
    "selector, selected",
    [
        ({"matchLabels": {"app": "web"}}, True),
        ({"matchLabels": {"app": "web", "tier": "back"}}, False),
        ({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["front", "x"]}]}, True),
        ({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["front"]}]}, False),
        ({"matchExpressions": [{"key": "legacy", "operator": "NotIn", "values": ["x"]}]}, True),
        ({"matchExpressions": [{"key": "legacy", "operator": "DoesNotExist"}]}, True),
        ({"matchExpressions": [{"key": "app", "operator": "Exists"}]}, True),
        (
            {"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "app", "operator": "DoesNotExist"}]},
            False,
        ),
        ({}, True),  # the empty selector selects everything
        (None, False),  # the null selector selects nothing
    ],
)
def test_selector_matches(selector, selected):
    assert selector_matches(selector, LABELS) is selected


def test_selector_text_is_the_api_string_form():
    sel = {
        "matchLabels": {"app": "web"},
        "matchExpressions": [
            {"key": "tier", "operator": "In", "values": ["b", "a"]},
            {"key": "legacy", "operator": "DoesNotExist"},
            {"key": "gen", "operator": "Exists"},
        ],
    }
    assert selector_text(sel) == "app=web,tier in (a,b),!legacy,gen"


@pytest.mark.parametrize(
    "op, values, matched",
    [("Gt", ["2"], True), ("Gt", ["3"], False), ("Lt", ["4"], True), ("Lt", ["x"], False)],
)
def test_gt_lt_requirements(op, values, matched):
    assert requirement_matches({"key": "gen", "operator": op, "values": values}, LABELS) is matched
    assert not requirement_matches({"key": "absent", "operator": op, "values": values}, LABELS)


def _node(name, labels, taints=()):
    return {"kind": "Node", "metadata": {"name": name, "labels": labels}, "spec": {"taints": list(taints)}}


CP_TAINT = {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}
NODES = [
    _node("cp", {"node-role.kubernetes.io/control-plane": ""}, [CP_TAINT]),
    _node("w1", {"disktype": "ssd", "cores": "8"}),
    _node(
        "w2",
        {"disktype": "hdd", "cores": "2"},
        [{"key": "dedicated", "value": "batch", "effect": "NoSchedule"}],
    ),
]


def _required(*exprs):
    return {
        "affinity": {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [{"matchExpressions": list(exprs)}]
                }
            }
        }
    }


def test_admitted_nodes():
    assert admitted_nodes({}, NODES) == ["w1"]
    tolerate_batch = [{"key": "dedicated", "operator": "Equal", "value": "batch"}]
    assert admitted_nodes({"tolerations": tolerate_batch}, NODES) == ["w1", "w2"]
    only_w2 = {"nodeSelector": {"disktype": "hdd"}, "tolerations": tolerate_batch}
    assert admitted_nodes(only_w2, NODES) == ["w2"]
    preferred = {
        "tolerations": tolerate_batch,
        "affinity": {
            "nodeAffinity": {
                "preferredDuringSchedulingIgnoredDuringExecution": [
                    {
                        "weight": 1,
                        "preference": {
                            "matchExpressions": [{"key": "disktype", "operator": "In", "values": ["hdd"]}]
                        },
                    }
                ]
            }
        },
    }
    assert admitted_nodes(preferred, NODES) == ["w1", "w2"]  # a preference excludes nothing
    big = _required({"key": "cores", "operator": "Gt", "values": ["4"]})
    assert admitted_nodes(big, NODES) == ["w1"]
    assert admitted_nodes({"nodeName": "cp"}, NODES) == ["cp"]  # nodeName skips the taint check


def test_term_admits_and_demands():
    term = {"matchExpressions": [{"key": "disktype", "operator": "In", "values": ["ssd", "hdd"]}]}
    assert term_admits(term, NODES) == ["w1", "w2"]
    assert term_admits(
        {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["w2"]}]}, NODES
    ) == ["w2"]
    assert term_admits({}, NODES) == []
    assert demands_node_label({"nodeSelector": {"disktype": "ssd"}}, "disktype", "ssd")
    assert demands_node_label(
        _required({"key": "disktype", "operator": "In", "values": ["ssd"]}), "disktype", "ssd"
    )
    assert not demands_node_label(
        _required({"key": "disktype", "operator": "In", "values": ["ssd", "hdd"]}), "disktype", "ssd"
    )
    assert not demands_node_label(
        _required({"key": "disktype", "operator": "NotIn", "values": ["hdd"]}), "disktype", "ssd"
    )


@pytest.mark.parametrize(
    "toleration, tolerated",
    [
        ({"key": "dedicated", "operator": "Equal", "value": "batch", "effect": "NoSchedule"}, True),
        ({"key": "dedicated", "value": "batch"}, True),  # Equal is the default, no effect = any effect
        ({"key": "dedicated", "operator": "Exists"}, True),
        ({"operator": "Exists"}, True),
        ({"key": "dedicated", "value": "other"}, False),
        ({"key": "dedicated", "value": "batch", "effect": "NoExecute"}, False),
        ({"key": "other", "operator": "Exists"}, False),
    ],
)
def test_tolerates(toleration, tolerated):
    assert tolerates(toleration, {"key": "dedicated", "value": "batch", "effect": "NoSchedule"}) is tolerated


def test_tolerates_every_taint():
    assert tolerates_every_taint([{"operator": "Exists"}])
    assert tolerates_every_taint(
        [{"operator": "Exists", "effect": "NoSchedule"}, {"operator": "Exists", "effect": "NoExecute"}]
    )
    assert not tolerates_every_taint([{"operator": "Exists", "effect": "NoSchedule"}])
    assert not tolerates_every_taint([{"key": CP_TAINT["key"], "operator": "Exists"}])
    assert untolerated_taints([{"key": CP_TAINT["key"], "operator": "Exists"}], [CP_TAINT]) == []


def test_affinity_term_namespaces():
    namespaces = [
        {"metadata": {"name": n, "labels": {"team": t}}} for n, t in (("a", "x"), ("b", "y"), ("c", "x"))
    ]
    assert affinity_term_namespaces({}, "mine", namespaces) == {"mine"}
    assert affinity_term_namespaces({"namespaces": ["b"]}, "mine", namespaces) == {"b"}
    assert affinity_term_namespaces(
        {"namespaceSelector": {"matchLabels": {"team": "x"}}}, "mine", namespaces
    ) == {"a", "c"}
    assert affinity_term_namespaces(
        {"namespaces": ["b"], "namespaceSelector": {"matchLabels": {"team": "x"}}}, "mine", namespaces
    ) == {"a", "b", "c"}
    assert affinity_term_namespaces({"namespaceSelector": {}}, "mine", namespaces) == {"a", "b", "c"}


def test_secret_value():
    secret = {"data": {"password": base64.b64encode(b"s3cret").decode()}}
    assert secret_value(secret, "password") == "s3cret"
    assert secret_value(secret, "user") is None
    assert secret_value({"stringData": {"user": "admin"}}, "user") == "admin"


def test_named_port_and_containers():
    pod = {
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "app", "ports": [{"name": "http", "containerPort": 8080}]}]},
    }
    containers = pod["spec"]["containers"]
    assert named_port(containers, "http") == 8080
    assert named_port(containers, 80) == 80 and named_port(containers, "metrics") is None
    assert only_container(pod)["name"] == "app"
    two = {"kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "a"}, {"name": "b"}]}}
    with pytest.raises(CheckFailed, match="exactly one container; it has a, b"):
        only_container(two)
    deploy = {"kind": "Deployment", "spec": {"template": {"spec": {"containers": [{"name": "web"}]}}}}
    assert container_path(deploy, "web") == "spec.template.spec.containers[name=web]"


def test_api_version_of_common_kinds():
    assert api_version_of("Deployment") == "apps/v1"
    assert api_version_of("HorizontalPodAutoscaler") == "autoscaling/v2"
    with pytest.raises(ValueError, match="no default apiVersion for kind 'Widget'"):
        api_version_of("Widget")


class _Cache:
    """The smallest RoundCache stand-in: fixed lists per (apiVersion, kind)."""

    def __init__(self, objects):
        self.objects = objects

    def namespaced(self, api_version, kind):
        return kind != "Node"

    def list(self, api_version, kind, namespace):
        return [o for o in self.objects if (o["apiVersion"], o["kind"]) == (api_version, kind)]


def test_context_kind_shorthand_and_relative_expect_field():
    dep = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "x"},
        "spec": {
            "template": {"spec": {"containers": [{"name": "web", "image": "docker.io/library/nginx:1.25"}]}}
        },
    }
    ctx = CheckContext(_Cache([dep]), namespace="x")
    assert ctx.get("Deployment", "web") is dep
    assert ctx.find("Deployment", "nope") is None
    assert ctx.list("Deployment") == [dep]
    where = container_path(dep, "web")
    ctx.expect_field(dep, "image", "nginx:1.25", at=where)  # same image, other spelling
    with pytest.raises(CheckFailed) as failed:
        ctx.expect_field(dep, "image", "nginx:1.24", at=where)
    assert str(failed.value) == (
        "Deployment web in namespace x: .spec.template.spec.containers[name=web].image is "
        "'docker.io/library/nginx:1.25', expected 'nginx:1.24'"
    )
    with pytest.raises(CheckFailed) as failed:
        ctx.expect_field(ctx.only_container(dep), "resources.limits", None)
    assert str(failed.value) == ".resources is missing, expected null"
