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
