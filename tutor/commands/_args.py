"""Argument types shared by the commands, so a bad number is a usage error naming the option
(exit 2 from argparse) instead of a run whose every check errors for a reason it does not state."""

from __future__ import annotations

import argparse
import math

#: The longest check timeout: the pack schema's bound (tutor.grading.plan.MAX_SECONDS).
MAX_CHECK_SECONDS = 3600.0
#: The longest exam: the pack schema's bound for ``exam.duration``.
MAX_EXAM_MINUTES = 1440.0


def _number(text: str, what: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of {what}, got {text!r}") from None


def check_seconds(text: str) -> float:
    """A check timeout in seconds: a finite number from 0 (one attempt) to 3600."""
    value = _number(text, "seconds")
    if not math.isfinite(value) or not 0 <= value <= MAX_CHECK_SECONDS:
        raise argparse.ArgumentTypeError(
            f"expected seconds from 0 (one attempt) to {MAX_CHECK_SECONDS:g}, got {text!r}"
        )
    return value


def positive_int(text: str) -> int:
    """A count of at least 1 (``--jobs``)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def exam_minutes(text: str) -> float:
    """An exam's length in minutes: more than 0, at most 1440 (a day)."""
    value = _number(text, "minutes")
    if not math.isfinite(value) or not 0 < value <= MAX_EXAM_MINUTES:
        raise argparse.ArgumentTypeError(
            f"expected minutes above 0 and at most {MAX_EXAM_MINUTES:g}, got {text!r}"
        )
    return value


def cluster_name(text: str) -> str:
    """A cluster name (tutor.cluster.records.NAME): lowercase letters, digits and '-'."""
    from tutor.cluster.records import check_name
    from tutor.errors import TutorError

    try:
        return check_name(text)
    except TutorError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def wait_seconds(text: str) -> float:
    """How long to wait for something (a cluster to be Ready): more than 0, at most a day."""
    value = _number(text, "seconds")
    if not math.isfinite(value) or not 0 < value <= 86400:
        raise argparse.ArgumentTypeError(f"expected seconds above 0 and at most 86400, got {text!r}")
    return value
