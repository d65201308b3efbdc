"""ExamSession: the exam as a headless state machine with an injectable clock.

The TUI and the CLI only *display* a session and forward the learner's actions to it; every rule
lives here, so it is tested without a terminal or a cluster:

    drawn ──mark_set_up()──> set_up ──start()──> running ──submit()──> submitted ──grade()──> graded
                                                    └──tick() past the deadline──> timed_out ──grade()──┘

* ``tick()`` is called by the front end (once a second in the TUI); it returns the events that are
  due: a warning at 15, 5 and 1 minutes left (each once per attempt, even across restarts, because
  the fired ones are saved) and the time-out.
* Once submitted or timed out the attempt is frozen: flagging, "check my answer" and submitting are
  refused with :class:`ExamClosed`. Navigation stays allowed because it changes nothing.
* Hints and reference solutions are locked (:class:`ExamLocked`) until the attempt is graded.
* Grading goes through a function the caller passes in (the real grader on a cluster, a fake in
  tests), so this module imports neither the Kubernetes client nor the engine.
* Every change is saved through :class:`~tutor.exam.attempt.AttemptStore` when one is given.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from tutor.errors import TutorError
from tutor.exam.attempt import AttemptStore, ExamAttempt, ExamState, TaskRecord
from tutor.exam.clock import Clock, SystemClock, iso
from tutor.exam.draw import draw
from tutor.exam.scoring import ExamScore, result_from_dict, result_to_json, score
from tutor.model import Exercise, Pack
from tutor.results import ExerciseResult

WARNINGS: tuple[int, ...] = (15, 5, 1)
"""Minutes-left thresholds announced during an exam (killer.sh / the real CKA do the same)."""


def warning_minutes(duration: float) -> list[int]:
    """The thresholds an exam of ``duration`` seconds announces: a warning at or above the whole
    duration would only say "the exam is short", so a 10-minute exam warns at 5 and 1."""
    return [m for m in WARNINGS if m * 60 < duration]


GradeAll = Callable[[Sequence[Exercise]], Sequence[ExerciseResult]]
GradeOne = Callable[[Exercise], ExerciseResult]


class ExamClosed(TutorError):
    """An action arrived after the answers were frozen (submitted or timed out), or before the start."""


class ExamLocked(TutorError):
    """Hints, solutions or "check my answer" are not available in this exam (yet)."""


@dataclass(frozen=True)
class ExamEvent:
    """Something the front end must announce.

    Attributes:
        kind: ``"warning"`` (minutes left reached a threshold) or ``"timeout"``.
        minutes: the threshold (15, 5, 1) for a warning; 0 for the time-out.
        remaining: seconds left when it fired.
    """

    kind: Literal["warning", "timeout"]
    minutes: int
    remaining: float

    @property
    def text(self) -> str:
        if self.kind == "timeout":
            return "Time is up: your answers are frozen and being graded."
        unit = "minute" if self.minutes == 1 else "minutes"
        return f"{self.minutes} {unit} left."


class ExamSession:
    """One exam attempt in progress (or finished), bound to its pack and a clock.

    Build one with :meth:`new` (a fresh draw) or :meth:`resume` (a saved attempt).
    """

    def __init__(
        self, attempt: ExamAttempt, pack: Pack, clock: Clock | None = None, store: AttemptStore | None = None
    ):
        if attempt.pack_id != pack.id:
            raise TutorError(f"attempt {attempt.id} belongs to pack {attempt.pack_id!r}, not {pack.id!r}")
        self.attempt = attempt
        self.pack = pack
        self.clock = clock or SystemClock()
        self.store = store
        try:
            self._exercises = [pack.exercise(t.exercise_id) for t in attempt.tasks]
        except KeyError as exc:  # the pack changed since the draw
            raise TutorError(
                f"attempt {attempt.id}: {exc.args[0]} (the pack changed since the exam was drawn)"
            ) from None

    # ----- construction -------------------------------------------------------------------------

    @classmethod
    def new(
        cls,
        pack: Pack,
        *,
        tasks: int | None = None,
        duration_minutes: float | None = None,
        seed: int | None = None,
        capabilities: Collection[str] | None = None,
        clock: Clock | None = None,
        store: AttemptStore | None = None,
        pack_source: str = "",
        context: str = "",
    ) -> ExamSession:
        """Draw a new attempt from ``pack``'s exam pool (state DRAWN) and save it.

        Args:
            pack: the pack; its ``exam`` settings give the defaults.
            tasks: how many tasks (default: the pack's).
            duration_minutes: exam length (default: the pack's).
            seed: the draw's seed (default: a fresh random one, recorded in the attempt).
            capabilities: what the cluster offers; tasks needing more are not drawn.
            clock: time source (default: wall clock).
            store: where to save (None: keep in memory only).
            pack_source: how the pack was named (``--pack``), so a resume can load it again.
            context: the kube context the exam runs against, for the record.
        """
        clock = clock or SystemClock()
        settings = pack.exam
        n = settings.tasks if tasks is None else tasks
        minutes = settings.duration_minutes if duration_minutes is None else duration_minutes
        if minutes <= 0:
            raise TutorError(f"--duration must be positive (got {minutes})")
        seed = random.SystemRandom().randrange(1, 1_000_000) if seed is None else seed
        chosen = draw(pack.exam_pool(), n, seed, capabilities)
        now = clock.now()
        attempt = ExamAttempt(
            id=_new_id(now, seed, store),
            pack_id=pack.id,
            pack_version=pack.version,
            pack_source=pack_source,
            seed=seed,
            duration=float(minutes) * 60.0,
            pass_mark=settings.pass_mark,
            allow_check=settings.allow_check,
            tasks=[TaskRecord(ex.id, ex.lesson_id, ex.title, ex.points, ex.namespace) for ex in chosen],
            created_at=now,
            context=context,
        )
        session = cls(attempt, pack, clock, store)
        session._save()
        return session

    @classmethod
    def resume(
        cls, attempt: ExamAttempt, pack: Pack, clock: Clock | None = None, store: AttemptStore | None = None
    ):
        """Reopen a saved attempt; a deadline that passed while the tutor was closed times it out now."""
        session = cls(attempt, pack, clock, store)
        session.tick()
        return session

    # ----- read-only views ----------------------------------------------------------------------

    @property
    def state(self) -> ExamState:
        return self.attempt.state

    @property
    def tasks(self) -> list[TaskRecord]:
        return self.attempt.tasks

    @property
    def exercises(self) -> list[Exercise]:
        """The drawn tasks' exercises, in exam order."""
        return list(self._exercises)

    @property
    def current(self) -> int:
        return self.attempt.current

    def exercise(self, index: int | None = None) -> Exercise:
        return self._exercises[self.current if index is None else index]

    def remaining(self) -> float:
        """Seconds left: the full duration before the start, 0 once the deadline passed."""
        a = self.attempt
        if a.deadline is None:
            return a.duration
        end = a.ended_at if a.state.frozen and a.ended_at is not None else self.clock.now()
        return max(0.0, a.deadline - end)

    def results(self) -> list[ExerciseResult]:
        """The graded results in exam order (empty before grading)."""
        return [result_from_dict(t.result) for t in self.tasks if t.result is not None]

    @property
    def needs_regrade(self) -> bool:
        """Graded, but an environment or checker error made the score unreliable."""
        return self.state is ExamState.GRADED and bool((self.attempt.score or {}).get("errors"))

    def score(self) -> ExamScore:
        """The score of a graded attempt.

        Raises:
            ExamClosed: the attempt is not graded yet.
        """
        if self.state is not ExamState.GRADED:
            raise ExamClosed(f"attempt {self.attempt.id} is not graded yet (state {self.state.value})")
        return score(self.results(), {t.exercise_id: t.topic for t in self.tasks}, self.attempt.pass_mark)

    # ----- transitions ----------------------------------------------------------------------------

    def mark_set_up(self, runs: Mapping[str, dict[str, Any]] | None = None) -> None:
        """Every task's starting state is on the cluster (DRAWN → SET_UP).

        Args:
            runs: exercise id → its saved start snapshot, kept so grading after a restart can still
                answer "created after the start?" and "recreated?".
        """
        self._expect(ExamState.DRAWN, "set up")
        for task in self.tasks:
            task.run = (runs or {}).get(task.exercise_id)
        self.attempt.state = ExamState.SET_UP
        self._save()

    def start(self) -> None:
        """Start the clock (SET_UP → RUNNING); the deadline is saved so a restart resumes it."""
        self._expect(ExamState.SET_UP, "start")
        now = self.clock.now()
        self.attempt.started_at = now
        self.attempt.deadline = now + self.attempt.duration
        # Thresholds the exam does not announce count as fired already.
        announced = warning_minutes(self.attempt.duration)
        self.attempt.warnings_fired = [m for m in WARNINGS if m not in announced]
        self.attempt.state = ExamState.RUNNING
        self._save()

    def tick(self) -> list[ExamEvent]:
        """The events due now: a warning not announced before, or the time-out (which freezes answers).

        When time jumped past several thresholds at once (the tutor was closed), only the nearest is
        announced; the ones skipped are marked as fired.
        """
        a = self.attempt
        if a.state is not ExamState.RUNNING or a.deadline is None:
            return []
        left = a.deadline - self.clock.now()
        if left <= 0:
            a.state = ExamState.TIMED_OUT
            a.ended_at = a.deadline
            self._save()
            return [ExamEvent("timeout", 0, 0.0)]
        due = [m for m in WARNINGS if left <= m * 60 and m not in a.warnings_fired]
        if not due:
            return []
        a.warnings_fired.extend(due)
        self._save()
        return [ExamEvent("warning", min(due), left)]

    def submit(self) -> None:
        """Hand in early (RUNNING → SUBMITTED): answers frozen."""
        self._require_running("submit")
        self.attempt.state = ExamState.SUBMITTED
        self.attempt.ended_at = self.clock.now()
        self._save()

    def grade(self, grade_all: GradeAll, server_version: str = "") -> ExamScore:
        """Grade every task against live state (SUBMITTED/TIMED_OUT → GRADED).

        Args:
            grade_all: grades the exercises it is given and returns one result per exercise.
            server_version: the API server's version, recorded for the report.

        A graded attempt whose grading hit an environment error may be graded again (once the cluster
        is fixed); one graded cleanly may not, so a score can never be improved after the fact.

        Raises:
            ExamClosed: the attempt is still running, or already graded without errors.
            TutorError: the grader returned no result for a task.
        """
        self.tick()
        if not self.state.frozen or (self.state is ExamState.GRADED and not self.needs_regrade):
            raise ExamClosed(f"attempt {self.attempt.id} cannot be graded in state {self.state.value}")
        by_id = {r.exercise_id: r for r in grade_all(self.exercises)}
        missing = [t.exercise_id for t in self.tasks if t.exercise_id not in by_id]
        if missing:
            raise TutorError(f"the grader returned no result for {', '.join(missing)}")
        for task in self.tasks:
            task.result = result_to_json(by_id[task.exercise_id])
        self.attempt.state = ExamState.GRADED
        self.attempt.graded_at = self.clock.now()
        self.attempt.server_version = server_version
        result = score(
            [by_id[t.exercise_id] for t in self.tasks],
            {t.exercise_id: t.topic for t in self.tasks},
            self.attempt.pass_mark,
        )
        self.attempt.score = result.to_dict()
        self._save()
        return result

    # ----- learner actions while running ----------------------------------------------------------

    def goto(self, index: int) -> None:
        """Show task ``index`` (allowed in every state: it changes no answer)."""
        if not 0 <= index < len(self.tasks):
            raise IndexError(f"task {index + 1} does not exist (the exam has {len(self.tasks)})")
        self.attempt.current = index
        self._save()

    def next(self) -> None:
        self.goto((self.current + 1) % len(self.tasks))

    def prev(self) -> None:
        self.goto((self.current - 1) % len(self.tasks))

    def toggle_flag(self, index: int | None = None) -> bool:
        """Flag (or unflag) a task for review; returns the new flag."""
        self._require_running("flag a task")
        task = self.tasks[self.current if index is None else index]
        task.flagged = not task.flagged
        self._save()
        return task.flagged

    def check(self, grade_one: GradeOne, index: int | None = None) -> ExerciseResult:
        """ "Check my answer" for one task, if the pack allows it; the use is counted in the attempt."""
        if not self.attempt.allow_check:
            raise ExamLocked("this exam does not allow checking answers before the end")
        self._require_running("check an answer")
        task = self.tasks[self.current if index is None else index]
        task.checks_used += 1
        self._save()
        return grade_one(self.exercise(index))

    def hints(self, index: int | None = None) -> tuple[str, ...]:
        """The task's hints, available only in the review."""
        self._require_graded("hints")
        return self.exercise(index).hints

    def solution(self, index: int | None = None):
        """The task's reference solution steps, available only in the review."""
        self._require_graded("solutions")
        return self.exercise(index).solution

    # ----- helpers ----------------------------------------------------------------------------------

    def summary(self) -> str:
        """One line for ``exam history``."""
        return summary_line(self.attempt, self.clock.now())

    def _expect(self, state: ExamState, action: str) -> None:
        if self.state is not state:
            raise ExamClosed(f"cannot {action} attempt {self.attempt.id} in state {self.state.value}")

    def _require_running(self, action: str) -> None:
        self.tick()
        if self.state is not ExamState.RUNNING:
            why = "the answers are frozen" if self.state.frozen else "the exam has not started"
            raise ExamClosed(f"cannot {action}: {why} (state {self.state.value})")

    def _require_graded(self, what: str) -> None:
        if self.state is not ExamState.GRADED:
            raise ExamLocked(f"{what} are locked until the exam is graded")

    def _save(self) -> None:
        if self.store is not None:
            self.store.save(self.attempt)


def summary_line(attempt: ExamAttempt, now: float) -> str:
    """``<id>  <when>  <pack>  8 tasks  graded  72.5% (29/40) PASS``; needs no pack (history always works)."""
    a = attempt
    line = f"{a.id}  {iso(a.started_at or a.created_at)}  {a.pack_id}  {len(a.tasks)} tasks  {a.state.value}"
    if a.score:
        verdict = "PASS" if a.score["passed"] else "FAIL"
        line += f"  {a.score['percent']:.1f}% ({a.score['points']:g}/{a.score['possible']:g}) {verdict}"
    elif a.state is ExamState.RUNNING and a.deadline is not None:
        left = a.deadline - now
        line += f"  {int(left // 60)} min left" if left > 0 else "  time is up (grade it)"
    return line


def _new_id(now: float, seed: int, store: AttemptStore | None) -> str:
    """``20260101-000000-0042``: sorts by creation time, says the seed; unique in the store."""
    base = iso(now).replace("-", "").replace(":", "").replace("T", "-").rstrip("Z") + f"-{seed % 10000:04d}"
    candidate, n = base, 1
    while store is not None and store.path(candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate
