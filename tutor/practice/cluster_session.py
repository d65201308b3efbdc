"""``ClusterSession``: one cluster target, connected lazily, shared by every front end.

Why one object: ``grade``, ``setup``, ``solve``, ``pack test``, the exam runner and the TUI all need
the same chain — connect → capabilities → the pack's checker registry → grader → saved runs — and the
same answers to "what is this check called?" and "can this cluster run this exercise?". Wiring that by
hand in each front end let the copies drift apart; here it exists once.

Thread-safe: the TUI calls it from worker threads. After a connection failure the connection is
dropped so the next call reconnects (how the TUI recovers when the API server comes back).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tutor.cluster.target import ClusterTarget
from tutor.errors import ClusterUnavailable, FormatError, GraderIdentityUnavailable, TutorError
from tutor.grading import batch
from tutor.model import ApplyBlock, Exercise, Pack
from tutor.practice.core import ClusterStatus, Watch
from tutor.results import Cause, ExerciseResult, Status

if TYPE_CHECKING:
    from tutor.cluster.client import Cluster
    from tutor.cluster.identity import GraderView
    from tutor.cluster.writer import ClusterWriter
    from tutor.grading.engine import Grader
    from tutor.grading.lifecycle import ExerciseRun
    from tutor.grading.registry import Registry
    from tutor.store.runs import RunStore


class ClusterSession:
    """The cluster side of every front end.

    Args:
        target: which cluster and the consent to write there (default: the current context).
        cluster: an already connected cluster for ``target`` (tests and benchmarks share one).
        run_store: where ``setup`` saves runs for ``grade`` (default: ``<data dir>/runs``).
    """

    def __init__(
        self,
        target: ClusterTarget | None = None,
        *,
        cluster: Cluster | None = None,
        run_store: RunStore | None = None,
    ) -> None:
        self.target = target or ClusterTarget()
        self._cluster = cluster
        self._run_store = run_store
        self._lock = threading.RLock()  # the connection and what hangs on it; never held over a request
        self._registry_lock = threading.Lock()  # apart, so a UI asking for titles never waits on the network
        self._identity_lock = threading.Lock()  # held while the grader identity is prepared (requests)
        self._grading: GraderView | None = None
        self._capabilities: frozenset[str] | None = None
        self._registries: dict[str, Registry | FormatError] = {}
        self._graders: dict[str, Grader] = {}
        self._runs: dict[tuple[str, str], ExerciseRun] = {}  # (pack id, exercise id) -> started run
        self._recheck_started: set[tuple[str, str]] = set()  # started exercises to verify after a reconnect

    @classmethod
    def attached(cls, cluster: Cluster, *, allow_context: str | None = None) -> ClusterSession:
        """A session on an existing connection (its kubeconfig and context become the target)."""
        target = ClusterTarget(cluster.kubeconfig, cluster.context, allow_context)
        return cls(target, cluster=cluster)

    # --- the connection ----------------------------------------------------------------------------

    def cluster(self) -> Cluster:
        """The connection, made on first use.

        Raises:
            ClusterUnavailable: no usable kubeconfig or context.
        """
        with self._lock:
            if self._cluster is None:
                self._cluster = self.target.connect()
            return self._cluster

    @property
    def context(self) -> str:
        """The context in use (connecting if needed)."""
        return self.cluster().context

    def drop(self) -> None:
        """Forget the connection and what was read through it; the next call reconnects."""
        with self._lock:
            if self._cluster is not None:
                try:
                    self._cluster.close()
                except Exception:  # noqa: BLE001 - closing a dead pool must not hide the real error
                    pass
            self._cluster, self._capabilities, self._grading = None, None, None
            self._graders.clear()
            self._recheck_started = set(self._runs)  # the cluster may come back empty (recreated)

    close = drop

    def __enter__(self) -> ClusterSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def capabilities(self) -> frozenset[str]:
        """What the cluster offers, asked once per connection."""
        known = self._capabilities
        if known is None:
            known = frozenset(self.cluster().read.capabilities())
            with self._lock:
                self._capabilities = known
        return known

    def server_version(self) -> str:
        """The server's git version (``v1.36.0``). Raises ClusterUnavailable when it does not answer."""
        return str(self.cluster().read.version().get("gitVersion", ""))

    def probe(self) -> batch.ClusterInfo:
        """Context, version and capabilities for a report; an unusable cluster is recorded, not raised."""
        try:
            info = batch.ClusterInfo(context=self.context)
            info.server_version = self.server_version()
            info.capabilities = self.capabilities()
        except ClusterUnavailable as exc:
            context = self._cluster.context if self._cluster else self.target.selected_context
            return batch.ClusterInfo(context=context or "", error=str(exc))
        return info

    def writer(self) -> ClusterWriter:
        """The guarded writer (ContextRefused unless the tutor made the context or the user allowed it)."""
        return self.target.writer(self.cluster())

    def grader_view(self) -> GraderView:
        """What checkers read the cluster through: the read-only grader identity, prepared once per
        connection (:mod:`tutor.cluster.identity`; on the tutor's own clusters this writes the RBAC
        objects and asks for a token, through the guarded writer).

        Raises:
            ClusterUnavailable: the API server did not answer.
            GraderIdentityUnavailable: the server refused to set the identity up, or ``--create-grader``
                was given on a context the tutor may not change (the message says which and why).
        """
        with self._identity_lock:
            if self._grading is None:
                from tutor.cluster.identity import grader_view

                create = True if self.target.create_grader else None  # None: K8S_TUTOR_CREATE_GRADER decides
                try:
                    self._grading = grader_view(self.cluster(), self.target.allow_context, create)
                except ClusterUnavailable:
                    raise
                except TutorError as exc:
                    raise GraderIdentityUnavailable(
                        f"cannot prepare the read-only identity checks run as: {exc}"
                    ) from exc
            return self._grading

    def identity_notice(self) -> str | None:
        """The "checks run with your own rights" sentence, once the grader view exists and needs one."""
        view = self._grading
        return view.notice if view is not None else None

    # --- the pack's checkers -----------------------------------------------------------------------

    def registry(self, pack: Pack) -> Registry:
        """The pack's checker registry, loaded once; a broken one raises its FormatError every time."""
        with self._registry_lock:
            loaded = self._registries.get(pack.id)
            if loaded is None:
                from tutor.grading.isolation import isolated_checks
                from tutor.grading.registry import require_clean
                from tutor.store.trust import UntrustedPack

                try:
                    loaded = require_clean(isolated_checks(pack))
                except UntrustedPack:
                    raise  # not remembered: once the user trusts the pack, the next call loads it
                except FormatError as exc:  # remembered: a broken checker file is not re-imported each round
                    loaded = exc
                self._registries[pack.id] = loaded
        if isinstance(loaded, FormatError):
            raise loaded
        return loaded

    def grader(
        self,
        pack: Pack,
        *,
        timeout: float | None = None,
        max_timeout: float | None = None,
        settle: float | None = None,
    ) -> Grader:
        """A grader of ``pack`` on this cluster (the default one is reused between rounds)."""
        from tutor.grading.engine import Grader

        def build() -> Grader:
            return Grader(
                self.registry(pack),
                self.grader_view().reader,  # checkers never get the learner's credentials
                pack,
                timeout=timeout,
                max_timeout=max_timeout,
                capabilities=self.capabilities(),
                settle=settle,
            )

        if timeout is not None or max_timeout is not None or settle is not None:
            return build()
        with self._lock:
            if pack.id not in self._graders:
                self._graders[pack.id] = build()
            return self._graders[pack.id]

    def check_titles(self, pack: Pack, exercise: Exercise) -> list[str]:
        """The checklist lines of ``exercise``: the same titles its verdicts will carry."""
        try:
            registry: Registry | None = self.registry(pack)
        except FormatError:
            registry = None  # the checklist still shows; grading reports the broken checker
        return batch.check_titles(exercise, registry)

    def placeholder(
        self, pack: Pack, exercise: Exercise, status: Status, reason: str, cause: Cause = Cause.NONE
    ) -> ExerciseResult:
        """A result whose every check has ``status`` and ``reason`` (skips, environment errors)."""
        try:
            registry: Registry | None = self.registry(pack)
        except FormatError:
            registry = None
        return batch.placeholder(pack, exercise, status, reason, registry, cause)

    # --- runs --------------------------------------------------------------------------------------

    @property
    def run_store(self) -> RunStore:
        if self._run_store is None:
            from tutor.store.runs import RunStore

            self._run_store = RunStore()
        return self._run_store

    def run(self, pack: Pack, exercise: Exercise) -> ExerciseRun | None:
        """The run this session started (or restored) for ``exercise``, if any."""
        return self._runs.get((pack.id, exercise.id))

    def remember(self, pack: Pack, run: ExerciseRun) -> None:
        """Use ``run`` (restored from an exam attempt, say) as the start state of its exercise."""
        self._runs[pack.id, run.exercise_id] = run

    def load_saved_runs(self, pack: Pack, exercises: Sequence[Exercise]) -> dict[str, ExerciseRun]:
        """Runs ``setup`` saved for these exercises on this context, remembered and returned by id."""
        found = self.run_store.load_many(self.context, pack.id, [e.id for e in exercises])
        for run in found.values():
            self.remember(pack, run)
        return found

    def has_saved_run(self, pack: Pack, exercise: Exercise) -> bool:
        return self.run_store.path(self.context, pack.id, exercise.id).exists()

    def save_run(self, pack: Pack, exercise: Exercise) -> Path:
        """Save the started run of ``exercise`` for a later ``grade`` on this context."""
        run = self.run(pack, exercise)
        if run is None:
            raise ValueError(f"exercise {exercise.id} was not started in this session")
        return self.run_store.save(self.context, pack.id, run)

    # --- exercises ---------------------------------------------------------------------------------

    def start_exercise(self, pack: Pack, exercise: Exercise, *, fresh: bool = False) -> ExerciseRun:
        """Namespace, setup, start snapshot; ``fresh`` cleans up leftovers first (a reset).

        Setup runs once per start or reset, not each time the exercise is opened: when this context
        already has a run of the exercise (saved on disk, so also across app restarts) and its namespace
        still exists, that run is resumed and the learner's work is left alone. Every new start is
        saved, so ``grade`` compares with the same start state the checklist used.
        """
        from tutor.grading import lifecycle
        from tutor.store.trust import require_trusted

        require_trusted(pack)  # setup steps are the pack's too
        if not fresh and (resumed := self._resumable_run(pack, exercise)) is not None:
            self.remember(pack, resumed)
            return resumed
        start = lifecycle.reset_exercise if fresh else lifecycle.start_exercise
        run = start(self.writer(), pack, exercise)
        self.remember(pack, run)
        try:
            self.run_store.save(self.context, pack.id, run)
        except OSError:
            pass  # a read-only data dir: this session still has the run; a restart sets up again
        return run

    def _resumable_run(self, pack: Pack, exercise: Exercise) -> ExerciseRun | None:
        """The run this context already has for ``exercise`` if its namespace is still there."""
        run = self.run(pack, exercise) or self.load_saved_runs(pack, [exercise]).get(exercise.id)
        if run is None:
            return None
        ns = exercise.namespace
        if ns and self.cluster().read.get("v1", "Namespace", ns) is None:
            return None  # the cluster was recreated or the namespace deleted: set it up again
        return run

    def point_kubectl_at(self, exercise: Exercise) -> str:
        """Set the exercise namespace as the default of the tutor's own kubeconfig context.

        So ``kubectl get pods`` in the learner's other terminal shows the exercise's pods, and the hints'
        and solutions' commands work as written. Only a context ``cluster up`` created is changed (the
        guard's record names its kubeconfig file); elsewhere the notice says to add ``-n``.
        Returns a one-line notice ("" for a cluster-scoped exercise).
        """
        from tutor.cluster import kubeconfig
        from tutor.cluster.guard import created_by_tutor

        ns = exercise.namespace
        if not ns:
            return ""
        cluster = self.cluster()
        record = created_by_tutor(cluster.context, cluster.server)
        from tutor.i18n import _

        if record and kubeconfig.set_context_namespace(Path(record.kubeconfig), record.context, ns):
            return _("kubectl (context {context}) now works in namespace {namespace}").format(
                context=record.context, namespace=ns
            )
        return _(
            "work in namespace {namespace}: add -n {namespace} to kubectl "
            "(not the tutor's context: {context})"
        ).format(namespace=ns, context=cluster.context)

    def reset_exercise(self, pack: Pack, exercise: Exercise) -> None:
        """Clean the exercise up and start it again."""
        self.start_exercise(pack, exercise, fresh=True)

    def apply_solution(self, pack: Pack, exercise: Exercise) -> list[dict[str, object]]:
        """Apply the reference solution; the objects applied."""
        from tutor.grading import lifecycle
        from tutor.store.trust import require_trusted

        require_trusted(pack)
        return lifecycle.apply_solution(self.writer(), exercise)

    def apply_block(self, block: ApplyBlock, namespace: str | None) -> str:
        """Apply a lesson's ```` ```yaml apply ```` block; what was applied, for a notice."""
        objs = self.writer().apply(block.manifest, namespace, source=str(block.location))
        return "applied " + ", ".join(
            f"{o.get('kind')}/{(o.get('metadata') or {}).get('name')}" for o in objs
        )

    def check_once(self, pack: Pack, exercise: Exercise) -> ExerciseResult:
        """One grading round (practice mode); an exercise the cluster cannot run comes back skipped.

        Raises:
            ClusterUnavailable: the API server did not answer (the connection is dropped).
        """
        try:
            reason = batch.skip_reason(exercise, self.capabilities())
            if reason:
                return _not_gradable(pack, exercise, reason)
            self._restart_if_gone(pack, exercise)
            result = self.grader(pack).evaluate_once(exercise, self.run(pack, exercise))
        except FormatError as exc:
            return _not_gradable(pack, exercise, f"the pack's checkers cannot be loaded:\n{exc}")
        except GraderIdentityUnavailable as exc:
            return _not_gradable(pack, exercise, str(exc))
        except ClusterUnavailable:
            self.drop()
            raise
        unavailable = [c for c in result.checks if c.cause is Cause.UNAVAILABLE]
        if unavailable:
            self.drop()
            raise ClusterUnavailable(unavailable[0].message)
        return result

    def _restart_if_gone(self, pack: Pack, exercise: Exercise) -> None:
        """After a reconnect, set the exercise up again if its namespace is gone (the cluster was
        recreated); a namespace that survived the outage is left alone so the learner's work stays."""
        if (pack.id, exercise.id) not in self._recheck_started:
            return
        if exercise.namespace and self.cluster().read.get("v1", "Namespace", exercise.namespace) is None:
            self.start_exercise(pack, exercise, fresh=True)
        self._recheck_started.discard((pack.id, exercise.id))

    def watch_changes(self, pack: Pack, exercise: Exercise, watch: Watch) -> Iterator[str]:
        """Changes to the kinds the exercise can see (see ``tutor.practice.watching.follow_changes``)."""
        from tutor.practice.watching import follow_changes

        return follow_changes(self.cluster().read, exercise, watch)

    # --- the cluster itself ------------------------------------------------------------------------

    def cluster_status(self) -> ClusterStatus:
        """Probe the cluster (connecting if needed). Never raises: problems go in ``message``."""
        try:
            cluster = self.cluster()
        except ClusterUnavailable as exc:
            return ClusterStatus(message=str(exc))
        try:
            version = self.server_version()
            capabilities = self.capabilities()
        except Exception as exc:  # noqa: BLE001 - any failure is shown as the cluster's state
            self.drop()
            return ClusterStatus(context=cluster.context, message=str(exc), configured=True)
        return ClusterStatus(
            context=cluster.context,
            reachable=True,
            version=version,
            configured=True,
            capabilities=capabilities,
        )

    def create_cluster(self, driver: str, progress: Callable[[str], None]) -> None:
        """Create the tutor's local cluster with ``driver`` and use it from now on."""
        from tutor.cluster.drivers import UpRequest
        from tutor.cluster.drivers import driver as driver_named

        kubeconfig = Path(self.target.kubeconfig) if self.target.kubeconfig else None
        # sim: binaries from the cache, else a verified download, else a Go build (tutor.cluster.binaries)
        made = driver_named(driver).up(UpRequest(kubeconfig=kubeconfig), progress)
        if self.target.selected_context:  # the named context was unusable; the new one is what works now
            self.target = self.target.after_switch(made.context)
        self.drop()


def _not_gradable(pack: Pack, exercise: Exercise, reason: str) -> ExerciseResult:
    """A result with no checks run and the reason (shown apart, never as a failure)."""
    return ExerciseResult(pack.id, exercise.id, exercise.title, (), exercise.points, skipped_reason=reason)
