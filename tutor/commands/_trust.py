"""``--trust``: the option of every command that runs a pack's code (see :mod:`tutor.store.trust`)."""

from __future__ import annotations

import argparse
from typing import Any

TRUST_HELP = (
    "trust the pack's code (its checkers are Python that runs as you) and remember it for this content; "
    "K8S_TUTOR_TRUST=1 trusts for one run without remembering (CI)"
)


def add_trust_argument(parser: argparse.ArgumentParser, *, suppress: bool = False) -> None:
    """Add ``--trust`` (``suppress``: unset unless given, for options accepted before and after an action)."""
    unset: dict[str, Any] = {"default": argparse.SUPPRESS} if suppress else {}
    parser.add_argument("--trust", action="store_true", help=TRUST_HELP, **unset)
