"""The checker registry of a pack that is not trusted, read with ``ast`` instead of importing it.

Why: ``pack lint`` must be safe on a pack you just downloaded. Importing its checkers runs its code
(an import can write files, hang or exit), so until the pack is trusted (:mod:`tutor.store.trust`) lint
parses each checker file and reads what it needs from the syntax tree: the ``@check("id", timeout=...,
poll=..., hold=...)`` decorators, each function's parameters (so references' ``args`` still bind) and
its docstring (the default title). Nothing of the pack is executed.

What static reading cannot see: checkers registered by computed ids (a loop, an f-string) and import
errors. An id that is not a string literal is reported as a warning, and references are then not
checked for unknown ids (they may be the computed ones); ``pack lint --trust`` imports for real.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tutor.errors import FormatProblem
from tutor.grading.registry import CheckSpec, Registry, builtin_registry, checker_files
from tutor.model import Pack, SourceLocation

_SOME_DEFAULT = object()  # a default that is not a literal: "has a default" is all binding needs


class StaticRegistry(Registry):
    """A :class:`Registry` built without executing code; ``complete`` is False when some id was computed."""

    complete = True


def static_registry(pack: Pack) -> StaticRegistry:
    """The pack's checkers as read from source (see the module docstring)."""
    registry = StaticRegistry(f"pack {pack.id!r}", parent=builtin_registry())
    for path in checker_files(pack.checks_dir):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"), str(path))
        except SyntaxError as exc:
            registry.problems.append(
                FormatProblem(SourceLocation(path, exc.lineno or 0), f"syntax error: {exc.msg}")
            )
            continue
        except (OSError, ValueError, RecursionError, MemoryError) as exc:
            registry.problems.append(
                FormatProblem(SourceLocation(path, 0), f"cannot read: {type(exc).__name__}")
            )
            continue
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                _read_function(node, path, registry)
    return registry


def _read_function(
    node: ast.FunctionDef | ast.AsyncFunctionDef, path: Path, registry: StaticRegistry
) -> None:
    for deco in node.decorator_list:
        if not (isinstance(deco, ast.Call) and _is_check(deco.func)):
            continue
        where = SourceLocation(path, deco.lineno)
        check_id = deco.args[0] if deco.args else None
        if not (isinstance(check_id, ast.Constant) and isinstance(check_id.value, str)):
            registry.complete = False
            registry.problems.append(
                FormatProblem(
                    where,
                    "the checker id is not a string literal, so lint cannot read it without running the "
                    "pack's code: references are not checked (`pack lint --trust` imports the checkers)",
                    "check",
                    "warning",
                )
            )
            continue
        options = {k.arg: _literal(k.value) for k in deco.keywords if k.arg in ("timeout", "poll", "hold")}
        doc = ast.get_docstring(node) or ""
        title = doc.strip().splitlines()[0].rstrip(" .") if doc.strip() else check_id.value
        registry.add(
            CheckSpec(
                check_id.value,
                _stub(node),
                *(
                    o if isinstance(o, int | float) else None
                    for o in (options.get(n) for n in ("timeout", "poll", "hold"))
                ),
                title=title,
                location=SourceLocation(path, node.lineno),
            )
        )


def _is_check(func: ast.expr) -> bool:
    """``@check(...)`` or ``@sdk.check(...)``."""
    return (isinstance(func, ast.Name) and func.id == "check") or (
        isinstance(func, ast.Attribute) and func.attr == "check"
    )


def _literal(node: ast.expr) -> Any:
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
        return _SOME_DEFAULT


def _stub(node: ast.FunctionDef | ast.AsyncFunctionDef) -> Callable[..., Any]:
    """A function that cannot run, with ``node``'s signature (read through ``__signature__``)."""
    a = node.args
    params: list[inspect.Parameter] = []
    positional = [*a.posonlyargs, *a.args]
    defaults = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
    for index, (arg, default) in enumerate(zip(positional, defaults, strict=True)):
        kind = (
            inspect.Parameter.POSITIONAL_ONLY
            if index < len(a.posonlyargs)
            else inspect.Parameter.POSITIONAL_OR_KEYWORD
        )
        params.append(_param(arg.arg, kind, default))
    if a.vararg:
        params.append(inspect.Parameter(a.vararg.arg, inspect.Parameter.VAR_POSITIONAL))
    for arg, kw_default in zip(a.kwonlyargs, a.kw_defaults, strict=True):
        params.append(_param(arg.arg, inspect.Parameter.KEYWORD_ONLY, kw_default))
    if a.kwarg:
        params.append(inspect.Parameter(a.kwarg.arg, inspect.Parameter.VAR_KEYWORD))

    def not_run(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("a checker read by `pack lint` without trust is never run")

    not_run.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    not_run.__name__ = node.name
    return not_run


def _param(name: str, kind: Any, default: ast.expr | None) -> inspect.Parameter:
    if default is None:
        return inspect.Parameter(name, kind)
    return inspect.Parameter(name, kind, default=_literal(default))
