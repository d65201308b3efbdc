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
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager

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
def _report_if_it_raises(
    args: argparse.Namespace, make: Callable[[str, Cause], GradeReport]
) -> Iterator[None]:
    """Run the body; if it raises anything, write ``make(reason, cause)`` where a report was asked
    for (a file, or a machine format on stdout), and re-raise."""
    try:
        yield
    except BaseException as exc:
        if args.output or args.format != "text":
            from tutor.grading import report as reporters

            reporters.write(make(*_why(exc)), args.format, args.output)
        raise


def report_even_if_aborted(
    args: argparse.Namespace, pack: Pack, exercises: Sequence[Exercise], clock: RunClock, command: str
) -> AbstractContextManager[None]:
    """Grading that raises leaves an all-error report of the selected exercises."""
    return _report_if_it_raises(
        args, lambda reason, cause: aborted_report(pack, exercises, clock, reason, cause, command=command)
    )


def report_even_if_never_started(
    args: argparse.Namespace, pack_name: str | None, clock: RunClock, command: str
) -> AbstractContextManager[None]:
    """Reading the pack or choosing its exercises that raises leaves a report with one error entry."""

    def never_started(reason: str, cause: Cause) -> GradeReport:
        check = CheckResult("k8s-tutor.select", "the exercises to grade", Status.ERROR, reason, cause=cause)
        entry = ExerciseResult(pack_name or "", SELECTION, "the pack and its exercises", (check,), 0.0)
        meta = {"pack": pack_name or "", "pack_version": "", "aborted": True, "command": command}
        return GradeReport((entry,), started_at=clock.started_at, duration=clock.elapsed(), meta=meta)

    return _report_if_it_raises(args, never_started)
