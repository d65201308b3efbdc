"""`k8s-tutor start` (the default command): open the learner's terminal app.

Textual and the Kubernetes client are imported only here, inside ``run``, so ``k8s-tutor --help``
stays fast.
"""

from __future__ import annotations

import argparse
import sys


def configure(parser: argparse.ArgumentParser) -> None:
    """Pack, cluster and starting-point options."""
    parser.add_argument("--pack", help="a pack folder, pack.yaml or pack id (default: every discovered pack)")
    from tutor.cluster.cli_args import add_cluster_arguments

    add_cluster_arguments(parser)
    from tutor.commands._trust import add_trust_argument

    add_trust_argument(parser)
    parser.add_argument("--lesson", help="open this lesson or exercise id directly")
    parser.add_argument(
        "--lang",
        help="read lessons in this language where a translation exists (e.g. zh; default: from LANG/LC_ALL)",
    )
    parser.add_argument(
        "--theme", help="a Textual theme name, e.g. textual-light (change it live with ctrl+p)"
    )


def run(args: argparse.Namespace) -> int:
    """Run the app until the learner quits; 2 when there is no terminal to draw on."""
    if not sys.stdout.isatty():
        print("k8s-tutor start needs a terminal; for scripts use `k8s-tutor grade`.", file=sys.stderr)
        return 2
    from tutor.cluster.cli_args import target_from_args
    from tutor.i18n import set_language
    from tutor.store.progress import ProgressStore
    from tutor.store.settings import learner_language, settings_path
    from tutor.tui.app import SwitchLanguage, make_app
    from tutor.tui.core_backend import CoreBackend

    store = ProgressStore.open()
    language = learner_language(args.lang)
    lesson = args.lesson
    while True:
        set_language(language)  # the app's own words; lessons follow `language` through the backend
        backend = CoreBackend(store, pack=args.pack, target=target_from_args(args), language=language)
        result = make_app(backend, lesson=lesson, theme=args.theme, settings=settings_path()).run()
        if not isinstance(result, SwitchLanguage):
            return 0
        language, lesson = str(result), None  # reopened where the learner was (the saved exercise)
