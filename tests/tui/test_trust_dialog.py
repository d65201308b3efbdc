"""The TUI asks before a pack's code runs: a dialog naming the folder and its checker files; "no" opens
nothing, "yes" opens the lesson and is remembered until the pack's code changes."""

from __future__ import annotations

from tests.tui.conftest import FAST_WATCH, notices, until
from tests.tui.fakes import FakeBackend, demo_pack
from tutor.practice.core import PackEntry
from tutor.store.trust import TRUST_ENV, TrustStore
from tutor.tui.app import make_app
from tutor.tui.catalog import CatalogScreen
from tutor.tui.lesson import LessonScreen
from tutor.tui.modals import ConfirmModal


async def _enter(pilot, app) -> None:
    await until(pilot, lambda: isinstance(app.screen, CatalogScreen) and app.entries, what="the catalog")
    await pilot.press("enter")


async def test_an_untrusted_pack_asks_first_and_remembers_the_answer(store, tmp_path, monkeypatch):
    monkeypatch.delenv(TRUST_ENV, raising=False)
    root = tmp_path / "demo"
    (root / "checks").mkdir(parents=True)
    (root / "pack.yaml").write_text("id: demo\n")
    (root / "checks" / "namespaces.py").write_text("# the pack's checker\n")
    pack = demo_pack(root)
    backend = FakeBackend(store, entries=[PackEntry(spec="demo", pack=pack)])
    app = make_app(backend, watch_options=FAST_WATCH, status_interval=0.2)
    async with app.run_test(size=(100, 40)) as pilot:
        await _enter(pilot, app)
        await until(pilot, lambda: isinstance(app.screen, ConfirmModal), what="the trust dialog")
        question = app.screen.question
        assert str(root) in question and "checks/namespaces.py" in question and "Python" in question
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, CatalogScreen), what="back to the catalog")
        assert any("not trusted" in n for n in notices(app))
        assert TrustStore().decide(pack).state == "new"
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmModal), what="the trust dialog again")
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, LessonScreen), what="the lesson screen")
    assert TrustStore().decide(pack).state == "trusted"
    app = make_app(backend, watch_options=FAST_WATCH, status_interval=0.2)
    async with app.run_test(size=(100, 40)) as pilot:
        await _enter(pilot, app)
        await until(pilot, lambda: isinstance(app.screen, LessonScreen), what="the lesson, without asking")
    (root / "checks" / "namespaces.py").write_text("# changed\n")
    assert TrustStore().decide(pack).state == "changed"


async def test_checks_with_your_own_rights_are_said_once(store, backend):
    backend.own_rights_notice = "checks run with your own rights on context 'someones-prod': ..."
    app = make_app(backend, watch_options=FAST_WATCH, status_interval=0.2)
    async with app.run_test(size=(100, 40)) as pilot:
        await _enter(pilot, app)
        await until(pilot, lambda: isinstance(app.screen, LessonScreen), what="the lesson screen")
        await until(pilot, lambda: app.screen.last_result is not None, what="a first verdict")
        await pilot.press("c")  # another round: the notice is not repeated
        await pilot.pause(0.5)
        said = [n for n in notices(app) if "checks run with your own rights" in n]
        assert len(said) == 1
