"""The cluster options every subcommand shares: ``--kubeconfig``, ``--context``, ``--allow-context``,
``--create-grader``.

One place so that "which cluster" and "may the tutor write there" mean the same in ``start``,
``grade``, ``setup``, ``solve``, ``exam``, ``pack test`` and ``doctor``: the options are added here and
turned into the one :class:`~tutor.cluster.target.ClusterTarget` here; nothing below ``tutor/commands``
sees the parsed ``argparse.Namespace``.
"""

from __future__ import annotations

import argparse
from typing import Any

from tutor.cluster.target import ClusterTarget

ALLOW_HELP = "let k8s-tutor change CONTEXT although it did not create it (also selects it)"


def add_cluster_arguments(parser: argparse.ArgumentParser, *, suppress: bool = False) -> None:
    """Add the cluster options to a subcommand's parser.

    Args:
        suppress: leave an option unset when it is not given (for a sub-action whose parent parser
            also accepts the options: ``exam --context C grade`` = ``exam grade --context C``).
    """
    unset: dict[str, Any] = {"default": argparse.SUPPRESS} if suppress else {}
    group = parser.add_argument_group("cluster")
    group.add_argument(
        "--kubeconfig", help="kubeconfig file (default: $KUBECONFIG or ~/.kube/config)", **unset
    )
    group.add_argument("--context", help="kube context to use (default: the current context)", **unset)
    group.add_argument("--allow-context", metavar="CONTEXT", help=ALLOW_HELP, **unset)
    group.add_argument(
        "--create-grader",
        action="store_true",
        help="on a context k8s-tutor did not create (allowed with --allow-context), create the read-only "
        "ServiceAccount checks run as (k8s-tutor-system/k8s-tutor-grader); see docs/grading.md",
        **unset,
    )


def target_from_args(args: argparse.Namespace) -> ClusterTarget:
    """The :class:`ClusterTarget` the parsed options name (the only place one is built from options)."""
    return ClusterTarget(
        kubeconfig=getattr(args, "kubeconfig", None),
        context=getattr(args, "context", None),
        allow_context=getattr(args, "allow_context", None),
        create_grader=bool(getattr(args, "create_grader", False)),
    )
