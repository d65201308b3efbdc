"""The exam screens: ready (clock not started), the exam itself, the submit confirmation, the review.

Screens only display the :class:`~tutor.exam.ExamSession` and forward keys to it; the rules
(what is frozen, what is locked, when warnings fire) live in the session. Grading blocks on the
cluster, so it runs in a thread worker and the app switches to the review when it is done.
"""

from __future__ import annotations

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Footer, Label, ListItem, ListView, Markdown, Static

from tutor.errors import TutorError
from tutor.exam.clock import format_remaining
from tutor.exam.review import summary_markdown, task_review_markdown
from tutor.exam.session import ExamSession, warning_minutes
from tutor.i18n import N_, _
from tutor.tui.exam.widgets import Countdown, TaskList
from tutor.tui.translated import TranslatedBindings
from tutor.tui.widgets import ICONS, LessonView


def task_markdown(session: ExamSession, index: int) -> str:
    """The task as the candidate reads it: title, points, namespace, the text (no hints, no solution)."""
    ex = session.exercise(index)
    points = _("{points} points").format(points=f"{ex.points:g}")
    return f"# {index + 1}. {ex.title}\n\n**{points}** · {ex.where}\n\n{ex.task.strip()}\n"


def _warnings_text(duration: float) -> str:
    """``; warnings at 15, 5 and 1 minutes left`` — only the thresholds this exam announces."""
    minutes = [str(m) for m in warning_minutes(duration)]
    if not minutes:
        return ""
    if minutes == ["1"]:
        return _("; warnings at 1 minute left")
    if len(minutes) == 1:
        return _("; warnings at {minutes} minutes left").format(minutes=minutes[0])
    return _("; warnings at {minutes} and {last} minutes left").format(
        minutes=", ".join(minutes[:-1]), last=minutes[-1]
    )


class ReadyScreen(TranslatedBindings, Screen):
    """Everything is set up; the clock starts when the candidate presses Enter."""

    BINDINGS = [
        Binding("enter", "begin", N_("Start the clock"), id="exam.begin"),
        Binding("q", "app.quit", N_("Quit"), id="exam.ready-quit"),
    ]

    def compose(self) -> ComposeResult:
        s = self.app.session
        a = s.attempt
        check = _("allowed") if a.allow_check else _("not available")
        text = _(
            "# Exam: {title}\n\n"
            "- **{tasks} tasks**, {points} points, from {topics} topics (seed {seed})\n"
            "- **{duration}** to finish{warnings}\n"
            "- pass mark **{pass_mark}%**; partial credit per check\n"
            "- hints and solutions are locked until the review; checking an answer is {check}\n"
            "- work in your own terminal with `kubectl`; every task names its namespace\n"
            "- quitting does not stop the clock: `k8s-tutor exam resume` brings you back\n\n"
            "Every task's namespace and starting state are ready. **Press Enter to start the clock.**"
        ).format(
            title=s.pack.title,
            tasks=len(a.tasks),
            points=f"{sum(t.points for t in a.tasks):g}",
            topics=len({t.topic for t in a.tasks}),
            seed=a.seed,
            duration=format_remaining(a.duration),
            warnings=_warnings_text(a.duration),
            pass_mark=f"{a.pass_mark:g}",
            check=check,
        )
        yield Markdown(text, id="ready-text")
        yield Footer()

    def action_begin(self) -> None:
        self.app.session.start()
        self.app.switch_screen(ExamScreen())


class ConfirmSubmitModal(TranslatedBindings, ModalScreen[bool]):
    """ "Submit now?" with what is still flagged and the time left."""

    BINDINGS = [Binding("escape", "dismiss(False)", N_("Back")), Binding("y", "dismiss(True)", N_("Submit"))]

    def compose(self) -> ComposeResult:
        s = self.app.session
        flagged = [str(i) for i, t in enumerate(s.tasks, 1) if t.flagged]
        lines = [_("Submit the exam with {time} left?").format(time=format_remaining(s.remaining()))]
        if flagged:
            lines.append(_("Flagged for review: task {tasks}.").format(tasks=", ".join(flagged)))
        lines.append(_("Your answers are frozen and graded against the cluster now."))
        with Vertical(id="confirm-box"):
            yield Label("\n".join(lines), id="confirm-text")
            with Horizontal(id="confirm-buttons"):
                yield Button(_("Submit (y)"), variant="error", id="confirm-yes")
                yield Button(_("Keep working (Esc)"), id="confirm-no")

    @on(Button.Pressed)
    def answer(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm-yes")


class ExamScreen(TranslatedBindings, Screen):
    """The running exam: countdown, task list with flags, the current task."""

    BINDINGS = [
        Binding("n", "next", N_("Next"), id="exam.next"),
        Binding("p", "prev", N_("Prev"), id="exam.prev"),
        Binding("f", "flag", N_("Flag"), id="exam.flag"),
        Binding("c", "check", N_("Check"), id="exam.check"),
        Binding("S", "submit", N_("Submit"), id="exam.submit"),
        Binding("q", "app.quit", N_("Quit (clock runs)"), id="exam.quit"),
    ]

    def compose(self) -> ComposeResult:
        s = self.app.session
        with Horizontal(id="exam-header"):
            yield Static(
                " " + _("Exam · {title} · attempt {id}").format(title=s.pack.title, id=s.attempt.id),
                id="exam-title",
            )
            yield Countdown(id="countdown")
        with Horizontal(id="exam-body"):
            yield TaskList(s.tasks, id="task-list", initial_index=s.current)
            with Vertical(id="task-pane"):
                yield LessonView(task_markdown(s, s.current), id="task-text")
                yield Static("", id="check-result")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(TaskList).refresh_labels()
        self.query_one(Countdown).remaining = self.app.session.remaining()
        self.query_one(TaskList).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "check":
            return self.app.session.attempt.allow_check  # hidden from the footer unless the pack allows it
        return True

    def refresh_clock(self) -> None:
        for countdown in self.query(Countdown):  # none yet while the screen is still composing
            countdown.remaining = self.app.session.remaining()

    async def show_task(self, index: int) -> None:
        s = self.app.session
        s.goto(index)
        self.query_one("#check-result", Static).update("")
        await self.query_one(LessonView).show(task_markdown(s, index))
        task_list = self.query_one(TaskList)
        if task_list.index != index:
            task_list.index = index

    @on(ListView.Highlighted, "#task-list")
    async def highlighted(self, event: ListView.Highlighted) -> None:
        index = self.query_one(TaskList).index
        if index is not None and index != self.app.session.current:
            await self.show_task(index)

    async def action_next(self) -> None:
        await self.show_task((self.app.session.current + 1) % len(self.app.session.tasks))

    async def action_prev(self) -> None:
        await self.show_task((self.app.session.current - 1) % len(self.app.session.tasks))

    def action_flag(self) -> None:
        try:
            flagged = self.app.session.toggle_flag()
        except TutorError as exc:
            self.notify(str(exc), severity="error")
            return
        self.query_one(TaskList).refresh_labels()
        said = _("Task {n} flagged.") if flagged else _("Task {n} unflagged.")
        self.notify(said.format(n=self.app.session.current + 1), timeout=2)

    def action_check(self) -> None:
        self.query_one("#check-result", Static).update(_("Checking…"))
        self.run_check(self.app.session.current)

    @work(thread=True, exclusive=True, group="exam-check")
    def run_check(self, index: int) -> None:
        try:
            result = self.app.session.check(self.app.grade_one, index)
        except TutorError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            self.app.call_from_thread(self.query_one("#check-result", Static).update, "")
            return
        lines = [f"{ICONS.get(c.status, '?')} {c.title or c.check_id}" for c in result.checks]
        text = (
            _("Check: {points}/{possible} points now").format(
                points=f"{result.points:g}", possible=f"{result.points_possible:g}"
            )
            + "\n"
            + "\n".join(lines)
        )
        self.app.call_from_thread(self.query_one("#check-result", Static).update, text)

    def action_submit(self) -> None:
        async def done(confirmed: bool | None) -> None:
            if confirmed:
                try:
                    self.app.session.submit()
                except TutorError as exc:  # the time ran out while the dialog was open
                    self.notify(str(exc), severity="warning")
                await self.app.grade_and_review()

        self.app.push_screen(ConfirmSubmitModal(), done)


class GradingScreen(TranslatedBindings, Screen):
    """Shown while every task is graded against the cluster (and what went wrong, if grading failed)."""

    BINDINGS = [Binding("q", "app.quit", N_("Quit"), id="grading.quit")]

    def compose(self) -> ComposeResult:
        yield Static(_("Answers frozen. Grading every task against the cluster…"), id="grading-text")
        yield Static("", id="grading-waiting")
        yield Footer()

    def __init__(self) -> None:
        super().__init__()
        self.verdicts = 0

    def count(self, total: int) -> None:
        """One more check has its verdict; unsolved checks are read again until the cluster settles."""
        self.verdicts = min(total, self.verdicts + 1)
        self.query_one("#grading-text", Static).update(
            _("Answers frozen. Grading every task against the cluster… {done}/{total} checks done.").format(
                done=self.verdicts, total=total
            )
            + "\n"
            + _(
                "Checks that do not pass yet are read again until nothing changes for 5 s "
                "and nothing is still starting (at most their timeout)."
            )
        )

    def waiting(self, task: str, check: str, seconds: float) -> None:
        """Name the check grading waits for, so the screen never just sits at "6/7 checks done"."""
        self.query_one("#grading-waiting", Static).update(
            _("Waiting for: {task} — {check} ({seconds} s)").format(
                task=escape(task), check=escape(check), seconds=f"{seconds:.0f}"
            )
        )

    def show_failure(self, text: str) -> None:
        self.query_one("#grading-text", Static).update(text)


class ReviewScreen(TranslatedBindings, Screen):
    """After grading: the score, then each task's checks, diffs, hints and reference solution."""

    BINDINGS = [
        Binding("n", "next", N_("Next task"), id="review.next"),
        Binding("p", "prev", N_("Prev task"), id="review.prev"),
        Binding("q", "app.quit", N_("Quit"), id="review.quit"),
        # The task list has the focus, and as a scrollable it would eat these keys (scrolling itself,
        # which shows nothing): with priority they move the review pane, where hints and solutions are.
        Binding("pagedown", "scroll_review('page_down')", show=False, priority=True),
        Binding("pageup", "scroll_review('page_up')", show=False, priority=True),
        Binding("end", "scroll_review('end')", show=False, priority=True),
        Binding("home", "scroll_review('home')", show=False, priority=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.shown = 0

    def compose(self) -> ComposeResult:
        s = self.app.session
        score = s.score()
        with Horizontal(id="exam-header"):
            verdict = _("PASSED") if score.passed else _("NOT PASSED")
            yield Static(
                " "
                + _("Review · {title} · {verdict} {percent}%").format(
                    title=s.pack.title, verdict=verdict, percent=f"{score.percent:.1f}"
                ),
                id="exam-title",
            )
        with Horizontal(id="exam-body"):
            yield ListView(*self._review_items(), id="review-list")
            with VerticalScroll(id="review-pane"):
                yield Markdown(self._summary(), id="review-summary")
                yield Markdown(self._task_markdown(0), id="review-task")
        yield Footer()

    def _review_items(self):
        s = self.app.session
        for i, (task, result) in enumerate(zip(s.tasks, s.results(), strict=True), 1):
            icon = ICONS.get(result.status, "?")
            flag = "⚑" if task.flagged else " "
            yield ListItem(
                Label(f"{icon}{flag}{i}. [b]{result.points:g}/{task.points:g}[/] {escape(task.title)}")
            )

    def _summary(self) -> str:
        a = self.app.session.attempt
        late = (a.graded_at or 0) - (a.ended_at or a.graded_at or 0)
        return summary_markdown(self.app.session.score(), late)

    def _task_markdown(self, index: int) -> str:
        s = self.app.session
        return task_review_markdown(index + 1, s.exercise(index), s.results()[index], s.tasks[index].flagged)

    def on_mount(self) -> None:
        self.query_one("#review-list", ListView).focus()

    @on(ListView.Highlighted, "#review-list")
    async def highlighted(self, event: ListView.Highlighted) -> None:
        index = self.query_one("#review-list", ListView).index
        if index is not None and index != self.shown:
            await self.show_task(index)

    async def show_task(self, index: int) -> None:
        self.shown = index
        await self.query_one("#review-task", Markdown).update(self._task_markdown(index))
        review_list = self.query_one("#review-list", ListView)
        if review_list.index != index:
            review_list.index = index

    def action_scroll_review(self, where: str) -> None:
        """PageDown/PageUp/End/Home scroll the review pane whatever has the focus."""
        pane = self.query_one("#review-pane", VerticalScroll)
        {
            "page_down": pane.scroll_page_down,
            "page_up": pane.scroll_page_up,
            "end": pane.scroll_end,
            "home": pane.scroll_home,
        }[where](animate=False)

    async def action_next(self) -> None:
        await self.show_task((self.shown + 1) % len(self.app.session.tasks))

    async def action_prev(self) -> None:
        await self.show_task((self.shown - 1) % len(self.app.session.tasks))
