"""Exam-only widgets: the countdown and the task list with flags."""

from __future__ import annotations

from rich.markup import escape
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import Label, ListItem, ListView, Static

from tutor.exam.attempt import TaskRecord
from tutor.exam.clock import format_remaining
from tutor.i18n import _


class Countdown(Static):
    """``⏱ 29:59 left`` in the header; turns ``-warning`` under 15 min and ``-urgent`` under 5."""

    remaining: reactive[float] = reactive(0.0)

    def render(self) -> str:
        return "⏱ " + _("{time} left").format(time=format_remaining(self.remaining))

    def watch_remaining(self, remaining: float) -> None:
        self.set_class(300 < remaining <= 900, "-warning")
        self.set_class(remaining <= 300, "-urgent")


def task_label(number: int, task: TaskRecord) -> tuple[str, str]:
    """``("⚑ 3.", "Scale the web Deployment (4 pts)")``: the mark column and the title that wraps."""
    flag = "⚑" if task.flagged else " "
    return f"{flag} {number}.", f"{escape(task.title)} [dim]" + _("({points} pts)").format(
        points=f"{task.points:g}"
    ) + "[/]"


def _task_item(number: int, task: TaskRecord) -> ListItem:
    """Mark and title in two columns, so a wrapped title keeps its indent under the title."""
    mark, title = task_label(number, task)
    return ListItem(Horizontal(Label(mark, classes="task-mark"), Label(title, classes="task-title")))


class TaskList(ListView):
    """The drawn tasks; the highlighted one is the task shown. Flags show as ⚑."""

    def __init__(self, tasks: list[TaskRecord], **kwargs) -> None:
        super().__init__(*(_task_item(i, t) for i, t in enumerate(tasks, 1)), **kwargs)
        self._tasks = tasks

    def refresh_labels(self) -> None:
        """Repaint every label (after a flag changed)."""
        for i, (item, task) in enumerate(zip(self.children, self._tasks, strict=False), 1):
            mark, title = task_label(i, task)
            item.query_one(".task-mark", Label).update(mark)
            item.query_one(".task-title", Label).update(title)
            item.set_class(task.flagged, "-flagged")
