"""The real ``Backend``: a :class:`~tutor.practice.cluster_session.ClusterSession` (the cluster, grading,
runs) plus what only the app shell needs — the packs to list in the learner's language, the progress
store and the driver ``cluster up`` would pick.

Headless (no Textual). Each method blocks and is called from the app's thread workers.
"""

from __future__ import annotations

from tutor.cluster.drivers import DriverChoice, choose_driver
from tutor.cluster.target import ClusterTarget
from tutor.practice.cluster_session import ClusterSession
from tutor.practice.core import PackEntry
from tutor.practice.packs import load_packs
from tutor.store.progress import ProgressStore


class CoreBackend(ClusterSession):
    """The facade over the real core. See ``tutor.tui.backend.Backend`` for the contract.

    Args:
        progress: the progress store (opened by the CLI so its corrupt-file notice is shown).
        pack: ``--pack`` (a path or a pack id); None lists every discovered pack.
        target: the cluster options (``tutor.cluster.cli_args.target_from_args``); default: the
            kubeconfig's current context. Selecting a context is not consent to change it.
        language: ``--lang``: lessons in this language where a translation exists.
    """

    def __init__(
        self,
        progress: ProgressStore,
        *,
        pack: str | None = None,
        target: ClusterTarget | None = None,
        language: str | None = None,
    ) -> None:
        super().__init__(target)
        self.progress = progress
        self.pack_spec = pack
        self.language = language

    def load_packs(self) -> list[PackEntry]:
        return load_packs(self.pack_spec, self.language)

    def suggested_driver(self) -> DriverChoice:
        return choose_driver()
