"""Resolving a check reference into what the engine runs: the function, its args and its timings.

Why separate: the engine, ``pack test`` and the TUI all need the same answer to "how long does this
check poll, how often, does it hold?", and lint needs the same binding errors.
Precedence (most specific wins): ``--timeout`` of the run > check reference > exercise > the
checker's own ``@check(timeout=)`` > pack defaults > 30 s / 1 s.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tutor.model import CheckRef, Exercise, Pack

if TYPE_CHECKING:
    from tutor.grading.registry import CheckSpec, Registry

DEFAULT_TIMEOUT = 30.0
DEFAULT_POLL = 1.0
MIN_POLL = 0.05  # a poll of 0 would spin; the API is never consistent faster than this anyway
MAX_SECONDS = 3600.0
"""The longest timeout, poll or hold a check may have: the pack schema's bound, also applied to
what the YAML schema cannot see (``args.hold``) and to a checker's own ``@check(timeout=...)``."""


@dataclass(frozen=True)
class Timing:
    """How the engine polls one check: give up after ``timeout``, retry every ``poll``, hold for ``hold``."""

    timeout: float = DEFAULT_TIMEOUT
    poll: float = DEFAULT_POLL
    hold: float = 0.0


@dataclass(frozen=True)
class CheckPlan:
    """One check reference of one exercise, resolved against a registry.

    ``problem`` is set (and ``spec`` may be None) when the reference cannot run: an unknown
    checker id or arguments that do not fit. The engine reports those as errors, never failures.
    """

    exercise: Exercise
    index: int
    ref: CheckRef
    spec: CheckSpec | None
    title: str
    timing: Timing
    args: dict[str, Any] = field(default_factory=dict)
    problem: str = ""

    @property
    def key(self) -> tuple[str, int]:
        return (self.exercise.id, self.index)


def check_title(ref: CheckRef, spec: CheckSpec | None) -> str:
    """The checklist line of a check reference (the one title rule: engine, reports, TUI, placeholders).

    The reference's own ``title``, else the checker's docstring line ``format()``-ed with the args, else
    (no such checker) the id with its scalar args, so an untitled line never changes once a verdict lands.
    """
    if ref.title:
        return ref.title
    if spec is not None:
        return spec.describe(ref.args)
    args = ", ".join(f"{k}={v}" for k, v in ref.args.items() if not isinstance(v, dict))
    return f"{ref.check}({args})" if args else ref.check


def _first(*values: float | None) -> float:
    """The first value that is set (0 counts as set: ``timeout: 0`` means one attempt)."""
    return next(float(v) for v in values if v is not None)


def resolve_timing(
    pack: Pack | None,
    exercise: Exercise,
    ref: CheckRef,
    spec: CheckSpec | None,
    args: dict[str, Any],
    *,
    timeout: float | None = None,
    max_timeout: float | None = None,
) -> Timing:
    """The :class:`Timing` of ``ref`` (see the module docstring for the precedence).

    A checker with a ``hold`` parameter takes its hold window from that argument (its default
    or the reference's ``args.hold``), so authors write ``args: {hold: 10}`` on ``absent``.
    """
    spec_timeout = spec.timeout if spec else None
    pack_timeout = pack.timeout if pack else None
    chosen = _first(timeout, ref.timeout, exercise.timeout, spec_timeout, pack_timeout, DEFAULT_TIMEOUT)
    if max_timeout is not None:
        chosen = min(chosen, max_timeout)
    poll = max(MIN_POLL, _first(spec.poll if spec else None, pack.poll if pack else None, DEFAULT_POLL))
    hold = spec.hold if spec else None
    if spec is not None:
        param = inspect.signature(spec.fn).parameters.get("hold")
        if param is not None:
            hold = args.get("hold", param.default if param.default is not param.empty else hold)
    if ref.hold is not None:  # the most specific setting wins, as for timeouts
        hold = ref.hold
    return Timing(timeout=chosen, poll=min(poll, chosen) if chosen > 0 else poll, hold=float(hold or 0))


def checked_timing(
    pack: Pack | None,
    exercise: Exercise,
    ref: CheckRef,
    spec: CheckSpec | None,
    args: dict[str, Any],
    **kw: Any,
) -> tuple[Timing, str | None]:
    """:func:`resolve_timing`, or a safe default Timing and why the resolved one cannot be used.

    A bad timing makes the check an error; it must never make the engine poll or hold forever.
    """
    try:
        timing = resolve_timing(pack, exercise, ref, spec, args, **kw)
    except (TypeError, ValueError, OverflowError):
        return Timing(), "timeout, poll and hold must be numbers of seconds (check args.hold)"
    problem = timing_problem(timing)
    return (Timing(), problem) if problem else (timing, None)


def timing_problem(timing: Timing) -> str | None:
    """Why ``timing`` cannot be used (a non-finite or absurd timeout, poll or hold), else None."""
    import math

    for name in ("timeout", "poll", "hold"):
        value = getattr(timing, name)
        if not math.isfinite(value) or value < 0 or value > MAX_SECONDS:
            return (
                f"{name} {value:g} must be a finite number of seconds from 0 to {MAX_SECONDS:g} "
                "(set by the check reference, its args, the exercise, the pack or the checker's @check)"
            )
    return None


def plan_checks(
    registry: Registry,
    pack: Pack | None,
    exercise: Exercise,
    *,
    timeout: float | None = None,
    max_timeout: float | None = None,
) -> list[CheckPlan]:
    """A :class:`CheckPlan` for every check reference of ``exercise``, in order."""
    plans = []
    for i, ref in enumerate(exercise.checks):
        spec, problem = registry.find(ref.check), ""
        title = check_title(ref, spec)
        if spec is None:
            problem = registry.unknown_message(ref.check)
        else:
            try:
                spec.bind(ref.args)
            except TypeError as exc:
                problem = str(exc)
        if problem and ref.location:
            problem = f"{ref.location}: {problem}"
        timing, bad = checked_timing(
            pack, exercise, ref, spec, dict(ref.args), timeout=timeout, max_timeout=max_timeout
        )
        if bad and not problem:
            problem = f"{ref.location}: {bad}" if ref.location else bad
        plans.append(CheckPlan(exercise, i, ref, spec, title, timing, dict(ref.args), problem))
    return plans
