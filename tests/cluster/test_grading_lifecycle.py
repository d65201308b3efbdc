"""Exercise lifecycle and ``pack test`` on the sim cluster."""

from __future__ import annotations

import json
import secrets
import textwrap
import time
from pathlib import Path

import pytest

from tutor.cli import main
from tutor.grading import lifecycle
from tutor.grading.cache import RoundCache
from tutor.grading.context import CheckContext
from tutor.model import Exercise, SolutionStep

pytestmark = pytest.mark.cluster

SEED = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: seed}\ndata: {a: '1'}\n"


def test_start_reset_cleanup(cluster):
    ns = f"t-lifecycle-{secrets.token_hex(3)}"
    ex = Exercise(
        id="life",
        title="t",
        task="",
        checks=(),
        namespace=ns,
        setup=(SolutionStep(manifest=SEED),),
        solution=(SolutionStep(kubectl="create configmap mine --from-literal=b=2"),),
        cleanup=(
            {"apiVersion": "v1", "kind": "Node", "name": "k8s-tutor-worker", "label": "lifecycle-test"},
        ),
    )
    writer = cluster.writer()
    try:
        run = lifecycle.start_exercise(writer, None, ex)
        labels = cluster.read.get("v1", "Namespace", ns)["metadata"]["labels"]
        assert (
            labels["app.kubernetes.io/managed-by"] == "k8s-tutor"
            and labels["k8s-tutor.io/exercise"] == "life"
        )
        seed = cluster.read.get("v1", "ConfigMap", "seed", ns)
        ctx = CheckContext(RoundCache(cluster.read), ns, run.started_at, run.snapshot)
        assert ctx.snapshot_uid("v1", "ConfigMap", "seed") == seed["metadata"]["uid"]
        assert not ctx.created_after_start(seed)
        time.sleep(1.1)  # creationTimestamp has one-second resolution
        lifecycle.apply_solution(writer, ex)
        writer.kubectl(["label", "node", "k8s-tutor-worker", "lifecycle-test=yes"])
        mine = CheckContext(RoundCache(cluster.read), ns, run.started_at, run.snapshot).get(
            "v1", "ConfigMap", "mine"
        )
        assert ctx.created_after_start(mine) and mine["data"] == {"b": "2"}

        again = lifecycle.reset_exercise(writer, None, ex)
        assert cluster.read.get("v1", "ConfigMap", "mine", ns) is None
        new_uid = cluster.read.get("v1", "ConfigMap", "seed", ns)["metadata"]["uid"]
        assert new_uid != seed["metadata"]["uid"] and again.started_at > run.started_at
        node = cluster.read.get("v1", "Node", "k8s-tutor-worker")
        assert "lifecycle-test" not in node["metadata"]["labels"]  # cleanup undid the label, node kept
    finally:
        lifecycle.cleanup_exercise(writer, ex)
    assert cluster.read.get("v1", "Namespace", ns) is None


def write_pack(root: Path, suffix: str) -> Path:
    """A pack with a good exercise, two broken ones and one the sim cannot run."""
    root.mkdir()
    (root / "pack.yaml").write_text(
        "format_version: 1\nid: pt\ntitle: pack test fixture\nversion: 0.1.0\nlessons: [jobs]\n"
        "defaults: {timeout: 8, poll: 0.5}\n"
    )
    (root / "jobs.md").write_text(
        textwrap.dedent(f"""\
        ---
        id: jobs
        title: Jobs
        order: 1
        ---

        # Jobs

        ## Exercise: Good

        ```yaml exercise
        id: good
        namespace: pt-good-{suffix}
        checks:
          - check: match
            args: {{apiVersion: v1, kind: ConfigMap, name: backup-job, match: {{data: {{when: nightly}}}}}}
            title: ConfigMap backup-job says nightly
          - check: absent
            args: {{apiVersion: v1, kind: ConfigMap, name: old, hold: 1}}
            title: ConfigMap old is gone
        setup:
          - manifest: "apiVersion: v1\\nkind: ConfigMap\\nmetadata: {{name: old}}\\n"
        ```

        Replace `old` with `backup-job`.

        ### Solution

        ```bash solution
        kubectl delete configmap old
        kubectl create configmap backup-job --from-literal=when=nightly
        ```

        ## Exercise: Drifted name

        ```yaml exercise
        id: drifted
        namespace: pt-drifted-{suffix}
        checks:
          - check: match
            args: {{apiVersion: v1, kind: ConfigMap, name: hello-job}}
            title: ConfigMap hello-job exists
        ```

        Create `backup-job`.

        ### Solution

        ```bash solution
        kubectl create configmap backup-job --from-literal=when=nightly
        ```

        ## Exercise: Cannot fail

        ```yaml exercise
        id: vacuous
        namespace: pt-vacuous-{suffix}
        checks:
          - check: match
            args: {{apiVersion: v1, kind: Namespace, name: pt-vacuous-{suffix}}}
            title: the namespace exists
        ```

        Anything.

        ### Solution

        ```bash solution
        kubectl create configmap x
        ```

        ## Exercise: Needs containers

        ```yaml exercise
        id: logs
        namespace: pt-logs-{suffix}
        requires: [api, containers]
        checks:
          - check: match
            args: {{apiVersion: v1, kind: Pod, name: web}}
        ```

        Run it.

        ### Solution

        ```bash solution
        kubectl run web --image=nginx:1.25
        ```
        """)
    )
    return root


def test_pack_test_catches_drift_and_vacuous_checks(sim_cluster, cluster, tmp_path, capsys):
    suffix = secrets.token_hex(3)
    pack = write_pack(tmp_path / "pack", suffix)
    out = tmp_path / "report.json"
    cluster_options = ["--context", sim_cluster.context, "--kubeconfig", str(sim_cluster.kubeconfig)]
    args = ["pack", "test", str(pack), *cluster_options, "--jobs", "3"]
    assert main([*args, "--format", "json", "--output", str(out)]) == 1
    data = {e["exercise"]: e for e in json.loads(out.read_text())["exercises"]}
    assert data["good"]["status"] == "pass"
    assert all("fails at start" in c["message"] for c in data["good"]["checks"])
    drifted = data["drifted"]["checks"][0]
    assert drifted["status"] == "timeout" and "with the reference solution applied" in drifted["message"]
    assert f"ConfigMap hello-job not found in namespace pt-drifted-{suffix}" in drifted["message"]
    vacuous = data["vacuous"]["checks"][0]
    assert (
        vacuous["status"] == "fail"
        and "passes before the reference solution is applied" in vacuous["message"]
    )
    assert data["logs"]["status"] == "skipped" and "needs containers" in data["logs"]["skipped_reason"]
    for ex in ("good", "drifted", "vacuous"):  # cleaned up (namespace deletion is not waited for at the end)
        left = cluster.read.get("v1", "Namespace", f"pt-{ex}-{suffix}")
        assert left is None or left["metadata"].get("deletionTimestamp")
    assert main([*args, "--exercise", "good", "--format", "text"]) == 0
    assert "1 passed, 0 failed, 0 errors, 0 skipped" in capsys.readouterr().out
