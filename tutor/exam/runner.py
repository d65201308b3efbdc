"""The exam on a live cluster: set every task up before the clock starts, grade at the end.

:class:`ExamRunner` is the bridge between the headless :class:`~tutor.exam.ExamSession` and the
cluster: the session decides *when* (rules, clock), the runner does the cluster work through the
same lifecycle and grader that practice mode and ``pack test`` use, so "start" and "pass" mean the
same thing everywhere.

Set-up uses ``reset_exercise`` (clean up, then start), not ``start_exercise`` alone: a namespace left
over from an earlier attempt at the same task would otherwise hand out points for free.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from tutor.exam.session import ExamSession
from tutor.model import Exercise, Pack
from tutor.results import CheckResult, ExerciseResult, GradeReport, Status

FINAL = frozenset({Status.PASS, Status.FAIL, Status.TIMEOUT, Status.ERROR, Status.SKIPPED})

if TYPE_CHECKING:
    from tutor.cluster import Cluster
    from tutor.grading.lifecycle import ExerciseRun


class ExamRunner:
    """Sets up and grades the tasks of an exam on one cluster.

    Args:
        pack: the exam's pack (its checker registry is loaded once here).
        cluster: a connected cluster (``tutor.cluster.connect``).
        allow_context: a context the user named explicitly, so writes are allowed on it.
        timeout: override every check's polling timeout (seconds) when grading.
    """

    def __init__(
        self, pack: Pack, cluster: Cluster, *, allow_context: str | None = None, timeout: float | None = None
    ):
        from tutor.grading.registry import load_checks, require_clean

        self.pack = pack
        self.cluster = cluster
        self.allow_context = allow_context
        self.timeout = timeout
        self.registry = require_clean(load_checks(pack))
        self._capabilities: frozenset[str] | None = None
        self._runs: dict[str, ExerciseRun] = {}
        self.on_verdict: Callable[[Exercise, CheckResult], object] | None = None

    def capabilities(self) -> frozenset[str]:
        """What the cluster offers (asked once)."""
        if self._capabilities is None:
            self._capabilities = self.cluster.read.capabilities()
        return self._capabilities

    def set_up(self, session: ExamSession, progress: Callable[[int, Exercise], None] | None = None) -> None:
        """Give every drawn task a fresh namespace and its starting state, then mark the session set up.

        Args:
            session: an attempt in state DRAWN.
            progress: called with (index, exercise) before each task is set up.
        """
        from tutor.grading.lifecycle import reset_exercise

        writer = self.cluster.writer(self.allow_context)
        for index, exercise in enumerate(session.exercises):
            if progress:
                progress(index, exercise)
            self._runs[exercise.id] = reset_exercise(writer, self.pack, exercise)
        session.mark_set_up({ex_id: run.to_dict() for ex_id, run in self._runs.items()})

    def load_runs(self, session: ExamSession) -> None:
        """Restore the start snapshots saved in the attempt (after a restart)."""
        from tutor.grading.lifecycle import ExerciseRun

        for task in session.tasks:
            if task.run is not None:
                self._runs[task.exercise_id] = ExerciseRun.from_dict(task.exercise_id, task.run)

    def grader(self):
        from tutor.grading.engine import Grader

        return Grader(
            self.registry,
            self.cluster.read,
            self.pack,
            timeout=self.timeout,
            capabilities=self.capabilities(),
        )

    def grade_all(self, exercises: Sequence[Exercise]) -> list[ExerciseResult]:
        """Poll every task's checks to a verdict (the end-of-exam grading).

        ``on_verdict`` (if set) is called from the grading threads with each check's final verdict,
        so a front end can show progress during the tens of seconds unsolved checks poll.
        """
        hook = self.on_verdict

        def progress(exercise: Exercise, result: CheckResult) -> None:
            if hook is not None and result.status in FINAL:  # RUNNING/PENDING are per-attempt updates
                hook(exercise, result)

        return self.grader().grade(exercises, runs=self._runs, progress=progress)

    def grade_one(self, exercise: Exercise) -> ExerciseResult:
        """One round over one task's checks ("check my answer", when the pack allows it)."""
        return self.grader().evaluate_once(exercise, self._runs.get(exercise.id))

    def server_version(self) -> str:
        try:
            return str(self.cluster.read.version().get("gitVersion", ""))
        except Exception:  # noqa: BLE001 - the version is decoration in a report, never a reason to fail
            return ""


def exam_report(session: ExamSession) -> GradeReport:
    """A graded attempt as the GradeReport the ``grade`` reporters render (exam facts in ``meta``).

    The report's own ``status``/``exit_code`` judge every task like ``grade`` does; the exam's verdict
    (pass mark reached, the process exit code) is ``meta.exam.passed`` / ``meta.exam.exit_code``.
    """
    from tutor.exam.clock import iso

    a = session.attempt
    score = session.score()
    return GradeReport(
        exercises=tuple(session.results()),
        context=a.context,
        server_version=a.server_version,
        started_at=iso(a.started_at) if a.started_at else "",
        duration=round((a.ended_at or a.started_at or 0) - (a.started_at or 0), 3),
        meta={
            "exam": {
                "attempt": a.id,
                "pack": a.pack_id,
                "pack_version": a.pack_version,
                "seed": a.seed,
                "state": a.state.value,
                "duration_limit": a.duration,
                "ended": iso(a.ended_at) if a.ended_at else "",
                "graded": iso(a.graded_at) if a.graded_at else "",
                "timed_out": a.ended_at is not None and a.deadline is not None and a.ended_at >= a.deadline,
                "flagged": [t.exercise_id for t in a.tasks if t.flagged],
                "checks_used": {t.exercise_id: t.checks_used for t in a.tasks if t.checks_used},
                **score.to_dict(),
                "exit_code": score.exit_code,
            }
        },
    )
