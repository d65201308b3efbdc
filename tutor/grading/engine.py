"""The grading engine: polls every check of many exercises until each passes, fails or times out.

Why rounds: the API is eventually consistent, so a check that says ``NotYet`` (or ``CheckFailed`` —
a Deployment may still be rolling out) is retried every ``poll`` seconds until its timeout, and only
the *last* attempt's failure is reported. All checks due at the same moment — across every exercise
being graded — form one round and share one :class:`RoundCache`, so each (apiVersion, kind,
namespace) is listed once per round over the one pooled API client. No check ever shells out.

Outcomes: pass → PASS (after ``hold`` seconds of passing, for negative checks); NotYet at the
deadline → TIMEOUT; CheckFailed at the deadline, or any failure inside a hold window → FAIL;
anything else (an unreachable API server, a checker bug) → ERROR at once, never a failure.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from tutor.errors import ClusterUnavailable, TutorError
from tutor.grading import diagnostics
from tutor.grading.cache import RoundCache, is_unreachable
from tutor.grading.context import CheckContext
from tutor.grading.outcomes import CheckFailed, NotYet, in_language
from tutor.grading.plan import CheckPlan, plan_checks
from tutor.model import Exercise, Pack
from tutor.results import Cause, CheckResult, ExerciseResult, FieldDiff, Status

if TYPE_CHECKING:
    from tutor.cluster.protocols import Reader
    from tutor.grading.lifecycle import ExerciseRun
    from tutor.grading.registry import Registry

ProgressCallback = Callable[[Exercise, CheckResult], None]
#: Verdicts after which ``grade(fail_fast=True)`` stops polling the rest.
FAILED_OR_BROKEN = frozenset({Status.FAIL, Status.TIMEOUT, Status.ERROR})
"""Called with each check's verdict as soon as it is known (and with RUNNING after each attempt)."""

MAX_WORKERS = 8


@dataclass
class Attempt:
    """What one evaluation of a check produced."""

    status: Status  # PASS, PENDING (NotYet), FAIL (CheckFailed) or ERROR
    message: str = ""
    diffs: tuple[FieldDiff, ...] = ()
    hint: int | None = None
    touched: list[dict[str, Any]] = field(default_factory=list)
    cause: Cause = Cause.NONE  # set with ERROR


@dataclass
class _State:
    plan: CheckPlan
    started: float
    next_due: float
    attempts: int = 0
    hold_since: float | None = None
    last: Attempt | None = None
    result: CheckResult | None = None


@dataclass
class _Quiet:
    """Since when the rounds of one ``grade`` call have read the same cluster (see tutor.grading.settle)."""

    since: float
    fingerprint: tuple[Any, ...] = ()


def _location_of(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    return f" at {frames[-1].filename}:{frames[-1].lineno}" if frames else ""


def evaluate(plan: CheckPlan, ctx: CheckContext) -> Attempt:
    """Run ``plan``'s checker once against ``ctx`` and classify what happened.

    A pack's own checkers run in the checker worker (their spec carries an ``evaluator``); the
    built-in ``match``/``absent`` and checkers registered in tests run here.
    """
    if plan.problem or plan.spec is None:
        return Attempt(Status.ERROR, plan.problem or f"no checker {plan.ref.check!r}", cause=Cause.REFERENCE)
    if plan.spec.evaluator is not None:
        result: Attempt = plan.spec.evaluator(plan, ctx)
        return result
    return call_checker(plan.ref.check, plan.spec.fn, plan.args, ctx)


def call_checker(
    check_id: str, fn: Callable[..., Any], args: Mapping[str, Any], ctx: CheckContext
) -> Attempt:
    """``fn(ctx, **args)`` once, every outcome (any BaseException too) turned into an :class:`Attempt`."""
    try:
        message = fn(ctx, **args)
    except NotYet as exc:
        said = exc.args[0] if len(exc.args) == 1 and isinstance(exc.args[0], str) else str(exc)
        return Attempt(Status.PENDING, said, touched=ctx.touched)  # a Message keeps its translations
    except CheckFailed as exc:
        return Attempt(Status.FAIL, exc.message, exc.diffs, getattr(exc, "hint", None), ctx.touched)
    except BaseException as exc:  # noqa: BLE001 - anything else (sys.exit, KeyboardInterrupt in pack code too) is an error
        if is_unreachable(exc):
            text = str(exc) if isinstance(exc, ClusterUnavailable) else f"API server unreachable: {exc}"
            return Attempt(Status.ERROR, f"cluster unavailable: {text}", cause=Cause.UNAVAILABLE)
        if isinstance(exc, TutorError):  # an API refusal such as 403: the environment, not the checker
            return Attempt(Status.ERROR, f"cluster error: {exc}", cause=Cause.API)
        return Attempt(
            Status.ERROR,
            f"checker {check_id} raised {type(exc).__name__}: {exc}{_location_of(exc)}",
            cause=Cause.CHECKER,
        )
    return Attempt(Status.PASS, message if isinstance(message, str) else "")


class Grader:
    """Grades exercises of one pack against one cluster.

    Args:
        registry: the pack's checker registry (``load_checks(pack)``).
        reader: the cluster's read view (``Cluster.read``), shared by every check.
        pack: the pack (for default timeouts and ids); None in unit tests.
        timeout: override every check's timeout (``grade --timeout``).
        max_timeout: cap every check's timeout (``pack test`` checks the start state quickly).
        settle: end still-failing checks once the cluster has settled for this many seconds
            (:mod:`tutor.grading.settle`; ``grade`` uses it, watch mode and pack test do not).
        capabilities: what the cluster offers; log lines are collected only with ``containers``.
        clock, sleep: injectable for tests.
    """

    def __init__(
        self,
        registry: Registry,
        reader: Reader,
        pack: Pack | None = None,
        *,
        timeout: float | None = None,
        max_timeout: float | None = None,
        capabilities: Iterable[str] = (),
        settle: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.registry, self.reader, self.pack = registry, reader, pack
        self.timeout, self.max_timeout = timeout, max_timeout
        self.settle = settle
        self.capabilities = frozenset(capabilities)
        self.clock, self.sleep = clock, sleep
        self.rounds = 0
        # Each lesson is read in one language (start --lang, grade --lang): its checks answer in it.
        self._languages = {lesson.id: lesson.language for lesson in pack.lessons} if pack else {}
        self._caches_done_calls = 0
        self._last_cache: RoundCache | None = None

    # -- public API ---------------------------------------------------------------------------
    def plans(self, exercise: Exercise) -> list[CheckPlan]:
        """The resolved checks of ``exercise`` (titles, timings, binding problems)."""
        return plan_checks(
            self.registry, self.pack, exercise, timeout=self.timeout, max_timeout=self.max_timeout
        )

    def evaluate_once(self, exercise: Exercise, run: ExerciseRun | None = None) -> ExerciseResult:
        """One round over ``exercise``'s checks, no polling, no hold (the TUI's live checklist).

        NotYet shows as PENDING, CheckFailed as FAIL, anything else as ERROR.
        """
        start = self.clock()
        cache = self._new_round()
        results = []
        for plan in self.plans(exercise):
            attempt = evaluate(plan, self._context(cache, exercise, run))
            results.append(self._result(plan, attempt, attempt.status, 1, self.clock() - start))
        return self._exercise_result(exercise, results, self.clock() - start)

    def grade(
        self,
        exercises: Iterable[Exercise],
        runs: Mapping[str, ExerciseRun] | None = None,
        progress: ProgressCallback | None = None,
        fail_fast: bool = False,
    ) -> list[ExerciseResult]:
        """Poll every check of ``exercises`` to a verdict; results in the order given.

        Args:
            exercises: what to grade (concurrently, sharing each round's reads).
            runs: exercise id → the ExerciseRun from ``lifecycle.start_exercise`` (start time, snapshot).
            progress: called with every verdict as it happens.
            fail_fast: after the first failing verdict, stop polling: the checks still pending are
                reported SKIPPED ("not graded: --fail-fast stopped at ...").
        """
        exercises = list(exercises)
        runs = runs or {}
        start = self.clock()
        states = [_State(p, start, start) for ex in exercises for p in self.plans(ex)]
        pending = list(states)
        quiet = _Quiet(start)
        with ThreadPoolExecutor(max_workers=MAX_WORKERS, thread_name_prefix="grade") as pool:
            while pending:
                now = self.clock()
                due = [s for s in pending if s.next_due <= now]
                if not due:
                    self.sleep(max(0.0, min(s.next_due for s in pending) - now))
                    continue
                cache = self._new_round()
                contexts = [self._context(cache, s.plan.exercise, runs.get(s.plan.exercise.id)) for s in due]
                attempts = list(pool.map(evaluate, [s.plan for s in due], contexts))
                now = self.clock()
                for state, attempt in zip(due, attempts, strict=True):
                    self._advance(state, attempt, now, progress)
                pending = [s for s in pending if s.result is None]
                if self.settle is not None and pending:
                    self._end_if_settled(quiet, cache.fingerprint(), pending, now, progress)
                    pending = [s for s in pending if s.result is None]
                failed = next((s for s in states if s.result and s.result.status in FAILED_OR_BROKEN), None)
                if fail_fast and failed is not None and pending:
                    where = f"{failed.plan.exercise.id}: {failed.plan.title}"
                    for s in pending:
                        skipped = Attempt(Status.SKIPPED, f"not graded: --fail-fast stopped at {where}")
                        s.result = self._result(s.plan, skipped, Status.SKIPPED, s.attempts, now - s.started)
                    pending = []
        self._attach_diagnostics(states, runs)
        # All checks start together, so an exercise took as long as its slowest check — not the whole
        # run, which would give every exercise the duration of the slowest one in the report.
        graded = []
        for ex in exercises:
            results = [s.result for s in states if s.plan.exercise is ex and s.result]
            graded.append(self._exercise_result(ex, results, max((r.duration for r in results), default=0.0)))
        return graded

    # -- internals ------------------------------------------------------------------------------
    def _end_if_settled(
        self,
        quiet: _Quiet,
        fingerprint: tuple[Any, ...],
        pending: list[_State],
        now: float,
        progress: ProgressCallback | None,
    ) -> None:
        """End every still-failing check once nothing read changed for ``settle`` s and nothing converges."""
        assert self.settle is not None
        if fingerprint != quiet.fingerprint:
            quiet.fingerprint, quiet.since = fingerprint, now
            return
        if now - quiet.since < self.settle or any(s.hold_since is not None for s in pending):
            return
        from tutor.grading.settle import converging

        why = converging(self._new_round(), {s.plan.exercise.namespace for s in pending})
        if why:
            quiet.since = now  # look again after another quiet window
            return
        for s in pending:
            if s.last is None:
                continue
            attempt = replace(
                s.last,
                message=f"{self._said(s.plan, s.last.message)} (grading ended early: nothing it reads "
                f"changed for {now - quiet.since:.0f} s and nothing was converging)",
            )
            s.result = self._result(s.plan, attempt, Status.FAIL, s.attempts, now - s.started)
            if progress:
                progress(s.plan.exercise, s.result)

    @property
    def api_calls(self) -> int:
        """List calls made so far over all rounds (one per (apiVersion, kind, namespace) per round)."""
        return self._caches_done_calls + (self._last_cache.calls if self._last_cache else 0)

    def _new_round(self) -> RoundCache:
        if self._last_cache is not None:
            self._caches_done_calls += self._last_cache.calls
        self.rounds += 1
        self._last_cache = RoundCache(self.reader)
        return self._last_cache

    def _context(self, cache: RoundCache, exercise: Exercise, run: ExerciseRun | None) -> CheckContext:
        if run is None:
            return CheckContext(cache, exercise.namespace)
        return CheckContext(cache, run.namespace, run.started_at, run.snapshot)

    def _advance(self, s: _State, attempt: Attempt, now: float, progress: ProgressCallback | None) -> None:
        """Apply one attempt to a check's state; set ``s.result`` when the verdict is final."""
        s.attempts += 1
        s.last = attempt
        timing = s.plan.timing
        verdict: Status | None = None
        if attempt.status is Status.ERROR:
            verdict = Status.ERROR
        elif attempt.status is Status.PASS:
            s.hold_since = now if s.hold_since is None else s.hold_since
            if now - s.hold_since >= timing.hold:
                verdict = Status.PASS
            else:
                s.next_due = min(now + timing.poll, s.hold_since + timing.hold)
        elif s.hold_since is not None:
            held = now - s.hold_since
            attempt.message = (
                f"passed, then after {held:.1f} s of the {timing.hold:g} s hold window: "
                f"{self._said(s.plan, attempt.message)}"
            )
            verdict = Status.FAIL
        elif now - s.started >= timing.timeout:
            verdict = Status.TIMEOUT if attempt.status is Status.PENDING else Status.FAIL
        else:
            s.next_due = min(now + timing.poll, s.started + timing.timeout)
        if verdict is not None:
            s.result = self._result(s.plan, attempt, verdict, s.attempts, now - s.started)
        if progress:
            progress(
                s.plan.exercise,
                s.result or self._result(s.plan, attempt, Status.RUNNING, s.attempts, now - s.started),
            )

    def _said(self, plan: CheckPlan, message: str) -> str:
        """A checker's message in the language of the exercise's lesson (:func:`~.outcomes.msg`)."""
        return in_language(message, self._languages.get(plan.exercise.lesson_id))

    def _result(
        self, plan: CheckPlan, attempt: Attempt, status: Status, attempts: int, duration: float
    ) -> CheckResult:
        failed = status in (Status.FAIL, Status.TIMEOUT, Status.PENDING)
        message = self._said(plan, attempt.message)
        if status is Status.TIMEOUT:
            message = f"timed out after {plan.timing.timeout:g} s: {message}"
        return CheckResult(
            check_id=plan.ref.check,
            title=plan.title,
            status=status,
            message=message,
            diffs=attempt.diffs,
            hint=(attempt.hint or plan.ref.hint) if failed else None,
            attempts=attempts,
            duration=round(duration, 3),
            weight=plan.ref.weight,
            index=plan.index + 1,
            cause=attempt.cause if status is Status.ERROR else Cause.NONE,
        )

    def _attach_diagnostics(self, states: list[_State], runs: Mapping[str, ExerciseRun]) -> None:
        failed = [s for s in states if s.result and s.result.status.is_failure]
        if not failed:
            return
        cache = self._new_round()
        logs = getattr(self.reader, "logs", None) if "containers" in self.capabilities else None
        for s in failed:
            ctx = self._context(cache, s.plan.exercise, runs.get(s.plan.exercise.id))
            lines = diagnostics.collect(ctx, s.last.touched if s.last else [], logs)
            s.result = _with_diagnostics(s.result, lines)

    def _exercise_result(
        self, exercise: Exercise, results: list[CheckResult], duration: float
    ) -> ExerciseResult:
        return ExerciseResult(
            pack_id=self.pack.id if self.pack else "",
            exercise_id=exercise.id,
            title=exercise.title,
            checks=tuple(results),
            points_possible=exercise.points,
            duration=round(duration, 3),
        )


def _with_diagnostics(result: CheckResult | None, lines: list[str]) -> CheckResult | None:
    if result is None or not lines:
        return result
    return replace(result, diagnostics=tuple(lines))
