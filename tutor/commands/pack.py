"""``k8s-tutor pack``: tools for pack authors — ``new``, ``lint``, ``test``, ``list``, ``docs``.

``lint`` needs no cluster (see :mod:`tutor.lint`); ``test`` runs every exercise on a cluster and
lives in :mod:`tutor.grading.pack_test`. Heavy modules are imported inside each action.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``new``, ``lint``, ``test`` and ``list`` actions."""
    actions = parser.add_subparsers(dest="pack_action", metavar="ACTION", required=True)

    new = actions.add_parser(
        "new", help="scaffold a pack that lints clean: one lesson, exercise, checker, solution"
    )
    new.add_argument("path", type=Path, help="folder to create")
    new.add_argument("--id", dest="pack_id", help="pack id (default: from the folder name)")
    new.add_argument("--title", help="pack title")
    new.add_argument("--force", action="store_true", help="write into a folder that is not empty")

    lint = actions.add_parser("lint", help="check a pack without a cluster; exit 0 clean, 2 on errors")
    lint.add_argument("path", nargs="?", help="pack folder or pack.yaml (default: the built-in pack)")
    lint.add_argument("--strict", action="store_true", help="treat warnings as errors")
    lint.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    lint.add_argument(
        "--coverage",
        action="store_true",
        help="also warn about values a task writes in backticks that no check reads (possible false passes)",
    )
    from tutor.commands._trust import add_trust_argument

    lint.add_argument(
        "--trust",
        action="store_true",
        help="also import the checkers (binds args to their signatures); without trust lint reads them "
        "statically and runs no pack code",
    )

    test = actions.add_parser("test", help="on a cluster: start state fails, reference solution passes")
    test.add_argument("path", nargs="?", help="pack folder (default: the built-in pack)")
    test.add_argument(
        "--exercise", action="append", default=[], metavar="ID", help="only this exercise (repeatable)"
    )
    test.add_argument("--format", choices=("text", "json", "junit"), default="text")
    test.add_argument("--output", metavar="FILE", help="write the report here instead of stdout")
    from tutor.cluster.cli_args import add_cluster_arguments
    from tutor.commands._args import check_seconds, positive_int

    add_cluster_arguments(test)
    add_trust_argument(test)
    test.add_argument("--jobs", type=positive_int, default=1, metavar="N", help="exercises run in parallel")
    test.add_argument(
        "--timeout", type=check_seconds, metavar="S", help="override every check's timeout (seconds, 0-3600)"
    )

    actions.add_parser("list", help="list the packs found (built-in, entry points, K8S_TUTOR_PACKS)")

    docs = actions.add_parser(
        "docs", help="an overview of a pack: lessons, exercises, points, requirements, exam pool"
    )
    docs.add_argument("path", nargs="?", help="pack folder (default: the built-in pack)")
    docs.add_argument("--format", choices=("markdown", "html"), default="markdown")
    docs.add_argument("--output", metavar="FILE", help="write it here instead of stdout")
    docs.add_argument("--lang", help="the lessons' language (titles of translated lessons)")


def run(args: argparse.Namespace) -> int:
    """Dispatch to the chosen action."""
    return {"new": _new, "lint": _lint, "test": _test, "list": _list, "docs": _docs}[args.pack_action](args)


def _new(args: argparse.Namespace) -> int:
    from tutor.content.scaffold import create_pack

    written = create_pack(args.path, pack_id=args.pack_id, title=args.title, force=args.force)
    for path in written:
        print(f"created {path}")
    from tutor.content import load_pack
    from tutor.store.trust import TrustStore

    TrustStore().trust(load_pack(args.path))  # its code is k8s-tutor's own template; an edit asks again
    print(f"trusted {args.path} as created (after you edit its checkers, run pack test with --trust)")
    print(f"next: edit {args.path / 'hello.md'}, then run: k8s-tutor pack lint {args.path}")
    return 0


def _pack_path(path: str | None) -> Path:
    if path:
        return Path(path)
    from tutor.content.discovery import builtin_path

    return builtin_path()


def _lint(args: argparse.Namespace) -> int:
    from tutor.lint import lint_pack
    from tutor.lint.output import render_json, render_text

    report = lint_pack(_pack_path(args.path), strict=args.strict, coverage=args.coverage)
    print(render_json(report) if args.format == "json" else render_text(report))
    return report.exit_code


def _test(args: argparse.Namespace) -> int:
    from tutor.cluster.cli_args import target_from_args
    from tutor.commands._reporting import report_even_if_aborted, report_even_if_never_started
    from tutor.content import resolve_pack
    from tutor.grading import report as reporters
    from tutor.grading.batch import RunClock, select
    from tutor.practice.cluster_session import ClusterSession
    from tutor.practice.flows import run_pack_test

    clock = RunClock()
    with report_even_if_never_started(args, args.path, clock, "pack test"):
        pack = resolve_pack(args.path)
        exercises = select(pack, None, args.exercise or (), include_exam_only=True)
    with report_even_if_aborted(args, pack, exercises, clock, "pack test"):
        with ClusterSession(target_from_args(args)) as cluster:
            cluster.registry(pack)  # a broken checker file is a FormatError (exit 2) before any connection
            rep = run_pack_test(cluster, pack, exercises, clock, jobs=args.jobs or 1, timeout=args.timeout)
            notice = cluster.identity_notice()
    if notice:
        print(f"k8s-tutor: note: {notice}", file=sys.stderr)
    reporters.write(rep, args.format, args.output)
    return rep.exit_code


def _docs(args: argparse.Namespace) -> int:
    """Render the pack overview (no cluster, and no pack code: titles come from the lesson files)."""
    from dataclasses import replace

    from tutor.content import resolve_pack
    from tutor.content.overview import overview_html, overview_markdown
    from tutor.content.translations import translated_lesson
    from tutor.grading.plan import check_title
    from tutor.lint.static_checks import static_registry

    pack = resolve_pack(args.path)
    if args.lang:
        pack = replace(
            pack, lessons=tuple(translated_lesson(pack, lesson.id, args.lang) for lesson in pack.lessons)
        )
    registry = static_registry(pack)  # docstring titles, read with ast: no pack code runs
    titles = {
        ex.id: [check_title(ref, registry.find(ref.check)) for ref in ex.checks]
        for ex in pack.exercises(include_exam_only=True)
    }
    text = overview_markdown(pack, titles)
    if args.format == "html":
        text = overview_html(text, pack.title)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")
    else:
        sys.stdout.write(text)
    return 0


def _list(args: argparse.Namespace) -> int:
    from tutor.content.discovery import discover_packs

    sources = discover_packs()
    if not sources:
        print("no packs found", file=sys.stderr)
        return 2
    for s in sources:
        status = f"  ERROR: {s.error}" if s.error else ""
        print(f"{s.id:<24} {s.version:<10} {s.title}  [{s.origin}: {s.path}]{status}")
    return 0
