"""The pack data model: frozen dataclasses that every front end reads.

The parser (``tutor.content``) builds these from pack.yaml and lesson Markdown; nothing else
constructs them from files. They are immutable so the TUI, the grader and the exam can share
one loaded pack across threads without copying.

Vocabulary used throughout:
    pack      a folder with ``pack.yaml``, lesson Markdown files and a checks folder.
    lesson    one Markdown file (front matter + prose + exercises).
    exercise  one graded task inside a lesson; ``exam: only`` tasks form the exam pool.
    check ref a reference from an exercise to a registered checker id, with arguments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

FORMAT_VERSION = 1
"""The lesson/pack format this tutor reads. Packs declare it in ``pack.yaml``."""

# What a cluster can provide. Exercises declare what they need; drivers report what they offer.
#   api          any API server (CRUD, validation, admission, RBAC)
#   scheduler    kube-scheduler places pods on nodes
#   controllers  kube-controller-manager (Deployments, Jobs, EndpointSlices, namespace deletion...)
#   containers   real containers run: probes, logs, exec, restarts, images pulled (kind, not sim)
#   container-states  pods report what containers do: image pull errors, crash loops with restarts,
#                OOMKilled, failed Job pods (kind: real; sim: by the rules in docs/clusters.md)
#   networking   pod/Service traffic and cluster DNS work (kind, not sim)
#   ingress      an Ingress controller is installed
#   metrics      the metrics.k8s.io API (metrics-server) is served
CAPABILITIES: tuple[str, ...] = (
    "api",
    "scheduler",
    "controllers",
    "containers",
    "container-states",
    "networking",
    "ingress",
    "metrics",
)

ExamMode = Literal["no", "also", "only"]
"""``no``: a practice exercise only; ``also``: practice and exam pool; ``only``: exam pool only."""


@dataclass(frozen=True)
class SourceLocation:
    """Where something was written, so every error can name ``file:line``."""

    path: Path
    line: int  # 1-based; 0 when the whole file is meant

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else str(self.path)


@dataclass(frozen=True)
class CheckRef:
    """An exercise's reference to a registered checker.

    Attributes:
        check: the checker id, e.g. ``"namespaces.labelled"`` or the built-in ``"match"``.
        args: keyword arguments passed to the checker function.
        title: the checklist line the learner sees; defaults to the checker's docstring.
        weight: share of the exercise's points this check carries (partial credit).
        hint: 1-based index into the exercise's hints shown when this check fails, or None.
        timeout: seconds to keep polling; None inherits exercise, then pack, then checker default.
        location: where the reference was written.
        hold: once passing, keep passing this many seconds; None = the checker's own ``hold``
            (lets a lesson use the built-in ``absent`` check as "stays absent").
    """

    check: str
    args: dict[str, Any] = field(default_factory=dict)
    title: str | None = None
    weight: float = 1.0
    hint: int | None = None
    timeout: float | None = None
    location: SourceLocation | None = None
    hold: float | None = None


@dataclass(frozen=True)
class SolutionStep:
    """One step of a reference solution or of setup.

    Exactly one of ``manifest`` (YAML text, possibly multi-document) or ``kubectl``
    (arguments after ``kubectl``, as the learner would type them) is set. ``workdir`` is the pack
    folder: a kubectl step runs there, and its file arguments must stay inside it.
    """

    manifest: str | None = None
    kubectl: str | None = None
    source: SourceLocation | None = None
    workdir: Path | None = None


@dataclass(frozen=True)
class Exercise:
    """One graded task.

    Attributes:
        id: stable id, unique in the pack (progress and exam history are keyed by it).
        title: from the ``## Exercise: <title>`` heading.
        task: the task text as Markdown.
        checks: what is graded.
        hints: the hint ladder, Markdown, revealed one at a time.
        solution: reference solution steps (also used by "skip" and ``pack test``).
        setup: steps applied before the task is shown (inside ``namespace``).
        cleanup: cluster-scoped objects to delete on reset, as ``{"kind":..., "name":..., "apiVersion":...}``.
        namespace: the namespace the exercise works in; None for cluster-scoped tasks.
        points: total points; partial credit splits them by check weight.
        exam: whether the task is in the exam pool (see ExamMode).
        minutes: time estimate, used by the exam to size an attempt.
        requires: cluster capabilities needed (subset of CAPABILITIES).
        timeout: default poll timeout for its checks (seconds), or None to inherit.
        lesson_id: the lesson it belongs to (its exam topic).
        location: where its heading is.
    """

    id: str
    title: str
    task: str
    checks: tuple[CheckRef, ...]
    hints: tuple[str, ...] = ()
    solution: tuple[SolutionStep, ...] = ()
    setup: tuple[SolutionStep, ...] = ()
    cleanup: tuple[dict[str, str], ...] = ()
    namespace: str | None = None
    points: float = 1.0
    exam: ExamMode = "no"
    minutes: float = 5.0
    requires: frozenset[str] = frozenset({"api"})
    timeout: float | None = None
    lesson_id: str = ""
    location: SourceLocation | None = None

    @property
    def where(self) -> str:
        """Where the learner works, the first line above every task (practice and exam alike)."""
        from tutor.i18n import _

        if self.namespace:
            return _("Work in namespace `{namespace}`.").format(namespace=self.namespace)
        return _("This task is cluster-scoped.")


@dataclass(frozen=True)
class ApplyBlock:
    """A YAML example in the lesson prose marked ```` ```yaml apply ````.

    The learner can apply it with one key.
    """

    manifest: str
    location: SourceLocation


@dataclass(frozen=True)
class Lesson:
    """One Markdown lesson file (in one language).

    ``body`` is the Markdown after the front matter, exercises included, so a renderer can show the
    lesson as written; ``exercises`` are the parsed tasks in document order.
    """

    id: str
    title: str
    order: int
    body: str
    exercises: tuple[Exercise, ...]
    apply_blocks: tuple[ApplyBlock, ...] = ()
    minutes: int = 15
    tags: tuple[str, ...] = ()
    requires: frozenset[str] = frozenset({"api"})
    language: str = "en"
    path: Path | None = None
    translations: tuple[str, ...] = ()  # other languages available for this lesson id


@dataclass(frozen=True)
class ExamSettings:
    """Exam defaults a pack may override in ``pack.yaml`` under ``exam:``."""

    duration_minutes: int = 120
    tasks: int = 8
    pass_mark: float = 66.0  # percent
    allow_check: bool = False  # "check my answer" during an exam


@dataclass(frozen=True)
class Pack:
    """A loaded lesson pack.

    ``checks_dir`` is where its checker modules live; the grader loads them into a
    registry of its own (``tutor.grading.registry``) so two packs never share checker ids.
    """

    id: str
    title: str
    version: str
    root: Path
    lessons: tuple[Lesson, ...]
    checks_dir: Path
    format_version: int = FORMAT_VERSION
    languages: tuple[str, ...] = ("en",)
    requires: frozenset[str] = frozenset({"api"})
    timeout: float = 30.0
    poll: float = 1.0
    exam: ExamSettings = ExamSettings()
    description: str = ""

    def exercises(self, *, include_exam_only: bool = False) -> tuple[Exercise, ...]:
        """All exercises in lesson order; exam-only tasks only when asked for."""
        return tuple(
            ex for lesson in self.lessons for ex in lesson.exercises if include_exam_only or ex.exam != "only"
        )

    def exam_pool(self) -> tuple[Exercise, ...]:
        """Tasks an exam may draw from."""
        return tuple(ex for lesson in self.lessons for ex in lesson.exercises if ex.exam in ("also", "only"))

    def sharing_namespace(self, exercise: Exercise) -> tuple[Exercise, ...]:
        """The other exercises that work in ``exercise``'s namespace: resetting it deletes their work too."""
        if exercise.namespace is None:
            return ()
        return tuple(
            ex
            for ex in self.exercises(include_exam_only=True)
            if ex.namespace == exercise.namespace and ex.id != exercise.id
        )

    def exercise(self, exercise_id: str) -> Exercise:
        """Look an exercise up by id (exam-only tasks included); KeyError names the id."""
        for ex in self.exercises(include_exam_only=True):
            if ex.id == exercise_id:
                return ex
        raise KeyError(f"pack {self.id!r} has no exercise {exercise_id!r}")

    def lesson(self, lesson_id: str) -> Lesson:
        """Look a lesson up by id; KeyError names the id."""
        for lesson in self.lessons:
            if lesson.id == lesson_id:
                return lesson
        raise KeyError(f"pack {self.id!r} has no lesson {lesson_id!r}")
