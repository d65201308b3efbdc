"""The sim usage rule and kubelet metrics as data (end to end: tests/cluster/test_sim_metrics.py)."""

from __future__ import annotations

import re

import pytest

from tutor.cluster import sim_metrics


@pytest.mark.parametrize(
    "arg",
    [
        "while true; do :; done",
        "while :; do :; done",
        "yes > /dev/null",
        "md5sum /dev/zero",
        "x; stress --cpu 2",
    ],
)
def test_a_spinning_command_is_busy(arg):
    assert re.search(sim_metrics.BUSY_RE, arg)


@pytest.mark.parametrize("arg", ["sleep 3600", "while true; do sleep 5; done", "nginx -g daemon off;", "yes"])
def test_a_sleeping_or_serving_command_is_idle(arg):
    assert not re.search(sim_metrics.BUSY_RE, arg)


def test_the_usage_rule_reads_the_annotation_first_then_the_command_then_idles():
    cpu = sim_metrics.usage_rule()["spec"]["usages"][0]["usage"]["cpu"]["expression"]
    assert cpu.index(sim_metrics.CPU_ANNOTATION) < cpu.index("matches") < cpu.index(sim_metrics.IDLE_CPU)
    assert 'container.resources.limits["cpu"]' in cpu


def test_every_kubelet_metric_metrics_server_decodes_is_served():
    names = {m["name"] for m in sim_metrics.resource_metric()["spec"]["metrics"]}
    assert {
        "node_cpu_usage_seconds_total",
        "node_memory_working_set_bytes",
        "container_cpu_usage_seconds_total",
        "container_memory_working_set_bytes",
        "container_start_time_seconds",
    } <= names
    assert sim_metrics.resource_metric()["spec"]["path"] == sim_metrics.node_path("{nodeName}")


def test_metrics_server_is_registered_through_a_loopback_external_name():
    service, api = sim_metrics.registration(4443)
    assert service["spec"] == {"type": "ExternalName", "externalName": "localhost", "ports": [{"port": 4443}]}
    assert api["metadata"]["name"] == "v1beta1.metrics.k8s.io" and api["spec"]["service"]["port"] == 4443


def _pod(name, command, ns="shop", phase="Running", limit="500m", annotations=None):
    resources = {"limits": {"cpu": limit}} if limit else {}
    return {
        "metadata": {"name": name, "namespace": ns, "annotations": annotations or {}},
        "spec": {"containers": [{"name": "c", "command": ["sh", "-c", command], "resources": resources}]},
        "status": {"phase": phase},
    }


def _slice(service, pods, ns="shop", ready=True):
    return {
        "metadata": {"namespace": ns, "labels": {"kubernetes.io/service-name": service}},
        "endpoints": [
            {"targetRef": {"kind": "Pod", "name": p}, "conditions": {"ready": ready}} for p in pods
        ],
    }


@pytest.mark.parametrize(
    ("command", "target"),
    [
        ("while true; do wget -q -O- http://php; done", ("shop", "php")),
        ("while :; do curl -s http://php.other:8080/x; done", ("other", "php")),
        ("for i in $(seq 1 100000); do wget -qO- http://php.shop.svc.cluster.local; done", ("shop", "php")),
        ("while true; do wget -q -O- http://php; sleep 5; done", None),  # a sleeping client is no load
        ("wget -q -O- http://php", None),  # one request, no loop
        ("while true; do wget -q -O- http://10.96.0.12; done", None),  # an IP: the sim never dials those
    ],
)
def test_a_client_is_a_loop_that_fetches_a_service_without_sleeping(command, target):
    from tutor.cluster.sim_traffic import client_target

    assert client_target(_pod("load", command)) == target


def test_clients_share_their_work_among_ready_endpoints_capped_at_the_limit():
    from tutor.cluster.sim_traffic import plan

    pods = [
        _pod("load-1", "while true; do wget -q -O- http://php; done"),
        _pod("load-2", "while true; do wget -q -O- http://php; done"),
        _pod(
            "load-3", "while true; do wget -q -O- http://php; done", phase="Pending"
        ),  # not running: no load
        _pod("php-a", "php-fpm", limit="800m"),
        _pod("php-b", "php-fpm", limit="300m"),
        _pod("php-c", "php-fpm"),  # not ready
    ]
    loads = plan(pods, [_slice("php", ["php-a", "php-b"]), _slice("php", ["php-c"], ready=False)])
    assert {k: v.millicores for k, v in loads.items()} == {("shop", "php-a"): 500, ("shop", "php-b"): 300}
    assert "2 client(s) of Service php shared by 2 ready pod(s)" == loads[("shop", "php-a")].reason


def test_only_annotations_the_rule_wrote_are_removed_when_the_load_stops():
    from tutor.cluster.sim_metrics import CPU_ANNOTATION
    from tutor.cluster.sim_traffic import LOAD_ANNOTATION, _patches

    ours = _pod("php-a", "x", annotations={CPU_ANNOTATION: "500m", LOAD_ANNOTATION: "2 client(s)"})
    theirs = _pod("busy", "x", annotations={CPU_ANNOTATION: "150m"})
    assert _patches([ours, theirs], {}) == [("shop", "php-a", {CPU_ANNOTATION: None, LOAD_ANNOTATION: None})]
