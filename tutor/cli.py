"""The ``k8s-tutor`` command line.

Each subcommand lives in ``tutor/commands/<name>.py`` with two functions:
``configure(parser)`` adds its arguments and ``run(args) -> int`` does the work. They are imported
only when that subcommand runs, so ``k8s-tutor --help`` stays fast (no Kubernetes client, no Textual).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from tutor import __version__

# name -> (module under tutor.commands, one-line help). Order is the order shown in --help.
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "start": ("start", "open the learner's terminal app (the default)"),
    "grade": ("grade", "grade exercises headlessly: text, JSON or JUnit; exit 0 pass / 1 fail / 2 error"),
    "setup": ("setup", "start exercises headlessly (setup steps, start snapshot) for a later grade"),
    "solve": ("solve", "apply exercises' reference solutions headlessly (skip ahead)"),
    "exam": ("exam", "take a timed exam drawn from a pack's exam pool"),
    "cluster": ("cluster", "create, inspect or delete the tutor's local cluster (kind or sim)"),
    "doctor": ("doctor", "check docker, kind, kubectl, the cluster and its addons"),
    "pack": ("pack", "author lesson packs: new, lint, test, list"),
    "progress": ("progress", "show, export, import or reset your progress"),
}


def _command_module(name: str):
    return importlib.import_module(f"tutor.commands.{SUBCOMMANDS[name][0]}")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The full parser; with ``only`` set, import just that subcommand's module (fast path)."""
    parser = argparse.ArgumentParser(
        prog="k8s-tutor",
        description="rustlings for Kubernetes: lessons in your terminal, graded on a live cluster.",
    )
    parser.add_argument("--version", action="version", version=f"k8s-tutor {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_module, help_text) in SUBCOMMANDS.items():
        sp = sub.add_parser(name, help=help_text, description=help_text)
        if only is None or only == name:
            _command_module(name).configure(sp)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    chosen = next((a for a in argv if not a.startswith("-")), None)
    if chosen is None and not any(a in ("-h", "--help", "--version") for a in argv):
        argv.insert(0, "start")
        chosen = "start"
    parser = build_parser(only=chosen if chosen in SUBCOMMANDS else "")
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 0
    from tutor.store.trust import accept_this_run

    accept_this_run(bool(getattr(args, "trust", False)))  # `--trust`: this run's packs, remembered
    from tutor.i18n import current_language, set_language

    language = current_language()  # a command's --lang is its own: main() called twice (tests) starts afresh
    try:
        return _run(args)
    finally:
        set_language(language)


def _run(args: argparse.Namespace) -> int:
    """Run the parsed command; every error ends as its exit code with one line on stderr."""
    from tutor.errors import TutorError

    try:
        return int(_command_module(args.command).run(args) or 0)
    except TutorError as exc:
        print(f"k8s-tutor: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("k8s-tutor: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `k8s-tutor ... | head`: the reader left; not an error of ours
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        return 0
    except SystemExit as exc:
        # No command of ours calls sys.exit: this came from a pack's code (a checker's import or check).
        # Never let it pass for a verdict: exit 0 from a pack must not turn a failing grade green.
        print(f"k8s-tutor: a pack's code called sys.exit({exc.code!r}); treated as an error", file=sys.stderr)
        return 2
    except OSError as exc:  # the machine said no (a file, a folder, a port): an environment error
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"k8s-tutor: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug of ours: one line that says where, not a traceback for the learner
        if os.environ.get("K8S_TUTOR_DEBUG"):
            raise
        import traceback

        frames = traceback.extract_tb(exc.__traceback__)
        at = f" (at {os.path.basename(frames[-1].filename)}:{frames[-1].lineno})" if frames else ""
        print(
            f"k8s-tutor: internal error: {type(exc).__name__}: {exc}{at}. This is a bug in k8s-tutor; "
            "K8S_TUTOR_DEBUG=1 shows the traceback for a report.",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
