"""`k8s-tutor grade` (not implemented yet; owned by a later issue)."""

from __future__ import annotations

import argparse


def configure(parser: argparse.ArgumentParser) -> None:
    """No arguments yet."""


def run(args: argparse.Namespace) -> int:
    print("k8s-tutor grade: not implemented yet")
    return 2
