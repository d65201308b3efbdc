"""The exam App: shows an :class:`~tutor.exam.ExamSession` and forwards the candidate's keys to it.

The session owns the clock and the rules; the app ticks it once a second, turns its events into
notifications (warnings at 15/5/1 minutes) and, at submit or time-out, grades every task in a thread
worker before switching to the review. Grading goes through the functions passed in, so pilot
tests run the whole flow with a fake grader and a fake clock, without a cluster.
"""

from __future__ import annotations

from pathlib import Path

from textual import work
from textual.app import App
from textual.screen import ModalScreen

from tutor.errors import TutorError
from tutor.exam.attempt import ExamState
from tutor.exam.session import ExamSession, GradeAll, GradeOne
from tutor.i18n import _
from tutor.tui.exam.screens import ExamScreen, GradingScreen, ReadyScreen, ReviewScreen
from tutor.tui.translated import TranslatedBindings


class ExamApp(TranslatedBindings, App):
    """A timed exam attempt, then its review.

    Args:
        session: the attempt (set up, running, frozen or graded: the app opens the right screen).
        grade_all: grades the drawn exercises against the cluster (blocking).
        grade_one: one "check my answer" round, when the pack allows it.
        tick_seconds: how often the clock is read (tests may slow it down to keep screenshots still).
        server_version: the API server's version, recorded with the grade.
    """

    CSS_PATH = Path(__file__).with_name("exam.tcss")
    TITLE = "k8s-tutor exam"

    def __init__(
        self,
        session: ExamSession,
        grade_all: GradeAll,
        grade_one: GradeOne | None = None,
        tick_seconds: float = 1.0,
        server_version: str = "",
    ) -> None:
        super().__init__()
        self.session = session
        self.grade_all = grade_all
        self.grade_one = grade_one or _no_check
        self.tick_seconds = tick_seconds
        self.server_version = server_version
        self.announced: list[str] = []  # every notification text, in order (pilot tests read it)

    def on_mount(self) -> None:
        state = self.session.state
        if state is ExamState.GRADED:
            self.push_screen(ReviewScreen())
        elif state.frozen:
            self.push_screen(GradingScreen())
            self.call_after_refresh(self._grade)
        elif state is ExamState.RUNNING:
            self.push_screen(ExamScreen())
        else:
            self.push_screen(ReadyScreen())
        self.set_interval(self.tick_seconds, self.tick)

    async def tick(self) -> None:
        """Read the clock: repaint the countdown, announce warnings, grade at the time-out."""
        for event in self.session.tick():
            self.announced.append(event.text)
            self.notify(
                event.text, title=_("Exam"), severity="warning" if event.kind == "warning" else "error"
            )
            if event.kind == "timeout":
                await self.grade_and_review()
        if isinstance(self.screen, ExamScreen):
            self.screen.refresh_clock()

    async def grade_and_review(self) -> None:
        """Close any dialog, show the grading screen, then grade in a worker; the review follows.

        The screen switch is awaited before the worker starts, so a fast grader can never switch to
        the review while the grading screen is still being mounted.
        """
        if not isinstance(self.screen, GradingScreen):
            while isinstance(self.screen, ModalScreen):  # e.g. the submit dialog when time runs out
                await self.pop_screen()
            await self.switch_screen(GradingScreen())
        self._grade()

    @work(thread=True, exclusive=True, group="exam-grade")
    def _grade(self) -> None:
        try:
            self.session.grade(self.grade_all, self.server_version)
        except TutorError as exc:
            attempt = self.session.attempt.id
            later = _("Quit (q) and run `k8s-tutor exam grade {attempt}` once the cluster is back.").format(
                attempt=attempt
            )
            text = _("Grading failed: {error}").format(error=exc) + "\n" + later
            self.call_from_thread(self._grading_failed, text)
            return
        self.call_from_thread(self.switch_screen, ReviewScreen())

    def verdict_seen(self, exercise, result) -> None:
        """A check's final verdict arrived (called from a grading thread): count it on the grading screen."""
        self.call_from_thread(self._count_verdict)

    def waiting_seen(self, exercise, result) -> None:
        """A check is still polled (called from a grading thread): name it on the grading screen."""
        self.call_from_thread(self._show_waiting, exercise.title, result.title, result.duration)

    def _show_waiting(self, task: str, check: str, seconds: float) -> None:
        if isinstance(self.screen, GradingScreen):
            self.screen.waiting(task, check, seconds)

    def _count_verdict(self) -> None:
        if isinstance(self.screen, GradingScreen):
            total = sum(len(ex.checks) for ex in self.session.exercises)
            self.screen.count(total)

    def _grading_failed(self, text: str) -> None:
        self.announced.append(text)
        self.notify(text, severity="error", timeout=60)
        if isinstance(self.screen, GradingScreen):
            self.screen.show_failure(text)


def _no_check(exercise):
    raise TutorError("checking answers is not available in this exam")
