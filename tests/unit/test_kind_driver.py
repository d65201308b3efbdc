"""The kind driver's commands and error paths, against stand-in docker/kind/kubectl executables.

kind cannot run on the project's machines (no Docker engine), so tests/data/fake-kind/ records
every call; the assertions check the exact commands a learner's machine would run.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest
import yaml

from tutor.cli import main
from tutor.cluster import kind, records
from tutor.cluster.kubeconfig import current_context

REPO = Path(__file__).resolve().parents[2]


def test_up_creates_the_cluster_from_the_pinned_config_and_waits_for_ready_nodes(fake_tools):
    rec = kind.up(timeout=120)
    (create,) = [c for c in fake_tools.calls("kind") if c[:2] == ["create", "cluster"]]
    assert create == [
        "create",
        "cluster",
        "--name",
        "k8s-tutor",
        "--config",
        str(REPO / "kind" / "cluster.yaml"),
        "--wait",
        "120s",
        "--kubeconfig",
        str(fake_tools.kubeconfig),
    ]
    kubectl = fake_tools.calls("kubectl")
    assert kubectl == [
        [
            "--kubeconfig",
            str(fake_tools.kubeconfig),
            "--context",
            "kind-k8s-tutor",
            "wait",
            "--for=condition=Ready",
            "nodes",
            "--all",
            "--timeout=120s",
        ]
    ]
    assert rec == records.load("kind", "k8s-tutor")
    assert (rec.context, rec.server) == ("kind-k8s-tutor", "https://127.0.0.1:6443")
    assert current_context(fake_tools.kubeconfig) == "kind-k8s-tutor"


def test_up_reuses_an_existing_cluster(fake_tools, monkeypatch):
    monkeypatch.setenv("FAKE_KIND_CLUSTERS", "other,k8s-tutor")
    kind.up()
    kind_calls = fake_tools.calls("kind")
    assert not [c for c in kind_calls if c[0] == "create"]
    assert [
        "export",
        "kubeconfig",
        "--name",
        "k8s-tutor",
        "--kubeconfig",
        str(fake_tools.kubeconfig),
    ] in kind_calls


def test_addons_apply_the_pinned_manifest_then_patch_and_wait(fake_tools):
    kind.up(addons=["metrics-server"])
    tail = [c[4:] for c in fake_tools.calls("kubectl")[1:]]
    assert tail[0] == [
        "apply",
        "-f",
        "https://github.com/kubernetes-sigs/metrics-server/releases/download/v0.8.1/components.yaml",
    ]
    assert tail[1][:5] == ["-n", "kube-system", "patch", "deployment", "metrics-server"]
    assert "--kubelet-insecure-tls" in tail[1][-1]
    assert tail[2] == [
        "-n",
        "kube-system",
        "rollout",
        "status",
        "deployment/metrics-server",
        "--timeout=300s",
    ]


def test_unknown_addon_fails_before_anything_runs(fake_tools):
    with pytest.raises(kind.KindError, match="unknown addon 'nginx'; available: ingress, metrics-server"):
        kind.up(addons=["nginx"])
    assert fake_tools.calls() == []


class UpFailure(NamedTuple):
    """One way ``kind.up`` fails and what it must leave behind."""

    message: str  # the error it must give
    tools: tuple[str, ...] | None = None  # the stand-ins on PATH (None: docker, kind and kubectl)
    env: dict[str, str] = {}  # a stand-in's failure switch
    kind_ran: bool = False
    recorded: bool = False  # kept once kind created it, so `cluster down` can remove a half-ready one


UP_FAILURES = {
    "missing-docker-points-to-the-sim-driver": UpFailure(
        r"(?s)docker not found on PATH.*--driver sim", tools=("kind", "kubectl")
    ),
    "docker-engine-down-is-explained": UpFailure(
        r"(?s)engine does not answer.*Is the docker daemon running", env={"FAKE_DOCKER": "down"}
    ),
    "missing-kind-gives-the-install-command": UpFailure(
        r"kind not found on PATH.*go install sigs.k8s.io/kind@v0.32.0", tools=("docker", "kubectl")
    ),
    "create-failure-shows-kinds-output": UpFailure(
        r"(?s)kind create cluster failed.*node\(s\) already exist",
        env={"FAKE_KIND_FAIL": "create"},
        kind_ran=True,
    ),
    "nodes-not-ready-is-an-error": UpFailure(
        r"(?s)waiting for Ready nodes failed.*timed out",
        env={"FAKE_KUBECTL_FAIL": "wait"},
        kind_ran=True,
        recorded=True,
    ),
}


@pytest.mark.parametrize("case", UP_FAILURES.values(), ids=UP_FAILURES.keys())
def test_up_failure_is_explained(fake_tools, monkeypatch, case: UpFailure):
    if case.tools is not None:
        fake_tools.use(*case.tools)
    for var, value in case.env.items():
        monkeypatch.setenv(var, value)
    with pytest.raises(kind.KindError, match=case.message):
        kind.up()
    assert bool(fake_tools.calls("kind")) == case.kind_ran
    assert (records.load("kind", "k8s-tutor") is not None) == case.recorded


def test_no_switch_keeps_the_previous_current_context(fake_tools):
    fake_tools.kubeconfig.parent.mkdir(parents=True)
    fake_tools.kubeconfig.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "current-context": "work",
                "contexts": [{"name": "work", "context": {"cluster": "w"}}],
            }
        )
    )
    kind.up(make_current=False)
    assert current_context(fake_tools.kubeconfig) == "work"


def test_down_deletes_with_the_recorded_kubeconfig_and_forgets_the_cluster(fake_tools):
    kind.up()
    kind.down()
    assert [
        "delete",
        "cluster",
        "--name",
        "k8s-tutor",
        "--kubeconfig",
        str(fake_tools.kubeconfig),
    ] in fake_tools.calls("kind")
    assert records.load("kind", "k8s-tutor") is None


def test_cli_exit_codes(fake_tools, monkeypatch, capsys):
    assert main(["cluster", "up", "--driver", "kind"]) == 0
    assert "kind cluster 'k8s-tutor' is up: context kind-k8s-tutor" in capsys.readouterr().out
    monkeypatch.setenv("FAKE_KIND_CLUSTERS", "k8s-tutor")
    assert main(["cluster", "status", "--driver", "kind"]) == 0
    out = capsys.readouterr().out
    assert "version v1.36.1" in out and "k8s-tutor-worker2" in out
    monkeypatch.setenv("FAKE_DOCKER", "down")
    monkeypatch.delenv("FAKE_KIND_CLUSTERS")
    assert main(["cluster", "up", "--driver", "kind", "--name", "other"]) == 2
    assert "engine does not answer" in capsys.readouterr().err
