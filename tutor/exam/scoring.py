"""Exam scoring: weighted partial credit per check, a pass mark, a breakdown per topic.

The points of one task come from ``ExerciseResult.points`` (the task's points split by the
weights of its passing checks), the same rule ``grade`` and the practice TUI use, so a learner's
score never depends on which front end graded them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tutor.results import CheckResult, ExerciseResult, FieldDiff, GradeReport, Status


@dataclass(frozen=True)
class TopicScore:
    """Points earned and possible in one topic (lesson)."""

    topic: str
    points: float
    possible: float
    tasks: int

    @property
    def percent(self) -> float:
        return round(100.0 * self.points / self.possible, 2) if self.possible else 0.0


@dataclass(frozen=True)
class ExamScore:
    """The outcome of a graded attempt.

    Attributes:
        points: points earned over all tasks.
        possible: points the drawn tasks were worth (errored tasks included: an exam never shrinks).
        pass_mark: percent needed to pass.
        errors: ids of tasks whose grading hit an environment/checker error (score unreliable).
        topics: per-topic breakdown, in first-drawn order.
    """

    points: float
    possible: float
    pass_mark: float
    errors: tuple[str, ...] = ()
    topics: tuple[TopicScore, ...] = field(default_factory=tuple)

    @property
    def percent(self) -> float:
        return round(100.0 * self.points / self.possible, 2) if self.possible else 0.0

    @property
    def passed(self) -> bool:
        return not self.errors and self.percent >= self.pass_mark

    @property
    def exit_code(self) -> int:
        """``grade``'s convention for an exam: 0 passed, 1 below the pass mark, 2 an environment error."""
        if self.errors:
            return 2
        return 0 if self.passed else 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "points": self.points,
            "possible": self.possible,
            "percent": self.percent,
            "pass_mark": self.pass_mark,
            "passed": self.passed,
            "errors": list(self.errors),
            "topics": [
                {
                    "topic": t.topic,
                    "points": t.points,
                    "possible": t.possible,
                    "tasks": t.tasks,
                    "percent": t.percent,
                }
                for t in self.topics
            ],
        }


def score(results: Sequence[ExerciseResult], topics: Mapping[str, str], pass_mark: float) -> ExamScore:
    """Score graded tasks.

    Args:
        results: one result per drawn task.
        topics: exercise id → topic (lesson id), for the breakdown.
        pass_mark: percent needed to pass.
    """
    by_topic: dict[str, list[ExerciseResult]] = {}
    for r in results:
        by_topic.setdefault(topics.get(r.exercise_id, ""), []).append(r)
    breakdown = tuple(
        TopicScore(
            topic,
            round(sum(r.points for r in rs), 4),
            round(sum(r.points_possible for r in rs), 4),
            len(rs),
        )
        for topic, rs in by_topic.items()
    )
    return ExamScore(
        points=round(sum(r.points for r in results), 4),
        possible=round(sum(r.points_possible for r in results), 4),
        pass_mark=pass_mark,
        errors=tuple(r.exercise_id for r in results if r.status is Status.ERROR),
        topics=breakdown,
    )


def result_to_json(result: ExerciseResult) -> dict[str, Any]:
    """An ExerciseResult as JSON data, exactly as the ``grade`` JSON report writes it.

    Diff values may be anything a checker compared (Decimals, the MISSING marker); the report's own
    encoding turns them into JSON and marks absent fields with ``missing: true``.
    """
    from tutor.grading.report.json_report import report_dict

    return report_dict(GradeReport(exercises=(result,)))["exercises"][0]


def _diff_from_dict(x: Mapping[str, Any]) -> FieldDiff:
    from tutor.grading.fieldpath import MISSING

    actual = MISSING if x.get("missing") else x.get("actual")
    return FieldDiff(x["path"], x.get("expected"), actual)


def result_from_dict(d: Mapping[str, Any]) -> ExerciseResult:
    """Rebuild an :class:`ExerciseResult` from :func:`result_to_json` (saved attempts, history)."""
    checks = tuple(
        CheckResult(
            check_id=c["check_id"],
            title=c.get("title", ""),
            status=Status(c["status"]),
            message=c.get("message", ""),
            diffs=tuple(_diff_from_dict(x) for x in c.get("diffs", ())),
            hint=c.get("hint"),
            diagnostics=tuple(c.get("diagnostics", ())),
            attempts=c.get("attempts", 0),
            duration=c.get("duration", 0.0),
            weight=c.get("weight", 1.0),
            index=c.get("index", 0),
        )
        for c in d.get("checks", ())
    )
    return ExerciseResult(
        pack_id=d["pack"],
        exercise_id=d["exercise"],
        title=d.get("title", ""),
        checks=checks,
        points_possible=d["points_possible"],
        duration=d.get("duration", 0.0),
        skipped_reason=d.get("skipped_reason", ""),
    )
