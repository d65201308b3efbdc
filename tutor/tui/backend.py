"""The facade between the TUI and the headless core (content, grading, cluster, progress).

Why a facade: screens must stay thin and testable. Every method here is synchronous and may block
on the network, so the app calls it from thread workers only. Pilot tests pass a stand-in that
implements the same ``Backend`` protocol; the real one is ``tutor.tui.core_backend.CoreBackend``.
Nothing in this module imports Textual.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from tutor.cluster.drivers import DriverChoice
from tutor.model import ApplyBlock, Exercise, Lesson, Pack
from tutor.results import ExerciseResult
from tutor.store.progress import ProgressStore


@dataclass(frozen=True)
class ClusterStatus:
    """What the header shows about the cluster.

    Attributes:
        context: the kube context in use ("" when there is none).
        reachable: the API server answered the last probe.
        version: the server's git version, e.g. ``v1.36.0``.
        message: why the cluster is not usable (shown as an environment problem).
        configured: a kubeconfig with a current context exists at all (first-run screen when False).
        capabilities: what the cluster provides (see ``tutor.model.CAPABILITIES``).
    """

    context: str = ""
    reachable: bool = False
    version: str = ""
    message: str = ""
    configured: bool = False
    capabilities: frozenset[str] = frozenset()

    @property
    def label(self) -> str:
        """One line for the header: ``⎈ k8s-tutor-sim ● v1.36.0`` or ``⎈ no cluster``."""
        if not self.context:
            return "⎈ no cluster"
        state = f"● {self.version}" if self.reachable else "○ unreachable"
        return f"⎈ {self.context} {state}".rstrip()


@dataclass(frozen=True)
class PackEntry:
    """A pack in the catalog: loaded, or broken with its FormatError text (the app never crashes on it)."""

    spec: str
    pack: Pack | None = None
    error: str = ""
    title: str = ""

    @property
    def name(self) -> str:
        return self.pack.title if self.pack else (self.title or self.spec)


@dataclass
class Watch:
    """A handle the watch loop gives the backend so a blocking watch can be stopped from outside."""

    stop: threading.Event = field(default_factory=threading.Event)


class Backend(Protocol):
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

    def start_exercise(self, pack: Pack, exercise: Exercise) -> None:
        """Create and label the exercise namespace, apply setup, take the start snapshot."""
        ...

    def check_once(self, pack: Pack, exercise: Exercise) -> ExerciseResult:
        """One grading round without waiting (NotYet reads as not passed yet, not as a failure).

        Raises:
            ClusterUnavailable: the API server did not answer; the app shows an environment problem.
        """
        ...

    def watch_changes(self, pack: Pack, exercise: Exercise, watch: Watch) -> Iterator[str]:
        """Yield a short description each time an object the exercise can see changes.

        Returns when ``watch.stop`` is set or the server ends the watch; raises when it breaks
        (the watch loop then falls back to polling).
        """
        ...

    def apply_block(self, block: ApplyBlock, namespace: str | None) -> str:
        """Apply a lesson's ```` ```yaml apply ```` block; returns what the server said (e.g. ``created``)."""
        ...

    def apply_solution(self, pack: Pack, exercise: Exercise) -> None:
        """Apply the reference solution (skip)."""
        ...

    def reset_exercise(self, pack: Pack, exercise: Exercise) -> None:
        """Clean the exercise namespace (and its cleanup list) and run setup again."""
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


@dataclass(frozen=True)
class Step:
    """One stop of the n/p walk through a pack: a lesson and one of its exercises (or None)."""

    lesson: Lesson
    exercise: Exercise | None


def steps_of(pack: Pack) -> list[Step]:
    """Every practice exercise in order; a lesson without one is a single reading stop."""
    out: list[Step] = []
    for lesson in pack.lessons:
        practice = [ex for ex in lesson.exercises if ex.exam != "only"]
        if practice:
            out.extend(Step(lesson, ex) for ex in practice)
        else:
            out.append(Step(lesson, None))
    return out


def check_titles(exercise: Exercise) -> list[str]:
    """The checklist lines before the first verdict: the reference's title or ``check(args)``."""
    titles = []
    for ref in exercise.checks:
        if ref.title:
            titles.append(ref.title)
        else:
            args = ", ".join(f"{k}={v}" for k, v in ref.args.items() if not isinstance(v, dict))
            titles.append(f"{ref.check}({args})" if args else ref.check)
    return titles
