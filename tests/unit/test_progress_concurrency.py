"""Progress writers lock and merge: concurrent imports and an open TUI store never lose a record.

The TUI holds one :class:`ProgressStore` open for the whole session while ``k8s-tutor progress
import`` may run beside it; both write the same file. These tests run real processes against one
data dir and check that every write survives.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest

from tutor.cli import main
from tutor.store.progress import ExerciseProgress, ProgressStatus, ProgressStore, merge_records, record_key

PACK, VER = "k8s-basics", "0.1.0"


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("K8S_TUTOR_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def _export(path, exercise_id: str) -> None:
    doc = {"version": 1, "exercises": {record_key("imported", "1", exercise_id): {"status": "passed"}}}
    path.write_text(json.dumps(doc))


def test_import_while_the_tui_store_is_open_survives_its_next_save(data_dir, tmp_path):
    tui = ProgressStore.open()
    tui.record_opened(PACK, VER, "a")
    export = tmp_path / "other.json"
    _export(export, "x")
    assert main(["progress", "import", str(export)]) == 0
    tui.record_attempt(PACK, VER, "a")  # the TUI's in-memory copy predates the import
    on_disk = ProgressStore.open()
    assert on_disk.get("imported", "1", "x").status is ProgressStatus.PASSED
    assert on_disk.get(PACK, VER, "a").attempts == 1
    assert tui.get("imported", "1", "x").status is ProgressStatus.PASSED  # merged into memory too


@pytest.mark.slow
def test_open_store_and_50_concurrent_cli_imports_lose_nothing(data_dir, tmp_path):
    tui = ProgressStore.open()
    exports = []
    for i in range(50):
        exports.append(tmp_path / f"export-{i}.json")
        _export(exports[-1], f"ex-{i}")
    env = dict(os.environ, K8S_TUTOR_DATA_DIR=str(data_dir))
    stop = threading.Event()
    saves = 0

    def tui_keeps_saving() -> None:  # what watch mode does: a verdict, a save, again
        nonlocal saves
        while not stop.is_set():
            tui.record_attempt(PACK, VER, "watched")
            saves += 1

    saver = threading.Thread(target=tui_keeps_saving)
    saver.start()
    try:
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "tutor.cli", "progress", "import", str(path)],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for path in exports
        ]
        results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    finally:
        stop.set()
        saver.join()
    assert all(code == 0 for code, _ in results), results
    tui.record_attempt(PACK, VER, "watched")
    final = ProgressStore.open()
    imported = {k for k in final.records if k.startswith("imported@1/")}
    assert imported == {record_key("imported", "1", f"ex-{i}") for i in range(50)}
    assert final.get(PACK, VER, "watched").attempts == saves + 1 and saves > 0


def test_merge_keeps_both_sides_changes():
    base = ExerciseProgress(attempts=2, time_spent=10.0)
    mine = ExerciseProgress(attempts=3, time_spent=15.0, hints_used=1)
    theirs = ExerciseProgress(status=ProgressStatus.PASSED, attempts=4, time_spent=10.0)
    merged = merge_records(base, mine, theirs)
    assert merged.status is ProgressStatus.PASSED
    assert (merged.attempts, merged.time_spent, merged.hints_used) == (5, 15.0, 1)
    assert merge_records(base, base, theirs) is theirs  # unchanged here: the other writer wins
    assert merge_records(base, None, theirs) is None  # deleted here (progress reset): stays deleted


def test_corrupt_files_are_set_aside_and_the_cli_keeps_working(data_dir, capsys):
    data_dir.mkdir(parents=True)
    (data_dir / "progress.json").write_text(json.dumps({"version": 1, "exercises": {"nokey": {}}}))
    assert main(["progress", "show"]) == 0
    captured = capsys.readouterr()
    assert "is not pack@version/exercise" in captured.err and "Traceback" not in captured.err
    assert list(data_dir.glob("progress.json.corrupt-*"))


def test_import_of_a_deeply_nested_file_is_refused(data_dir, tmp_path, capsys):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 200_000 + "]" * 200_000)
    assert main(["progress", "import", str(deep)]) == 2
    assert "nested too deeply" in capsys.readouterr().err


@pytest.mark.parametrize("content", ["[" * 100_000 + "]" * 100_000, "[1, 2]", "\udcff"])
def test_a_corrupt_exam_attempt_is_a_clean_error(data_dir, capsys, content):
    exams = data_dir / "exams"
    exams.mkdir(parents=True)
    (exams / "20260101T000000-abcd.json").write_bytes(content.encode("utf-8", "surrogateescape"))
    assert main(["exam", "history"]) == 2
    err = capsys.readouterr().err
    assert "20260101T000000-abcd.json" in err and "Traceback" not in err


def test_a_save_keeps_the_readable_records_another_writer_left_beside_a_bad_one(data_dir):
    """The open store's save merges what it can read of the file (was: a whole file lost to one record)."""
    data_dir.mkdir(parents=True)
    tui = ProgressStore.open()
    theirs = {record_key("other", "1", "g"): {"status": "passed"}, record_key("other", "1", "b"): "junk"}
    (data_dir / "progress.json").write_text(json.dumps({"version": 1, "exercises": theirs}))
    tui.record_pass(PACK, VER, "a")
    saved = ProgressStore.open()
    assert saved.notice == ""
    assert sorted(saved.records) == sorted([record_key(PACK, VER, "a"), record_key("other", "1", "g")])
