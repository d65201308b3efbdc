"""The cluster options every subcommand shares: ``--kubeconfig``, ``--context``, ``--allow-context``.

One place so that "which cluster" and "may the tutor write there" mean the same in ``start``,
``grade``, ``exam``, ``pack test`` and ``doctor``. Reads follow the same selection rules as writes.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the client imports the Kubernetes library (~0.7 s); --help must not pay for it
    from tutor.cluster.client import Cluster


def add_cluster_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the three options to a subcommand's parser."""
    group = parser.add_argument_group("cluster")
    group.add_argument("--kubeconfig", help="kubeconfig file (default: $KUBECONFIG or ~/.kube/config)")
    group.add_argument("--context", help="kube context to use (default: the current context)")
    group.add_argument(
        "--allow-context",
        metavar="CONTEXT",
        help="let k8s-tutor change CONTEXT although it did not create it (also selects it)",
    )


def connect_from_args(args: argparse.Namespace) -> Cluster:
    """``connect()`` with the parsed options; ``--allow-context X`` alone also selects X."""
    from tutor.cluster.client import connect

    context = getattr(args, "context", None) or getattr(args, "allow_context", None)
    return connect(getattr(args, "kubeconfig", None), context)
