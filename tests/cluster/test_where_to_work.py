"""Where do I work? Starting an exercise points the learner's kubectl at its namespace.

On the real sim cluster: after the tutor starts ``labels-edit``, the lesson's own command
``kubectl label pod web-1 tier=frontend`` — no ``-n`` — works from another terminal (the kubeconfig's
current context, the one ``cluster up`` wrote), and the tutor's own kubectl steps still default to
``default``, not to the namespace it just set.
"""

from __future__ import annotations

import subprocess

import pytest

from tutor.cluster import kubeconfig
from tutor.cluster.paths import find_kubectl
from tutor.cluster.target import ClusterTarget
from tutor.content import resolve_pack
from tutor.grading.lifecycle import cleanup_exercise
from tutor.practice.cluster_session import ClusterSession
from tutor.practice.practice_session import PracticeSession
from tutor.store.progress import ProgressStore

pytestmark = pytest.mark.cluster


@pytest.fixture
def learner_kubectl(sim_cluster):
    if not sim_cluster.started_here:
        pytest.skip("a reused cluster's context is not the tutor's: nothing is pointed (see the notice test)")
    path = sim_cluster.kubeconfig

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(find_kubectl()), "--kubeconfig", str(path), *args],
            capture_output=True,
            text=True,
            timeout=60,
        )

    yield run
    kubeconfig.set_context_namespace(path, sim_cluster.context, "default")


def test_the_lessons_command_works_without_n_after_the_exercise_starts(
    sim_cluster, cluster, learner_kubectl, tmp_path
):
    pack = resolve_pack(None)
    exercise = pack.exercise("labels-edit")
    target = ClusterTarget(str(sim_cluster.kubeconfig), sim_cluster.context)
    try:
        with ClusterSession(target) as session:
            practice = PracticeSession(session, ProgressStore.open(tmp_path / "p.json"), pack, exercise)
            notice = practice.start()
        assert notice == f"kubectl (context {sim_cluster.context}) now works in namespace labels-edit"
        done = learner_kubectl("label", "pod", "web-1", "tier=frontend")
        assert done.returncode == 0, done.stderr
        pod = cluster.read.get("v1", "Pod", "web-1", "labels-edit")
        assert pod["metadata"]["labels"]["tier"] == "frontend"
        # the tutor's own steps without a namespace still mean "default"
        cluster.writer().kubectl(["create", "configmap", "where-test"])
        assert cluster.read.get("v1", "ConfigMap", "where-test", "default") is not None
    finally:
        cluster.writer().kubectl(["delete", "configmap", "where-test", "--ignore-not-found"])
        cleanup_exercise(cluster.writer(), exercise)


def test_set_context_namespace_changes_only_that_context(tmp_path):
    path = tmp_path / "config"
    path.write_text(
        "apiVersion: v1\nkind: Config\nclusters: []\nusers: []\ncurrent-context: a\n"
        "contexts:\n- {name: a, context: {cluster: a, user: a}}\n"
        "- {name: b, context: {cluster: b, user: b}}\n"
    )
    assert kubeconfig.set_context_namespace(path, "a", "labels-edit")
    assert not kubeconfig.set_context_namespace(path, "missing", "x")
    text = path.read_text()
    assert "namespace: labels-edit" in text and text.count("namespace:") == 1


def test_reopening_an_exercise_keeps_the_learners_work_and_reset_starts_over(
    sim_cluster, cluster, tmp_path, monkeypatch
):
    """Setup runs once per start or reset: opening the exercise again (even after an app restart) resumes."""
    monkeypatch.setenv("K8S_TUTOR_DATA_DIR", str(tmp_path / "data"))
    pack = resolve_pack(None)
    exercise = pack.exercise("labels-edit")
    target = ClusterTarget(str(sim_cluster.kubeconfig), sim_cluster.context)
    store = ProgressStore.open(tmp_path / "p.json")

    def labels() -> dict:
        return cluster.read.get("v1", "Pod", "web-1", "labels-edit")["metadata"]["labels"]

    try:
        with ClusterSession(target) as first:
            PracticeSession(first, store, pack, exercise).start()
        cluster.writer().kubectl(["label", "pod", "web-1", "temp-"], namespace="labels-edit")
        with ClusterSession(target) as after_restart:
            PracticeSession(after_restart, store, pack, exercise).start()
            assert "temp" not in labels()  # setup (which sets temp=yes) did not run again over the work
            after_restart.reset_exercise(pack, exercise)
            assert labels().get("temp") == "yes"  # reset: a fresh setup
    finally:
        cleanup_exercise(cluster.writer(), exercise)
