"""Reusable widgets: the cluster status bar, the live checklist, failure details, the lesson view.

Kept free of screen logic so the exam screens (``tutor.tui.exam``) can reuse them: a widget gets
data (titles, an ``ExerciseResult``, Markdown) and renders it; it never calls the backend.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.markup import escape
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.reactive import reactive
from textual.widgets import Static

from tutor.i18n import _
from tutor.practice.core import ClusterStatus
from tutor.results import CheckResult, ExerciseResult, Status

ICONS = {
    Status.PASS: "✔",
    Status.FAIL: "✘",
    Status.TIMEOUT: "…",
    Status.ERROR: "!",
    Status.SKIPPED: "-",
    Status.PENDING: "○",
    Status.RUNNING: "◌",
}


class StatusBar(Static):
    """One line at the top: where the learner is (left) and the cluster (right)."""

    DEFAULT_CSS = "StatusBar { dock: top; height: 1; }"
    status: reactive[ClusterStatus] = reactive(ClusterStatus, always_update=True)
    place: reactive[str] = reactive("")

    def render(self) -> str:
        left = f" k8s-tutor · {self.place}" if self.place else " k8s-tutor"
        right = self.status.label + " "
        gap = max(1, self.size.width - cell_len(left) - cell_len(right))  # CJK characters are 2 cells
        return f"{left}{' ' * gap}{right}"

    def watch_status(self, status: ClusterStatus) -> None:
        self.set_class(status.reachable, "-reachable")
        self.set_class(not status.reachable, "-unreachable")


class CheckRow(Static):
    """One checklist line; its class (``-pass``, ``-fail``, ...) follows the check's status."""

    def __init__(self, title: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.title_text = title
        self.status = Status.PENDING
        self.result: CheckResult | None = None
        self._paint()

    def show(self, status: Status, result: CheckResult | None = None) -> None:
        self.status, self.result = status, result
        if result and result.title:
            self.title_text = result.title
        self._paint()

    def _paint(self) -> None:
        for st in Status:
            self.set_class(st is self.status, f"-{st.value}")
        line = f"{ICONS[self.status]} {escape(self.title_text)}"
        # failures and errors are explained in FailureDetail; a row explains only "not there yet"
        if self.result and self.result.message and self.status in (Status.PENDING, Status.RUNNING):
            line += f"\n  [dim]{escape(self.result.message)}[/]"
        self.update(line)


class Checklist(Vertical):
    """The live checklist of an exercise: one ``CheckRow`` per check reference."""

    DEFAULT_CSS = "Checklist { height: auto; }"

    def __init__(self, titles: list[str] | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self._titles = list(titles or [])

    def compose(self) -> ComposeResult:
        for title in self._titles:
            yield CheckRow(title)

    @property
    def rows(self) -> list[CheckRow]:
        return list(self.query(CheckRow))

    async def set_titles(self, titles: list[str]) -> None:
        """Replace the rows (a new exercise was opened); every row starts pending."""
        self._titles = list(titles)
        await self.remove_children()
        await self.mount_all([CheckRow(t) for t in titles])

    def set_running(self) -> None:
        for row in self.rows:
            if row.status is not Status.PASS:
                row.show(Status.RUNNING, row.result)

    def show_result(self, result: ExerciseResult) -> None:
        """Paint each row with its check's verdict; NotYet on a single round reads as pending."""
        for row, check in zip(self.rows, result.checks, strict=False):
            status = Status.PENDING if check.status is Status.TIMEOUT else check.status
            row.show(status, check)

    @property
    def statuses(self) -> list[Status]:
        return [row.status for row in self.rows]


class FailureDetail(Static):
    """What went wrong on the first failing check: message, field diffs, related events."""

    DEFAULT_CSS = "FailureDetail { height: auto; }"

    result: ExerciseResult | None = None
    hints_shown = 0

    def show_result(self, result: ExerciseResult | None, hints_shown: int | None = None) -> None:
        """Paint the failing checks of ``result``; ``hints_shown`` says how much of the ladder is open."""
        self.result = result
        if hints_shown is not None:
            self.hints_shown = hints_shown
        failing = [c for c in (result.checks if result else ()) if c.status in (Status.FAIL, Status.ERROR)]
        self.display = bool(failing)
        lines: list[str] = []
        for check in failing:
            kind = _("Environment problem") if check.status is Status.ERROR else _("Not right yet")
            message = check.message or check.title
            lines.append(f"[b]{kind}:[/] {escape(message)}")
            lines += [  # a diff the message already spells out is not repeated under it
                f"  [b]{escape(d.path)}[/]: "
                + _("expected {expected}, got {actual}").format(
                    expected=repr(d.expected), actual=repr(d.actual)
                )
                for d in check.diffs
                if d.path not in message
            ]
            if check.hint and check.hint > self.hints_shown:
                lines.append(
                    "  [dim]"
                    + _("hint {n} of the ladder fits this (h reveals hints)").format(n=check.hint)
                    + "[/]"
                )
            elif check.hint:
                lines.append("  [dim]" + _("hint {n}, shown below, fits this").format(n=check.hint) + "[/]")
        events = next((c.diagnostics for c in failing if c.diagnostics), ())
        if events:
            lines.append("[b]" + _("Related events:") + "[/]")
            lines += [f"  {escape(line)}" for line in events[:6]]
        self.update("\n".join(lines))

    def hints_opened(self, shown: int) -> None:
        """The learner revealed hints: repaint so the pointer to a hint no longer says to press h."""
        self.show_result(self.result, shown)


class LessonView(VerticalScroll):
    """The lesson prose rendered as Markdown, scrollable."""

    def __init__(self, markdown: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self._markdown = markdown

    def compose(self) -> ComposeResult:
        from textual.widgets import Markdown  # imported on first use: markdown-it costs first paint

        yield Markdown(self._markdown, id="lesson-markdown")

    async def show(self, markdown: str) -> None:
        self._markdown = markdown
        await self.query_one("#lesson-markdown").update(markdown)
        self.scroll_home(animate=False)

    def scroll_to_heading(self, text: str) -> bool:
        """Scroll so the heading ``text`` is at the top; False when the document has no such heading."""
        from textual._slug import slug

        return self.query_one("#lesson-markdown").goto_anchor(slug(text))
