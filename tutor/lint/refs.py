"""Check references against the pack's registry: the id resolves and the args bind.

Binding uses the checker function's own signature (``inspect.signature`` via
:meth:`~tutor.grading.registry.CheckSpec.bind`), so a lesson can never pass an argument the
checker does not take, or forget one it needs; the error happens at lint time, not mid-lesson.
"""

from __future__ import annotations

from pathlib import Path

from tutor.errors import FormatProblem
from tutor.grading.plan import checked_timing
from tutor.grading.registry import Registry
from tutor.model import Exercise, SourceLocation


def check_refs(ex: Exercise, registry: Registry) -> list[FormatProblem]:
    """Problems with ``ex``'s check references."""
    out: list[FormatProblem] = []
    for index, ref in enumerate(ex.checks):
        where = ref.location or ex.location or SourceLocation(Path(ex.lesson_id), 0)
        spec = registry.find(ref.check)
        if spec is None:
            out.append(FormatProblem(where, registry.unknown_message(ref.check), f"checks[{index}].check"))
            continue
        try:
            spec.bind(ref.args)
        except TypeError as exc:
            out.append(FormatProblem(where, str(exc), f"checks[{index}].args"))
        else:
            _timing, bad = checked_timing(None, ex, ref, spec, dict(ref.args))
            if bad:
                out.append(FormatProblem(where, bad, f"checks[{index}]"))
        out += _type_args(ref.args, where, index)
    return out


def _type_args(args: dict, where: SourceLocation, index: int) -> list[FormatProblem]:
    """An ``apiVersion``/``kind`` pair in a reference's args must be a type Kubernetes serves."""
    from tutor.lint.manifests import type_problem

    api_version, kind = args.get("apiVersion"), args.get("kind")
    if not (isinstance(api_version, str) and isinstance(kind, str)):
        return []
    found = type_problem(api_version, kind)
    if found is None:
        return []
    field, message, severity = found
    return [FormatProblem(where, message, f"checks[{index}].args.{field}", severity)]


def unused_checkers(exercises: tuple[Exercise, ...], registry: Registry) -> list[FormatProblem]:
    """A warning for each of the pack's own checkers that no exercise references."""
    used = {ref.check for ex in exercises for ref in ex.checks}
    return [
        FormatProblem(
            spec.location or SourceLocation(Path(spec.id), 0),
            f"checker {spec.id!r} is never used",
            "check",
            "warning",
        )
        for spec in registry.own()
        if spec.id not in used
    ]
