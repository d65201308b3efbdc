"""`cluster up/down/status` of the sim driver end to end, on a second cluster of its own.

`down` must stop exactly the recorded processes (nothing left running), remove the context from
the kubeconfig and the state folder; `up` on a running cluster reuses it.
"""

from __future__ import annotations

import os
import secrets
import signal
import time

import pytest
import yaml

from tutor.cli import main
from tutor.cluster import procs, records, sim
from tutor.cluster.paths import metrics_server_binary

pytestmark = [pytest.mark.cluster, pytest.mark.slow]


def cli(*args: str) -> int:
    return main(["cluster", *args, "--driver", "sim"])


def wait_gone(pid: int, marker: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while procs.is_ours(pid, marker):
        assert time.monotonic() < deadline, f"pid {pid} still running"
        time.sleep(0.1)


def test_up_status_reuse_restart_down_leaves_no_process(tmp_path, capsys, sim_cluster):
    name = f"pytest-{os.getpid()}-{secrets.token_hex(3)}"
    kubeconfig = tmp_path / "kubeconfig"
    mine = {
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": "mine",
        "contexts": [{"name": "mine", "context": {"cluster": "m"}}],
        "clusters": [{"name": "m", "cluster": {"server": "https://m"}}],
    }
    kubeconfig.write_text(yaml.safe_dump(mine))
    up = ("up", "--name", name, "--kubeconfig", str(kubeconfig))
    start = time.monotonic()
    assert cli(*up) == 0
    took = time.monotonic() - start
    all_pids: set[int] = set()
    try:
        st = sim.load_state(name)
        optional = set(sim.OPTIONAL) if metrics_server_binary().exists() else set()  # metrics-server, traffic
        assert st is not None and set(st.pids) == set(sim.COMPONENTS) | optional
        all_pids |= set(st.pids.values())
        assert took < 60, f"warm start took {took:.1f}s"
        data = yaml.safe_load(kubeconfig.read_text())
        assert data["current-context"] == f"k8s-tutor-sim-{name}"
        assert {c["name"] for c in data["contexts"]} == {"mine", f"k8s-tutor-sim-{name}"}
        assert records.load("sim", name).server == st.server
        assert all(procs.is_ours(pid, str(st.state_dir)) for pid in st.pids.values())

        assert cli("status", "--name", name) == 0
        out = capsys.readouterr().out
        assert "version v1.36.1" in out and "nodes Ready 3" in out
        assert f"kube-apiserver          running  pid {st.pids['kube-apiserver']}" in out

        # A second `up` reuses the running cluster: same processes.
        assert cli(*up) == 0
        assert sim.load_state(name).pids == st.pids

        # A component that died (a kill, a reboot) makes `up` clean up and start afresh.
        os.kill(st.pids["kwok"], signal.SIGKILL)
        wait_gone(st.pids["kwok"], str(st.state_dir))
        capsys.readouterr()
        assert cli("status", "--name", name) == 1
        assert "kwok                    STOPPED" in capsys.readouterr().out
        assert cli(*up) == 0
        fresh = sim.load_state(name)
        assert set(fresh.pids.values()).isdisjoint(st.pids.values())
        assert all(procs.is_ours(pid, str(st.state_dir)) for pid in fresh.pids.values())
        all_pids |= set(fresh.pids.values())
    finally:
        assert cli("down", "--name", name) == 0
    leftovers = [pid for pid in all_pids if procs.is_ours(pid, str(st.state_dir))]
    assert leftovers == [], f"processes survived cluster down: {leftovers}"
    assert not st.state_dir.exists()
    data = yaml.safe_load(kubeconfig.read_text())
    assert data["contexts"] == mine["contexts"] and data["clusters"] == mine["clusters"]
    assert records.load("sim", name) is None
    assert cli("status", "--name", name) == 1


def test_a_component_that_dies_on_start_fails_up_with_its_log_and_cleans_up(
    tmp_path, monkeypatch, sim_cluster
):
    name = f"pytest-{os.getpid()}-{secrets.token_hex(3)}"
    real = sim._commands

    def broken(st, pki):
        cmds = real(st, pki)
        cmds["kube-apiserver"].append("--no-such-flag")
        return cmds

    monkeypatch.setattr(sim, "_commands", broken)
    with pytest.raises(
        sim.SimError, match=r"(?s)kube-apiserver exited while waiting.*unknown flag: --no-such-flag"
    ):
        sim.up(name, kubeconfig=tmp_path / "kc", timeout=60)
    assert not sim.state_dir(name).exists()
    assert sim.list_clusters().count(name) == 0
