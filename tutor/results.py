"""Grading results: what a check, an exercise and a whole grade run produced.

Shared by every front end (TUI checklist, ``grade`` reporters, exam scoring), so it lives
apart from the engine. Plain frozen dataclasses with ``to_dict`` for the JSON report.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any


# Not StrEnum: that would make str()/format() give "pass" instead of "Status.PASS".
class Status(str, Enum):  # noqa: UP042
    """Outcome of one check.

    PASS      the cluster state satisfies the check.
    FAIL      the learner's answer is wrong (a CheckFailed or failed assertion on the last attempt).
    TIMEOUT   the check kept answering NotYet until its timeout (counted as a failure).
    ERROR     the environment or the checker broke (API down, checker bug) — never the learner's fault.
    SKIPPED   not run (the cluster lacks what the exercise requires, or a dependency failed).
    PENDING   not graded yet (the TUI shows it before the first verdict).
    RUNNING   being graded right now (TUI only).
    """

    PASS = "pass"
    FAIL = "fail"
    TIMEOUT = "timeout"
    ERROR = "error"
    SKIPPED = "skipped"
    PENDING = "pending"
    RUNNING = "running"

    @property
    def is_failure(self) -> bool:
        return self in (Status.FAIL, Status.TIMEOUT)


class Cause(str, Enum):  # noqa: UP042 - str() of a member stays "Cause.API", like Status
    """Why a check ended in ERROR, so a front end tells "the cluster is gone" from "the pack is broken"
    without parsing messages. ``NONE`` for every verdict that is not an error.

    UNAVAILABLE  the API server did not answer (connection refused, timeout, 5xx).
    API          the API server refused a read (403 Forbidden, ...): the environment.
    CHECKER      the checker raised something other than NotYet/CheckFailed: the pack's code.
    REFERENCE    the check reference cannot run (unknown checker id, arguments that do not bind).
    """

    NONE = ""
    UNAVAILABLE = "unavailable"
    API = "api"
    CHECKER = "checker"
    REFERENCE = "reference"


@dataclass(frozen=True)
class FieldDiff:
    """One mismatching field: ``.spec.replicas: expected 3, got 2``."""

    path: str
    expected: Any
    actual: Any

    def __str__(self) -> str:
        return f"{self.path}: expected {self.expected!r}, got {self.actual!r}"


@dataclass(frozen=True)
class CheckResult:
    """The verdict of one check reference of one exercise."""

    check_id: str
    title: str
    status: Status
    message: str = ""
    diffs: tuple[FieldDiff, ...] = ()
    hint: int | None = None  # 1-based index into the exercise's hints that fits this failure
    diagnostics: tuple[str, ...] = ()  # related events, owner chain, log lines
    attempts: int = 0
    duration: float = 0.0  # seconds
    weight: float = 1.0
    # 1-based position among the exercise's check references: check ids may repeat (two `match`
    # checks), so this is the stable key for one check's result; 0 = not known (built by hand)
    index: int = 0
    cause: Cause = Cause.NONE  # why an ERROR happened; not in the JSON report (its format is fixed)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        del d["cause"]
        d["status"] = self.status.value
        d["diffs"] = [asdict(x) for x in self.diffs]
        d["diagnostics"] = list(self.diagnostics)
        return d


@dataclass(frozen=True)
class ExerciseResult:
    """All checks of one exercise, with weighted partial credit."""

    pack_id: str
    exercise_id: str
    title: str
    checks: tuple[CheckResult, ...]
    points_possible: float
    duration: float = 0.0
    skipped_reason: str = ""

    @property
    def status(self) -> Status:
        """ERROR beats FAIL beats PASS: an environment problem must never read as a wrong answer."""
        if self.skipped_reason or not self.checks:
            return Status.SKIPPED
        statuses = {c.status for c in self.checks}
        if Status.ERROR in statuses:
            return Status.ERROR
        if Status.FAIL in statuses or Status.TIMEOUT in statuses:
            return Status.FAIL
        if statuses <= {Status.PASS, Status.SKIPPED}:
            return Status.PASS
        return Status.PENDING

    @property
    def points(self) -> float:
        """Points earned: the exercise's points split by the weights of the checks that passed."""
        total = sum(c.weight for c in self.checks)
        if not total:
            return 0.0
        earned = sum(c.weight for c in self.checks if c.status is Status.PASS)
        return round(self.points_possible * earned / total, 4)

    def to_dict(self) -> dict[str, Any]:
        return {
            "pack": self.pack_id,
            "exercise": self.exercise_id,
            "title": self.title,
            "status": self.status.value,
            "points": self.points,
            "points_possible": self.points_possible,
            "duration": self.duration,
            "skipped_reason": self.skipped_reason,
            "checks": [c.to_dict() for c in self.checks],
        }


@dataclass(frozen=True)
class GradeReport:
    """A grade run over one or more exercises (``k8s-tutor grade``, ``pack test``, an exam)."""

    exercises: tuple[ExerciseResult, ...]
    context: str = ""
    server_version: str = ""
    started_at: str = ""  # ISO 8601 UTC
    duration: float = 0.0
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """0 all pass (skips allowed), 1 some failed, 2 any environment or checker error."""
        statuses = {e.status for e in self.exercises}
        if Status.ERROR in statuses:
            return 2
        if Status.FAIL in statuses or Status.PENDING in statuses:
            return 1
        return 0

    @property
    def points(self) -> float:
        return round(sum(e.points for e in self.exercises), 4)

    @property
    def points_possible(self) -> float:
        return round(sum(e.points_possible for e in self.exercises if e.status is not Status.SKIPPED), 4)
