"""What ``grade`` shows on stderr while it waits, so a run is never silent.

On a terminal: :class:`LiveProgress`, a Rich live display with one line per exercise being graded —
a spinner, the check it waits for, elapsed of timeout seconds — drawn from the first attempt on and
cleared at the end (the report on stdout is unchanged). In a pipe (CI logs): :class:`SlowCheckNotices`,
one ``waiting:`` line per check still polling after :data:`SLOW_SECONDS`.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TextIO

from tutor.model import Exercise
from tutor.results import CheckResult, Status

if TYPE_CHECKING:
    from rich.console import Console

#: A check still polling after this many seconds gets one ``waiting:`` line on stderr (pipes only).
SLOW_SECONDS = 3.0


class SlowCheckNotices:
    """One stderr line per check that is still polling after :data:`SLOW_SECONDS`, so a CI log never
    sits silent for a minute: which check, what it is waiting for, how long it may still take."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.announced: set[tuple[str, int]] = set()

    def __call__(self, exercise: Exercise, result: CheckResult) -> None:
        key = (exercise.id, result.index)
        if result.status is not Status.RUNNING or result.duration < SLOW_SECONDS or key in self.announced:
            return
        self.announced.add(key)
        print(
            f"waiting: {exercise.id}: {result.title} ({result.duration:.0f} s so far): {result.message}",
            file=self.stream,
            flush=True,
        )

    def __enter__(self) -> SlowCheckNotices:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class LiveProgress:
    """A live line per exercise on a terminal: ``⠋ labels-edit: waiting for Pod web has tier (4 s / 30 s)``.

    Args:
        console: a Rich console on stderr (``force_terminal`` in tests).
        timeouts: ``(exercise id, check index) -> timeout`` seconds, for the "of N s" part.
        total: checks in the run, for the header line.
    """

    def __init__(self, console: Console, timeouts: Mapping[tuple[str, int], float], total: int) -> None:
        from rich.live import Live

        self.console, self.timeouts, self.total = console, timeouts, total
        self._lock = threading.Lock()
        self._waiting: dict[str, CheckResult] = {}  # exercise id -> the check it waits for now
        self._done: set[tuple[str, int]] = set()
        self._live = Live(console=console, transient=True, refresh_per_second=8, get_renderable=self._render)

    def __enter__(self) -> LiveProgress:
        self._live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._live.stop()

    def __call__(self, exercise: Exercise, result: CheckResult) -> None:
        with self._lock:
            key = (exercise.id, result.index)
            if result.status is Status.RUNNING:
                self._waiting[exercise.id] = result
            else:
                self._done.add(key)
                shown = self._waiting.get(exercise.id)
                if shown is not None and shown.index == result.index:
                    del self._waiting[exercise.id]

    def _render(self) -> Any:
        from rich.console import Group
        from rich.spinner import Spinner
        from rich.table import Table
        from rich.text import Text

        with self._lock:
            waiting = sorted(self._waiting.items())
            done = len(self._done)
        table = Table.grid(padding=(0, 1))
        for exercise_id, result in waiting[:12]:
            timeout = self.timeouts.get((exercise_id, result.index))
            budget = f"{result.duration:.0f} s / {timeout:g} s" if timeout else f"{result.duration:.0f} s"
            line = Text.assemble((exercise_id, "bold"), f": waiting for {result.title} ({budget})")
            if result.message:
                line.append(f" — {result.message}", style="dim")
            line.truncate(max(20, self.console.width - 4), overflow="ellipsis")
            table.add_row(Spinner("dots"), line)
        if len(waiting) > 12:
            table.add_row("", Text(f"… and {len(waiting) - 12} more exercises", style="dim"))
        header = Text(f"grading: {done}/{self.total} checks done", style="dim")
        return Group(header, table)


def grade_progress(
    stream: TextIO, timeouts: Mapping[tuple[str, int], float], total: int
) -> LiveProgress | SlowCheckNotices:
    """Live lines on a terminal, ``waiting:`` notices in a pipe."""
    if not stream.isatty():
        return SlowCheckNotices(stream)
    from rich.console import Console

    return LiveProgress(Console(file=stream, stderr=True), timeouts, total)
