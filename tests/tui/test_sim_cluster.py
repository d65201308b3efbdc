"""The TUI on the real sim cluster: the learner applies the answer with the API, the checklist turns
green by itself (watch mode), and an ``a`` apply of a lesson block goes through the guarded writer.

Uses a tiny pack written to a temp dir so its namespace is unique and never collides with the
course tests running against the same shared cluster.
"""

from __future__ import annotations

import secrets
import time

import pytest

from tests.tui.conftest import notices, until
from tests.tui.fakes import SOLUTION, write_pack
from tutor.cluster.target import ClusterTarget
from tutor.results import Status
from tutor.store.progress import ProgressStatus, ProgressStore
from tutor.tui.app import make_app
from tutor.tui.catalog import CatalogScreen
from tutor.tui.core_backend import CoreBackend
from tutor.tui.lesson import LessonScreen
from tutor.tui.widgets import Checklist

pytestmark = pytest.mark.cluster


def real_backend(sim_cluster, tmp_path, namespace: str, checkers: dict[str, str] | None = None):
    """The real backend on the session's cluster with the test pack (plus ``checkers`` files)."""
    pack_dir = write_pack(tmp_path / "pack", namespace)
    for name, text in (checkers or {}).items():
        (pack_dir / "checks" / name).write_text(text)
    backend = CoreBackend(
        ProgressStore.open(tmp_path / "progress.json"),
        pack=str(pack_dir),
        target=ClusterTarget(str(sim_cluster.kubeconfig), sim_cluster.context),
    )
    [entry] = backend.load_packs()
    return backend, entry


async def test_checklist_turns_green_after_learner_applies_via_api(sim_cluster, cluster, tmp_path):
    ns = f"tui-sim-{secrets.token_hex(3)}"
    pack_dir = write_pack(tmp_path / "pack", ns)
    store = ProgressStore.open(tmp_path / "progress.json")
    backend = CoreBackend(
        store, pack=str(pack_dir), target=ClusterTarget(str(sim_cluster.kubeconfig), sim_cluster.context)
    )
    app = make_app(backend, status_interval=2.0)
    writer = cluster.writer()
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, CatalogScreen) and app.entries, what="packs")
            assert app.entries[0].pack is not None, app.entries[0].error
            await until(pilot, lambda: app.cluster_status.reachable, timeout=20, what="the sim cluster")
            assert app.cluster_status.context == sim_cluster.context
            assert app.cluster_status.version.startswith("v1.")
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, LessonScreen), what="the lesson")
            screen = app.screen
            await until(pilot, lambda: screen.started, timeout=30, what="namespace + setup")
            assert cluster.read.get("v1", "Namespace", ns) is not None
            checklist = screen.query_one(Checklist)
            await until(pilot, lambda: screen.last_result is not None, timeout=10, what="the first round")
            assert checklist.statuses == [Status.PENDING]
            await until(pilot, lambda: screen.loop and screen.loop.mode == "watch", what="the watch")
            await pilot.pause(0.5)  # let the first watch's initial ADDED burst settle

            applied_at = time.monotonic()
            writer.apply(SOLUTION, ns)  # what `kubectl apply` does; no key is pressed in the TUI
            await until(pilot, lambda: checklist.statuses == [Status.PASS], timeout=5, what="green")
            took = time.monotonic() - applied_at
            print(f"verdict {took:.2f}s after the apply")
            assert took <= 2.0, f"verdict took {took:.2f}s after the apply"
            assert store.get("tui-sim", "0.0.1", "tui-settings").status is ProgressStatus.PASSED

            await pilot.press("a")
            await pilot.press("enter")
            await until(
                pilot, lambda: any("Applied ConfigMap/example" in n for n in notices(app)), what="apply"
            )
            assert cluster.read.get("v1", "ConfigMap", "example", ns)["data"] == {"hello": "world"}
    finally:
        writer.delete_namespace(ns, wait=False)


def test_exercise_is_set_up_again_when_the_cluster_comes_back_empty(sim_cluster, cluster, tmp_path):
    ns = f"tui-sim-{secrets.token_hex(3)}"
    backend, entry = real_backend(sim_cluster, tmp_path, ns)
    exercise = entry.pack.exercise("tui-settings")
    writer = cluster.writer()
    try:
        backend.start_exercise(entry.pack, exercise)
        assert backend.check_once(entry.pack, exercise).checks[0].status is Status.PENDING
        writer.delete_namespace(ns, wait=True)  # what a recreated cluster looks like to this exercise
        backend.drop()  # what an outage does to the connection
        result = backend.check_once(entry.pack, exercise)
        assert result.checks[0].status is Status.PENDING
        assert cluster.read.get("v1", "Namespace", ns) is not None
    finally:
        writer.delete_namespace(ns, wait=False)


def test_broken_checker_file_is_not_gradable_with_its_location(sim_cluster, tmp_path):
    bad = "from tutor.sdk import check\n\ndef broken(:\n"
    backend, entry = real_backend(sim_cluster, tmp_path, f"tui-sim-{secrets.token_hex(3)}", {"bad.py": bad})
    exercise = entry.pack.exercise("tui-settings")
    for _ in range(2):  # the second round answers from the remembered error
        result = backend.check_once(entry.pack, exercise)
        assert result.status is Status.SKIPPED
        assert "checkers cannot be loaded" in result.skipped_reason and "bad.py:3" in result.skipped_reason
