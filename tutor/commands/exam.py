"""`k8s-tutor exam`: take a timed exam drawn from a pack's exam pool; grade, resume, list attempts.

    k8s-tutor exam [--pack P] [--tasks N] [--duration MIN] [--seed S]   draw, set up, open the exam TUI
    k8s-tutor exam resume [ATTEMPT]                                     back to an unfinished attempt
    k8s-tutor exam grade [ATTEMPT] [--format F] [--output FILE]          grade headlessly (= exam --grade)
    k8s-tutor exam history [--json]                                     every attempt and its score

Grading reuses ``grade``'s reporters and exit codes: 0 the exam is passed, 1 below the pass mark,
2 an environment or checker error (or bad input). The rules live in ``tutor.exam``; this module only
wires the session to a cluster (``tutor.exam.runner``) and to the TUI (``tutor.tui.exam``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tutor.errors import TutorError
from tutor.i18n import _

if TYPE_CHECKING:
    from tutor.practice.cluster_session import ClusterSession


def _cluster_options(p: argparse.ArgumentParser, suppress: bool) -> None:
    """Options accepted before and after the action: `exam --context C grade` = `exam grade --context C`."""
    from tutor.cluster.cli_args import add_cluster_arguments
    from tutor.commands._args import check_seconds

    add_cluster_arguments(p, suppress=suppress)
    from tutor.commands._trust import add_trust_argument

    add_trust_argument(p, suppress=suppress)
    d: dict[str, Any] = {"default": argparse.SUPPRESS} if suppress else {}
    p.add_argument(
        "--timeout",
        type=check_seconds,
        metavar="S",
        help="override every check's polling timeout (seconds, 0-3600)",
        **d,
    )


def _report_options(p: argparse.ArgumentParser, suppress: bool) -> None:
    d: dict[str, Any] = {"default": argparse.SUPPRESS} if suppress else {}
    p.add_argument(
        "--format", choices=("text", "json", "junit"), help="report format of grading (default text)", **d
    )
    p.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE (default stdout)", **d)


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the exam options and the grade/history/resume actions."""
    from tutor.commands._args import exam_minutes, positive_int

    parser.add_argument("--pack", metavar="P", help="pack path or id (default: the built-in course)")
    parser.add_argument(
        "--tasks", type=positive_int, metavar="N", help="how many tasks (default: the pack's exam setting)"
    )
    parser.add_argument(
        "--duration", type=exam_minutes, metavar="MIN", help="minutes (default: the pack's exam setting)"
    )
    parser.add_argument("--seed", type=int, metavar="S", help="draw seed; the same seed draws the same tasks")
    parser.add_argument(
        "--lang",
        help="read the tasks in this language where a translation exists "
        "(default: the language picked in the app, else LANG/LC_ALL)",
    )
    parser.add_argument(
        "--no-tui",
        action="store_true",
        help="set up, start the clock and print the tasks instead of opening the TUI (grade later)",
    )
    parser.add_argument(
        "--grade",
        nargs="?",
        const="",
        metavar="ATTEMPT",
        help="grade an attempt headlessly (default: the latest) — same as `exam grade`",
    )
    _cluster_options(parser, suppress=False)
    _report_options(parser, suppress=False)
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    grade = sub.add_parser(
        "grade", help="grade an attempt headlessly; exit 0 passed / 1 not passed / 2 error"
    )
    grade.add_argument("attempt", nargs="?", default="", help="attempt id (default: the latest)")
    history = sub.add_parser("history", help="list your exam attempts and scores")
    history.add_argument("--json", action="store_true", help="print the attempts as JSON")
    resume = sub.add_parser("resume", help="return to an unfinished attempt (the clock kept running)")
    resume.add_argument("attempt", nargs="?", default="", help="attempt id (default: the latest unfinished)")
    for p in (grade, resume):
        _cluster_options(p, suppress=True)
    _report_options(grade, suppress=True)


def run(args: argparse.Namespace) -> int:
    """Dispatch: ``--grade``/``grade``, ``history``, ``resume`` or a new attempt (learner's language)."""
    from tutor.exam import AttemptStore
    from tutor.i18n import set_language
    from tutor.store.settings import learner_language

    args.lang = learner_language(getattr(args, "lang", None))  # resolved once: the pack and the screens
    set_language(args.lang)
    store = AttemptStore()
    action = getattr(args, "action", None)
    if action == "history":
        return _history(store, as_json=args.json)
    if action == "grade" or args.grade is not None:
        attempt_id = getattr(args, "attempt", "") or (args.grade or "")
        return _grade(store, attempt_id, args)
    if action == "resume":
        return _resume(store, args.attempt, args)
    return _start(store, args)


# ----- helpers -------------------------------------------------------------------------------------------


def _cluster(args: argparse.Namespace, attempt_context: str | None = None) -> ClusterSession:
    """The cluster the options name; an attempt's own context is used when they name none."""
    from tutor.cluster.cli_args import target_from_args
    from tutor.practice.cluster_session import ClusterSession

    return ClusterSession(target_from_args(args).remembering(attempt_context))


def _in_language(pack, args):
    """The pack with its lessons in the learner's language (--lang, else the one picked in the app,
    else the locale; :func:`run` has resolved it into ``args.lang`` and set the screens' words);
    grading is the same."""
    from tutor.practice.packs import translated
    from tutor.store.settings import learner_language

    return translated(pack, learner_language(args.lang))


def _pack_for(attempt, args):
    """The pack an attempt was drawn from, loaded again the same way (in the learner's language)."""
    from tutor.content import resolve_pack

    pack = _in_language(resolve_pack(attempt.pack_source or None), args)
    if pack.id != attempt.pack_id:
        raise TutorError(
            f"attempt {attempt.id} was drawn from pack {attempt.pack_id!r}, but {pack.id!r} loaded"
        )
    if pack.version != attempt.pack_version:
        print(
            f"k8s-tutor: note: pack {pack.id} is now version {pack.version}; "
            f"the attempt used {attempt.pack_version}",
            file=sys.stderr,
        )
    return pack


def _find(store, attempt_id: str, *, unfinished: bool = False):
    if attempt_id:
        return store.load(attempt_id)
    attempt = store.latest(unfinished=unfinished)
    if attempt is None:
        what = "unfinished exam attempt" if unfinished else "exam attempt"
        raise TutorError(f"no {what} in {store.root}; start one with `k8s-tutor exam`")
    return attempt


def _session_on_cluster(store, attempt, args):
    """Resume ``attempt`` with its pack and a runner connected to its cluster."""
    from tutor.exam import ExamSession
    from tutor.exam.runner import ExamRunner

    pack = _pack_for(attempt, args)
    cluster = _cluster(args, attempt.context)
    cluster.cluster()  # an unusable kubeconfig or context fails here, before the attempt is touched
    runner = ExamRunner(pack, cluster, timeout=args.timeout)
    session = ExamSession.resume(attempt, pack, store=store)
    runner.load_runs(session)
    return session, runner


def _set_up(session, runner) -> None:
    n = len(session.tasks)
    print(
        _("Setting up {n} tasks on context {context} (the clock has not started)…").format(
            n=n, context=runner.cluster.context
        )
    )

    def progress(index: int, exercise) -> None:
        where = (
            _(" in namespace {namespace}").format(namespace=exercise.namespace) if exercise.namespace else ""
        )
        print(f"  [{index + 1}/{n}] {exercise.title}{where}")

    runner.set_up(session, progress)


def _open_tui(session, runner) -> int:
    from tutor.tui.exam import ExamApp

    grade_one = runner.grade_one if session.attempt.allow_check else None
    app = ExamApp(session, runner.grade_all, grade_one, server_version=runner.server_version())
    runner.on_verdict = app.verdict_seen
    runner.on_waiting = app.waiting_seen
    app.run()
    return _after(session)


def _open_review(store, attempt, args) -> int:
    from tutor.exam import ExamSession
    from tutor.tui.exam import ExamApp

    session = ExamSession(attempt, _pack_for(attempt, args), store=store)
    ExamApp(session, _graded_already).run()
    return _after(session)


def _graded_already(exercises):
    raise TutorError(_("this attempt is already graded"))


def _after(session) -> int:
    """What to print when the TUI closes; the exit code says how the attempt stands."""
    from tutor.exam import ExamState
    from tutor.exam.clock import format_remaining

    a = session.attempt
    if session.state is ExamState.GRADED:
        print(_score_line(session))
        return session.score().exit_code
    if session.state is ExamState.RUNNING:
        print(
            _("Exam {id} is still running: {left} left. Resume with `k8s-tutor exam resume`.").format(
                id=a.id, left=format_remaining(session.remaining())
            )
        )
    elif session.state.frozen:
        print(
            _("Exam {id} is over but not graded. Grade it with `k8s-tutor exam grade {id}`.").format(id=a.id)
        )
    else:
        print(_("Exam {id} has not started. Start it with `k8s-tutor exam resume {id}`.").format(id=a.id))
    return 0


def _score_line(session) -> str:
    s = session.score()
    verdict = _("PASSED") if s.passed else _("NOT PASSED")
    return _("Exam {id}: {percent}% ({points}/{possible} points), pass mark {mark}%: {verdict}").format(
        id=session.attempt.id,
        percent=f"{s.percent:.1f}",
        points=f"{s.points:g}",
        possible=f"{s.possible:g}",
        mark=f"{s.pass_mark:g}",
        verdict=verdict,
    )


# ----- actions ----------------------------------------------------------------------------------------------


def _start(store, args: argparse.Namespace) -> int:
    from tutor.content import resolve_pack
    from tutor.exam import ExamSession
    from tutor.exam.runner import ExamRunner

    pack_source = (
        str(Path(args.pack).resolve()) if args.pack and Path(args.pack).exists() else (args.pack or "")
    )
    pack = _in_language(resolve_pack(pack_source or None), args)
    cluster = _cluster(args)  # no connection yet
    # Trust, then the pack's checkers load in their worker: an untrusted pack or a broken checker file
    # is refused (exit 2, with its file:line) before a connection, a draw or a note about older attempts.
    cluster.registry(pack)
    older = store.latest(unfinished=True)
    if older is not None:
        print(
            _("note: attempt {id} is unfinished; `k8s-tutor exam resume {id}` returns to it.").format(
                id=older.id
            )
        )
    cluster.writer()  # refused like `setup` before an attempt is drawn, not after
    runner = ExamRunner(pack, cluster, timeout=args.timeout)
    session = ExamSession.new(
        pack,
        tasks=args.tasks,
        duration_minutes=args.duration,
        seed=args.seed,
        capabilities=runner.capabilities(),
        store=store,
        pack_source=pack_source,
        context=cluster.context,
    )
    a = session.attempt
    print(
        _("Exam {id}: {n} tasks from {pack} (seed {seed}).").format(
            id=a.id, n=len(a.tasks), pack=pack.title, seed=a.seed
        )
    )
    _set_up(session, runner)
    if args.no_tui:
        return _start_headless(session)
    return _open_tui(session, runner)


def _start_headless(session) -> int:
    """Start the clock and print the tasks (for scripts and people who prefer their own viewer)."""
    from tutor.exam.clock import format_remaining, iso

    session.start()
    a = session.attempt
    clock = _("The clock is running: {left} until {deadline}.")
    print(clock.format(left=format_remaining(a.duration), deadline=iso(a.deadline)) + "\n")
    for i, ex in enumerate(session.exercises, 1):
        ns = (
            _("namespace {namespace}").format(namespace=ex.namespace) if ex.namespace else _("cluster-scoped")
        )
        heading = _("{points} points, {where}").format(points=f"{ex.points:g}", where=ns)
        print(f"## {i}. {ex.title} ({heading})\n\n{ex.task.strip()}\n")
    hand_in = _("Hand in with `k8s-tutor exam grade {id}`; after the deadline it is graded as it stood.")
    print(hand_in.format(id=a.id))
    return 0


def _resume(store, attempt_id: str, args: argparse.Namespace) -> int:
    from tutor.exam import ExamState

    attempt = _find(store, attempt_id, unfinished=not attempt_id)
    if attempt.state is ExamState.GRADED:  # reopening the review needs no cluster
        return _open_review(store, attempt, args)
    session, runner = _session_on_cluster(store, attempt, args)
    if session.state is ExamState.DRAWN:
        _set_up(session, runner)
    return _open_tui(session, runner)


def _grade_on_cluster(store, attempt, args: argparse.Namespace):
    """Submit if still running, then grade against the cluster; the graded session."""
    from tutor.exam import ExamState
    from tutor.exam.clock import format_remaining

    session, runner = _session_on_cluster(store, attempt, args)
    if session.state in (ExamState.DRAWN, ExamState.SET_UP):
        raise TutorError(
            f"attempt {attempt.id} has not started; `k8s-tutor exam resume {attempt.id}` starts it"
        )
    if session.needs_regrade:
        print(
            f"Grading attempt {attempt.id} again: its last grading hit an environment error.", file=sys.stderr
        )
    if session.state is ExamState.RUNNING:
        left = format_remaining(session.remaining())
        print(f"Submitting attempt {attempt.id} with {left} left.", file=sys.stderr)
        session.submit()
    session.grade(runner.grade_all, runner.server_version())
    return session


def _grade(store, attempt_id: str, args: argparse.Namespace) -> int:
    from tutor.commands._reporting import report_even_if_aborted
    from tutor.exam import ExamSession, ExamState
    from tutor.exam.runner import exam_report
    from tutor.grading.batch import RunClock
    from tutor.grading.report import write

    attempt = _find(store, attempt_id)
    session = ExamSession(attempt, _pack_for(attempt, args), store=store)
    if session.state is not ExamState.GRADED or session.needs_regrade:  # else: report the saved results
        asked = argparse.Namespace(format=args.format or "text", output=args.output)
        with report_even_if_aborted(asked, session.pack, session.exercises, RunClock(), "exam grade"):
            session = _grade_on_cluster(store, attempt, args)
    report = exam_report(session)
    write(report, args.format or "text", args.output)
    machine_on_stdout = (args.format or "text") != "text" and not args.output
    print(_score_line(session), file=sys.stderr if machine_on_stdout else sys.stdout)
    return session.score().exit_code


def _history(store, *, as_json: bool) -> int:
    from tutor.exam.clock import SystemClock
    from tutor.exam.session import summary_line

    attempts = store.all()
    if as_json:
        print(json.dumps([a.to_dict() for a in attempts], indent=2, sort_keys=True))
        return 0
    if not attempts:
        print(_("No exam attempts yet ({path}). Start one with `k8s-tutor exam`.").format(path=store.root))
        return 0
    for attempt in attempts:
        print(summary_line(attempt, SystemClock().now()))
    return 0
