"""The lesson screen: prose on the left, the exercise panel with its live checklist on the right.

The screen drives one headless :class:`~tutor.practice.practice_session.PracticeSession` per open
exercise (which records progress: opened, hints, solution reveals, attempts, passes, time) and its
``WatchLoop``, run in a thread worker; every cluster action (apply a block, skip, reset) runs in its
own worker too, and results come back as messages (``tutor.tui.messages``). The screen only shows
what the session decides.
"""

from __future__ import annotations

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Markdown, Static

from tutor.errors import ContextRefused
from tutor.i18n import N_, _
from tutor.model import Exercise
from tutor.practice.core import ClusterStatus, PackEntry, Step, steps_of
from tutor.practice.practice_session import PracticeSession
from tutor.practice.watching import WatchLoop
from tutor.results import ExerciseResult, Status
from tutor.store.progress import ProgressStatus
from tutor.tui import messages as m
from tutor.tui.lesson_actions import LearnerActions
from tutor.tui.prose import lesson_prose
from tutor.tui.translated import TranslatedBindings
from tutor.tui.widgets import Checklist, FailureDetail, LessonView, StatusBar


class LessonScreen(TranslatedBindings, LearnerActions, Screen):
    """One stop of the pack walk (a lesson and maybe an exercise); n/p move along."""

    BINDINGS = [
        Binding("n", "move(1)", N_("Next")),
        Binding("p", "move(-1)", N_("Prev")),
        Binding("c", "check", N_("Check")),
        Binding("h", "hint", N_("Hint")),
        Binding("s", "solution", N_("Solution")),
        Binding("a", "apply", N_("Apply")),
        Binding("r", "reset", N_("Reset")),
        # x is in the help and the palette; the footer is full at 80 columns.
        Binding("x", "skip", N_("Skip"), show=False),
        Binding("l", "list", N_("List")),
        Binding("question_mark", "app.help", N_("Help")),
        Binding("q", "app.quit", N_("Quit")),
    ]

    def __init__(self, entry: PackEntry, index: int = 0) -> None:
        super().__init__()
        assert entry.pack is not None
        self.entry, self.pack = entry, entry.pack
        self.steps = steps_of(self.pack)
        self.index = max(0, min(index, len(self.steps) - 1))
        self.loop: WatchLoop | None = None
        self.practice: PracticeSession | None = None
        self.problem = ""
        self.solution_shown = False
        self.started = False
        self._shown_lesson = ""

    # --- layout ---------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        with Horizontal(id="lesson-body"):
            yield LessonView(id="prose")
            with VerticalScroll(id="exercise"):
                yield Static(id="exercise-title")
                yield Markdown(id="task")
                yield Static(id="env-problem")
                yield Checklist(id="checklist")
                yield FailureDetail(id="failure")
                yield Static(id="watch-mode")
                yield Markdown(id="hints")
                yield Markdown(id="solution")
        yield Footer(compact=True, show_command_palette=False)

    @property
    def step(self) -> Step:
        return self.steps[self.index]

    @property
    def exercise(self) -> Exercise | None:
        return self.step.exercise

    @property
    def store(self):
        return self.app.backend.progress

    @property
    def last_result(self) -> ExerciseResult | None:
        """The open exercise's last verdict (None before the first, and after a reset)."""
        return self.practice.last_result if self.practice else None

    @property
    def hints_shown(self) -> int:
        return self.practice.hints_shown if self.practice else 0

    async def on_mount(self) -> None:
        self.watch(self.app, "cluster_status", self._cluster_status_changed)
        await self._show_when_built()

    async def _show_when_built(self, tries: int = 100) -> None:
        """Show the step once the exercise pane exists.

        Textual mounts composed children before ``on_mount``, yet once in CI (a loaded machine, the app
        reopening the last exercise) the pane was not there yet and the query raised: wait for it
        (every 50 ms, at most 5 s) instead of crashing; a screen already removed is left alone.
        """
        if self.query("#env-problem"):
            await self.show_step()
        elif tries and self.is_attached:
            self.set_timer(0.05, lambda: self._show_when_built(tries - 1))

    def on_unmount(self) -> None:
        self._leave_exercise()

    # --- switching exercises --------------------------------------------------------------------

    async def show_step(self) -> None:
        """Render the current step and, with a reachable cluster, start its exercise and watch mode.

        The exercise panel comes first so watch mode starts at once; the lesson prose (the slow
        part: a long Markdown document) is rendered only when the lesson changes.
        """
        step = self.step
        where = _("exercise {number} of {count}").format(
            number=self.index + 1, count=len(self.steps)
        )  # "(1/62)" read like a page count
        self.query_one(StatusBar).place = f"{step.lesson.title} · {where}"
        await self._show_exercise(step.exercise)
        view = self.query_one(LessonView)
        if self._shown_lesson != step.lesson.id:
            self._shown_lesson = step.lesson.id
            await view.show(lesson_prose(step.lesson.body))  # a new lesson is read from the top
        elif step.exercise is not None:
            view.scroll_to_heading(f"Exercise: {step.exercise.title}")

    async def _show_exercise(self, ex: Exercise | None) -> None:
        self.practice = PracticeSession(self.app.backend, self.store, self.pack, ex) if ex else None
        self.problem, self.started, self.solution_shown = "", False, False
        self.query_one("#env-problem", Static).display = False
        self.query_one(FailureDetail).show_result(None)
        await self.query_one(Checklist).set_titles(self.practice.titles() if self.practice else [])
        self.query_one("#solution", Markdown).display = False
        self.query_one("#watch-mode", Static).update("")
        if ex is None:
            self.query_one("#exercise-title", Static).update("[b]" + _("No exercise here") + "[/]")
            await self.query_one("#task", Markdown).update(
                _("Read the lesson, then press **n** for the next one.")
            )
            await self._paint_hints()
            return
        assert self.practice is not None
        rec = self.practice.open()
        self.app.remember_place(ex.id)
        self.query_one("#exercise-title", Static).update(
            "[b]" + _("Exercise: {title}").format(title=escape(ex.title)) + f"[/]{self._done_mark()}"
        )
        await self.query_one("#task", Markdown).update(f"**{ex.where}**\n\n{ex.task}")
        await self._paint_hints()
        if rec.solution_revealed:
            await self._show_solution()
        self._start_if_possible()

    def _done_mark(self) -> str:
        if self.practice is None:
            return ""
        return {
            ProgressStatus.PASSED: "  [green]✔ " + _("passed") + "[/]",
            ProgressStatus.PASSED_WITH_SOLUTION: "  [yellow]✔ " + _("passed with solution") + "[/]",
            ProgressStatus.SKIPPED: "  [dim]" + _("skipped") + "[/]",
        }.get(self.practice.status, "")

    def _leave_exercise(self) -> None:
        if self.loop is not None:
            self.loop.stop()
            self.loop = None
        if self.practice is not None:
            self.practice.leave()

    async def action_move(self, delta: int) -> None:
        target = self.index + delta
        if not 0 <= target < len(self.steps):
            self.notify(_("That was the last exercise.") if delta > 0 else _("This is the first exercise."))
            return
        self._leave_exercise()
        self.index = target
        await self.show_step()

    def action_list(self) -> None:
        self.app.pop_screen()

    # --- watch mode -----------------------------------------------------------------------------

    def _cluster_status_changed(self, status: ClusterStatus) -> None:
        self.query_one(StatusBar).status = status
        if status.reachable:
            self._start_if_possible()

    def _start_if_possible(self) -> None:
        ex, practice = self.exercise, self.practice
        if ex is None or practice is None or self.loop is not None or not self.app.cluster_status.reachable:
            return
        self.loop = practice.watch(
            on_result=lambda r: self.post_message(m.ChecksCompleted(ex.id, r)),
            on_problem=lambda text: self.post_message(m.EnvironmentProblemChanged(ex.id, text)),
            on_mode=lambda mode, why: self.post_message(m.WatchModeChanged(ex.id, mode, why)),
            **self.app.watch_options,
        )
        self.query_one(Checklist).set_running()
        self._run_exercise(self.loop, practice)

    @work(thread=True, exclusive=True, group="exercise")
    def _run_exercise(self, loop: WatchLoop, practice: PracticeSession) -> None:
        ex = practice.exercise
        try:
            where = practice.start()
        except ContextRefused as exc:
            # The tutor may not write here, but grading only reads: the checklist grades the cluster as
            # it is (as `grade` does on such a context) instead of spinning with nothing to show.
            self.post_message(m.ExerciseStarted(ex.id, error=str(exc), read_only=True))
            loop.run()
            return
        except Exception as exc:
            if self.loop is loop:
                self.loop = None  # so a later "cluster reachable" starts it again
            self.post_message(m.ExerciseStarted(ex.id, error=str(exc) or type(exc).__name__))
            return
        self.post_message(m.ExerciseStarted(ex.id, notice=where))
        loop.run()

    def _current(self, exercise_id: str) -> bool:
        return self.exercise is not None and self.exercise.id == exercise_id

    @on(m.ExerciseStarted)
    def _exercise_started(self, msg: m.ExerciseStarted) -> None:
        if not self._current(msg.exercise_id):
            return
        self.started = not msg.error
        if msg.read_only:
            self._show_problem(
                _("the exercise was not set up, checks still read the cluster as it is: {error}").format(
                    error=msg.error
                ),
                transient=False,
            )
        elif msg.error:
            self._show_problem(
                _("the exercise could not be set up: {error}").format(error=msg.error), transient=False
            )
        elif msg.notice:
            self.notify(msg.notice, timeout=6)

    @on(m.ChecksCompleted)
    def _checks_completed(self, msg: m.ChecksCompleted) -> None:
        if not self._current(msg.exercise_id) or self.practice is None:
            return
        verdict = self.practice.record(msg.result)
        if verdict.ungradable:
            text = _("this exercise cannot be graded on this cluster: {why}").format(why=verdict.ungradable)
            self._show_problem(text, transient=False)
            for row in self.query_one(Checklist).rows:
                row.show(Status.SKIPPED)
            return
        self._say_identity_once()
        self.query_one(Checklist).show_result(msg.result)
        self.query_one(FailureDetail).show_result(msg.result, self.hints_shown)
        if verdict.changed:
            self._bring_verdict_into_view()
        if verdict.passed:
            self.post_message(m.ExercisePassed(msg.exercise_id, verdict.with_solution))

    def _say_identity_once(self) -> None:
        """On a context without the read-only grader identity, say once per app that checks read the
        cluster with your own rights (the CLI says it on stderr)."""
        notice = self.app.backend.identity_notice()
        if notice and not self.app.identity_noticed:
            self.app.identity_noticed = True
            self.notify(
                notice, title=_("Checks run with your rights"), severity="warning", timeout=20, markup=False
            )

    def _bring_verdict_into_view(self) -> None:
        """A new verdict scrolls the exercise panel to it (on 80x24 the task can push it off screen)."""
        detail = self.query_one(FailureDetail)
        self.call_after_refresh((detail if detail.display else self.query_one(Checklist)).scroll_visible)

    @on(m.ExercisePassed)
    def _exercise_passed(self, msg: m.ExercisePassed) -> None:
        self.query_one("#exercise-title", Static).update(
            "[b]"
            + _("Exercise: {title}").format(title=escape(self.exercise.title))
            + f"[/]{self._done_mark()}"
        )
        said = (
            _("Exercise passed with the solution's help. Press n for the next one.")
            if msg.with_solution
            else _("Exercise passed. Press n for the next one.")
        )
        self.notify(said, title="✔ " + _("Passed"))

    @on(m.EnvironmentProblemChanged)
    def _environment_problem_changed(self, msg: m.EnvironmentProblemChanged) -> None:
        if self._current(msg.exercise_id):
            self._show_problem(msg.text)

    def _show_problem(self, text: str, *, transient: bool = True) -> None:
        """An environment problem is shown apart from the checklist, which keeps its last verdict."""
        self.problem = text
        banner = self.query_one("#env-problem", Static)
        banner.display = bool(text)
        if text:
            after = (
                "\n" + _("Checks are paused and resume by themselves when the cluster answers.")
                if transient
                else ""
            )
            banner.update(
                "[b]⚠ "
                + _("Environment problem")
                + "[/] "
                + _("(not your answer):")
                + f" {escape(text)}{after}"
            )

    @on(m.WatchModeChanged)
    def _watch_mode_changed(self, msg: m.WatchModeChanged) -> None:
        if self._current(msg.exercise_id):
            text = (
                _("watching the cluster")
                if msg.mode == "watch"
                else _("polling: {reason}").format(reason=msg.reason)
            )
            self.query_one("#watch-mode", Static).update(f"[dim]{escape(text)}[/]")
