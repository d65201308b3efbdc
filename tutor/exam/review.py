"""The post-exam review as Markdown: per-task verdicts, field diffs, hints and reference solutions.

Headless so it is unit-tested without a terminal; the exam TUI renders it with a Markdown widget,
and ``exam history --show`` could print it as is.
"""

from __future__ import annotations

from collections.abc import Sequence

from tutor.exam.scoring import ExamScore
from tutor.grading.fieldpath import MISSING
from tutor.model import Exercise, SolutionStep
from tutor.results import ExerciseResult, Status

_MARK = {Status.PASS: "✔", Status.FAIL: "✘", Status.TIMEOUT: "✘", Status.ERROR: "!", Status.SKIPPED: "-"}


def solution_markdown(steps: Sequence[SolutionStep]) -> str:
    """Reference solution steps as fenced blocks, in order (kubectl commands as ``bash``)."""
    if not steps:
        return "_This task has no reference solution._\n"
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
        f"**{result.points:g} / {result.points_possible:g} points** · topic `{exercise.lesson_id}`"
        + (f" · namespace `{exercise.namespace}`" if exercise.namespace else ""),
        "",
        "### Checks",
        "",
    ]
    for check in result.checks:
        mark = _MARK.get(check.status, "?")
        title = check.title or check.check_id
        lines.append(f"- {mark} {title} _(weight {check.weight:g}, {check.status.value})_")
        if check.status is not Status.PASS and check.message:
            lines.append(f"  - {check.message}")
        for diff in check.diffs:
            got = "it is missing" if diff.actual is MISSING else f"got `{diff.actual!r}`"
            lines.append(f"  - `{diff.path}`: expected `{diff.expected!r}`, {got}")
    if result.skipped_reason:
        lines += ["", f"_Not graded: {result.skipped_reason}_"]
    lines += ["", "### Task", "", exercise.task.strip(), ""]
    if exercise.hints:
        lines += ["### Hints", ""]
        lines += [f"{i}. {h.strip()}" for i, h in enumerate(exercise.hints, 1)]
        lines.append("")
    lines += ["### Reference solution", "", solution_markdown(exercise.solution)]
    return "\n".join(lines)


def summary_markdown(score: ExamScore, late_seconds: float = 0.0) -> str:
    """The headline: percent, pass/fail against the pass mark, the per-topic breakdown."""
    verdict = "PASSED" if score.passed else "NOT PASSED"
    lines = [
        f"# {verdict}: {score.percent:.1f}%",
        "",
        f"{score.points:g} of {score.possible:g} points; the pass mark is {score.pass_mark:g}%.",
        "",
    ]
    if score.errors:
        lines += [
            f"**Grading hit an environment error on {', '.join(score.errors)}**: the score is not reliable; "
            "fix the cluster and grade again with `k8s-tutor exam grade`.",
            "",
        ]
    if late_seconds > 60:
        lines += [f"_Graded {late_seconds / 60:.0f} min after the exam ended (the tutor was closed)._", ""]
    lines += ["**By topic**", ""]
    for t in score.topics:
        lines.append(f"- {t.topic}: {t.points:g}/{t.possible:g} points ({t.percent:.0f}%), {t.tasks} task(s)")
    return "\n".join(lines) + "\n"
