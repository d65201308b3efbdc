"""The run store: runs saved by ``setup`` come back intact for ``grade``; a broken file is skipped."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from tutor.grading.lifecycle import ExerciseRun
from tutor.store.runs import RunStore


def _run(exercise_id: str = "namespaces-delete") -> ExerciseRun:
    return ExerciseRun(
        exercise_id,
        "ex-namespaces-delete",
        datetime(2026, 11, 27, 8, 0, 5, tzinfo=UTC),
        {
            ("v1", "Namespace", None, "scratch"): {"uid": "u-1", "resourceVersion": "42"},
            ("apps/v1", "Deployment", "ex-namespaces-delete", "web"): {"uid": "u-2", "generation": 3},
        },
    )


def test_a_saved_run_loads_back_equal(tmp_path):
    store = RunStore(tmp_path)
    path = store.save("kind-k8s-tutor", "k8s-basics", _run())
    assert path.is_file() and path.is_relative_to(tmp_path)
    assert RunStore(tmp_path).load("kind-k8s-tutor", "k8s-basics", "namespaces-delete") == _run()


def test_runs_are_kept_apart_per_context_and_pack(tmp_path):
    store = RunStore(tmp_path)
    store.save("ctx-a", "pack", _run())
    assert store.load("ctx-b", "pack", "namespaces-delete") is None
    assert store.load("ctx-a", "other-pack", "namespaces-delete") is None
    assert store.load_many("ctx-a", "pack", ["namespaces-delete", "never-set-up"]) == {
        "namespaces-delete": _run()
    }


def test_contexts_with_path_characters_get_distinct_files(tmp_path):
    store = RunStore(tmp_path)
    a = store.path("arn:aws:eks/prod", "p", "e")
    b = store.path("arn_aws_eks_prod", "p", "e")
    assert a != b and a.parent.parent.parent == tmp_path  # no '/' or ':' escapes into the path


def test_the_data_dir_env_variable_moves_the_store(tmp_path, monkeypatch):
    monkeypatch.setenv("K8S_TUTOR_DATA_DIR", str(tmp_path))
    RunStore().save("ctx", "pack", _run())
    assert (tmp_path / "runs" / "ctx" / "pack" / "namespaces-delete.json").is_file()


@pytest.mark.parametrize(
    "content, reason",
    [
        ("{not json", "Expecting property name"),
        ("[1, 2]", "expected an object, got list"),
        ('{"version": 99, "exercise": "namespaces-delete", "run": {}}', "version: expected 1"),
        ('{"version": 1, "exercise": "other", "run": {}}', "exercise: expected 'namespaces-delete'"),
        ('{"version": 1, "exercise": "namespaces-delete", "run": {"started_at": "soon"}}', "started_at"),
        (
            '{"version": 1, "exercise": "namespaces-delete",'
            ' "run": {"started_at": "2026-01-01T00:00:00+00:00", "snapshot": [[1, 2]]}}',
            "snapshot",
        ),
    ],
)
def test_a_corrupt_file_is_ignored_with_a_warning(tmp_path, caplog, content, reason):
    store = RunStore(tmp_path)
    path = store.save("ctx", "pack", _run())
    path.write_text(content)
    with caplog.at_level(logging.WARNING, logger="tutor.store.runs"):
        assert store.load("ctx", "pack", "namespaces-delete") is None
    assert len(caplog.records) == 1
    message = caplog.records[0].getMessage()
    assert str(path) in message and "corrupt" in message and reason in message
