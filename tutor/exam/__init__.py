"""Exam mode: a timed attempt drawn from a pack's exam pool, graded with partial credit.

Headless: :class:`ExamSession` is a state machine over a saved :class:`ExamAttempt` with an injectable
clock; ``tutor.exam.runner`` connects it to a cluster; the TUI in ``tutor.tui.exam`` only shows it.
"""

from tutor.exam.attempt import AttemptStore, ExamAttempt, ExamState, TaskRecord, data_dir
from tutor.exam.clock import Clock, FakeClock, SystemClock
from tutor.exam.draw import DrawError, draw
from tutor.exam.scoring import ExamScore, TopicScore, score
from tutor.exam.session import WARNINGS, ExamClosed, ExamEvent, ExamLocked, ExamSession

__all__ = [
    "ExamAttempt",
    "AttemptStore",
    "Clock",
    "DrawError",
    "ExamClosed",
    "ExamEvent",
    "ExamLocked",
    "ExamScore",
    "ExamSession",
    "ExamState",
    "FakeClock",
    "SystemClock",
    "TaskRecord",
    "TopicScore",
    "WARNINGS",
    "data_dir",
    "draw",
    "score",
]
