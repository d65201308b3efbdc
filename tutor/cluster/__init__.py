"""Cluster access for the tutor: client factory, read view, context guard, guarded writes, drivers.

Public API (see docs/design.md "Cluster module")::

    from tutor.cluster import connect
    cluster = connect()                       # current context of $KUBECONFIG / ~/.kube/config
    cluster.read.list("apps/v1", "Deployment", namespace="x")   # plain JSON dicts
    writer = cluster.writer()                 # ContextRefused unless the tutor created the context
    writer.apply(manifest_text, namespace="x")

Attributes are imported lazily so ``import tutor.cluster.sim`` (used by ``cluster up``) does not
pay for the Kubernetes client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tutor.cluster.client import Cluster, connect, default_kubeconfig
    from tutor.cluster.errors import ApiError, UnknownKind
    from tutor.cluster.reader import ClusterReader
    from tutor.cluster.writer import ClusterWriter

__all__ = [
    "ApiError",
    "Cluster",
    "ClusterReader",
    "ClusterWriter",
    "UnknownKind",
    "connect",
    "default_kubeconfig",
]

_WHERE = {
    "Cluster": "client",
    "connect": "client",
    "default_kubeconfig": "client",
    "ApiError": "errors",
    "UnknownKind": "errors",
    "ClusterReader": "reader",
    "ClusterWriter": "writer",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(f"tutor.cluster.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'tutor.cluster' has no attribute {name!r}")
