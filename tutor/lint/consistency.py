"""Does the exercise say what its checks check? A cheap, cluster-free consistency lint.

A check that looks for ``backup-job`` while the task asks for ``hello-job`` grades every
learner wrong, and only ``pack test`` on a cluster would notice. Here: each object name a check
reference passes (``args.name``) should appear in the task text, and — unless the check expects
the object to be gone (``absent``) — in some setup or solution step. Warnings, not errors: a
name may legitimately be built by a controller (a Deployment's pods).
"""

from __future__ import annotations

from pathlib import Path

from tutor.errors import FormatProblem
from tutor.limits import shorten
from tutor.model import Exercise, Pack, SourceLocation

NEGATIVE_CHECKS = {"absent"}


def check_names(ex: Exercise) -> list[FormatProblem]:
    """Warnings for check names the task or the solution never mention."""
    steps = " ".join(s.manifest or s.kubectl or "" for s in ex.setup + ex.solution)
    out: list[FormatProblem] = []
    for index, ref in enumerate(ex.checks):
        name = ref.args.get("name")
        if not isinstance(name, str) or not name:
            continue
        where = ref.location or ex.location or SourceLocation(Path(ex.lesson_id), 0)
        field = f"checks[{index}].args.name"
        shown = shorten(name)
        if name not in ex.task:
            out.append(FormatProblem(where, f"{shown} is not mentioned in the task text", field, "warning"))
        if ex.solution and ref.check not in NEGATIVE_CHECKS and name not in steps:
            out.append(FormatProblem(where, f"no setup or solution step mentions {shown}", field, "warning"))
    return out


def check_cleanup(ex: Exercise) -> list[FormatProblem]:
    """``cleanup`` entries must name types Kubernetes serves, or reset silently leaves objects behind."""
    from tutor.lint.manifests import type_problem

    out = []
    for index, entry in enumerate(ex.cleanup):
        found = type_problem(entry["apiVersion"], entry["kind"])
        if found is not None:
            field, message, severity = found
            where = ex.location or SourceLocation(Path(ex.lesson_id), 0)
            out.append(FormatProblem(where, message, f"cleanup[{index}].{field}", severity))
    return out


def check_exam_pool(pack: Pack) -> list[FormatProblem]:
    """An exam that draws more tasks than the pool holds cannot be taken as configured."""
    pool = len(pack.exam_pool())
    if not pool or pool >= pack.exam.tasks:
        return []
    file = pack.root / "pack.yaml"
    line = _line_of(file, r"^\s*tasks\s*:") or _line_of(file, r"^exam\s*:")
    where = SourceLocation(file, line or 1)
    default = "" if line else " (8 is the default: set exam.tasks in pack.yaml)"
    message = (
        f"the exam draws {pack.exam.tasks} tasks{default} but only {pool} exercise(s) have exam: also/only"
    )
    return [FormatProblem(where, message, "exam.tasks", "warning")]


def _line_of(file: Path, pattern: str) -> int:
    """The 1-based line of ``file`` matching ``pattern``, or 0 (pack.yaml problems always carry a line)."""
    import re

    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except OSError:
        return 0
    return next((i for i, text in enumerate(lines, 1) if re.match(pattern, text)), 0)
