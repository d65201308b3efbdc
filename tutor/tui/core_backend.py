"""The real ``Backend``: packs from ``tutor.content``, grading from ``tutor.grading``, the cluster
from ``tutor.cluster``, progress from ``tutor.store``.

Headless (no Textual). Each method blocks and is called from the app's thread workers. The
connection is made lazily and dropped after a failure so the next status probe reconnects: that is
how the app recovers by itself when the API server comes back.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from tutor.cluster.drivers import DriverChoice, choose_driver
from tutor.cluster.target import ClusterTarget
from tutor.errors import ClusterUnavailable, FormatError, TutorError
from tutor.model import ApplyBlock, Exercise, Pack
from tutor.results import ExerciseResult, Status
from tutor.store.progress import ProgressStore
from tutor.tui.backend import ClusterStatus, PackEntry, Watch
from tutor.tui.watching import WatchUnsupported

UNAVAILABLE_PREFIX = "cluster unavailable"
WATCH_SECONDS = (
    30  # the server closes each watch after this; the loop restarts it from the last resourceVersion
)
MAX_WATCHES = 6
DEFAULT_WATCH_KINDS = (("v1", "Pod"), ("apps/v1", "Deployment"), ("v1", "Service"), ("v1", "ConfigMap"))


def watched_kinds(exercise: Exercise) -> list[tuple[str, str]]:
    """The kinds whose changes can change the exercise's verdict.

    From its check arguments (``apiVersion``/``kind``) and the objects its solution and setup
    manifests create, plus the common workload kinds for namespaced exercises.
    """
    import yaml

    kinds: list[tuple[str, str]] = []
    for ref in exercise.checks:
        if isinstance(ref.args.get("apiVersion"), str) and isinstance(ref.args.get("kind"), str):
            kinds.append((ref.args["apiVersion"], ref.args["kind"]))
    for step in (*exercise.solution, *exercise.setup):
        if not step.manifest:
            continue
        try:
            docs = list(yaml.safe_load_all(step.manifest))
        except yaml.YAMLError:
            continue
        kinds += [
            (d["apiVersion"], d["kind"])
            for d in docs
            if isinstance(d, dict) and "apiVersion" in d and "kind" in d
        ]
    if exercise.namespace:
        kinds += DEFAULT_WATCH_KINDS
    return list(dict.fromkeys(kinds))[:MAX_WATCHES]


class CoreBackend:
    """The facade over the real core. See ``tutor.tui.backend.Backend`` for the contract.

    Args:
        pack: ``--pack`` (a path or a pack id); None lists every discovered pack.
        target: the cluster options (``tutor.cluster.cli_args.target_from_args``); default: the
            kubeconfig's current context. Selecting a context is not consent to change it.
        progress: the progress store (opened by the CLI so its corrupt-file notice is shown).
    """

    def __init__(
        self,
        progress: ProgressStore,
        *,
        pack: str | None = None,
        target: ClusterTarget | None = None,
        language: str | None = None,
    ) -> None:
        self.progress = progress
        self.pack_spec = pack
        self.target = target or ClusterTarget()
        self.language = language
        self._lock = threading.RLock()
        self._cluster: Any = None
        self._capabilities: frozenset[str] | None = None
        self._graders: dict[str, Any] = {}
        self._runs: dict[tuple[str, str], Any] = {}  # (pack id, exercise id) -> ExerciseRun
        self._recheck_started: set[tuple[str, str]] = set()  # started exercises to verify after a reconnect

    # --- packs -------------------------------------------------------------------------------------

    def load_packs(self) -> list[PackEntry]:
        from tutor import content

        if self.pack_spec:
            return [self._load(self.pack_spec, lambda: content.resolve_pack(self.pack_spec))]
        entries = []
        for source in content.discover_packs():
            if source.error:
                entries.append(PackEntry(spec=str(source.path), error=source.error, title=source.title))
            else:
                entries.append(self._load(str(source.path), lambda p=source.path: content.load_pack(p)))
        return entries or [self._load("built-in", lambda: content.resolve_pack(None))]

    def _load(self, spec: str, load: Callable[[], Pack]) -> PackEntry:
        try:
            return PackEntry(spec=spec, pack=self._translated(load()))
        except FormatError as exc:
            return PackEntry(spec=spec, error=str(exc), title=Path(spec).name)
        except TutorError as exc:
            return PackEntry(spec=spec, error=str(exc))

    def _translated(self, pack: Pack) -> Pack:
        """The pack with each lesson in ``language`` where a translation exists (checks stay the same)."""
        if not self.language:
            return pack
        from dataclasses import replace

        from tutor.content import translated_lesson

        return replace(
            pack, lessons=tuple(translated_lesson(pack, le.id, self.language) for le in pack.lessons)
        )

    # --- cluster -----------------------------------------------------------------------------------

    def _connected(self) -> Any:
        with self._lock:
            if self._cluster is None:
                self._cluster = self.target.connect()
            return self._cluster

    def _drop(self) -> None:
        with self._lock:
            if self._cluster is not None:
                try:
                    self._cluster.close()
                except Exception:  # closing a dead pool must not hide the real error
                    pass
            self._cluster, self._capabilities = None, None
            self._graders.clear()
            self._recheck_started = set(self._runs)  # the cluster may come back empty (recreated)

    def cluster_status(self) -> ClusterStatus:
        try:
            cluster = self._connected()
        except ClusterUnavailable as exc:
            return ClusterStatus(message=str(exc))
        try:
            version = cluster.read.version().get("gitVersion", "")
            if self._capabilities is None:
                self._capabilities = cluster.read.capabilities()
        except Exception as exc:
            self._drop()
            return ClusterStatus(context=cluster.context, message=str(exc), configured=True)
        return ClusterStatus(
            context=cluster.context,
            reachable=True,
            version=version,
            configured=True,
            capabilities=self._capabilities,
        )

    def suggested_driver(self) -> DriverChoice:
        return choose_driver()

    def create_cluster(self, driver: str, progress: Callable[[str], None]) -> None:
        import importlib

        try:
            module = importlib.import_module(f"tutor.cluster.{driver}")
        except ImportError as exc:
            raise TutorError(f"the {driver} driver is not available: {exc}") from None
        kwargs: dict[str, Any] = {"progress": progress}
        if driver == "sim":
            kwargs["build"] = True
        if self.target.kubeconfig:
            kwargs["kubeconfig"] = Path(self.target.kubeconfig)
        made = module.up(**kwargs)
        if (
            self.target.selected_context
        ):  # the named context was unusable; the new cluster's is what works now
            self.target = self.target.after_switch(made.context)
        self._drop()

    def _writer(self) -> Any:
        return self.target.writer(self._connected())

    def _grader(self, pack: Pack) -> Any:
        with self._lock:
            grader = self._graders.get(pack.id)
            if grader is None:
                from tutor.grading.engine import Grader
                from tutor.grading.registry import load_checks, require_clean

                cluster = self._connected()
                if self._capabilities is None:
                    self._capabilities = cluster.read.capabilities()
                try:
                    registry = require_clean(load_checks(pack))
                except FormatError as exc:  # remembered: a broken checker file is not retried every round
                    self._graders[pack.id] = exc
                    raise
                grader = Grader(registry, cluster.read, pack, capabilities=self._capabilities or ())
                self._graders[pack.id] = grader
            if isinstance(grader, FormatError):
                raise grader
            return grader

    # --- exercises ---------------------------------------------------------------------------------

    def start_exercise(self, pack: Pack, exercise: Exercise) -> None:
        from tutor.grading import lifecycle

        self._runs[pack.id, exercise.id] = lifecycle.start_exercise(self._writer(), pack, exercise)

    def check_once(self, pack: Pack, exercise: Exercise) -> ExerciseResult:
        missing = exercise.requires - (self._capabilities or exercise.requires)
        if missing:
            return _not_gradable(
                pack,
                exercise,
                f"needs {', '.join(sorted(missing))}, which this cluster does not offer "
                "(the sim cluster runs no containers; use a kind cluster)",
            )
        try:
            self._restart_if_gone(pack, exercise)
            result = self._grader(pack).evaluate_once(exercise, self._runs.get((pack.id, exercise.id)))
        except FormatError as exc:
            return _not_gradable(pack, exercise, f"the pack's checkers cannot be loaded:\n{exc}")
        except ClusterUnavailable:
            self._drop()
            raise
        unavailable = [
            c for c in result.checks if c.status is Status.ERROR and c.message.startswith(UNAVAILABLE_PREFIX)
        ]
        if unavailable:
            self._drop()
            raise ClusterUnavailable(unavailable[0].message)
        return result

    def _restart_if_gone(self, pack: Pack, exercise: Exercise) -> None:
        """After a reconnect, set the exercise up again if its namespace is gone (the cluster was
        recreated); a namespace that survived the outage is left alone so the learner's work stays."""
        if (pack.id, exercise.id) not in self._recheck_started:
            return
        if exercise.namespace and self._connected().read.get("v1", "Namespace", exercise.namespace) is None:
            self.start_exercise(pack, exercise)
        self._recheck_started.discard((pack.id, exercise.id))

    def watch_changes(self, pack: Pack, exercise: Exercise, watch: Watch) -> Iterator[str]:
        kinds = watched_kinds(exercise)
        if not kinds:
            raise WatchUnsupported("no kinds to watch for this exercise")
        events: queue.Queue[object] = queue.Queue()
        reader = self._connected().read
        inner = Watch()  # stops this call's threads when the generator ends, whatever the reason
        for av, kind in kinds:
            args = (reader, av, kind, exercise.namespace, inner, events)
            threading.Thread(target=_follow, args=args, name=f"watch-{kind}", daemon=True).start()
        try:
            while not watch.stop.is_set():
                try:
                    item = events.get(timeout=0.5)
                except queue.Empty:
                    continue
                if isinstance(item, BaseException):
                    raise item
                yield str(item)
        finally:
            inner.stop.set()

    def apply_block(self, block: ApplyBlock, namespace: str | None) -> str:
        objs = self._writer().apply(block.manifest, namespace, source=str(block.location))
        return "applied " + ", ".join(
            f"{o.get('kind')}/{(o.get('metadata') or {}).get('name')}" for o in objs
        )

    def apply_solution(self, pack: Pack, exercise: Exercise) -> None:
        from tutor.grading import lifecycle

        lifecycle.apply_solution(self._writer(), exercise)

    def reset_exercise(self, pack: Pack, exercise: Exercise) -> None:
        from tutor.grading import lifecycle

        self._runs[pack.id, exercise.id] = lifecycle.reset_exercise(self._writer(), pack, exercise)


def _not_gradable(pack: Pack, exercise: Exercise, reason: str) -> ExerciseResult:
    """A result with no checks run and the reason (the TUI shows it, never as a failure)."""
    return ExerciseResult(pack.id, exercise.id, exercise.title, (), exercise.points, skipped_reason=reason)


def _follow(
    reader: Any, api_version: str, kind: str, namespace: str | None, watch: Watch, out: queue.Queue
) -> None:
    """Follow one kind's watch until ``watch.stop``; events and the first error go to ``out``.

    The first watch starts with an ADDED event per existing object (one extra grading round);
    later ones resume from the last resourceVersion so a restart is silent.
    """
    from tutor.cluster.errors import UnknownKind

    version: str | None = None
    try:
        while not watch.stop.is_set():
            for event in reader.watch(
                api_version, kind, namespace=namespace, timeout=WATCH_SECONDS, resource_version=version
            ):
                if watch.stop.is_set():
                    return
                obj = event.get("object") or {}
                if event.get("type") == "ERROR":
                    version = None  # 410 Gone: the resourceVersion is too old; start over
                    break
                version = (obj.get("metadata") or {}).get("resourceVersion") or version
                out.put(f"{event.get('type')} {kind}/{(obj.get('metadata') or {}).get('name')}")
    except UnknownKind:
        return  # not served (a CRD not installed yet): the other kinds and the safety-net rounds cover it
    except Exception as exc:
        out.put(exc)
