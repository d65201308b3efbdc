"""Catalog rows count the exercises the cluster cannot run apart (a kind-only exercise on sim)."""

from __future__ import annotations

import dataclasses

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import OptionDoesNotExist

from tests.tui.conftest import until
from tests.tui.fakes import FakeBackend, demo_pack
from tutor.practice.core import PackEntry
from tutor.tui.app import make_app
from tutor.tui.catalog import lesson_line

SIM = frozenset({"api", "scheduler", "controllers"})


def plain_line(*args, **kw) -> str:
    """``lesson_line`` without its Rich markup."""
    return Text.from_markup(lesson_line(*args, **kw)).plain


def four_exercise_entry() -> PackEntry:
    """Lesson 1 with four exercises; ``kind-only`` needs containers."""
    pack = demo_pack()
    base = pack.lessons[0].exercises[0]
    exercises = tuple(dataclasses.replace(base, id=f"ex{i}") for i in range(1, 4)) + (
        dataclasses.replace(base, id="kind-only", requires=frozenset({"api", "containers"})),
    )
    lesson = dataclasses.replace(pack.lessons[0], exercises=exercises)
    return PackEntry(spec="demo", pack=dataclasses.replace(pack, lessons=(lesson, pack.lessons[1])))


def test_unrunnable_exercises_are_counted_apart_once_capabilities_are_known(store):
    entry = four_exercise_entry()
    store.record_pass("demo", "1.0", "ex1")
    store.record_pass("demo", "1.0", "kind-only")  # passed earlier on kind: not in the sim ratio
    assert "1/3 passed (+1 needs kind)" in plain_line(store, entry, 0, capabilities=SIM)
    assert "2/4 passed" in plain_line(store, entry, 0)  # capabilities unknown: everything counts
    on_kind = SIM | {"containers", "networking"}
    assert "3/4" not in plain_line(store, entry, 0, capabilities=on_kind)
    assert "2/4 passed" in plain_line(store, entry, 0, capabilities=on_kind)
    needs_ingress = dataclasses.replace(
        entry.pack.lessons[0].exercises[3], requires=frozenset({"containers", "ingress"})
    )
    lesson = dataclasses.replace(entry.pack.lessons[0], exercises=(needs_ingress,))
    only = PackEntry(spec="demo", pack=dataclasses.replace(entry.pack, lessons=(lesson,)))
    line = plain_line(store, only, 0, capabilities=on_kind)
    assert "0/0 passed (+1 needs ingress)" in line and "✔" not in line


async def test_catalog_recounts_when_the_probe_reports_capabilities(store):
    backend = FakeBackend(store, entries=[four_exercise_entry()])
    app = make_app(backend, status_interval=0.2)
    async with app.run_test(size=(100, 30)) as pilot:
        listing = app.screen.query_one("#catalog", OptionList)

        def row() -> str:
            try:
                return Text.from_markup(str(listing.get_option("lesson:0:0").prompt)).plain
            except OptionDoesNotExist:  # the packs are not loaded yet
                return ""

        await until(pilot, lambda: "0/4 passed" in row(), what="the catalog with everything counted")
        backend.capabilities = SIM  # the next probe reports a sim cluster's capabilities
        await until(pilot, lambda: "0/3 passed (+1 needs kind)" in row(), what="the sim recount")
