"""The three-node, kind-shaped cluster both drivers give (docs/design.md "Cluster topology").

kind builds these nodes from ``kind/cluster.yaml``; the sim driver creates them as Node objects that
kwok then keeps Ready. A unit test checks the two agree. Node names stay ``k8s-tutor-*`` whatever
the sim cluster's ``--name`` is, because lessons and their checks name nodes.
"""

from __future__ import annotations

from typing import Any

from tutor.cluster.paths import K8S_VERSION
from tutor.cluster.reader import KWOK_NODE_ANNOTATION, SIM_RULES_ANNOTATION
from tutor.cluster.sim_metrics import PATH_ANNOTATION, node_path
from tutor.cluster.sim_rules import SIMULATES

CONTROL_PLANE_TAINT = {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}

NODES: dict[str, dict[str, str]] = {
    "k8s-tutor-control-plane": {"node-role.kubernetes.io/control-plane": "", "ingress-ready": "true"},
    "k8s-tutor-worker": {"disktype": "ssd", "topology.kubernetes.io/zone": "zone-a"},
    "k8s-tutor-worker2": {"disktype": "hdd", "topology.kubernetes.io/zone": "zone-b"},
}
"""Node name -> the lesson-visible labels (besides the kubernetes.io/{hostname,os,arch} basics)."""

CAPACITY = {"cpu": "4", "memory": "8Gi", "pods": "110", "ephemeral-storage": "100Gi"}
"""What each simulated node reports: a laptop-sized kind node, so requests/limits lessons make sense."""


def taints_of(name: str) -> list[dict[str, str]]:
    """The taints a topology node has (only the control plane is tainted)."""
    return [dict(CONTROL_PLANE_TAINT)] if name.endswith("-control-plane") else []


def sim_node(name: str) -> dict[str, Any]:
    """The Node object (without status) the sim driver creates for ``name``."""
    labels = {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        **NODES[name],
    }
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "labels": labels,
            "annotations": {
                KWOK_NODE_ANNOTATION: "fake",
                "node.alpha.kubernetes.io/ttl": "0",
                SIM_RULES_ANNOTATION: ",".join(SIMULATES),
                # metrics-server reads this node's kubelet metrics here (all kwok "kubelets" share one port).
                PATH_ANNOTATION: node_path(name),
            },
        },
        "spec": {"taints": taints_of(name)},
    }


def sim_node_status(name: str) -> dict[str, Any]:
    """The status written before kwok starts; kwok's node-initialize stage keeps these values.

    The InternalIP is loopback: anything that dials a "kubelet" stays on this machine.
    """
    version = K8S_VERSION
    return {
        "capacity": dict(CAPACITY),
        "allocatable": dict(CAPACITY),
        "addresses": [{"type": "InternalIP", "address": "127.0.0.1"}, {"type": "Hostname", "address": name}],
        "nodeInfo": {
            "architecture": "amd64",
            "operatingSystem": "linux",
            "kubeletVersion": version,
            "kubeProxyVersion": version,
            "containerRuntimeVersion": "kwok://simulated",
            "osImage": "k8s-tutor sim (kwok)",
            "kernelVersion": "",
            "machineID": "",
            "systemUUID": "",
            "bootID": "",
        },
    }
