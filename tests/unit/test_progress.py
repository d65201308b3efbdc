"""Progress store: records, pass-with-solution, corrupt-file quarantine, and the `progress` CLI."""

from __future__ import annotations

import json

import pytest

from tutor.cli import main
from tutor.store.progress import (
    SCHEMA_VERSION,
    ProgressStatus,
    ProgressStore,
    default_data_dir,
    record_key,
)

PACK, VER = "k8s-basics", "0.1.0"


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("K8S_TUTOR_DATA_DIR", str(tmp_path))
    return tmp_path


def test_data_dir_env_override(data_dir):
    assert default_data_dir() == data_dir
    assert ProgressStore.open().path == data_dir / "progress.json"


def test_pass_is_saved_and_reloaded(data_dir):
    store = ProgressStore.open()
    store.record_attempt(PACK, VER, "env-namespaces")
    store.record_pass(PACK, VER, "env-namespaces")
    again = ProgressStore.open()
    rec = again.get(PACK, VER, "env-namespaces")
    assert rec.status is ProgressStatus.PASSED
    assert rec.attempts == 1
    assert rec.completed_at.endswith("Z")
    doc = json.loads((data_dir / "progress.json").read_text())
    assert doc["version"] == SCHEMA_VERSION
    assert record_key(PACK, VER, "env-namespaces") in doc["exercises"]


def test_pass_after_revealed_solution_is_counted_apart(data_dir):
    store = ProgressStore.open()
    store.record_hint(PACK, VER, "a", 2)
    store.record_hint(PACK, VER, "a", 1)  # re-reading an earlier hint keeps the highest level
    store.record_solution_revealed(PACK, VER, "a")
    store.record_pass(PACK, VER, "a")
    store.record_pass(PACK, VER, "b")
    rec = store.get(PACK, VER, "a")
    assert rec.status is ProgressStatus.PASSED_WITH_SOLUTION
    assert rec.hints_used == 2
    summary = store.summary(PACK, VER, ["a", "b", "c"])
    assert summary == {"passed": 1, "passed_with_solution": 1, "skipped": 0, "total": 3}


def test_skip_never_downgrades_a_pass(data_dir):
    store = ProgressStore.open()
    store.record_pass(PACK, VER, "a")
    store.record_skip(PACK, VER, "a")
    store.record_skip(PACK, VER, "b")
    assert store.get(PACK, VER, "a").status is ProgressStatus.PASSED
    assert store.get(PACK, VER, "b").status is ProgressStatus.SKIPPED


def test_records_are_keyed_by_pack_version(data_dir):
    store = ProgressStore.open()
    store.record_pass(PACK, "0.1.0", "a")
    assert store.get(PACK, "0.2.0", "a").status is ProgressStatus.PENDING


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        json.dumps({"version": 99, "exercises": {}}),
        json.dumps({"version": 1, "exercises": {"k": {"status": "won"}}}),
        '{"version": 1, "exercises": ' + "[" * 100_000 + "]" * 100_000 + "}",  # RecursionError in json
        json.dumps({"version": 1, "exercises": {"no-slash": {"status": "passed"}}}),
        json.dumps({"version": 1, "exercises": {"p@1/a": {"status": "passed", "time_spent": 1e999}}}),
    ],
)
def test_corrupt_file_is_moved_aside_and_store_starts_fresh(data_dir, content):
    path = data_dir / "progress.json"
    path.write_text(content)
    store = ProgressStore.open()
    assert store.records == {}
    assert "could not be read" in store.notice and "Starting fresh" in store.notice
    aside = list(data_dir.glob("progress.json.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_text() == content
    assert not path.exists()
    store.record_pass(PACK, VER, "a")
    assert ProgressStore.open().notice == ""


@pytest.mark.parametrize(
    "bad",
    [
        {"no-slash": {"status": "passed"}},  # a key that is not pack@version/exercise
        {f"{PACK}@{VER}/c": {"status": "won"}},
        {f"{PACK}@{VER}/c": {"status": "passed", "time_spent": 1e999}},
        {f"{PACK}@{VER}/c": "passed"},
    ],
)
def test_one_bad_record_costs_only_itself(data_dir, bad):
    """The readable records are kept and written back; the original is copied aside whole."""
    good = {record_key(PACK, VER, x): {"status": "passed", "attempts": 2} for x in ("a", "b")}
    content = json.dumps({"version": SCHEMA_VERSION, "exercises": {**good, **bad}})
    path = data_dir / "progress.json"
    path.write_text(content)
    store = ProgressStore.open()
    assert sorted(store.records) == sorted(good)
    assert store.get(PACK, VER, "a").status is ProgressStatus.PASSED
    assert "1 record of your progress file could not be read" in store.notice
    assert "the readable ones (2) are kept" in store.notice
    (aside,) = data_dir.glob("progress.json.corrupt-*")
    assert aside.read_text() == content and str(aside) in store.notice
    reopened = ProgressStore.open()  # the file now holds the two good records and reads cleanly
    assert reopened.notice == "" and sorted(reopened.records) == sorted(good)
    assert reopened.get(PACK, VER, "a").attempts == 2  # written back as read, not merged with itself


def test_the_corrupt_file_notice_speaks_the_learners_language(data_dir):
    from tutor.i18n import set_language

    (data_dir / "progress.json").write_text(
        json.dumps({"version": 1, "exercises": {"x@1/a": {"status": "passed"}, "x@1/b": {}, "bad": {}}})
    )
    store = ProgressStore.open()  # opened before the language is set, as `k8s-tutor start` does
    try:
        set_language("zh")
        assert "无法读取" in store.notice and "record" not in store.notice
    finally:
        set_language("en")
    assert "could not be read" in store.notice


def test_time_spent_accumulates(data_dir):
    store = ProgressStore.open()
    store.add_time(PACK, VER, "a", 30)
    store.add_time(PACK, VER, "a", 12.34)
    store.add_time(PACK, VER, "a", -5)  # a clock step backwards never subtracts
    assert store.get(PACK, VER, "a").time_spent == 42.3


def test_reset_by_pack_and_all(data_dir):
    store = ProgressStore.open()
    store.record_pass(PACK, VER, "a")
    store.record_pass("other", "1.0", "x")
    assert store.reset("k8s-basics") == 1
    assert store.get("other", "1.0", "x").done
    assert store.reset(None) == 1
    assert ProgressStore.open().records == {}


def test_cli_export_import_roundtrip(data_dir, tmp_path, capsys):
    store = ProgressStore.open()
    store.record_solution_revealed(PACK, VER, "a")
    store.record_pass(PACK, VER, "a")
    out = tmp_path / "export.json"
    assert main(["progress", "export", str(out)]) == 0
    assert main(["progress", "reset", "--all", "--yes"]) == 0
    assert ProgressStore.open().records == {}
    assert main(["progress", "import", str(out)]) == 0
    assert ProgressStore.open().get(PACK, VER, "a").status is ProgressStatus.PASSED_WITH_SOLUTION
    capsys.readouterr()
    assert main(["progress", "show"]) == 0
    shown = capsys.readouterr().out
    assert "k8s-basics@0.1.0" in shown and "passed with solution" in shown


def test_import_never_downgrades_and_rejects_non_progress(data_dir, tmp_path, capsys):
    store = ProgressStore.open()
    store.record_pass(PACK, VER, "a")
    weaker = tmp_path / "weaker.json"
    weaker.write_text(
        json.dumps({"version": 1, "exercises": {record_key(PACK, VER, "a"): {"status": "skipped"}}})
    )
    assert main(["progress", "import", str(weaker)]) == 0
    assert ProgressStore.open().get(PACK, VER, "a").status is ProgressStatus.PASSED
    bad = tmp_path / "bad.json"
    bad.write_text('{"hello": 1}')
    assert main(["progress", "import", str(bad)]) == 2
    assert "not a k8s-tutor progress file" in capsys.readouterr().err
    broken = tmp_path / "broken.json"
    broken.write_text("{\n  oops")
    assert main(["progress", "import", str(broken)]) == 2
    assert f"{broken}:2: not JSON" in capsys.readouterr().err


def test_cli_reset_needs_a_target(data_dir, capsys):
    assert main(["progress", "reset"]) == 2
    assert "--all" in capsys.readouterr().err


def test_unwritable_file_raises_unless_a_front_end_takes_the_error(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the data dir should be")
    store = ProgressStore.open(blocker / "progress.json")
    with pytest.raises(OSError):
        store.record_pass(PACK, VER, "a")
    seen: list[OSError] = []
    store.on_save_error = seen.append
    store.record_pass(PACK, VER, "b")
    assert len(seen) == 1 and store.get(PACK, VER, "b").done  # kept in memory


def test_show_lists_exercises_in_course_order_not_alphabetically(data_dir, capsys):
    store = ProgressStore.open()
    for exercise in (
        "namespaces-env",
        "labels-edit",
        "deployments-scale",
    ):  # the course: namespaces, labels, deployments
        store.record_pass(PACK, VER, exercise)
    assert main(["progress", "show"]) == 0
    shown = capsys.readouterr().out
    assert shown.index("namespaces-env") < shown.index("labels-edit") < shown.index("deployments-scale")


def test_progress_speaks_the_language_picked_in_the_app(data_dir, capsys, monkeypatch):
    from tutor.store.settings import save_setting

    store = ProgressStore.open()
    store.record_hint(PACK, VER, "a", 1)
    store.record_solution_revealed(PACK, VER, "a")
    store.record_pass(PACK, VER, "a")
    assert main(["progress", "show"]) == 0
    english = capsys.readouterr().out
    assert "Progress file:" in english and "passed with solution" in english
    save_setting("language", "zh")  # what the palette's "Switch language" saves
    assert main(["progress", "show"]) == 0
    chinese = capsys.readouterr().out
    assert "进度文件：" in chinese and "借助答案通过" in chinese and "1 个提示" in chinese
    assert "Progress file" not in chinese and "hint(s)" not in chinese
    assert main(["progress", "show", "--json"]) == 0
    assert '"passed_with_solution"' in capsys.readouterr().out  # machine-readable stays as stored
    save_setting("language", "en")
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")  # the saved choice wins over the locale
    assert main(["progress", "show"]) == 0
    assert "Progress file:" in capsys.readouterr().out
