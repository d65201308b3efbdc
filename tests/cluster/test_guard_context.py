"""The context guard against a live API server: a foreign context is refused (exit 2) even when
it points at a perfectly good cluster, and is writable once the user names it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tutor.cli import main
from tutor.cluster import connect
from tutor.cluster.guard import ALLOW_ENV, created_by_tutor
from tutor.cluster.paths import sim_binaries
from tutor.errors import ContextRefused

pytestmark = pytest.mark.cluster


def test_writes_to_a_foreign_context_are_refused_with_exit_code_2(foreign_kubeconfig, namespace):
    cluster = connect(foreign_kubeconfig)
    assert cluster.read.get("v1", "Namespace", namespace) is not None  # reads work
    with pytest.raises(ContextRefused) as err:
        cluster.writer()
    assert err.value.exit_code == 2
    message = str(err.value)
    assert "refusing to change context 'someones-prod'" in message
    assert "--allow-context someones-prod" in message and "k8s-tutor cluster up" in message


def test_naming_the_context_allows_writes(foreign_kubeconfig, namespace, cluster):
    writer = connect(foreign_kubeconfig).writer(allow_context="someones-prod")
    writer.apply("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: allowed}\ndata: {k: v}\n", namespace)
    assert cluster.read.get("v1", "ConfigMap", "allowed", namespace)["data"] == {"k": "v"}


def test_env_variable_names_the_context_too(foreign_kubeconfig, monkeypatch):
    monkeypatch.setenv(ALLOW_ENV, "someones-prod")
    assert connect(foreign_kubeconfig).writer().context == "someones-prod"


def test_doctor_warns_about_a_foreign_context_and_exits_2(foreign_kubeconfig, capsys):
    assert main(["doctor", "--kubeconfig", str(foreign_kubeconfig)]) == 2
    out = capsys.readouterr().out
    assert "someones-prod was not created by k8s-tutor" in out
    assert "fix: k8s-tutor cluster up   # or pass --allow-context someones-prod" in out
    assert "[ok  ] nodes         3 Ready" in out


def test_doctor_on_the_tutors_sim_cluster_is_happy(sim_cluster, cluster, capsys, monkeypatch):
    if created_by_tutor(cluster.context, cluster.server) is None:
        pytest.skip("reused cluster that k8s-tutor did not record: doctor rightly warns about its context")
    # A learner with a matching kubectl: put the tutor's pinned one first on PATH, so an old kubectl on
    # this machine (which doctor rightly warns about, see test_doctor_kubectl) does not decide the verdict.
    pinned = Path(sim_binaries()["kubectl"])
    assert pinned.is_file(), "the sim cluster runs, so its pinned kubectl is cached"
    monkeypatch.setenv("PATH", f"{pinned.parent}{os.pathsep}{os.environ.get('PATH', '')}")
    assert main(["doctor", "--kubeconfig", str(sim_cluster.kubeconfig), "--json"]) == 0

    findings = {f["check"]: f for f in json.loads(capsys.readouterr().out)["findings"]}
    assert findings["API server"]["detail"].endswith("Kubernetes v1.36.1")
    assert findings["context"]["level"] == "ok"
    assert findings["kubectl on PATH"]["level"] == "ok"
    assert findings["docker"]["level"] in ("ok", "info")  # Docker is optional on the sim driver
