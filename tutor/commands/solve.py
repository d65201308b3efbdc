"""``k8s-tutor solve``: apply exercises' reference solutions headlessly (the TUI's "skip").

For scripts and CI that check the course itself (``setup`` → ``solve`` → ``grade`` must pass), and
for a learner who wants to fast-forward. Writes go through the context guard like ``setup``. Exit 0
when every solution applied, 2 otherwise (an exercise without a solution, a failing step, a refusal).
"""

from __future__ import annotations

import argparse


def configure(parser: argparse.ArgumentParser) -> None:
    """``--pack --lesson --exercise`` and the cluster options."""
    from tutor.cluster.cli_args import add_cluster_arguments
    from tutor.commands._selection import add_selection_arguments

    add_selection_arguments(parser)
    add_cluster_arguments(parser)
    from tutor.commands._trust import add_trust_argument

    add_trust_argument(parser)


def run(args: argparse.Namespace) -> int:
    """Apply each selected exercise's reference solution; returns the exit code."""
    from tutor.cluster.cli_args import target_from_args
    from tutor.commands._selection import selected
    from tutor.errors import TutorError
    from tutor.i18n import _, set_language
    from tutor.practice.cluster_session import ClusterSession
    from tutor.store.settings import learner_language

    set_language(learner_language())  # a learner's command, in the app's language
    pack, exercises = selected(args)
    with ClusterSession(target_from_args(args)) as cluster:
        # Nothing here grades, but a pack whose checkers do not load is refused by every command, with
        # the same file:line, before a connection and before exercises are set up that could only fail.
        cluster.registry(pack)
        cluster.writer()  # refused before anything is read when the context may not be changed
        for exercise in exercises:
            ns = exercise.namespace
            if ns and cluster.cluster().read.get("v1", "Namespace", ns) is None:
                raise TutorError(
                    _(
                        "exercise {exercise}: namespace {namespace} does not exist; "
                        "run `k8s-tutor setup --exercise {exercise}` first"
                    ).format(exercise=exercise.id, namespace=ns)
                )
            applied = cluster.apply_solution(pack, exercise)
            steps, objects = len(exercise.solution), len(applied)
            done = _("solved {exercise} on {context}: {steps} step(s), {objects} object(s) applied")
            print(done.format(exercise=exercise.id, context=cluster.context, steps=steps, objects=objects))
    return 0
