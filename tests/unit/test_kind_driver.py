"""The kind driver's commands and error paths, against stand-in docker/kind/kubectl executables.

kind cannot run on the project's machines (no Docker engine), so tests/data/fake-kind/ records
every call; the assertions check the exact commands a learner's machine would run.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
import yaml

from tutor.cli import main
from tutor.cluster import kind, registry
from tutor.cluster.kubeconfig import current_context

FAKES = Path(__file__).resolve().parents[1] / "data" / "fake-kind"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def fake_env(tmp_path, monkeypatch):
    """PATH holding only the chosen stand-ins; isolated kubeconfig, state dir and call log."""

    def use(*tools: str) -> Path:
        bindir = tmp_path / "bin"
        shutil.rmtree(bindir, ignore_errors=True)
        bindir.mkdir()
        for tool in tools:
            wrapper = bindir / tool
            wrapper.write_text(f'#!/bin/sh\nexec "{FAKES / tool}" "$@"\n')
            wrapper.chmod(0o755)
        monkeypatch.setenv("PATH", str(bindir))
        return bindir

    log = tmp_path / "calls.jsonl"
    log.touch()
    monkeypatch.setenv("FAKE_LOG", str(log))
    monkeypatch.setenv("FAKE_PYTHON", sys.executable)
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "kube" / "config"))
    monkeypatch.setenv("K8S_TUTOR_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("K8S_TUTOR_CACHE", str(tmp_path / "no-cache"))  # no sim-built kubectl either
    for var in ("FAKE_DOCKER", "FAKE_KIND_CLUSTERS", "FAKE_KIND_FAIL", "FAKE_KUBECTL_FAIL"):
        monkeypatch.delenv(var, raising=False)

    def calls(tool: str | None = None) -> list[list[str]]:
        rows = [json.loads(line) for line in log.read_text().splitlines()]
        return [r["argv"] for r in rows if tool is None or r["tool"] == tool]

    use("docker", "kind", "kubectl")
    return type(
        "Env",
        (),
        {"use": staticmethod(use), "calls": staticmethod(calls), "kubeconfig": tmp_path / "kube" / "config"},
    )


def test_up_creates_the_cluster_from_the_pinned_config_and_waits_for_ready_nodes(fake_env):
    rec = kind.up(timeout=120)
    (create,) = [c for c in fake_env.calls("kind") if c[:2] == ["create", "cluster"]]
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
        str(fake_env.kubeconfig),
    ]
    kubectl = fake_env.calls("kubectl")
    assert kubectl == [
        [
            "--kubeconfig",
            str(fake_env.kubeconfig),
            "--context",
            "kind-k8s-tutor",
            "wait",
            "--for=condition=Ready",
            "nodes",
            "--all",
            "--timeout=120s",
        ]
    ]
    assert rec == registry.load("kind", "k8s-tutor")
    assert (rec.context, rec.server) == ("kind-k8s-tutor", "https://127.0.0.1:6443")
    assert current_context(fake_env.kubeconfig) == "kind-k8s-tutor"


def test_up_reuses_an_existing_cluster(fake_env, monkeypatch):
    monkeypatch.setenv("FAKE_KIND_CLUSTERS", "other,k8s-tutor")
    kind.up()
    kind_calls = fake_env.calls("kind")
    assert not [c for c in kind_calls if c[0] == "create"]
    assert [
        "export",
        "kubeconfig",
        "--name",
        "k8s-tutor",
        "--kubeconfig",
        str(fake_env.kubeconfig),
    ] in kind_calls


def test_addons_apply_the_pinned_manifest_then_patch_and_wait(fake_env):
    kind.up(addons=["metrics-server"])
    tail = [c[4:] for c in fake_env.calls("kubectl")[1:]]
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


def test_unknown_addon_fails_before_anything_runs(fake_env):
    with pytest.raises(kind.KindError, match="unknown addon 'nginx'; available: ingress, metrics-server"):
        kind.up(addons=["nginx"])
    assert fake_env.calls() == []


def test_missing_docker_points_to_the_sim_driver(fake_env):
    fake_env.use("kind", "kubectl")
    with pytest.raises(kind.KindError, match=r"(?s)docker not found on PATH.*--driver sim"):
        kind.up()


def test_docker_engine_down_is_explained(fake_env, monkeypatch):
    monkeypatch.setenv("FAKE_DOCKER", "down")
    with pytest.raises(kind.KindError, match=r"(?s)engine does not answer.*Is the docker daemon running"):
        kind.up()
    assert fake_env.calls("kind") == []


def test_missing_kind_gives_the_install_command(fake_env):
    fake_env.use("docker", "kubectl")
    with pytest.raises(kind.KindError, match=r"kind not found on PATH.*go install sigs.k8s.io/kind@v0.32.0"):
        kind.up()


def test_create_failure_shows_kinds_output(fake_env, monkeypatch):
    monkeypatch.setenv("FAKE_KIND_FAIL", "create")
    with pytest.raises(kind.KindError, match=r"(?s)kind create cluster failed.*node\(s\) already exist"):
        kind.up()
    assert registry.load("kind", "k8s-tutor") is None


def test_nodes_not_ready_is_an_error(fake_env, monkeypatch):
    monkeypatch.setenv("FAKE_KUBECTL_FAIL", "wait")
    with pytest.raises(kind.KindError, match=r"(?s)waiting for Ready nodes failed.*timed out"):
        kind.up()


def test_no_switch_keeps_the_previous_current_context(fake_env):
    fake_env.kubeconfig.parent.mkdir(parents=True)
    fake_env.kubeconfig.write_text(
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
    assert current_context(fake_env.kubeconfig) == "work"


def test_down_deletes_with_the_recorded_kubeconfig_and_forgets_the_cluster(fake_env):
    kind.up()
    kind.down()
    assert [
        "delete",
        "cluster",
        "--name",
        "k8s-tutor",
        "--kubeconfig",
        str(fake_env.kubeconfig),
    ] in fake_env.calls("kind")
    assert registry.load("kind", "k8s-tutor") is None


def test_cli_exit_codes(fake_env, monkeypatch, capsys):
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
