"""``k8s-tutor grade``: grade exercises headlessly against the current cluster state.

No TTY needed. Exit 0 when every graded check passes (skips allowed), 1 when some fail, 2 when the
environment or a checker broke (an unreachable API server is an error, never a failure). Grading
reads the cluster as it is and never writes: it does not run setup (``k8s-tutor setup`` does). Runs
that ``setup`` saved for the same context and exercises are loaded, so checks comparing with the
start state work; an exercise never set up is graded without one.
"""

from __future__ import annotations

import argparse


def configure(parser: argparse.ArgumentParser) -> None:
    """``--pack --lesson --exercise --format --output --context --kubeconfig --timeout``."""
    from tutor.cluster.cli_args import add_cluster_arguments
    from tutor.commands._selection import add_selection_arguments

    add_selection_arguments(parser)
    parser.add_argument("--format", choices=("text", "json", "junit"), default="text", help="report format")
    parser.add_argument(
        "--output", metavar="FILE", help="write the report to FILE (a summary still goes to stdout)"
    )
    add_cluster_arguments(parser)  # grading never writes: --allow-context only selects here
    parser.add_argument("--timeout", type=float, metavar="S", help="override every check's timeout (seconds)")


def run(args: argparse.Namespace) -> int:
    """Grade, write the report, return the exit code."""
    from tutor.cluster.cli_args import target_from_args
    from tutor.errors import ClusterUnavailable
    from tutor.grading import report as reporters
    from tutor.grading import session
    from tutor.grading.engine import Grader
    from tutor.results import Status
    from tutor.store.runs import RunStore

    clock = session.RunClock()
    pack, registry = session.load(args.pack)
    exercises = session.select(pack, args.lesson, args.exercise)
    graded, api_calls, runs = {}, 0, {}
    target = target_from_args(args)
    try:
        cluster = target.connect()
    except ClusterUnavailable as exc:  # no usable kubeconfig: CI still gets the report it uploads
        info = session.ClusterInfo(context=target.selected_context or "", error=str(exc))
    else:
        with cluster:
            info = session.probe(cluster)
            grader = Grader(
                registry, cluster.read, pack, timeout=args.timeout, capabilities=info.capabilities
            )
            runnable = [] if info.error else [e for e in exercises if not session.skip_reason(e, info)]
            runs = RunStore().load_many(cluster.context, pack.id, [e.id for e in runnable])
            graded = {r.exercise_id: r for r in grader.grade(runnable, runs=runs)}
            api_calls = grader.api_calls
    results = []
    for ex in exercises:
        if info.error:
            results.append(
                session.placeholder(pack, ex, Status.ERROR, f"cluster unavailable: {info.error}", registry)
            )
        elif ex.id in graded:
            results.append(graded[ex.id])
        else:
            results.append(
                session.placeholder(pack, ex, Status.SKIPPED, session.skip_reason(ex, info), registry)
            )
    started = {ex_id: run.started_at.isoformat() for ex_id, run in runs.items()}  # which had a start state
    rep = session.report(
        pack, results, info, clock, command="grade", api_calls=api_calls, started_runs=started
    )
    reporters.write(rep, args.format, args.output)
    return rep.exit_code
