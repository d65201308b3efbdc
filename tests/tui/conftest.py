"""Fixtures for the TUI tests: a progress store in a temp dir, the stand-in backend, a wait helper."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest

from tests.tui.fakes import FakeBackend
from tutor.store.progress import ProgressStore


@pytest.fixture
def store(tmp_path, monkeypatch) -> ProgressStore:
    monkeypatch.setenv("K8S_TUTOR_DATA_DIR", str(tmp_path / "data"))
    return ProgressStore.open()


@pytest.fixture
def backend(store) -> FakeBackend:
    return FakeBackend(store)


FAST_WATCH = {"debounce": 0.05, "max_delay": 0.2, "poll_interval": 0.2, "idle_recheck": 5.0}


async def until(pilot, condition: Callable[[], bool], timeout: float = 10.0, what: str = "condition") -> None:
    """Let the app run until ``condition()`` holds; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await pilot.pause(0.05)
    await asyncio.sleep(0)


def notices(app) -> list[str]:
    """The texts of the toasts the app has shown (newest last)."""
    return [str(n.message) for n in app._notifications]
