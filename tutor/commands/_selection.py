"""Which exercises a headless command works on: ``--pack --lesson --exercise``, shared by ``grade``,
``setup`` and ``solve`` so the three select exactly the same exercises for the same options."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tutor.model import Exercise, Pack


def add_selection_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--pack``, ``--lesson`` and the repeatable ``--exercise``."""
    parser.add_argument("--pack", help="pack path or id (default: the built-in pack)")
    parser.add_argument("--lesson", help="only the exercises of this lesson")
    parser.add_argument(
        "--exercise",
        action="append",
        default=[],
        metavar="ID",
        help="only this exercise (repeatable; exam-only tasks allowed)",
    )


def selected(args: argparse.Namespace) -> tuple[Pack, list[Exercise]]:
    """The pack and the exercises the options name (the caller loads the checker registry).

    Raises:
        TutorError: the pack cannot be read, or a lesson/exercise id is unknown.
        UntrustedPack: the pack's code was never trusted (all three run it), said before any connection.
    """
    from tutor.content import resolve_pack
    from tutor.grading.batch import select
    from tutor.store.trust import require_trusted

    pack = resolve_pack(args.pack)
    if hasattr(args, "lang"):  # grade: titles and checkers' messages in the learner's language
        from tutor.content.languages import chosen_language
        from tutor.practice.packs import translated

        pack = translated(pack, chosen_language(args.lang))
    exercises = select(pack, args.lesson, args.exercise)
    require_trusted(pack)
    return pack, exercises
