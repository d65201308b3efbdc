"""The exam TUI: an App that shows a headless :class:`tutor.exam.ExamSession` (see ``app.py``)."""

from tutor.tui.exam.app import ExamApp

__all__ = ["ExamApp"]
