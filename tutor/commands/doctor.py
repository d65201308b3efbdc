"""`k8s-tutor doctor`: check docker, kind, kubectl, the cluster and its addons; exit 0 good, 2 problems."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict


def configure(parser: argparse.ArgumentParser) -> None:
    """Cluster selection options and ``--json``."""
    from tutor.cluster.cli_args import add_cluster_arguments

    add_cluster_arguments(parser)
    parser.add_argument("--json", action="store_true", help="machine-readable findings")


MARK = {"ok": "ok  ", "warn": "WARN", "fail": "FAIL", "info": "--  "}


def run(args: argparse.Namespace) -> int:
    """Print every finding with its fix; exit 2 if any check failed or warned."""
    from tutor.cluster.cli_args import target_from_args
    from tutor.cluster.doctor import FAIL, WARN, run_checks
    from tutor.i18n import _, set_language
    from tutor.store.settings import learner_language

    set_language(learner_language())  # a learner runs it beside the app; --json keys never change
    findings = run_checks(target_from_args(args))
    problems = [f for f in findings if f.level in (FAIL, WARN)]
    if args.json:
        print(json.dumps({"ok": not problems, "findings": [asdict(f) for f in findings]}, indent=2))
        return 2 if problems else 0
    for f in findings:
        print(f"[{MARK[f.level]}] {f.check:<13} {f.detail}")
        if f.fix and f.level in (FAIL, WARN):
            print(f"{'':21}" + _("fix: {command}").format(command=f.fix))
    print(
        "\n"
        + (
            _("all good")
            if not problems
            else _("{n} problem(s); run the fix commands above").format(n=len(problems))
        )
    )
    return 2 if problems else 0
