"""What a practice front end needs from the core: the ``PracticeCore`` protocol and its plain data.

Why a protocol: the TUI's pilot tests drive every screen with an in-memory stand-in, the app uses
:class:`~tutor.practice.cluster_session.ClusterSession`; both satisfy this contract. Every method may
block on the network, so a UI calls them from worker threads.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from tutor.model import Exercise, Lesson, Pack
from tutor.results import ExerciseResult


@dataclass(frozen=True)
class ClusterStatus:
    """What a front end shows about the cluster.

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
        """One line for a header: ``⎈ k8s-tutor-sim ● v1.36.0`` or ``⎈ no cluster``."""
        if not self.context:
            return "⎈ no cluster"
        state = f"● {self.version}" if self.reachable else "○ unreachable"
        return f"⎈ {self.context} {state}".rstrip()


@dataclass(frozen=True)
class PackEntry:
    """A pack in the catalog: loaded, or broken with its FormatError text (never a crash)."""

    spec: str
    pack: Pack | None = None
    error: str = ""
    title: str = ""

    @property
    def name(self) -> str:
        return self.pack.title if self.pack else (self.title or self.spec)


@dataclass
class Watch:
    """A handle the watch loop gives the core so a blocking watch can be stopped from outside."""

    stop: threading.Event = field(default_factory=threading.Event)


class WatchUnsupported(Exception):
    """The core cannot watch this exercise (e.g. cluster-scoped); the watch loop polls instead."""


@dataclass(frozen=True)
class Step:
    """One stop of the walk through a pack: a lesson and one of its exercises (or None)."""

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


class PracticeCore(Protocol):
    """The cluster side of practice mode, per exercise. All methods may block."""

    def check_titles(self, pack: Pack, exercise: Exercise) -> list[str]:
        """The checklist lines before the first verdict (the same lines the verdicts carry)."""
        ...

    def start_exercise(self, pack: Pack, exercise: Exercise) -> None:
        """Create and label the exercise namespace, apply setup, take the start snapshot."""
        ...

    def point_kubectl_at(self, exercise: Exercise) -> str:
        """Make the learner's kubectl work in the exercise namespace where the tutor may; say what it did."""
        ...

    def check_once(self, pack: Pack, exercise: Exercise) -> ExerciseResult:
        """One grading round without waiting (NotYet reads as not passed yet, not as a failure).

        A result with ``skipped_reason`` and no checks means the exercise cannot be graded here.

        Raises:
            ClusterUnavailable: the API server did not answer; shown as an environment problem.
        """
        ...

    def watch_changes(self, pack: Pack, exercise: Exercise, watch: Watch) -> Iterator[str]:
        """Yield a short description each time an object the exercise can see changes.

        Returns when ``watch.stop`` is set or the server ends the watch; raises when it breaks
        (the watch loop then falls back to polling); ``WatchUnsupported`` when there is nothing to watch.
        """
        ...

    def apply_solution(self, pack: Pack, exercise: Exercise) -> None:
        """Apply the reference solution (skip)."""
        ...

    def reset_exercise(self, pack: Pack, exercise: Exercise) -> None:
        """Clean the exercise namespace (and its cleanup list) and run setup again."""
        ...
