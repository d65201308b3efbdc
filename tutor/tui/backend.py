"""The facade between the TUI and the headless core: ``Backend`` is ``tutor.practice``'s
``PracticeCore`` plus what the app shell needs (packs, the cluster's status, creating a cluster).

Why a facade: screens must stay thin and testable. Every method here is synchronous and may block
on the network, so the app calls it from thread workers only. Pilot tests pass a stand-in that
implements the same ``Backend`` protocol; the real one is ``tutor.tui.core_backend.CoreBackend``
(a :class:`~tutor.practice.cluster_session.ClusterSession`). Nothing in this module imports Textual.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from tutor.cluster.drivers import DriverChoice
from tutor.model import ApplyBlock
from tutor.practice.core import ClusterStatus, PackEntry, PracticeCore
from tutor.store.progress import ProgressStore


class Backend(PracticeCore, Protocol):
    """What the TUI needs from the core. All methods may block; call them from thread workers."""

    progress: ProgressStore

    def load_packs(self) -> list[PackEntry]:
        """The packs to show in the catalog; broken ones carry their error instead of raising."""
        ...

    def cluster_status(self) -> ClusterStatus:
        """Probe the cluster (connecting if needed). Never raises: problems go in ``message``."""
        ...

    def suggested_driver(self) -> DriverChoice:
        """The driver ``k8s-tutor cluster up`` would pick, why, and what creating it involves."""
        ...

    def create_cluster(self, driver: str, progress: Callable[[str], None]) -> None:
        """Create the tutor's local cluster, reporting each step through ``progress``."""
        ...

    def apply_block(self, block: ApplyBlock, namespace: str | None) -> str:
        """Apply a lesson's ```` ```yaml apply ```` block; returns what the server said (e.g. ``created``)."""
        ...

    def identity_notice(self) -> str | None:
        """Set once checks have run on a context where they read with your own rights, not as the
        read-only grader identity (``tutor.cluster.identity``); None otherwise."""
        ...


def kubectl_equivalent(block: ApplyBlock, namespace: str | None) -> str:
    """The command a learner would type to apply ``block`` themselves."""
    ns = f" -n {namespace}" if namespace else ""
    return f"kubectl apply{ns} -f - <<'EOF'\n{block.manifest.rstrip()}\nEOF"


def block_summary(block: ApplyBlock) -> str:
    """``Deployment/web`` style names of the objects a block holds, for the apply picker."""
    import yaml

    names = []
    try:
        for doc in yaml.safe_load_all(block.manifest):
            if isinstance(doc, dict):
                meta = doc.get("metadata") or {}
                names.append(f"{doc.get('kind', '?')}/{meta.get('name', '?')}")
    except yaml.YAMLError as exc:
        return f"invalid YAML at {block.location}: {exc}"
    return ", ".join(names) or f"empty block at {block.location}"
