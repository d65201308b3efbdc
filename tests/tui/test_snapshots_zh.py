"""The app in Chinese (``start --lang zh``): SVG snapshots of the catalog, a lesson with a failure box
at 80x24 and 100x30, the exam screen and the review, plus checks that the footer and dialogs speak
the catalog's Chinese and that CJK text wraps instead of being cut.

Update after an intended change with ``pytest tests/tui/test_snapshots_zh.py --snapshot-update`` and
look at the SVGs before committing them.
"""

from __future__ import annotations

import pytest

from tests.tui.conftest import until
from tests.tui.fakes import FakeBackend
from tests.tui.test_exam_app import SIZE, _snapshot_app
from tests.tui.test_exam_app import pack as exam_pack  # noqa: F401 - the module fixture, reused
from tests.tui.test_snapshots import THEME, _app, _catalog
from tutor.i18n import current_language, set_language
from tutor.store.progress import ProgressStore
from tutor.tui.widgets import Checklist


@pytest.fixture(autouse=True)
def chinese():
    """The app's words in Chinese for the test, English again afterwards (other tests read English)."""
    assert set_language("zh") == "zh"
    yield
    set_language(None)
    assert current_language() == "en"


@pytest.fixture
def store(tmp_path) -> ProgressStore:
    return ProgressStore.open(tmp_path / "progress.json")


async def _lesson(pilot):
    """tests/tui/test_snapshots.py's ``_lesson``, waiting for the Chinese watch-mode line."""
    from tutor.tui.lesson import LessonScreen

    await _catalog(pilot)
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(pilot.app.screen, LessonScreen), what="lesson")
    screen = pilot.app.screen
    await until(pilot, lambda: screen.last_result is not None, what="first verdict")
    await until(
        pilot, lambda: "正在监视集群" in str(screen.query_one("#watch-mode").render()), what="watch mode"
    )
    return screen


def _failing(backend):
    async def run_before(pilot) -> None:
        screen = await _lesson(pilot)
        backend.put("dev", env="staging")
        backend.put("prod", env="prod")
        checklist = screen.query_one(Checklist)
        await until(pilot, lambda: [s.value for s in checklist.statuses] == ["fail", "pass"], what="verdict")
        await pilot.press("h")
        await pilot.pause(0.1)

    return run_before


def test_catalog_zh_snapshot(snap_compare, store):
    async def run_before(pilot) -> None:
        await until(pilot, lambda: pilot.app.entries, what="catalog")
        await until(pilot, lambda: pilot.app.cluster_status.reachable, what="status")

    app = _app(FakeBackend(store, language="zh"))
    assert snap_compare(app, terminal_size=(100, 30), run_before=run_before)


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
def test_lesson_failure_zh_snapshot(snap_compare, store, size):
    backend = FakeBackend(store, language="zh")
    assert snap_compare(_app(backend), terminal_size=size, run_before=_failing(backend))


def test_exam_screen_zh_snapshot(exam_pack, tmp_path, snap_compare):  # noqa: F811
    assert snap_compare(_snapshot_app(exam_pack, tmp_path, graded=False), press=["n"], terminal_size=SIZE)


def test_review_screen_zh_snapshot(exam_pack, tmp_path, snap_compare):  # noqa: F811
    assert snap_compare(_snapshot_app(exam_pack, tmp_path, graded=True), press=["n"], terminal_size=SIZE)


async def test_the_lesson_screen_speaks_chinese_and_wraps_cjk(store):
    backend = FakeBackend(store, language="zh")
    app = _app(backend)
    async with app.run_test(size=(80, 24)) as pilot:
        await _failing(backend)(pilot)
        screen = app.screen
        footer_keys = {b.description for b in screen._bindings.key_to_bindings.get("q", [])}
        assert footer_keys == {"退出"}
        title = str(screen.query_one("#exercise-title").render())
        assert title.startswith("练习：环境名字空间")
        detail = screen.query_one("FailureDetail")
        text = str(detail.render())
        assert "还不正确" in text and "这条消息故意写得很长，用来检查换行" in text.replace("\n", "")
        assert detail.size.width <= 80 and detail.size.height >= 2  # the long message wraps, not cut
        place = str(screen.query_one("StatusBar").render())
        assert "第 1 个练习，共 2 个" in place


async def test_the_palette_switches_language_and_start_reopens_the_app(store, tmp_path):
    from tutor.tui.app import SwitchLanguage, make_app

    settings = tmp_path / "settings.json"
    app = make_app(FakeBackend(store, language="zh"), theme=THEME, status_interval=0, settings=settings)
    async with app.run_test(size=(100, 30)):
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert "切换语言 / English" in commands
        app.switch_language("en")
    assert app.return_value == SwitchLanguage("en")
    from tutor.store.settings import load_settings

    assert load_settings(settings)["language"] == "en"
