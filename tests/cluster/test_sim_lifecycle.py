"""`cluster up/down/status` of the sim driver end to end, on a second cluster of its own.

`down` must stop exactly the recorded processes (nothing left running), remove the context from
the kubeconfig and the state folder; `up` on a running cluster reuses it.
"""

from __future__ import annotations

import os
import secrets
import time

import pytest
import yaml

from tutor.cli import main
from tutor.cluster import procs, registry, sim

pytestmark = [pytest.mark.cluster, pytest.mark.slow]


def test_up_status_reuse_down_leaves_no_process(tmp_path, capsys, sim_cluster):
    name = f"pytest-{os.getpid()}-{secrets.token_hex(3)}"
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "current-context": "mine",
                "contexts": [{"name": "mine", "context": {"cluster": "m"}}],
                "clusters": [{"name": "m", "cluster": {"server": "https://m"}}],
            }
        )
    )
    start = time.monotonic()
    assert main(["cluster", "up", "--driver", "sim", "--name", name, "--kubeconfig", str(kubeconfig)]) == 0
    took = time.monotonic() - start
    try:
        st = sim.load_state(name)
        assert st is not None and set(st.pids) == set(sim.COMPONENTS)
        assert took < 60, f"warm start took {took:.1f}s"
        data = yaml.safe_load(kubeconfig.read_text())
        assert data["current-context"] == f"k8s-tutor-sim-{name}"
        assert {c["name"] for c in data["contexts"]} == {"mine", f"k8s-tutor-sim-{name}"}
        assert registry.load("sim", name).server == st.server
        assert all(procs.is_ours(pid, str(st.state_dir)) for pid in st.pids.values())

        assert main(["cluster", "status", "--driver", "sim", "--name", name]) == 0
        out = capsys.readouterr().out
        assert "version v1.36.1" in out and "nodes Ready 3" in out
        assert f"kube-apiserver          running  pid {st.pids['kube-apiserver']}" in out

        # A second `up` reuses the running cluster: same processes.
        assert (
            main(["cluster", "up", "--driver", "sim", "--name", name, "--kubeconfig", str(kubeconfig)]) == 0
        )
        assert sim.load_state(name).pids == st.pids
    finally:
        assert main(["cluster", "down", "--driver", "sim", "--name", name]) == 0
    for component, pid in st.pids.items():
        assert procs.cmdline(pid) is None or str(st.state_dir) not in procs.cmdline(pid), (
            f"{component} survived"
        )
    assert not st.state_dir.exists()
    data = yaml.safe_load(kubeconfig.read_text())
    assert [c["name"] for c in data["contexts"]] == ["mine"]
    assert registry.load("sim", name) is None
    assert main(["cluster", "status", "--driver", "sim", "--name", name]) == 1


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
