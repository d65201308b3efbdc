"""``k8s-tutor pack test``: the start state must fail every check, the reference solution pass them.

This is rustlings' ``dev check`` for cluster exercises, and what keeps checks from drifting away from
the task text (CK-X#44): for each exercise the cluster supports, clean up leftovers → start (namespace,
setup, snapshot) → every check must FAIL or TIME OUT within a short timeout → apply the reference
solution → every check must PASS → clean up. Exercises whose ``requires`` the cluster lacks are
reported SKIPPED with the reason. Exercises run in parallel (``--jobs``) when each has a namespace of
its own and no cluster-scoped cleanup; the others run one at a time afterwards.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from tutor.errors import TutorError
from tutor.grading import batch, lifecycle
from tutor.grading.engine import Grader
from tutor.grading.lifecycle import ExerciseRun
from tutor.model import Exercise, Pack, SolutionStep
from tutor.results import CheckResult, ExerciseResult, Status

if TYPE_CHECKING:
    from tutor.cluster.client import Cluster
    from tutor.cluster.protocols import Reader, Writer
    from tutor.grading.registry import Registry

START_TIMEOUT = 2.0
"""Seconds each check may take to show it fails on the start state (failing early is the point)."""


class ExerciseTester:
    """Runs exercises through their lifecycle on one cluster (used by ``pack test`` and the course tests).

    Args:
        cluster: a connected ``tutor.cluster.Cluster``.
        pack, registry: the pack and its checkers.
        writer: the guarded writer (``cluster.writer(...)``).
        timeout: override every check's timeout in the solution phase.
        reader: what checks read through (default ``cluster.read``; ``pack test`` passes the read-only
            grader identity's reader, :mod:`tutor.cluster.identity`).
    """

    def __init__(
        self,
        cluster: Cluster,
        pack: Pack,
        registry: Registry,
        writer: Writer,
        timeout: float | None = None,
        capabilities: frozenset[str] | None = None,
        reader: Reader | None = None,
    ):
        self.cluster, self.pack, self.registry, self.writer = cluster, pack, registry, writer
        self.reader: Reader = reader if reader is not None else cluster.read
        self.timeout = timeout
        self.capabilities = (
            capabilities if capabilities is not None else frozenset(cluster.read.capabilities())
        )

    def grade(
        self,
        exercise: Exercise,
        run: ExerciseRun | None,
        *,
        timeout: float | None = None,
        max_timeout: float | None = None,
        pack: Pack | None = None,
    ) -> ExerciseResult:
        """Grade one exercise now (polling as usual); ``pack``: the same pack read in another language
        (``translated(pack, "zh")``), whose lessons' language the checkers' messages follow."""
        grader = Grader(
            self.registry,
            self.reader,
            pack or self.pack,
            timeout=timeout,
            max_timeout=max_timeout,
            capabilities=self.capabilities,
        )
        runs = {exercise.id: run} if run else {}
        return grader.grade([exercise], runs)[0]

    def start(self, exercise: Exercise) -> ExerciseRun:
        """Remove leftovers, then start the exercise fresh."""
        lifecycle.cleanup_exercise(self.writer, exercise)
        return lifecycle.start_exercise(self.writer, self.pack, exercise)

    def apply(self, exercise: Exercise, steps: Sequence[SolutionStep]) -> None:
        """Apply steps (a wrong answer, say) the way solution steps are applied."""
        lifecycle.run_steps(self.writer, steps, exercise.namespace)

    def cleanup(self, exercise: Exercise, wait: bool = True) -> None:
        """Delete what the exercise created (``wait=False``: the next start waits if it must)."""
        lifecycle.cleanup_exercise(self.writer, exercise, wait=wait)

    def test(self, exercise: Exercise) -> ExerciseResult:
        """Start → checks fail → solution → checks pass → cleanup, as one ExerciseResult."""
        return self.test_in(exercise, [self.pack])[0]

    def test_in(self, exercise: Exercise, packs: Sequence[Pack]) -> list[ExerciseResult]:
        """:meth:`test` once on the cluster, graded with each of ``packs`` (the pack read in several
        languages, ``translated(pack, "zh")``) at both ends: one combined result per pack, in order."""
        phase = "setup"
        try:
            run = self.start(exercise)
            phase = "start-state grading"
            at_start = [self.grade(exercise, run, max_timeout=START_TIMEOUT, pack=p) for p in packs]
            phase = "reference solution"
            lifecycle.apply_solution(self.writer, exercise)
            phase = "solution grading"
            solved = [self.grade(exercise, run, timeout=self.timeout, pack=p) for p in packs]
        except TutorError as exc:
            failed = batch.placeholder(
                self.pack, exercise, Status.ERROR, f"{phase} failed: {exc}", self.registry
            )
            return [failed for _ in packs]
        finally:
            try:
                self.cleanup(exercise, wait=bool(exercise.cleanup) or exercise.namespace is None)
            except TutorError:
                pass  # leftovers are removed by the next start; the verdict above is what matters
        return [combine(start, done) for start, done in zip(at_start, solved, strict=True)]


def combine(at_start: ExerciseResult, solved: ExerciseResult) -> ExerciseResult:
    """One result per check from the two phases: PASS only if it failed at start and passed when solved."""
    checks = tuple(_combine_check(s, v) for s, v in zip(at_start.checks, solved.checks, strict=True))
    return replace(solved, checks=checks, duration=round(at_start.duration + solved.duration, 3))


def _combine_check(start: CheckResult, solved: CheckResult) -> CheckResult:
    attempts = start.attempts + solved.attempts
    duration = round(start.duration + solved.duration, 3)

    def both(result: CheckResult, **changes: Any) -> CheckResult:
        return replace(result, attempts=attempts, duration=duration, **changes)

    if start.status is Status.ERROR:
        return both(start, message=f"on the start state: {start.message}")
    if start.status is Status.PASS:
        text = "passes before the reference solution is applied: the start state must fail this check"
        return both(start, status=Status.FAIL, message=text)
    if solved.status is not Status.PASS:
        return both(solved, message=f"with the reference solution applied: {solved.message}")
    why = start.message if len(start.message) <= 100 else start.message[:97] + "..."
    return both(solved, message=f"fails at start ({start.status.value}: {why}); passes when solved")


def parallel_safe(exercises: Sequence[Exercise]) -> tuple[list[Exercise], list[Exercise]]:
    """(parallel, alone): cluster-scoped exercises, cleanup entries or shared namespaces run alone."""
    counts = Counter(e.namespace for e in exercises)
    together: list[Exercise] = []
    alone: list[Exercise] = []
    for e in exercises:
        (alone if e.namespace is None or e.cleanup or counts[e.namespace] > 1 else together).append(e)
    return together, alone


def run_exercises(
    tester: ExerciseTester, exercises: Sequence[Exercise], info: batch.ClusterInfo, jobs: int
) -> list[ExerciseResult]:
    """Test what the cluster supports (in parallel where safe), skip the rest; input order kept."""
    done: dict[str, ExerciseResult] = {}
    runnable = []
    for e in exercises:
        reason = batch.skip_reason(e, info.capabilities)
        if reason:
            done[e.id] = batch.placeholder(tester.pack, e, Status.SKIPPED, reason, tester.registry)
        else:
            runnable.append(e)
    together, alone = parallel_safe(runnable)
    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="pack-test") as pool:
        done.update(zip([e.id for e in together], pool.map(tester.test, together), strict=True))
    for e in alone:
        done[e.id] = tester.test(e)
    return [done[e.id] for e in exercises]
