"""``k8s-tutor setup``: start exercises headlessly (namespace, setup steps, start snapshot).

What ``k8s-tutor start`` does when an exercise opens, for CI and scripts: a later
``k8s-tutor grade`` of the same exercises on the same context uses the saved runs, so checks that
compare with the start state (``created_after_start``, ``snapshot_uid``) work there too. Writes go
through the context guard: naming a context with ``--context`` selects it but is not consent to
change it (``--allow-context`` is). Exit 0 when every exercise was set up, 2 otherwise.
"""

from __future__ import annotations

import argparse


def configure(parser: argparse.ArgumentParser) -> None:
    """``--pack --lesson --exercise --reset`` and the cluster options."""
    from tutor.cluster.cli_args import add_cluster_arguments
    from tutor.commands._selection import add_selection_arguments

    add_selection_arguments(parser)
    parser.add_argument(
        "--reset",
        action="store_true",
        help="clean up first (always done when the exercise namespace or a saved run already exists)",
    )
    add_cluster_arguments(parser)


def run(args: argparse.Namespace) -> int:
    """Start (or reset) each selected exercise and save its run; returns the exit code."""
    from tutor.cluster.cli_args import target_from_args
    from tutor.commands._selection import selected
    from tutor.grading.lifecycle import reset_exercise, start_exercise
    from tutor.store.runs import RunStore

    pack, exercises = selected(args)
    store = RunStore()
    target = target_from_args(args)
    with target.connect() as cluster:
        writer = target.writer(cluster)
        for exercise in exercises:
            ns = exercise.namespace
            dirty = (
                args.reset
                or (ns is not None and cluster.read.get("v1", "Namespace", ns) is not None)
                or store.path(cluster.context, pack.id, exercise.id).exists()
            )
            run = (reset_exercise if dirty else start_exercise)(writer, pack, exercise)
            path = store.save(cluster.context, pack.id, run)
            where = f"namespace {ns}" if ns else "cluster scope"
            verb = "reset" if dirty else "set up"
            print(f"{verb} {exercise.id} ({where}) on {cluster.context}; run saved to {path}", flush=True)
    return 0
