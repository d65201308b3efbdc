"""The post-exam review as Markdown: per-task verdicts, field diffs, hints and reference solutions.

Headless so it is unit-tested without a terminal; the exam TUI renders it with a Markdown widget,
and ``exam history --show`` could print it as is.
"""

from __future__ import annotations

from collections.abc import Sequence

from tutor.exam.scoring import ExamScore
from tutor.grading.fieldpath import MISSING
from tutor.i18n import _
from tutor.model import Exercise, SolutionStep
from tutor.results import ExerciseResult, Status

_MARK = {Status.PASS: "✔", Status.FAIL: "✘", Status.TIMEOUT: "✘", Status.ERROR: "!", Status.SKIPPED: "-"}


def solution_markdown(steps: Sequence[SolutionStep]) -> str:
    """Reference solution steps as fenced blocks, in order (kubectl commands as ``bash``)."""
    if not steps:
        return "_" + _("This task has no reference solution.") + "_\n"
    blocks = []
    for step in steps:
        if step.kubectl is not None:
            blocks.append(f"```bash\nkubectl {step.kubectl.strip()}\n```")
        elif step.manifest is not None:
            blocks.append(f"```yaml\n{step.manifest.strip()}\n```")
    return "\n\n".join(blocks) + "\n"


def task_review_markdown(
    number: int, exercise: Exercise, result: ExerciseResult, flagged: bool = False
) -> str:
    """The review of one task: verdict and points, every check, diffs of the failing ones, the solution."""
    flag = " ⚑" if flagged else ""
    lines = [
        f"## {number}. {exercise.title}{flag}",
        "",
        "**"
        + _("{points} / {possible} points").format(
            points=f"{result.points:g}", possible=f"{result.points_possible:g}"
        )
        + "** · "
        + _("topic `{topic}`").format(topic=exercise.lesson_id)
        + (
            " · " + _("namespace `{namespace}`").format(namespace=exercise.namespace)
            if exercise.namespace
            else ""
        ),
        "",
        "### " + _("Checks"),
        "",
    ]
    for check in result.checks:
        mark = _MARK.get(check.status, "?")
        title = check.title or check.check_id
        lines.append(
            f"- {mark} {title} _("
            + _("weight {weight}").format(weight=f"{check.weight:g}")
            + f", {check.status.value})_"
        )
        if check.status is not Status.PASS and check.message:
            lines.append(f"  - {check.message}")
        for diff in check.diffs:
            got = (
                _("it is missing")
                if diff.actual is MISSING
                else _("got `{actual}`").format(actual=repr(diff.actual))
            )
            expected = _("expected `{expected}`").format(expected=repr(diff.expected))
            lines.append(f"  - `{diff.path}`: {expected}, {got}")
    if result.skipped_reason:
        lines += ["", "_" + _("Not graded: {why}").format(why=result.skipped_reason) + "_"]
    lines += ["", "### " + _("Task"), "", exercise.task.strip(), ""]
    if exercise.hints:
        lines += ["### " + _("Hints"), ""]
        lines += [f"{i}. {h.strip()}" for i, h in enumerate(exercise.hints, 1)]
        lines.append("")
    lines += ["### " + _("Reference solution"), "", solution_markdown(exercise.solution)]
    return "\n".join(lines)


def summary_markdown(score: ExamScore, late_seconds: float = 0.0) -> str:
    """The headline: percent, pass/fail against the pass mark, the per-topic breakdown."""
    verdict = _("PASSED") if score.passed else _("NOT PASSED")
    lines = [
        f"# {verdict}: {score.percent:.1f}%",
        "",
        _("{points} of {possible} points; the pass mark is {pass_mark}%.").format(
            points=f"{score.points:g}", possible=f"{score.possible:g}", pass_mark=f"{score.pass_mark:g}"
        ),
        "",
    ]
    if score.errors:
        lines += [
            _(
                "**Grading hit an environment error on {tasks}**: the score is not reliable; "
                "fix the cluster and grade again with `k8s-tutor exam grade`."
            ).format(tasks=", ".join(score.errors)),
            "",
        ]
    if late_seconds > 60:
        late = _("Graded {minutes} min after the exam ended (the tutor was closed).").format(
            minutes=f"{late_seconds / 60:.0f}"
        )
        lines += [f"_{late}_", ""]
    lines += ["**" + _("By topic") + "**", ""]
    for t in score.topics:
        lines.append(
            f"- {t.topic}: "
            + _("{points}/{possible} points ({percent}%), {tasks} task(s)").format(
                points=f"{t.points:g}", possible=f"{t.possible:g}", percent=f"{t.percent:.0f}", tasks=t.tasks
            )
        )
    return "\n".join(lines) + "\n"
