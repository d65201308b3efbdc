"""``k8s-tutor setup``: start exercises headlessly (namespace, setup steps, start snapshot).

What ``k8s-tutor start`` does when an exercise opens, for CI and scripts: a later
``k8s-tutor grade`` of the same exercises on the same context uses the saved runs, so checks that
compare with the start state (``created_after_start``, ``snapshot_uid``) work there too. Writes go
through the context guard: naming a context with ``--context`` selects it but is not consent to
change it (``--allow-context`` is). Exit 0 when every exercise was set up, 2 otherwise.
"""

from __future__ import annotations

import argparse

from tutor.errors import TutorError
from tutor.model import Exercise, Pack


def configure(parser: argparse.ArgumentParser) -> None:
    """``--pack --lesson --exercise --reset`` and the cluster options."""
    from tutor.cluster.cli_args import add_cluster_arguments
    from tutor.commands._selection import add_selection_arguments
    from tutor.commands._trust import add_trust_argument

    add_selection_arguments(parser)
    parser.add_argument(
        "--reset",
        action="store_true",
        help="clean up first (always done when the exercise namespace or a saved run already exists)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="reset a namespace even when other exercises of the pack work in it too (their work is lost)",
    )
    add_cluster_arguments(parser)
    add_trust_argument(parser)


def run(args: argparse.Namespace) -> int:
    """Start (or reset) each selected exercise and save its run; returns the exit code."""
    from tutor.cluster.cli_args import target_from_args
    from tutor.commands._selection import selected
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
            dirty = (
                args.reset
                or (ns is not None and cluster.cluster().read.get("v1", "Namespace", ns) is not None)
                or cluster.has_saved_run(pack, exercise)
            )
            if dirty and ns is not None and not args.force:
                _refuse_shared_reset(pack, exercise, [e.id for e in exercises])
            cluster.start_exercise(pack, exercise, fresh=dirty)
            path = cluster.save_run(pack, exercise)
            where = _("namespace {namespace}").format(namespace=ns) if ns else _("cluster scope")
            done = (
                _("reset {exercise} ({where}) on {context}; run saved to {path}")
                if dirty
                else _("set up {exercise} ({where}) on {context}; run saved to {path}")
            )
            print(
                done.format(exercise=exercise.id, where=where, context=cluster.context, path=path), flush=True
            )
        if len(exercises) == 1 and (notice := cluster.point_kubectl_at(exercises[0])):
            print(notice)  # one exercise: the learner works in it next, so kubectl should too
    return 0


def _refuse_shared_reset(pack: Pack, exercise: Exercise, selected_ids: list[str]) -> None:
    """Refuse to reset a namespace other (unselected) exercises of the pack also work in.

    A reset deletes the exercise namespace; in a pack where several exercises share one, that would
    silently wipe another exercise's work (issue found by an instructor's pack).
    """
    others = [e.id for e in pack.sharing_namespace(exercise) if e.id not in selected_ids]
    if others:
        raise TutorError(
            f"setting up {exercise.id} resets namespace {exercise.namespace}, which "
            f"{', '.join(others)} also work{'s' if len(others) == 1 else ''} in: their work there would be "
            "deleted. Pass --force to reset it anyway, or set up those exercises together"
        )
