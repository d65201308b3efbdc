"""SVG snapshots of each screen at a fixed size and theme, on the stand-in backend (no clocks shown).

Update after an intended visual change with ``pytest tests/tui/test_snapshots.py --snapshot-update``
and look at the SVGs before committing them.
"""

from __future__ import annotations

import pytest

from tests.tui.conftest import FAST_WATCH, until
from tests.tui.fakes import FakeBackend
from tutor.practice.core import PackEntry
from tutor.store.progress import ProgressStore
from tutor.tui.app import make_app
from tutor.tui.catalog import CatalogScreen
from tutor.tui.first_run import FirstRunScreen
from tutor.tui.lesson import LessonScreen
from tutor.tui.modals import ApplyModal, HelpScreen
from tutor.tui.widgets import Checklist

THEME = "textual-dark"


@pytest.fixture
def fresh_store(tmp_path) -> ProgressStore:
    return ProgressStore.open(tmp_path / "progress.json")


def _app(backend):
    # status_interval=0: one probe only, so nothing changes while the screenshot is taken
    return make_app(backend, theme=THEME, watch_options=FAST_WATCH, status_interval=0)


async def _catalog(pilot) -> None:
    await until(
        pilot, lambda: isinstance(pilot.app.screen, CatalogScreen) and pilot.app.entries, what="catalog"
    )
    await until(pilot, lambda: pilot.app.cluster_status.reachable, what="status")


async def _lesson(pilot) -> LessonScreen:
    await _catalog(pilot)
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(pilot.app.screen, LessonScreen), what="lesson")
    screen = pilot.app.screen
    await until(pilot, lambda: screen.last_result is not None, what="first verdict")
    await until(pilot, lambda: "watching" in str(screen.query_one("#watch-mode").render()), what="watch mode")
    return screen


def test_catalog_snapshot(snap_compare, fresh_store):
    fresh_store.record_solution_revealed("demo", "1.0", "env-namespaces")
    fresh_store.record_pass("demo", "1.0", "env-namespaces")
    entries = [
        PackEntry(spec="demo", pack=FakeBackend(fresh_store).entries[0].pack),
        PackEntry(spec="/packs/broken", error="pack.yaml:3: error: id: required", title="broken"),
    ]
    assert snap_compare(
        _app(FakeBackend(fresh_store, entries=entries)), terminal_size=(100, 30), run_before=_catalog
    )


def test_lesson_pending_snapshot(snap_compare, fresh_store):
    assert snap_compare(_app(FakeBackend(fresh_store)), terminal_size=(100, 30), run_before=_lesson)


def test_lesson_failure_with_hint_snapshot_80x24(snap_compare, fresh_store):
    backend = FakeBackend(fresh_store)

    async def run_before(pilot) -> None:
        screen = await _lesson(pilot)
        backend.put("dev", env="staging")
        backend.put("prod", env="prod")
        checklist = screen.query_one(Checklist)
        await until(pilot, lambda: [s.value for s in checklist.statuses] == ["fail", "pass"], what="verdict")
        await pilot.press("h")
        await pilot.pause(0.1)

    assert snap_compare(_app(backend), terminal_size=(80, 24), run_before=run_before)


def test_lesson_environment_problem_snapshot(snap_compare, fresh_store):
    backend = FakeBackend(fresh_store)

    async def run_before(pilot) -> None:
        screen = await _lesson(pilot)
        backend.down = True
        await until(pilot, lambda: screen.problem, what="the outage")
        mode = screen.query_one("#watch-mode")
        await until(pilot, lambda: "polling" in str(mode.render()), what="the polling fallback")
        await pilot.pause(0.1)

    assert snap_compare(_app(backend), terminal_size=(100, 30), run_before=run_before)


def test_first_run_snapshot_80x24(snap_compare, fresh_store):
    async def run_before(pilot) -> None:
        def shown() -> bool:  # pushed from a worker: wait until it is mounted, not only pushed
            screen = pilot.app.screen
            return isinstance(screen, FirstRunScreen) and bool(screen.query("#first-run-text"))

        await until(pilot, shown, what="first run")

    assert snap_compare(
        _app(FakeBackend(fresh_store, reachable=False)), terminal_size=(80, 24), run_before=run_before
    )


def test_help_snapshot(snap_compare, fresh_store):
    async def run_before(pilot) -> None:
        await _catalog(pilot)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), what="help")

    assert snap_compare(_app(FakeBackend(fresh_store)), terminal_size=(100, 30), run_before=run_before)


def test_apply_modal_snapshot(snap_compare, fresh_store):
    async def run_before(pilot) -> None:
        await _lesson(pilot)
        await pilot.press("a")
        await until(pilot, lambda: isinstance(pilot.app.screen, ApplyModal), what="apply picker")

    assert snap_compare(_app(FakeBackend(fresh_store)), terminal_size=(100, 30), run_before=run_before)
