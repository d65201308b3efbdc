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
from tutor.model import Exercise, SourceLocation

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
        if name not in ex.task:
            out.append(FormatProblem(where, f"{name!r} is not mentioned in the task text", field, "warning"))
        if ex.solution and ref.check not in NEGATIVE_CHECKS and name not in steps:
            out.append(FormatProblem(where, f"no setup or solution step mentions {name!r}", field, "warning"))
    return out
