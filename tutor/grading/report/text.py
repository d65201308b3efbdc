"""The text report: readable in a CI log, coloured only when asked (a TTY without NO_COLOR)."""

from __future__ import annotations

from tutor.grading.fieldpath import MISSING
from tutor.i18n import _
from tutor.results import CheckResult, ExerciseResult, GradeReport, Status

_COLOUR = {
    Status.PASS: "32",
    Status.FAIL: "31",
    Status.TIMEOUT: "31",
    Status.ERROR: "35",
    Status.SKIPPED: "33",
    Status.PENDING: "36",
    Status.RUNNING: "36",
}
_LABEL = {
    Status.PASS: "PASS",
    Status.FAIL: "FAIL",
    Status.TIMEOUT: "TIME",
    Status.ERROR: "ERR ",
    Status.SKIPPED: "SKIP",
    Status.PENDING: "WAIT",
    Status.RUNNING: "RUN ",
}


def _paint(text: str, status: Status, colour: bool) -> str:
    return f"\x1b[{_COLOUR[status]}m{text}\x1b[0m" if colour else text


def shared_error(checks: list[CheckResult]) -> str:
    """The message when two or more checks all ended in ERROR with the same one, else "".

    Why: one environment problem (an unreadable kubeconfig, an API server that is down) fails every
    check alike; printing it once per check buried the report in copies of one sentence.
    """
    messages = {c.message for c in checks}
    if len(checks) < 2 or len(messages) != 1 or any(c.status is not Status.ERROR for c in checks):
        return ""
    return messages.pop()


def check_lines(check: CheckResult, colour: bool = False, indent: str = "    ", shown: str = "") -> list[str]:
    """The lines for one check: status, title, then (on failure) message, diffs, hint and diagnostics.

    ``shown`` is a message already printed above (a shared environment error); it is not repeated.
    """
    lines = [f"{indent}{_paint(_LABEL[check.status], check.status, colour)}  {check.title}"]
    if check.status is Status.PASS:
        return lines + ([f"{indent}      {check.message}"] if check.message else [])
    deeper = indent + "      "
    if check.message and check.message != shown:
        lines.append(f"{deeper}{check.message}")
    for d in check.diffs[:10]:
        actual = _("(missing)") if d.actual is MISSING else repr(d.actual)
        lines.append(
            f"{deeper}{d.path}: "
            + _("expected {expected}, got {actual}").format(expected=repr(d.expected), actual=actual)
        )
    if check.hint is not None:
        lines.append(deeper + _("hint #{n} fits this failure").format(n=check.hint))
    lines.extend(f"{deeper}| {line}" for line in check.diagnostics)
    return lines


def exercise_lines(ex: ExerciseResult, colour: bool = False, shown: str = "") -> list[str]:
    """The header line of an exercise and its checks; a shared environment error is printed once."""
    head = (
        f"{_paint(_LABEL[ex.status], ex.status, colour)}  {ex.exercise_id}  {ex.title}  "
        + "["
        + _("{points}/{possible} points, {seconds} s").format(
            points=f"{ex.points:g}", possible=f"{ex.points_possible:g}", seconds=f"{ex.duration:.1f}"
        )
        + "]"
    )
    if ex.skipped_reason:
        return [head, "      " + _("skipped: {why}").format(why=ex.skipped_reason)]
    common = shown or shared_error(list(ex.checks))
    once = ["      " + _("every check: {error}").format(error=common)] if common and common != shown else []
    return [head, *once] + [line for c in ex.checks for line in check_lines(c, colour, shown=common)]


def summary_line(report: GradeReport) -> str:
    """``3 passed, 1 failed, 0 errors, 1 skipped - 7/10 points - 12.3 s - exit 1``."""
    statuses = [e.status for e in report.exercises]
    n = {s: statuses.count(s) for s in Status}
    counts = _("{passed} passed, {failed} failed, {errors} errors, {skipped} skipped").format(
        passed=n[Status.PASS], failed=n[Status.FAIL], errors=n[Status.ERROR], skipped=n[Status.SKIPPED]
    )
    points = _("{points}/{possible} points").format(
        points=f"{report.points:g}", possible=f"{report.points_possible:g}"
    )
    return f"{counts} - {points} - {report.duration:.1f} s - exit {report.exit_code}"


def render_text(report: GradeReport, colour: bool = False, summary_only: bool = False) -> str:
    """The whole report as text with a trailing newline."""
    if summary_only:
        return summary_line(report)
    where = ", ".join(
        x
        for x in (
            f"context {report.context}" if report.context else "",
            f"server {report.server_version}" if report.server_version else "",
        )
        if x
    )
    # Which front end made the report: `pack test` and `exam grade` reuse this renderer.
    command = report.meta.get("command") or ("exam grade" if "exam" in report.meta else "grade")
    lines = [f"k8s-tutor {command}{': ' + where if where else ''}", ""]
    run_error = shared_error([c for ex in report.exercises for c in ex.checks])
    if run_error:
        lines += [_("every check of this run: {error}").format(error=run_error), ""]
    for ex in report.exercises:
        lines.extend(exercise_lines(ex, colour, shown=run_error))
    lines += ["", summary_line(report)]
    return "\n".join(lines) + "\n"
