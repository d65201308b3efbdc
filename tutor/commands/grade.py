"""``k8s-tutor grade``: grade exercises headlessly against the current cluster state.

No TTY needed. Exit 0 when every graded check passes (skips allowed), 1 when some fail, 2 when the
environment or a checker broke (an unreachable API server is an error, never a failure). Grading
reads the cluster as it is and never writes: it does not run setup (``k8s-tutor setup`` does). Runs
that ``setup`` saved for the same context and exercises are loaded, so checks comparing with the
start state work; an exercise never set up is graded without one.
"""

from __future__ import annotations

import argparse
import sys


def configure(parser: argparse.ArgumentParser) -> None:
    """``--pack --lesson --exercise --format --output --context --kubeconfig --timeout``."""
    from tutor.cluster.cli_args import add_cluster_arguments
    from tutor.commands._args import check_seconds
    from tutor.commands._selection import add_selection_arguments
    from tutor.commands._trust import add_trust_argument

    add_selection_arguments(parser)
    parser.add_argument("--format", choices=("text", "json", "junit"), default="text", help="report format")
    parser.add_argument(
        "--lang",
        help="exercise titles and checkers' messages in this language where the pack has it (e.g. zh; "
        "default: from LANG/LC_ALL); report keys and statuses never change",
    )
    parser.add_argument(
        "--output", metavar="FILE", help="write the report to FILE (a summary still goes to stdout)"
    )
    add_cluster_arguments(parser)  # grading never writes: --allow-context only selects here
    add_trust_argument(parser)
    parser.add_argument(
        "--timeout", type=check_seconds, metavar="S", help="override every check's timeout (seconds, 0-3600)"
    )
    parser.add_argument(
        "--fail-fast",
        action="store_true",
        help="stop at the first failing check; the checks not graded yet are reported skipped",
    )
    parser.add_argument(
        "--full-timeouts",
        action="store_true",
        help="poll failing checks to their timeouts even after the cluster has settled (default: end them "
        "once nothing changed for 5 s and nothing is converging)",
    )


def run(args: argparse.Namespace) -> int:
    """Grade, write the report, return the exit code."""
    from tutor.cluster.cli_args import target_from_args
    from tutor.commands._progress import grade_progress
    from tutor.commands._reporting import report_even_if_aborted, report_even_if_never_started
    from tutor.commands._selection import selected
    from tutor.content.languages import chosen_language
    from tutor.grading import report as reporters
    from tutor.grading.batch import RunClock
    from tutor.grading.plan import plan_checks
    from tutor.grading.settle import QUIET_SECONDS
    from tutor.i18n import set_language
    from tutor.practice.cluster_session import ClusterSession
    from tutor.practice.flows import grade_exercises

    set_language(chosen_language(args.lang))  # the text report's own words; keys never change
    clock = RunClock()
    with report_even_if_never_started(args, args.pack, clock, "grade"):
        pack, exercises = selected(args)
    with report_even_if_aborted(args, pack, exercises, clock, "grade"):
        with ClusterSession(target_from_args(args)) as cluster:
            registry = cluster.registry(pack)  # a broken checker file: FormatError (exit 2) before connecting
            plans = [p for ex in exercises for p in plan_checks(registry, pack, ex, timeout=args.timeout)]
            timeouts = {(p.exercise.id, p.index + 1): p.timing.timeout for p in plans}
            with grade_progress(sys.stderr, timeouts, len(plans)) as progress:
                rep = grade_exercises(
                    cluster,
                    pack,
                    exercises,
                    clock,
                    timeout=args.timeout,
                    settle=None if args.full_timeouts else QUIET_SECONDS,
                    progress=progress,
                    fail_fast=args.fail_fast,
                )
            notice = cluster.identity_notice()  # checks ran with your own rights: said once, on stderr
    if notice:
        print(f"k8s-tutor: note: {notice}", file=sys.stderr)
    reporters.write(rep, args.format, args.output)
    return rep.exit_code
