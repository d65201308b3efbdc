"""A report file is always written, even when a run is cut short (``grade``, ``pack test``).

CI reads the JSON/JUnit file a step was asked to write; a crash, a Ctrl-C or a pack whose code calls
``sys.exit`` must leave a report that says so (every selected check an error) rather than no file or
last run's file. So must a run that never started: a pack that cannot be read or is not trusted, an
unknown lesson or exercise — then the report holds one error entry naming the reason (as pytest's
JUnit reports a collection error). The exception then goes on to the CLI, which prints it and exits
2 (or 130).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from tutor.errors import ClusterUnavailable, FormatError, TutorError
from tutor.grading.batch import RunClock, aborted_report
from tutor.model import Exercise, Pack
from tutor.results import Cause, CheckResult, ExerciseResult, GradeReport, Status

SELECTION = "(selection)"
"""The exercise id of the one entry of a report whose run never started."""


def _why(exc: BaseException) -> tuple[str, Cause]:
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted (Ctrl-C) before grading finished", Cause.NONE
    if isinstance(exc, SystemExit):
        return f"a pack's code called sys.exit({exc.code!r}) before grading finished", Cause.CHECKER
    if isinstance(exc, ClusterUnavailable):
        return f"cluster unavailable: {exc}", Cause.UNAVAILABLE
    if isinstance(exc, FormatError):
        return f"the pack cannot be graded: {exc}", Cause.REFERENCE
    if isinstance(exc, TutorError):
        return str(exc), Cause.API
    return f"grading stopped: {type(exc).__name__}: {exc}", Cause.CHECKER


@contextmanager
def report_even_if_aborted(
    args: argparse.Namespace, pack: Pack, exercises: Sequence[Exercise], clock: RunClock, command: str
) -> Iterator[None]:
    """Run the body; if it raises anything, write an all-error report where one was asked for, re-raise."""
    try:
        yield
    except BaseException as exc:
        if args.output or args.format != "text":
            from tutor.grading import report as reporters

            reason, cause = _why(exc)
            rep = aborted_report(pack, exercises, clock, reason, cause, command=command)
            reporters.write(rep, args.format, args.output)
        raise


@contextmanager
def report_even_if_never_started(
    args: argparse.Namespace, pack_name: str | None, clock: RunClock, command: str
) -> Iterator[None]:
    """Run the body (reading the pack, choosing its exercises); if it raises, write a report with
    one error entry saying why where one was asked for, and re-raise."""
    try:
        yield
    except BaseException as exc:
        if args.output or args.format != "text":
            from tutor.grading import report as reporters

            reason, cause = _why(exc)
            check = CheckResult(
                "k8s-tutor.select", "the exercises to grade", Status.ERROR, reason, cause=cause
            )
            entry = ExerciseResult(pack_name or "", SELECTION, "the pack and its exercises", (check,), 0.0)
            meta = {"pack": pack_name or "", "pack_version": "", "aborted": True, "command": command}
            rep = GradeReport((entry,), started_at=clock.started_at, duration=clock.elapsed(), meta=meta)
            reporters.write(rep, args.format, args.output)
        raise
