"""Resource metrics on the sim cluster: what kwok's simulated kubelets report, and who scrapes it.

A real kubelet serves ``/metrics/resource`` (container, pod and node CPU seconds and memory working
set); metrics-server scrapes every node's kubelet and serves ``metrics.k8s.io``, which ``kubectl top``
and the HorizontalPodAutoscaler read. On the sim cluster the same chain runs with the same programs:

- kwok serves each node's ``/metrics/resource`` from a :func:`resource_metric` (kwok's ``Metric``
  resource) at ``/metrics/nodes/<node>/metrics/resource`` on its one port; each Node carries the
  ``metrics.k8s.io/resource-metrics-path`` annotation (:data:`PATH_ANNOTATION`) that tells
  metrics-server that path, since all simulated kubelets share 127.0.0.1;
- the usage numbers come from :func:`usage_rule` (kwok's ``ClusterResourceUsage``, CEL expressions),
  the documented rule below;
- metrics-server (pinned, built from the Go module proxy by ``kind/sim/build.sh``) runs next to the
  control plane and is registered as the ``v1beta1.metrics.k8s.io`` APIService through an ExternalName
  Service that points at ``localhost``.

The usage rule (docs/clusters.md, "What the sim simulates"), per container:

- CPU: the pod annotation ``kwok.x-k8s.io/usage-cpu`` (kwok's own convention) if set; else a command
  that spins (:data:`BUSY_RE`: ``while true; do :; done``, ``yes > /dev/null``, ``stress --cpu N``,
  ``md5sum /dev/zero``) uses its CPU limit, or one core without a limit — what it would use on a real
  node; else an idle ``1m``.
- memory: the pod annotation ``kwok.x-k8s.io/usage-memory`` if set; else ``5Mi``.
- a node: the sum of its pods plus a system share of 50m CPU and 512Mi memory.
"""

from __future__ import annotations

from typing import Any

PATH_ANNOTATION = "metrics.k8s.io/resource-metrics-path"
CPU_ANNOTATION = "kwok.x-k8s.io/usage-cpu"
MEMORY_ANNOTATION = "kwok.x-k8s.io/usage-memory"
#: An argument that keeps one CPU busy (RE2, matched against each command and args item), or ``stress --cpu``.
BUSY_RE = r"while (true|:); do :; done|yes *> */dev/null|(md5|sha1|sha256)sum /dev/zero|stress .*--cpu"
IDLE_CPU = "1m"
IDLE_MEMORY = "5Mi"
#: What a node uses besides its pods (kubelet, runtime, system): metrics-server drops a node reporting 0.
SYSTEM_CPU_CORES = 0.05
SYSTEM_MEMORY_BYTES = 512 * 1024 * 1024
#: How often metrics-server scrapes (its minimum); the HPA sees a change within about two periods.
RESOLUTION_SECONDS = 10


def node_path(node: str) -> str:
    """Where kwok serves ``node``'s kubelet resource metrics (the value of :data:`PATH_ANNOTATION`)."""
    return f"/metrics/nodes/{node}/metrics/resource"


def _cel_str(text: str) -> str:
    """A CEL string literal (raw, single-quoted: the regex's backslashes stay as written)."""
    assert "'" not in text
    return f"r'{text}'"


def _annotated_or(annotation: str, fallback: str) -> str:
    return (
        f'"{annotation}" in pod.metadata.annotations'
        f' ? Quantity(pod.metadata.annotations["{annotation}"]) : {fallback}'
    )


def usage_rule() -> dict[str, Any]:
    """kwok's ClusterResourceUsage: the usage rule of the module docstring, for every pod."""
    words = "(container.command + container.args)"
    busy = (
        f"({words}.exists(a, a.matches({_cel_str(BUSY_RE)}))"
        f" || ({words}.exists(a, a.matches(r'stress$')) && {words}.exists(a, a.matches(r'^--cpu'))))"
    )
    limit = '"cpu" in container.resources.limits ? container.resources.limits["cpu"] : Quantity("1")'
    cpu = _annotated_or(CPU_ANNOTATION, f'({busy} ? ({limit}) : Quantity("{IDLE_CPU}"))')
    memory = _annotated_or(MEMORY_ANNOTATION, f'Quantity("{IDLE_MEMORY}")')
    return {
        "apiVersion": "kwok.x-k8s.io/v1alpha1",
        "kind": "ClusterResourceUsage",
        "metadata": {"name": "k8s-tutor-usage"},
        "spec": {"usages": [{"usage": {"cpu": {"expression": cpu}, "memory": {"expression": memory}}}]},
    }


#: The kubelet's resource metrics metrics-server reads: (name, dimension, kind, CEL value, help).
_RESOURCE_METRICS = (
    ("scrape_error", "node", "gauge", "0", "1 if there was an error while getting metrics from the node"),
    (
        "node_cpu_usage_seconds_total",
        "node",
        "counter",
        f'node.CumulativeUsage("cpu") + {SYSTEM_CPU_CORES} * node.SinceSecond()',
        "node CPU core-seconds",
    ),
    (
        "node_memory_working_set_bytes",
        "node",
        "gauge",
        f'node.Usage("memory") + {SYSTEM_MEMORY_BYTES}.0',
        "node memory working set",
    ),
    ("pod_cpu_usage_seconds_total", "pod", "counter", 'pod.CumulativeUsage("cpu")', "pod CPU core-seconds"),
    ("pod_memory_working_set_bytes", "pod", "gauge", 'pod.Usage("memory")', "pod memory working set"),
    ("container_start_time_seconds", "container", "gauge", "pod.SinceSecond()", "container start time"),
    (
        "container_cpu_usage_seconds_total",
        "container",
        "counter",
        'pod.CumulativeUsage("cpu", container.name)',
        "container CPU core-seconds",
    ),
    (
        "container_memory_working_set_bytes",
        "container",
        "gauge",
        'pod.Usage("memory", container.name)',
        "container memory working set",
    ),
)


def _labels(dimension: str) -> list[dict[str, str]]:
    labels = []
    if dimension == "container":
        labels.append({"name": "container", "value": "container.name"})
    if dimension in ("pod", "container"):
        labels += [
            {"name": "namespace", "value": "pod.metadata.namespace"},
            {"name": "pod", "value": "pod.metadata.name"},
        ]
    return labels


def resource_metric() -> dict[str, Any]:
    """kwok's Metric serving the kubelet's ``/metrics/resource`` for every simulated node."""
    metrics = []
    for name, dimension, kind, value, help_text in _RESOURCE_METRICS:
        metric: dict[str, Any] = {"name": name, "dimension": dimension, "help": help_text, "kind": kind}
        if labels := _labels(dimension):
            metric["labels"] = labels
        metric["value"] = value
        metrics.append(metric)
    return {
        "apiVersion": "kwok.x-k8s.io/v1alpha1",
        "kind": "Metric",
        "metadata": {"name": "k8s-tutor-resource-metrics"},
        "spec": {"path": node_path("{nodeName}"), "metrics": metrics},
    }


def metrics_server_args(port: int, kubeconfig: str, cert: str, key: str) -> list[str]:
    """metrics-server's flags: serve on loopback, scrape each node's InternalIP at its status port."""
    return [
        f"--secure-port={port}",
        "--bind-address=127.0.0.1",
        f"--kubeconfig={kubeconfig}",
        f"--authentication-kubeconfig={kubeconfig}",
        f"--authorization-kubeconfig={kubeconfig}",
        f"--tls-cert-file={cert}",
        f"--tls-private-key-file={key}",
        "--kubelet-preferred-address-types=InternalIP",
        "--kubelet-use-node-status-port",
        # kwok serves the tutor's admin certificate, issued for the API server's names, not the nodes'.
        "--kubelet-insecure-tls",
        f"--metric-resolution={RESOLUTION_SECONDS}s",
        # Must stay below the resolution (metrics-server refuses to start otherwise); kwok answers in ms.
        "--kubelet-request-timeout=5s",
    ]


def registration(port: int) -> list[dict[str, Any]]:
    """The Service and APIService that make the API server proxy ``metrics.k8s.io`` to metrics-server.

    An ExternalName Service (``localhost``) is the one kind of Service the aggregator can resolve to a
    loopback address: Endpoints and EndpointSlices may not name 127.0.0.1.
    """
    return [
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "metrics-server", "namespace": "kube-system"},
            "spec": {"type": "ExternalName", "externalName": "localhost", "ports": [{"port": port}]},
        },
        {
            "apiVersion": "apiregistration.k8s.io/v1",
            "kind": "APIService",
            "metadata": {"name": "v1beta1.metrics.k8s.io"},
            "spec": {
                "group": "metrics.k8s.io",
                "version": "v1beta1",
                "service": {"name": "metrics-server", "namespace": "kube-system", "port": port},
                "insecureSkipTLSVerify": True,
                "groupPriorityMinimum": 100,
                "versionPriority": 100,
            },
        },
    ]
