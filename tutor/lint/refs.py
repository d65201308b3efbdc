"""Check references against the pack's registry: the id resolves and the args bind.

Binding uses the checker function's own signature (``inspect.signature`` via
:meth:`~tutor.grading.registry.CheckSpec.bind`), so a lesson can never pass an argument the
checker does not take, or forget one it needs; the error happens at lint time, not mid-lesson.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

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
            out += [
                FormatProblem(where, message, f"checks[{index}].args.{name}")
                for name, message in arg_type_problems(spec.id, spec.fn, ref.args)
            ]
            _timing, bad = checked_timing(None, ex, ref, spec, dict(ref.args))
            if bad:
                out.append(FormatProblem(where, bad, f"checks[{index}]"))
        out += _type_args(ref.args, where, index)
        out += _subset_fields(ref.args, where, index)
    return out


def _subset_fields(args: Mapping[str, Any], where: SourceLocation, index: int) -> list[FormatProblem]:
    """A ``match`` subset may only name fields its kind has (checked against the Kubernetes schema)."""
    from tutor.lint.manifests import subset_problems

    api_version, kind, subset = args.get("apiVersion"), args.get("kind"), args.get("match")
    if not (isinstance(api_version, str) and isinstance(kind, str) and isinstance(subset, dict)):
        return []
    return [
        FormatProblem(where, message, f"checks[{index}].args.{field}")
        for field, message in subset_problems(api_version, kind, subset)
    ]


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


def arg_type_problems(
    check_id: str, fn: Callable[..., Any], args: Mapping[str, Any]
) -> list[tuple[str, str]]:
    """(argument, message) for each arg whose YAML value does not fit the checker's type annotation.

    ``port: '80'`` for ``port: int`` would otherwise reach the checker as a string and fail at grading
    time with a confusing "port is 80 (= 80), expected 80". Annotations that are not plain types
    (TypedDicts, protocols, unresolvable names) are not checked.
    """
    try:
        hints = typing.get_type_hints(fn)
    except Exception:  # noqa: BLE001 - a checker module's annotation we cannot resolve: nothing to check
        return []
    out = []
    for name, value in args.items():
        hint = hints.get(name)
        if hint is not None and not _fits(value, hint):
            out.append(
                (
                    name,
                    f"{name} is {value!r}, but {check_id} takes {_type_name(hint)}"
                    + (
                        ": unquote the number"
                        if isinstance(value, str) and _fits(_number(value), hint)
                        else ""
                    ),
                )
            )
    return out


def _number(text: str) -> Any:
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def _fits(value: Any, hint: Any) -> bool:
    origin, params = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any or hint is object:
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_fits(value, p) for p in params)
    if hint is type(None):
        return value is None
    if origin is typing.Literal:
        return value in params
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is str:
        return isinstance(value, str)
    if hint is list or origin is list or (origin is not None and origin.__name__ in ("Sequence", "Iterable")):
        item = params[0] if params else Any
        return isinstance(value, list) and all(_fits(v, item) for v in value)
    if hint is dict or origin is dict or (origin is not None and origin.__name__ == "Mapping"):
        return isinstance(value, dict)
    return True


def _type_name(hint: Any) -> str:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return " or ".join(_type_name(p) for p in typing.get_args(hint))
    if hint is type(None):
        return "null"
    name = getattr(hint, "__name__", None) or ""
    words = {"int": "an int", "float": "a number", "str": "a string", "bool": "true/false", "list": "a list"}
    return words.get(name, "a mapping" if name == "dict" else str(hint).replace("typing.", ""))
