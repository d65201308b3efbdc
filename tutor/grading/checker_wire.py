"""What crosses between the tutor and its checker worker (:mod:`tutor.grading.checker_worker`).

Why JSON lines and not pickle: everything that comes back was produced in a process running pack
code, so it is parsed as data (unpickling runs code), and every field is checked and cut to size
here before it can reach a report, a lint message or the screen. A value that does not fit the
expected shape is a :class:`WireError`, which the tutor reports as an error of that checker.

Three things are described on the wire:

* a checker's **spec**: id, title, timings, location and signature. The signature carries each
  parameter's default (a JSON value, or only its ``repr``) and type annotation in a small type
  language (:func:`hint_to_wire`) so that binding, titles and lint's argument-type rule work on the
  tutor's side without importing the pack;
* a check's **context**: namespace, start time, the snapshot taken at start and the poll round;
* an **attempt**: status, message, diffs, hint number, touched objects and the cause of an error.
"""

from __future__ import annotations

import base64
import inspect
import json
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tutor.errors import FormatProblem
from tutor.grading.outcomes import Message
from tutor.limits import clip
from tutor.model import SourceLocation
from tutor.results import Cause, FieldDiff, Status

if TYPE_CHECKING:
    from tutor.grading.engine import Attempt
    from tutor.grading.registry import CheckSpec

MAX_REPLY_BYTES = 8 * 1024 * 1024
"""The longest line the tutor reads from a worker: a reply is an attempt or a list of specs."""
MAX_MESSAGE = 4000
"""Characters of a checker's message kept (a failure message is a few lines)."""
MAX_DIFFS = 50
MAX_TOUCHED = 10
MAX_PARAMS = 64
MAX_SPECS = 2000
MAX_PROBLEMS = 200

ATTEMPT_STATUSES = frozenset({Status.PASS, Status.PENDING, Status.FAIL, Status.ERROR})


class WireError(ValueError):
    """A message from the worker that does not have the shape the protocol promises."""


def encode(message: Mapping[str, Any]) -> bytes:
    """One JSON line; values JSON cannot spell (dates, Decimals, sets, bytes) are written as text."""
    return json.dumps(message, default=_plain, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


def decode(line: bytes) -> dict[str, Any]:
    """Parse one line into a mapping with an ``op``; anything else is a :class:`WireError`."""
    try:
        message = json.loads(line)
    except (ValueError, RecursionError) as exc:
        raise WireError(f"not a JSON line: {clip(str(exc))}") from None
    if not isinstance(message, dict) or not isinstance(message.get("op"), str):
        raise WireError("a message without an 'op'")
    return message


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return str(value)


# -- type annotations ----------------------------------------------------------------------------

_SCALARS: dict[str, Any] = {"bool": bool, "int": int, "float": float, "str": str, "dict": dict, "list": list}


def hint_to_wire(hint: Any) -> Any:
    """A type annotation in the small language lint's argument-type rule understands.

    ``"int"`` and the other scalar names, ``"none"``, ``"any"``, ``{"union": [...]}``,
    ``{"literal": [...]}``, ``{"list": item}``; mappings are ``"dict"``; everything else is ``"any"``
    (a TypedDict, a protocol: not checked, exactly as in-process).
    """
    origin, params = typing.get_origin(hint), typing.get_args(hint)
    if hint is type(None):
        return "none"
    if origin in (typing.Union, types.UnionType):
        return {"union": [hint_to_wire(p) for p in params]}
    if origin is typing.Literal:
        return {"literal": [p for p in params if isinstance(p, str | int | float | bool) or p is None]}
    if isinstance(hint, type) and hint.__name__ in _SCALARS and _SCALARS[hint.__name__] is hint:
        return hint.__name__
    if origin is list or (origin is not None and getattr(origin, "__name__", "") in ("Sequence", "Iterable")):
        return {"list": hint_to_wire(params[0]) if params else "any"}
    if origin is dict or (origin is not None and getattr(origin, "__name__", "") == "Mapping"):
        return "dict"
    return "any"


def hint_from_wire(wire: Any, depth: int = 0) -> Any:
    """The annotation :func:`hint_to_wire` described (no code is evaluated: only these shapes exist)."""
    if depth > 8:
        raise WireError("a type annotation nested too deeply")
    if wire == "any":
        return Any
    if wire == "none":
        return type(None)
    if isinstance(wire, str) and wire in _SCALARS:
        return _SCALARS[wire]
    if isinstance(wire, dict) and len(wire) == 1:
        ((key, value),) = wire.items()
        if key == "union" and isinstance(value, list) and value:
            return typing.Union[tuple(hint_from_wire(v, depth + 1) for v in value[:MAX_PARAMS])]  # noqa: UP007
        if key == "literal" and isinstance(value, list):
            values = tuple(
                v for v in value[:MAX_PARAMS] if isinstance(v, str | int | float | bool) or v is None
            )
            return typing.Literal[values] if values else Any
        if key == "list":
            return list[hint_from_wire(value, depth + 1)]  # type: ignore[misc]
    raise WireError(f"an unknown type annotation {clip(repr(wire))}")


# -- specs ---------------------------------------------------------------------------------------


class _ShownDefault:
    """A parameter default that is not JSON: binding only needs "has a default"; titles show its repr."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text

    __str__ = __repr__


def spec_to_wire(spec: CheckSpec) -> dict[str, Any]:
    """What the tutor needs to know of a checker it will not import."""
    try:
        hints = typing.get_type_hints(spec.fn)
    except Exception:  # noqa: BLE001 - an annotation that does not resolve is not checked (as in lint)
        hints = {}
    params = []
    for p in spec.parameters[:MAX_PARAMS]:
        entry: dict[str, Any] = {"name": p.name, "kind": int(p.kind), "hint": hint_to_wire(hints.get(p.name))}
        if p.default is not p.empty:
            entry["default"] = _default_to_wire(p.default)
        params.append(entry)
    where = spec.location
    return {
        "id": spec.id,
        "title": spec.title,
        "timeout": spec.timeout,
        "poll": spec.poll,
        "hold": spec.hold,
        "location": [str(where.path), where.line] if where else None,
        "params": params,
    }


def _default_to_wire(value: Any) -> dict[str, Any]:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        return {"repr": clip(repr(value))}
    return {"value": value}


def spec_from_wire(wire: Any, evaluator: Callable[..., Attempt], cls: type[CheckSpec]) -> CheckSpec:
    """A :class:`CheckSpec` whose function cannot run here; ``evaluator`` runs it in the worker."""
    if not isinstance(wire, dict):
        raise WireError("a checker spec that is not a mapping")
    check_id, title = wire.get("id"), wire.get("title")
    if not isinstance(check_id, str) or not check_id or len(check_id) > 200:
        raise WireError(f"a checker id that is not a short string: {clip(repr(check_id))}")
    params_wire = wire.get("params")
    if not isinstance(params_wire, list) or len(params_wire) > MAX_PARAMS:
        raise WireError(f"checker {check_id!r}: parameters that are not a short list")
    params = [inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    annotations: dict[str, Any] = {}
    for p in params_wire:
        param = _param_from_wire(check_id, p)
        params.append(param)
        annotations[param.name] = hint_from_wire(p.get("hint", "any"))

    def runs_in_the_worker(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError(f"checker {check_id} runs in the checker worker, not in the tutor's process")

    try:
        runs_in_the_worker.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    except ValueError as exc:  # duplicate names, a default before a required parameter
        raise WireError(f"checker {check_id!r}: an impossible signature ({exc})") from None
    runs_in_the_worker.__annotations__ = annotations
    runs_in_the_worker.__name__ = check_id.replace(".", "_").replace("-", "_")
    location = wire.get("location")
    return cls(
        check_id,
        runs_in_the_worker,
        _seconds(wire.get("timeout")),
        _seconds(wire.get("poll")),
        _seconds(wire.get("hold")),
        clip(title, 300) if isinstance(title, str) else check_id,
        _location(location),
        evaluator=evaluator,
    )


def _param_from_wire(check_id: str, p: Any) -> inspect.Parameter:
    if not isinstance(p, dict) or not isinstance(p.get("name"), str) or not p["name"].isidentifier():
        raise WireError(f"checker {check_id!r}: a parameter without a valid name")
    try:
        kind = inspect._ParameterKind(int(p.get("kind", -1)))
    except (ValueError, TypeError):
        raise WireError(f"checker {check_id!r}: parameter {p['name']!r} of an unknown kind") from None
    default = p.get("default")
    if default is None:
        return inspect.Parameter(p["name"], kind)
    if not isinstance(default, dict):
        raise WireError(f"checker {check_id!r}: parameter {p['name']!r} has a malformed default")
    value = default["value"] if "value" in default else _ShownDefault(clip(str(default.get("repr", "?"))))
    return inspect.Parameter(p["name"], kind, default=value)


def _seconds(value: Any) -> float | None:
    """A timing from ``@check(...)``: a number (the planner refuses non-finite ones, saying why) or None."""
    if value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
        return value
    raise WireError(f"a timing that is not a number: {clip(repr(value))}")


def _location(value: Any) -> SourceLocation | None:
    if (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[0], str)
        and isinstance(value[1], int)
        and not isinstance(value[1], bool)
    ):
        return SourceLocation(Path(value[0]), max(0, value[1]))
    return None


def problem_to_wire(problem: FormatProblem) -> dict[str, Any]:
    return {
        "path": str(problem.location.path),
        "line": problem.location.line,
        "message": problem.message,
        "field": problem.field,
        "severity": problem.severity,
    }


def problem_from_wire(wire: Any) -> FormatProblem:
    if not isinstance(wire, dict):
        raise WireError("a problem that is not a mapping")
    where = _location([wire.get("path"), wire.get("line")]) or SourceLocation(Path("<checker worker>"), 0)
    severity = "warning" if wire.get("severity") == "warning" else "error"
    field = wire["field"] if isinstance(wire.get("field"), str) else ""
    return FormatProblem(where, clip(str(wire.get("message", "")), MAX_MESSAGE), clip(field), severity)


# -- attempts ------------------------------------------------------------------------------------


def attempt_to_wire(attempt: Attempt) -> dict[str, Any]:
    return {
        "op": "attempt",
        "status": attempt.status.value,
        "message": attempt.message,
        "translations": getattr(attempt.message, "translations", {}),
        "diffs": [[d.path, d.expected, d.actual] for d in attempt.diffs[:MAX_DIFFS]],
        "hint": attempt.hint,
        "touched": attempt.touched[:MAX_TOUCHED],
        "cause": attempt.cause.value,
    }


def attempt_from_wire(wire: Mapping[str, Any], attempt_cls: type[Attempt]) -> Attempt:
    """The worker's attempt, every field checked: a malformed one is a :class:`WireError`."""
    try:
        status = Status(wire.get("status"))
        cause = Cause(wire.get("cause", ""))
    except ValueError:
        raise WireError(f"an attempt with status {clip(repr(wire.get('status')))}") from None
    if status not in ATTEMPT_STATUSES:
        raise WireError(f"an attempt with status {status.value!r}")
    message, hint, diffs, touched = (
        wire.get("message", ""),
        wire.get("hint"),
        wire.get("diffs", []),
        wire.get("touched", []),
    )
    if not isinstance(message, str):
        raise WireError("an attempt whose message is not text")
    translations = wire.get("translations") or {}
    if not isinstance(translations, dict) or len(translations) > 20:
        raise WireError("an attempt whose translations are not a small mapping")
    if translations:
        message = Message(
            clip(message, MAX_MESSAGE),
            {clip(str(k), 20): clip(v, MAX_MESSAGE) for k, v in translations.items() if isinstance(v, str)},
        )
    if hint is not None and (not isinstance(hint, int) or isinstance(hint, bool)):
        raise WireError("an attempt whose hint is not a number")
    if not isinstance(diffs, list) or not all(isinstance(d, list) and len(d) == 3 for d in diffs):
        raise WireError("an attempt whose diffs are not [path, expected, actual] triples")
    if not isinstance(touched, list) or not all(isinstance(o, dict) for o in touched):
        raise WireError("an attempt whose touched objects are not mappings")
    return attempt_cls(
        status,
        message if isinstance(message, Message) else clip(message, MAX_MESSAGE),
        tuple(FieldDiff(clip(str(p)), e, a) for p, e, a in diffs[:MAX_DIFFS]),
        hint,
        touched[:MAX_TOUCHED],
        cause if status is Status.ERROR else Cause.NONE,
    )


# -- contexts ------------------------------------------------------------------------------------


def snapshot_to_wire(snapshot: Mapping[Any, Mapping[str, Any]]) -> list[list[Any]]:
    return [[list(key), dict(value)] for key, value in snapshot.items()]


def snapshot_from_wire(wire: list[list[Any]]) -> dict[tuple[Any, ...], dict[str, Any]]:
    return {tuple(key): value for key, value in wire}
