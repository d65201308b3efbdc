"""The exam on a live cluster: set every task up before the clock starts, grade at the end.

:class:`ExamRunner` is the bridge between the headless :class:`~tutor.exam.ExamSession` and the
cluster: the session decides *when* (rules, clock), the runner does the cluster work through the
same :class:`~tutor.practice.cluster_session.ClusterSession` (lifecycle, grader, guarded writer) that
practice mode, ``grade`` and ``pack test`` use, so "start" and "pass" mean the
same thing everywhere.

Set-up uses ``reset_exercise`` (clean up, then start), not ``start_exercise`` alone: a namespace left
over from an earlier attempt at the same task would otherwise hand out points for free.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from tutor.exam.session import ExamSession
from tutor.grading.settle import QUIET_SECONDS
from tutor.model import Exercise, Pack
from tutor.results import CheckResult, ExerciseResult, GradeReport, Status

FINAL = frozenset({Status.PASS, Status.FAIL, Status.TIMEOUT, Status.ERROR, Status.SKIPPED})

if TYPE_CHECKING:
    from tutor.grading.lifecycle import ExerciseRun
    from tutor.practice.cluster_session import ClusterSession


class ExamRunner:
    """Sets up and grades the tasks of an exam on one cluster.

    Args:
        pack: the exam's pack.
        cluster: the cluster session (its target carries ``--allow-context``; the checker registry,
            capabilities and writer come from it).
        timeout: override every check's polling timeout (seconds) when grading.
    """

    def __init__(self, pack: Pack, cluster: ClusterSession, *, timeout: float | None = None):
        self.pack = pack
        self.cluster = cluster
        self.timeout = timeout
        cluster.registry(pack)  # a broken checker file fails before anything is drawn or set up
        self.on_verdict: Callable[[Exercise, CheckResult], object] | None = None
        #: Called with a check still being polled (its latest attempt): a screen names what it waits for.
        self.on_waiting: Callable[[Exercise, CheckResult], object] | None = None

    def capabilities(self) -> frozenset[str]:
        """What the cluster offers (asked once)."""
        return self.cluster.capabilities()

    def set_up(self, session: ExamSession, progress: Callable[[int, Exercise], None] | None = None) -> None:
        """Give every drawn task a fresh namespace and its starting state, then mark the session set up.

        Args:
            session: an attempt in state DRAWN.
            progress: called with (index, exercise) before each task is set up.
        """
        runs = {}
        for index, exercise in enumerate(session.exercises):
            if progress:
                progress(index, exercise)
            runs[exercise.id] = self.cluster.start_exercise(self.pack, exercise, fresh=True)
        session.mark_set_up({ex_id: run.to_dict() for ex_id, run in runs.items()})

    def load_runs(self, session: ExamSession) -> None:
        """Restore the start snapshots saved in the attempt (after a restart)."""
        from tutor.grading.lifecycle import ExerciseRun

        for task in session.tasks:
            if task.run is not None:
                self.cluster.remember(self.pack, ExerciseRun.from_dict(task.exercise_id, task.run))

    def _runs(self, exercises: Sequence[Exercise]) -> dict[str, ExerciseRun]:
        found = {ex.id: self.cluster.run(self.pack, ex) for ex in exercises}
        return {ex_id: run for ex_id, run in found.items() if run is not None}

    def grade_all(self, exercises: Sequence[Exercise]) -> list[ExerciseResult]:
        """Poll every task's checks to a verdict (the end-of-exam grading).

        ``on_verdict`` (if set) is called from the grading threads with each check's final verdict,
        so a front end can show progress during the tens of seconds unsolved checks poll.
        """
        hook, waiting = self.on_verdict, self.on_waiting

        def progress(exercise: Exercise, result: CheckResult) -> None:
            if result.status in FINAL:  # RUNNING/PENDING are per-attempt updates
                if hook is not None:
                    hook(exercise, result)
            elif waiting is not None:
                waiting(exercise, result)

        # The answers are frozen: once nothing changes and nothing converges, waiting out every
        # unsolved check's timeout only keeps the candidate at "6/7 checks done" (tutor.grading.settle).
        grader = self.cluster.grader(self.pack, timeout=self.timeout, settle=QUIET_SECONDS)
        return grader.grade(exercises, runs=self._runs(exercises), progress=progress)

    def grade_one(self, exercise: Exercise) -> ExerciseResult:
        """One round over one task's checks ("check my answer", when the pack allows it)."""
        grader = self.cluster.grader(self.pack, timeout=self.timeout)
        return grader.evaluate_once(exercise, self.cluster.run(self.pack, exercise))

    def server_version(self) -> str:
        try:
            return self.cluster.server_version()
        except Exception:  # noqa: BLE001 - the version is decoration in a report, never a reason to fail
            return ""


def exam_report(session: ExamSession) -> GradeReport:
    """A graded attempt as the GradeReport the ``grade`` reporters render (exam facts in ``meta``).

    The report's own ``status``/``exit_code`` judge every task like ``grade`` does; the exam's verdict
    (pass mark reached, the process exit code) is ``meta.exam.passed`` / ``meta.exam.exit_code``.
    """
    from tutor.exam.clock import iso
    from tutor.grading.batch import reading_language

    a = session.attempt
    score = session.score()
    return GradeReport(
        exercises=tuple(session.results()),
        context=a.context,
        server_version=a.server_version,
        started_at=iso(a.started_at) if a.started_at else "",
        duration=round((a.ended_at or a.started_at or 0) - (a.started_at or 0), 3),
        meta={
            "language": reading_language(session.pack),
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
            },
        },
    )
