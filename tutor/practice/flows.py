"""The headless batch flows on a :class:`ClusterSession`: ``grade`` and ``pack test``.

They return a :class:`~tutor.results.GradeReport`; the command renders it (``tutor.grading.report``)
and turns it into the exit code. An unusable cluster is an ERROR result per check (exit 2), an
exercise the cluster cannot run is SKIPPED with the reason — the same rules in both flows.
"""

from __future__ import annotations

from collections.abc import Sequence

from tutor.errors import GraderIdentityUnavailable
from tutor.grading import batch
from tutor.grading.engine import ProgressCallback
from tutor.model import Exercise, Pack
from tutor.practice.cluster_session import ClusterSession
from tutor.results import Cause, ExerciseResult, GradeReport, Status


def unavailable(
    cluster: ClusterSession, pack: Pack, exercises: Sequence[Exercise], error: str
) -> list[ExerciseResult]:
    """Every check of every exercise as an environment error (never a failure)."""
    text = f"cluster unavailable: {error}"
    return [cluster.placeholder(pack, e, Status.ERROR, text, Cause.UNAVAILABLE) for e in exercises]


def grade_exercises(
    cluster: ClusterSession,
    pack: Pack,
    exercises: Sequence[Exercise],
    clock: batch.RunClock,
    *,
    timeout: float | None = None,
    settle: float | None = None,
    progress: ProgressCallback | None = None,
    fail_fast: bool = False,
) -> GradeReport:
    """Grade the cluster as it is (no writes), with the runs ``setup`` saved for these exercises.

    ``settle``: end still-failing checks once the cluster has settled that long (tutor.grading.settle);
    ``progress`` sees every verdict and every still-running attempt.
    """
    info = cluster.probe()
    refused = "" if info.error else _identity_refused(cluster)
    api_calls, started = 0, dict[str, str]()
    if info.error:
        results = unavailable(cluster, pack, exercises, info.error)
    elif refused:
        results = [cluster.placeholder(pack, e, Status.ERROR, refused, Cause.API) for e in exercises]
    else:
        runnable = [e for e in exercises if not batch.skip_reason(e, info.capabilities)]
        runs = cluster.load_saved_runs(pack, runnable)
        grader = cluster.grader(pack, timeout=timeout, settle=settle)
        graded = {
            r.exercise_id: r
            for r in grader.grade(runnable, runs=runs, progress=progress, fail_fast=fail_fast)
        }
        api_calls = grader.api_calls
        started = {ex_id: run.started_at.isoformat() for ex_id, run in runs.items()}  # had a start state
        skipped = Status.SKIPPED
        results = [
            graded.get(e.id) or cluster.placeholder(pack, e, skipped, batch.skip_reason(e, info.capabilities))
            for e in exercises
        ]
    return batch.report(
        pack, results, info, clock, command="grade", api_calls=api_calls, started_runs=started
    )


def _identity_refused(cluster: ClusterSession) -> str:
    """Why the read-only grader identity could not be prepared ("" when it could): every check is then
    an error and the report is still written."""
    try:
        cluster.grader_view()
    except GraderIdentityUnavailable as exc:
        return str(exc)
    return ""


def run_pack_test(
    cluster: ClusterSession,
    pack: Pack,
    exercises: Sequence[Exercise],
    clock: batch.RunClock,
    *,
    jobs: int = 1,
    timeout: float | None = None,
) -> GradeReport:
    """``pack test``: each exercise's start state must fail its checks and its solution pass them."""
    from tutor.grading.pack_test import START_TIMEOUT, ExerciseTester, run_exercises

    info = cluster.probe()
    if info.error:
        results = unavailable(cluster, pack, exercises, info.error)
    else:
        # Selecting a context is not consent to write to it: only --allow-context is (tutor.cluster.guard).
        writer = cluster.writer()
        tester = ExerciseTester(
            cluster.cluster(),
            pack,
            cluster.registry(pack),
            writer,
            timeout,
            info.capabilities,
            reader=cluster.grader_view().reader,
        )
        results = run_exercises(tester, exercises, info, max(1, jobs))
    return batch.report(pack, results, info, clock, command="pack test", start_timeout=START_TIMEOUT)
