"""``ClusterTarget``: which cluster a command works on, and whether the user consented to writes there.

Every front end (``start``, ``grade``, ``setup``, ``solve``, ``exam``, ``pack test``, ``doctor``) gets one
from ``tutor.cluster.cli_args.target_from_args``, so "which context" means the same everywhere: the
rule lives in :attr:`ClusterTarget.selected_context` and nowhere else. Selecting a context is not consent
to change it; only ``allow_context`` (``--allow-context``) is, and the guard in ``tutor.cluster.guard``
decides. Importing this module does not import the Kubernetes client.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tutor.cluster.client import Cluster
    from tutor.cluster.writer import ClusterWriter


@dataclass(frozen=True)
class ClusterTarget:
    """The cluster options of one command.

    Attributes:
        kubeconfig: ``--kubeconfig`` (None: ``$KUBECONFIG`` or ``~/.kube/config``).
        context: ``--context`` (None: see :attr:`selected_context`).
        allow_context: ``--allow-context``: a context the tutor did not create that it may still write to.
        fallback_context: a context remembered elsewhere (an exam attempt's), used when no option
            names one.
        create_grader: ``--create-grader``: on a context the tutor did not create (and may write to),
            create the read-only grader identity checks run as (:mod:`tutor.cluster.identity`).
    """

    kubeconfig: str | None = None
    context: str | None = None
    allow_context: str | None = None
    fallback_context: str | None = None
    create_grader: bool = False

    @property
    def selected_context(self) -> str | None:
        """The context-selection rule: ``--context``, else ``--allow-context`` (naming a context to allow
        also selects it), else the fallback, else None (the kubeconfig's current context)."""
        return self.context or self.allow_context or self.fallback_context or None

    def remembering(self, context: str | None) -> ClusterTarget:
        """This target with ``context`` as the fallback (used when no option names a context)."""
        return replace(self, fallback_context=context or None)

    def after_switch(self, context: str) -> ClusterTarget:
        """This target pointed at ``context`` (a cluster the tutor just created and may write to)."""
        return replace(self, context=context, fallback_context=None)

    def connect(self) -> Cluster:
        """Connect to the selected context (no request is sent yet).

        Raises:
            ClusterUnavailable: the kubeconfig is missing or unreadable, or has no such context.
        """
        from tutor.cluster.client import connect

        return connect(self.kubeconfig, self.selected_context)

    def writer(self, cluster: Cluster) -> ClusterWriter:
        """The guarded writer for ``cluster`` with this target's consent.

        Raises:
            ContextRefused: the context is not the tutor's and ``--allow-context`` did not name it.
        """
        return cluster.writer(allow_context=self.allow_context)
