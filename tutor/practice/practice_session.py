"""``PracticeSession``: practice mode on one exercise, without a screen.

It mirrors :class:`~tutor.exam.session.ExamSession`: the rules of practice mode live here, a front end
only shows what they decide. Open an exercise (recorded; the hints and the solution the learner had
revealed come back) → set it up → grade it once or watch it → each verdict is recorded (a changed
verdict is an attempt, the first pass is a pass, "with solution" once the solution was revealed, never
a pass after a skip) → hint / solution / reset / skip → leave (time on the exercise is added).

Cluster work goes through a :class:`~tutor.practice.core.PracticeCore` (a ``ClusterSession``, or a
stand-in in tests); progress through the :class:`~tutor.store.progress.ProgressStore`. Methods that
touch the cluster block; a UI runs them in worker threads and calls :meth:`record` on its own thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tutor.model import Exercise, Pack
from tutor.practice.core import PracticeCore
from tutor.practice.watching import WatchLoop
from tutor.results import ExerciseResult, Status
from tutor.store.progress import ExerciseProgress, ProgressStatus, ProgressStore


@dataclass(frozen=True)
class Verdict:
    """What one grading round means for the learner.

    Attributes:
        result: the round's result.
        changed: the overall status differs from the previous round's (counted as an attempt).
        passed: this round is the exercise's first pass in this session (recorded as a pass).
        with_solution: that pass came after the solution was revealed.
        ungradable: why the cluster cannot grade the exercise ("" when it can).
    """

    result: ExerciseResult
    changed: bool = False
    passed: bool = False
    with_solution: bool = False
    ungradable: str = ""


class PracticeSession:
    """The learner working on one exercise of a pack.

    Args:
        core: the cluster side (``ClusterSession`` or a stand-in).
        progress: where progress is recorded.
        pack, exercise: what is being practised.
        clock: monotonic seconds (injectable for tests).
    """

    def __init__(
        self,
        core: PracticeCore,
        progress: ProgressStore,
        pack: Pack,
        exercise: Exercise,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.core, self.progress, self.pack, self.exercise = core, progress, pack, exercise
        self.clock = clock
        self.hints_shown = 0
        self.skipped = False
        self.last_result: ExerciseResult | None = None
        self._opened_at = clock()

    # --- progress keys ------------------------------------------------------------------------------

    def _key(self) -> tuple[str, str, str]:
        return self.pack.id, self.pack.version, self.exercise.id

    @property
    def record_so_far(self) -> ExerciseProgress:
        """The learner's stored progress on this exercise."""
        return self.progress.get(*self._key())

    @property
    def status(self) -> ProgressStatus:
        return self.record_so_far.status

    @property
    def solution_revealed(self) -> bool:
        return self.record_so_far.solution_revealed

    # --- the flow -----------------------------------------------------------------------------------

    def open(self) -> ExerciseProgress:
        """Record that the exercise was opened; restores how many hints were already revealed."""
        rec = self.progress.record_opened(*self._key())
        self.hints_shown = min(rec.hints_used, len(self.exercise.hints))
        self.last_result, self.skipped = None, False
        self._opened_at = self.clock()
        return rec

    def titles(self) -> list[str]:
        """The checklist lines before the first verdict (the same lines the verdicts carry)."""
        return self.core.check_titles(self.pack, self.exercise)

    def start(self) -> str:
        """Set the exercise up on the cluster (namespace, setup steps, start snapshot) and point the
        learner's kubectl at its namespace. Blocks. Returns the notice saying where kubectl works."""
        self.core.start_exercise(self.pack, self.exercise)
        return self.core.point_kubectl_at(self.exercise)

    def check(self) -> Verdict:
        """Grade once now (blocks) and record the verdict. ClusterUnavailable propagates."""
        return self.record(self.core.check_once(self.pack, self.exercise))

    def request_check(self) -> None:
        """The learner asked for a check: that is an attempt, whatever the verdict."""
        self.progress.record_attempt(*self._key())

    def record(self, result: ExerciseResult) -> Verdict:
        """Apply the recording rules to a round's result (call it on one thread, in round order)."""
        previous = self.last_result.status if self.last_result else None
        self.last_result = result
        if result.skipped_reason:
            return Verdict(result, ungradable=result.skipped_reason)
        changed = previous is not None and previous is not result.status
        if changed:
            self.progress.record_attempt(*self._key())
        passed = result.status is Status.PASS and previous is not Status.PASS and not self.skipped
        with_solution = False
        if passed:
            rec = self.progress.record_pass(*self._key())
            with_solution = rec.status is ProgressStatus.PASSED_WITH_SOLUTION
        return Verdict(result, changed, passed, with_solution)

    def watch(self, **options: Any) -> WatchLoop:
        """A watch loop grading this exercise on every cluster change (run it in a worker thread).

        ``options`` are :class:`WatchLoop`'s (``on_result``, ``on_problem``, ``on_mode``, timings); the
        results it reports are not recorded until the front end passes them to :meth:`record`.
        """
        return WatchLoop(self.core, self.pack, self.exercise, **options)

    # --- help ---------------------------------------------------------------------------------------

    def next_hint(self) -> str | None:
        """Reveal the next hint (recorded); None when there is no further hint."""
        if self.hints_shown >= len(self.exercise.hints):
            return None
        self.hints_shown += 1
        self.progress.record_hint(*self._key(), self.hints_shown)
        return self.exercise.hints[self.hints_shown - 1]

    @property
    def hints(self) -> tuple[str, ...]:
        """The hints revealed so far, in order."""
        return self.exercise.hints[: self.hints_shown]

    def reveal_solution(self) -> None:
        """Record that the learner saw the reference solution (a later pass is "with solution")."""
        self.progress.record_solution_revealed(*self._key())

    def mark_skipped(self) -> None:
        """Record the skip (a UI's first half of :meth:`skip`); no pass is recorded after it."""
        self.skipped = True
        self.progress.record_skip(*self._key())

    def apply_solution(self) -> None:
        """Apply the reference solution on the cluster (a UI's worker half of :meth:`skip`). Blocks."""
        self.core.apply_solution(self.pack, self.exercise)

    def skip(self) -> None:
        """Record the skip and apply the reference solution. Blocks."""
        self.mark_skipped()
        self.apply_solution()

    def mark_reset(self) -> None:
        """A reset was asked for: the skip no longer holds (a UI's first half of :meth:`reset`)."""
        self.skipped = False

    def reset_cluster(self) -> None:
        """Clean the exercise up and set it up again (a UI's worker half of :meth:`reset`). Blocks."""
        self.core.reset_exercise(self.pack, self.exercise)

    def forget_verdict(self) -> None:
        """After a reset the next verdict starts afresh: not an attempt, and a pass counts again."""
        self.last_result = None

    def reset(self) -> None:
        """Start the exercise over: clean up, set up again, forget the last verdict. Blocks."""
        self.mark_reset()
        self.reset_cluster()
        self.forget_verdict()

    def leave(self) -> float:
        """Add the time since :meth:`open` to the exercise's record; the seconds added."""
        seconds = self.clock() - self._opened_at
        self.progress.add_time(*self._key(), seconds)
        self._opened_at = self.clock()
        return seconds
