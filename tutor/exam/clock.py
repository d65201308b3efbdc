"""Clocks for the exam: wall time in production, a hand-wound one in tests.

The exam deadline must survive a restart of the process, so it is stored as wall-clock epoch
seconds (a monotonic clock restarts from an arbitrary origin on every boot). Everything in
``tutor.exam`` reads time only through a :class:`Clock`, so tests can advance time by hand and
check that warnings and the time-out happen exactly when they should.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    """Anything with ``now()`` returning POSIX seconds (UTC)."""

    def now(self) -> float:  # pragma: no cover - protocol
        ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> float:
        return time.time()


class FakeClock:
    """A clock that only moves when told to; for tests and snapshot screenshots.

    Args:
        start: the initial POSIX time (default: 2026-01-01T00:00:00Z, a fixed, readable instant).
    """

    def __init__(self, start: float = 1_767_225_600.0):
        self.t = float(start)

    def now(self) -> float:
        return self.t

    def advance(self, seconds: float) -> float:
        """Move time forward by ``seconds``; returns the new time."""
        self.t += seconds
        return self.t


def iso(ts: float) -> str:
    """POSIX seconds as an ISO 8601 UTC string (``2026-01-01T00:00:00Z``), for files and reports."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def format_remaining(seconds: float) -> str:
    """``1:05:09`` / ``04:59`` countdown text; never negative."""
    s = max(0, int(seconds + 0.999))  # round up: "00:01" until the very last instant
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m:02d}:{sec:02d}"
