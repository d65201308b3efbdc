"""``setup``, ``solve`` and ``grade`` as a CI job runs them, through the CLI entry point.

``namespaces-delete`` is the exercise QA could not grade headlessly: its setup creates the
namespaces ``scratch`` and ``archive``, and its check compares ``archive`` with the start snapshot.
"""

from __future__ import annotations

import json

import pytest
import yaml

from tutor.cli import main
from tutor.cluster.guard import ALLOW_ENV
from tutor.content import resolve_pack
from tutor.grading.lifecycle import cleanup_exercise

pytestmark = pytest.mark.cluster

EXERCISE = "namespaces-delete"


@pytest.fixture
def cli(sim_cluster, cluster, tmp_path, monkeypatch):
    """Run ``k8s-tutor CMD --exercise namespaces-delete`` on the session cluster with a private data dir.

    ``cluster`` gives write permission the way every cluster test gets it (the tutor created the
    context, or the fixture named it in the allow variable); the exercise is cleaned up afterwards.
    """
    monkeypatch.setenv("K8S_TUTOR_DATA_DIR", str(tmp_path / "data"))
    target = ["--exercise", EXERCISE, "--kubeconfig", str(sim_cluster.kubeconfig)]

    def run(command: str, *extra: str) -> int:
        return main([command, *target, "--context", sim_cluster.context, *extra])

    yield run
    cleanup_exercise(cluster.writer(), resolve_pack(None).exercise(EXERCISE))


def test_setup_then_grade_fails_and_solve_then_grade_passes(cli, cluster, tmp_path, capsys):
    assert cli("setup") == 0
    out = capsys.readouterr().out
    assert f"{EXERCISE} (cluster scope) on {cluster.context}" in out
    saved = json.loads(next((tmp_path / "data" / "runs").rglob(f"{EXERCISE}.json")).read_text())
    assert saved["context"] == cluster.context and saved["exercise"] == EXERCISE
    archive_uid = cluster.read.get("v1", "Namespace", "archive")["metadata"]["uid"]
    snapshot = {tuple(entry[:4]): entry[4] for entry in saved["run"]["snapshot"]}
    assert snapshot[("v1", "Namespace", None, "archive")]["uid"] == archive_uid
    assert cluster.read.get("v1", "ConfigMap", "tmp-cfg", "scratch") is not None

    assert cli("grade", "--timeout", "2", "--format", "json") == 1
    report = json.loads(capsys.readouterr().out)
    assert report["meta"]["started_runs"] == {EXERCISE: saved["run"]["started_at"]}
    assert report["exercises"][0]["checks"][0]["status"] == "fail"
    assert "Namespace scratch still exists" in report["exercises"][0]["checks"][0]["message"]

    assert cli("solve") == 0
    assert f"solved {EXERCISE} on {cluster.context}: 1 step(s)" in capsys.readouterr().out
    assert cli("grade", "--timeout", "60") == 0
    assert "1 passed, 0 failed" in capsys.readouterr().out


def test_grade_compares_with_the_start_snapshot_that_setup_saved(cli, cluster, tmp_path, monkeypatch, capsys):
    assert cli("setup") == 0
    writer = cluster.writer()
    for name in ("scratch", "archive"):  # delete both, then put an empty archive back
        writer.delete_namespace(name, wait=True)
    writer.ensure_namespace("archive")
    capsys.readouterr()

    assert cli("grade", "--timeout", "2") == 1
    assert "Namespace archive was deleted and recreated" in capsys.readouterr().out

    monkeypatch.setenv("K8S_TUTOR_DATA_DIR", str(tmp_path / "empty"))  # no saved run: no snapshot
    assert cli("grade", "--timeout", "2") == 0


def test_setup_again_resets_the_exercise(cli, cluster, capsys):
    assert cli("setup") == 0
    first = cluster.read.get("v1", "Namespace", "archive")["metadata"]["uid"]
    assert cli("setup") == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith(f"reset {EXERCISE}")
    assert cluster.read.get("v1", "Namespace", "archive")["metadata"]["uid"] != first


def test_solve_before_setup_names_the_missing_namespace(sim_cluster, cluster, capsys):
    cluster.writer().delete_namespace("labels-edit", wait=True)  # the exercise was never set up
    args = ["--kubeconfig", str(sim_cluster.kubeconfig), "--context", sim_cluster.context]
    assert main(["solve", "--exercise", "labels-edit", *args]) == 2
    err = capsys.readouterr().err
    assert "namespace labels-edit does not exist; run `k8s-tutor setup --exercise labels-edit` first" in err


@pytest.fixture
def foreign(sim_cluster, tmp_path, monkeypatch):
    """The session cluster under a context name the tutor never recorded, no allow variable."""
    monkeypatch.delenv(ALLOW_ENV, raising=False)
    monkeypatch.setenv("K8S_TUTOR_DATA_DIR", str(tmp_path / "data"))
    data = yaml.safe_load(sim_cluster.kubeconfig.read_text())
    data["contexts"] = [
        {"name": "someones-prod", "context": c["context"]}
        for c in data["contexts"]
        if c["name"] == sim_cluster.context
    ]
    data["current-context"] = "someones-prod"
    path = tmp_path / "foreign"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.mark.parametrize("command", ["setup", "solve"])
def test_a_foreign_context_is_refused_even_when_selected(foreign, tmp_path, capsys, command):
    selected = ["--exercise", EXERCISE, "--kubeconfig", str(foreign), "--context", "someones-prod"]
    assert main([command, *selected]) == 2
    assert "refusing to change context 'someones-prod'" in capsys.readouterr().err
    assert not (tmp_path / "data" / "runs").exists()  # nothing was set up, so nothing saved


def test_setup_refuses_to_reset_a_namespace_another_exercise_works_in(
    sim_cluster, cluster, tmp_path, monkeypatch, capsys
):
    from pathlib import Path

    monkeypatch.setenv("K8S_TUTOR_DATA_DIR", str(tmp_path / "data"))
    pack = Path(__file__).resolve().parents[1] / "data" / "packs" / "shared-namespace"
    where = [
        "--pack",
        str(pack),
        "--kubeconfig",
        str(sim_cluster.kubeconfig),
        "--context",
        sim_cluster.context,
    ]
    try:
        assert main(["setup", "--exercise", "one-task", *where]) == 0
        cluster.writer().kubectl(["create", "configmap", "learner-work"], namespace="shared")
        capsys.readouterr()
        assert main(["setup", "--exercise", "two-task", *where]) == 2
        assert "one-task also works in" in capsys.readouterr().err
        assert cluster.read.get("v1", "ConfigMap", "learner-work", "shared") is not None  # nothing lost
        assert main(["setup", "--exercise", "two-task", "--force", *where]) == 0
    finally:
        cluster.writer().delete_namespace("shared", wait=True)


def test_setup_and_solve_speak_the_language_picked_in_the_app(cli, cluster, capsys):
    from tutor.store.settings import save_setting

    save_setting("language", "zh")  # what the TUI's "Switch language / 中文" saves
    assert cli("setup") == 0
    assert f"{EXERCISE}（集群范围）" in capsys.readouterr().out
    assert cli("solve") == 0
    assert f"已在 {cluster.context} 上解答 {EXERCISE}：执行了 1 个步骤" in capsys.readouterr().out
