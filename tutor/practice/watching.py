"""Watch mode: re-grade an exercise by itself when the cluster changes, rustlings-style.

One ``WatchLoop`` runs per open exercise inside a worker thread. A producer thread follows a
Kubernetes watch on the exercise namespace (``PracticeCore.watch_changes``, implemented for a real
cluster by :func:`follow_changes`) and drops a token in a queue
on every event; the loop debounces bursts (a ``kubectl apply`` of a Deployment fires a dozen events
as the ReplicaSet and Pods appear) and runs one grading round. When the watch breaks or cannot be
used (cluster-scoped exercises), the loop polls instead, so a verdict still lands within about two
seconds of the learner's change. An API outage is reported through ``on_problem`` — never as failed
checks — and the loop keeps polling so the app recovers by itself when the server returns.

Headless: a front end passes callbacks (the TUI's post messages to its UI thread).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from tutor.errors import ClusterUnavailable
from tutor.model import Exercise, Pack
from tutor.practice.core import PracticeCore, Watch, WatchUnsupported
from tutor.results import ExerciseResult

if TYPE_CHECKING:
    from tutor.cluster.reader import ClusterReader

CHANGE, MANUAL, STOP = "change", "manual", "stop"
WATCH_SECONDS = 30
"""The server closes each watch after this; :func:`follow` restarts it from the last resourceVersion."""
MAX_WATCHES = 6
DEFAULT_WATCH_KINDS = (("v1", "Pod"), ("apps/v1", "Deployment"), ("v1", "Service"), ("v1", "ConfigMap"))


class WatchLoop:
    """Grade ``exercise`` on cluster changes, on request, and on a polling fallback.

    Args:
        core: the practice core (``check_once``, ``watch_changes``).
        on_result: called with each grading round's result (from the worker thread).
        on_problem: called with an environment problem's text, or "" when it cleared.
        on_mode: called with ``"watch"`` or ``"polling"`` and the reason when the mode changes.
        debounce: quiet time that ends a burst of events (seconds).
        max_delay: a burst never delays a round longer than this after its first event.
        poll_interval: the polling period when the watch is down or the API is unreachable.
        idle_recheck: a safety-net round this often even while the watch is healthy.
    """

    def __init__(
        self,
        core: PracticeCore,
        pack: Pack,
        exercise: Exercise,
        *,
        on_result: Callable[[ExerciseResult], None],
        on_problem: Callable[[str], None],
        on_mode: Callable[[str, str], None] = lambda mode, why: None,
        debounce: float = 0.25,
        max_delay: float = 0.5,
        poll_interval: float = 1.0,
        idle_recheck: float = 5.0,
    ):
        self.core, self.pack, self.exercise = core, pack, exercise
        self.on_result, self.on_problem, self.on_mode = on_result, on_problem, on_mode
        self.debounce, self.max_delay = debounce, max_delay
        self.poll_interval, self.idle_recheck = poll_interval, idle_recheck
        self.mode = "polling"
        self.problem = ""
        self.rounds = 0
        self._queue: queue.Queue[str] = queue.Queue()
        self._watch = Watch()

    # --- control from the UI thread -------------------------------------------------------------

    def request_check(self) -> None:
        """Run a round now (the learner pressed ``c``)."""
        self._queue.put(MANUAL)

    def stop(self) -> None:
        """End the loop and its watch; safe to call more than once, from any thread."""
        self._watch.stop.set()
        self._queue.put(STOP)

    @property
    def stopped(self) -> bool:
        return self._watch.stop.is_set()

    # --- the loop (worker thread) ---------------------------------------------------------------

    def run(self) -> None:
        """Grade once, then on every debounced change, request or poll tick until ``stop``."""
        producer = threading.Thread(target=self._produce, name="k8s-tutor-watch", daemon=True)
        producer.start()
        self._round()
        while not self.stopped:
            polling = self.mode != "watch" or bool(self.problem)
            try:
                token = self._queue.get(timeout=self.poll_interval if polling else self.idle_recheck)
            except queue.Empty:
                token = MANUAL
            if token == STOP or self.stopped:
                break
            if token == CHANGE:
                self._settle()
                if self.stopped:
                    break
            self._round()

    def _settle(self) -> None:
        """Swallow the rest of a burst: wait until ``debounce`` of quiet or ``max_delay`` in total."""
        deadline = time.monotonic() + self.max_delay
        while True:
            left = min(self.debounce, deadline - time.monotonic())
            if left <= 0:
                return
            try:
                token = self._queue.get(timeout=left)
            except queue.Empty:
                return
            if token == STOP:
                self._queue.put(STOP)
                return

    def _round(self) -> None:
        try:
            result = self.core.check_once(self.pack, self.exercise)
        except ClusterUnavailable as exc:
            self._set_problem(str(exc) or "the API server did not answer")
            return
        except Exception as exc:  # a broken checker or client must not kill watch mode
            self._set_problem(f"{type(exc).__name__}: {exc}")
            return
        self.rounds += 1
        self._set_problem("")
        if not self.stopped:
            self.on_result(result)

    def _set_problem(self, text: str) -> None:
        if text != self.problem:
            self.problem = text
            self.on_problem(text)

    def _set_mode(self, mode: str, why: str) -> None:
        if mode != self.mode:
            self.mode = mode
            self.on_mode(mode, why)
            if mode == "polling":
                self._queue.put(MANUAL)  # wake the loop: it may be sleeping for idle_recheck

    def _produce(self) -> None:
        """Follow the watch, restarting it when the server ends it; back off and poll when it breaks."""
        backoff = 1.0
        while not self.stopped:
            try:
                self._set_mode("watch", "")
                for _event in self.core.watch_changes(self.pack, self.exercise, self._watch):
                    if self.stopped:
                        return
                    self._queue.put(CHANGE)
                    backoff = 1.0
            except WatchUnsupported as exc:
                self._set_mode("polling", str(exc))
                return
            except Exception as exc:
                self._set_mode("polling", f"the watch broke ({type(exc).__name__}: {exc})")
                self._watch.stop.wait(backoff)
                backoff = min(backoff * 2, 15.0)


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


def follow_changes(reader: ClusterReader, exercise: Exercise, watch: Watch) -> Iterator[str]:
    """``PracticeCore.watch_changes`` on a real cluster: one thread per watched kind, merged."""
    kinds = watched_kinds(exercise)
    if not kinds:
        raise WatchUnsupported("no kinds to watch for this exercise")
    events: queue.Queue[object] = queue.Queue()
    inner = Watch()  # stops this call's threads when the generator ends, whatever the reason
    for av, kind in kinds:
        args = (reader, av, kind, exercise.namespace, inner, events)
        threading.Thread(target=follow, args=args, name=f"watch-{kind}", daemon=True).start()
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


def follow(
    reader: ClusterReader,
    api_version: str,
    kind: str,
    namespace: str | None,
    watch: Watch,
    out: queue.Queue[object],
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
