"""What ``grade`` and ``pack test`` share (the batch flows in ``tutor.practice.flows``): choosing
exercises, the skip rule, the checklist titles, placeholder results and the :class:`GradeReport`.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from tutor.errors import TutorError
from tutor.grading.plan import check_title
from tutor.model import CheckRef, Exercise, Pack
from tutor.results import Cause, CheckResult, ExerciseResult, GradeReport, Status

if TYPE_CHECKING:
    from tutor.grading.registry import Registry


@dataclass
class ClusterInfo:
    """What the report says about the cluster; ``error`` is set when it could not be reached."""

    context: str = ""
    server_version: str = ""
    capabilities: frozenset[str] = frozenset()
    error: str = ""


@dataclass
class RunClock:
    """Start time (wall clock for the report, monotonic for the duration)."""

    started_at: str = field(default_factory=lambda: datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    _t0: float = field(default_factory=lambda: time.monotonic())

    def elapsed(self) -> float:
        return round(time.monotonic() - self._t0, 3)


def select(
    pack: Pack,
    lesson: str | None = None,
    exercise_ids: Sequence[str] = (),
    *,
    include_exam_only: bool = False,
) -> list[Exercise]:
    """Exercises to run: the named ones (exam-only tasks allowed), else the lesson's, else the pack's.

    ``include_exam_only`` adds ``exam: only`` tasks to the list (``pack test`` tests them too).

    Raises:
        TutorError: an unknown lesson or exercise id (the message lists the known ones).
    """
    if exercise_ids:
        try:
            return [pack.exercise(e) for e in exercise_ids]
        except KeyError as exc:
            known = ", ".join(e.id for e in pack.exercises(include_exam_only=True))
            raise TutorError(f"{exc.args[0]} (known: {known})") from None
    if lesson:
        try:
            return [e for e in pack.lesson(lesson).exercises if include_exam_only or e.exam != "only"]
        except KeyError as exc:
            raise TutorError(f"{exc.args[0]} (known: {', '.join(x.id for x in pack.lessons)})") from None
    return list(pack.exercises(include_exam_only=include_exam_only))


def missing_capabilities(exercise: Exercise, capabilities: Iterable[str]) -> list[str]:
    """What ``exercise.requires`` that the cluster lacks, sorted."""
    return sorted(set(exercise.requires) - set(capabilities))


def title(registry: Registry | None, ref: CheckRef) -> str:
    """The checklist line of a check reference (``plan.check_title`` with the checker looked up)."""
    return check_title(ref, registry.find(ref.check) if registry is not None else None)


def check_titles(exercise: Exercise, registry: Registry | None = None) -> list[str]:
    """The checklist lines of ``exercise``, in order (what a front end shows before any verdict)."""
    return [title(registry, ref) for ref in exercise.checks]


def placeholder(
    pack: Pack,
    exercise: Exercise,
    status: Status,
    reason: str,
    registry: Registry | None = None,
    cause: Cause = Cause.NONE,
) -> ExerciseResult:
    """An ExerciseResult whose every check has ``status`` with ``reason`` (skips, environment errors)."""
    checks = tuple(
        CheckResult(
            ref.check,
            title(registry, ref),
            status,
            reason,
            weight=ref.weight,
            index=i,
            cause=cause,
        )
        for i, ref in enumerate(exercise.checks, 1)
    )
    return ExerciseResult(
        pack.id,
        exercise.id,
        exercise.title,
        checks,
        exercise.points,
        skipped_reason=reason if status is Status.SKIPPED else "",
    )


def skip_reason(exercise: Exercise, capabilities: Collection[str]) -> str:
    """The skip rule: why ``exercise`` cannot run on a cluster offering ``capabilities``, or ""."""
    missing = missing_capabilities(exercise, capabilities)
    if not missing:
        return ""
    offered = ", ".join(sorted(capabilities)) or "nothing"
    return f"needs {', '.join(missing)}; this cluster offers {offered}"


def report(
    pack: Pack, results: Iterable[ExerciseResult], info: ClusterInfo, clock: RunClock, **meta: Any
) -> GradeReport:
    """The GradeReport of a run, results ordered as given."""
    return GradeReport(
        tuple(results),
        context=info.context,
        server_version=info.server_version,
        started_at=clock.started_at,
        duration=clock.elapsed(),
        meta={"pack": pack.id, "pack_version": pack.version, "language": reading_language(pack), **meta},
    )


def reading_language(pack: Pack) -> str:
    """The language the learner read the pack in: its translated lessons' language, else the default.

    ``translated(pack, "zh")`` puts every lesson that has a Chinese file in Chinese; checkers answer
    in the language of their lesson (tutor.grading.outcomes.msg), so this is what the messages used.
    """
    default = pack.languages[0] if pack.languages else "en"
    return next((le.language for le in pack.lessons if le.language != default), default)


def aborted_report(
    pack: Pack,
    exercises: Iterable[Exercise],
    clock: RunClock,
    reason: str,
    cause: Cause = Cause.CHECKER,
    **meta: Any,
) -> GradeReport:
    """The report of a run that could not finish: every selected check is an error saying why.

    Written whenever a report was asked for, so CI never finds an empty or stale file after a crash, an
    interrupt or a broken pack; the exit code stays the error's (2, or 130 for Ctrl-C).
    """
    results = [placeholder(pack, e, Status.ERROR, reason, cause=cause) for e in exercises]
    return report(pack, results, ClusterInfo(context="", error=reason), clock, aborted=True, **meta)
