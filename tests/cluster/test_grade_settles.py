"""``grade`` ends still-failing checks once the cluster has settled, and only then (tutor.grading.settle).

On the real sim cluster: an untouched lesson is graded in seconds instead of its 20-60 s timeouts, every
check saying why it ended early; a correct answer that is still converging (a namespace still
terminating) is waited for and passes; ``--full-timeouts`` keeps the old behaviour.
"""

from __future__ import annotations

import json
import time

import pytest

from tutor.cli import main
from tutor.content import resolve_pack
from tutor.grading.lifecycle import cleanup_exercise

pytestmark = pytest.mark.cluster


@pytest.fixture
def grade(sim_cluster, tmp_path, monkeypatch):
    monkeypatch.setenv("K8S_TUTOR_DATA_DIR", str(tmp_path / "data"))
    where = ["--kubeconfig", str(sim_cluster.kubeconfig), "--context", sim_cluster.context]

    def run(*args: str) -> tuple[int, dict, float]:
        out = tmp_path / "report.json"
        started = time.monotonic()
        code = main(["grade", *args, *where, "--format", "json", "--output", str(out)])
        return code, json.loads(out.read_text()), time.monotonic() - started

    return run, where


def test_an_untouched_exercise_fails_in_seconds_saying_why(grade, capsys):
    run, _ = grade
    code, report, seconds = run("--exercise", "namespaces-place")  # checks time out after 20 s
    assert code == 1
    assert seconds < 15, seconds
    checks = report["exercises"][0]["checks"]
    assert checks and all(c["status"] == "fail" and "grading ended early" in c["message"] for c in checks)
    assert "waiting: namespaces-place:" in capsys.readouterr().err  # a CI log is never silent


def test_full_timeouts_still_wait(grade):
    run, _ = grade
    code, report, seconds = run("--exercise", "namespaces-env", "--timeout", "8", "--full-timeouts")
    assert code == 1 and seconds >= 8
    assert all(c["status"] == "timeout" for c in report["exercises"][0]["checks"])


def test_a_correct_answer_still_converging_is_waited_for(grade, cluster):
    run, where = grade
    exercise = resolve_pack(None).exercise("namespaces-delete")
    try:
        assert main(["setup", "--exercise", exercise.id, *where]) == 0
        cluster.writer().kubectl(["delete", "namespace", "scratch", "--wait=false"])
        code, report, _ = run("--exercise", exercise.id)
        assert code == 0, report["exercises"][0]["checks"]
    finally:
        cleanup_exercise(cluster.writer(), exercise)
