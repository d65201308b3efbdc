"""`k8s-tutor doctor` without a cluster: tool checks against stand-in executables, and the exit
code when the kubeconfig is unusable. (The checks of a live cluster run in tests/cluster.)"""

from __future__ import annotations

import json

from tutor.cli import main
from tutor.cluster.binaries import pins
from tutor.cluster.doctor import FAIL, INFO, OK, WARN, check_tools


def by_check(findings):
    return {f.check: f for f in findings}


def test_all_tools_present_and_docker_answering(fake_tools):
    bindir = fake_tools.use("docker", "kind", "kubectl")
    found = by_check(check_tools(needs_docker=True))
    assert found["docker"].level == OK and found["docker"].detail == "engine 28.2.2"
    assert found["kind"].level == OK
    assert found["kubectl"].level == OK and found["kubectl"].detail.startswith(f"{bindir / 'kubectl'}: ")
    assert all(f.fix == "" for f in found.values())


def test_docker_down_is_a_failure_with_the_fix_when_kind_is_needed(fake_tools, monkeypatch):
    monkeypatch.setenv("FAKE_DOCKER", "down")
    docker = by_check(check_tools(needs_docker=True))["docker"]
    assert docker.level == FAIL
    assert "engine does not answer" in docker.detail and "systemctl start docker" in docker.fix
    # On the sim driver Docker is optional: the same state is only information.
    assert by_check(check_tools(needs_docker=False))["docker"].level == INFO


def test_missing_tools_name_their_install_commands(fake_tools):
    fake_tools.use()  # nothing on PATH, and no sim-built kubectl in the (empty) cache
    found = by_check(check_tools(needs_docker=True))
    assert found["docker"].level == FAIL and "--driver sim" in found["docker"].fix
    assert found["kind"].fix == "go install sigs.k8s.io/kind@v0.32.0"
    assert found["kubectl"].level == FAIL and "cluster up --driver sim --build" in found["kubectl"].fix
    assert "kind/sim/build.sh" in found["kubectl"].fix  # the script stays a secondary hint


def test_doctor_exits_2_when_the_kubeconfig_is_unusable(fake_tools, tmp_path, capsys):
    missing = tmp_path / "nope"
    assert main(["doctor", "--kubeconfig", str(missing), "--json"]) == 2
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    kubeconfig = next(f for f in report["findings"] if f["check"] == "kubeconfig")
    assert kubeconfig["level"] == FAIL and str(missing) in kubeconfig["detail"]
    assert kubeconfig["fix"] == "k8s-tutor cluster up"


def test_without_kind_doctor_checks_what_cluster_up_would_use(fake_tools, monkeypatch, tmp_path, capsys):
    fake_tools.use("docker", "kubectl")  # no kind: `cluster up` picks the sim driver
    monkeypatch.setenv("FAKE_DOCKER", "down")
    assert main(["doctor", "--kubeconfig", str(tmp_path / "nope"), "--json"]) == 2
    found = {f["check"]: f for f in json.loads(capsys.readouterr().out)["findings"]}
    assert found["docker"]["level"] == INFO and found["kind"]["level"] == INFO  # optional on sim
    assert found["sim binaries"]["level"] == WARN
    fix = found["sim binaries"]["fix"]
    if pins.current_platform() == "linux/amd64":  # published: a download, no Go needed
        assert fix.startswith("k8s-tutor cluster up --driver sim   # downloads the pinned binaries")
    monkeypatch.setattr(pins, "current_platform", lambda: "darwin/arm64")  # nothing published: build
    assert main(["doctor", "--kubeconfig", str(tmp_path / "nope"), "--json"]) == 2
    found = {f["check"]: f for f in json.loads(capsys.readouterr().out)["findings"]}
    assert found["sim binaries"]["fix"].startswith("k8s-tutor cluster up --driver sim --build")


def test_topology_check_names_missing_labels_and_taints():
    from tutor.cluster.doctor import WARN, check_topology
    from tutor.cluster.topology import sim_node

    nodes = [sim_node(name) for name in ("k8s-tutor-control-plane", "k8s-tutor-worker", "k8s-tutor-worker2")]
    assert check_topology(nodes).level == OK
    del nodes[1]["metadata"]["labels"]["disktype"]
    nodes[0]["spec"]["taints"] = []
    finding = check_topology(nodes[:2])
    assert finding.level == WARN
    assert "k8s-tutor-worker lacks disktype=ssd" in finding.detail
    assert (
        "k8s-tutor-control-plane lacks the taint node-role.kubernetes.io/control-plane:NoSchedule"
        in finding.detail
    )
    assert "no node k8s-tutor-worker2" in finding.detail
    assert finding.fix.startswith("k8s-tutor cluster down; k8s-tutor cluster up")


def _fake_kubectl(folder, version: str):
    exe = folder / "kubectl"
    exe.write_text(f'#!/bin/sh\necho \'{{"clientVersion": {{"gitVersion": "{version}"}}}}\'\n')
    exe.chmod(0o755)
    return folder


def test_doctor_warns_when_the_learners_kubectl_is_too_old_for_the_server(tmp_path, monkeypatch):
    from tutor.cluster.doctor import WARN, check_learner_kubectl

    monkeypatch.setenv("PATH", str(_fake_kubectl(tmp_path, "v1.32.4")))
    [finding] = check_learner_kubectl("v1.36.1")
    assert finding.level == WARN and "4 minor versions" in finding.detail and "v1.36.1" in finding.fix


def test_doctor_accepts_one_minor_of_skew(tmp_path, monkeypatch):
    from tutor.cluster.doctor import OK, check_learner_kubectl

    monkeypatch.setenv("PATH", str(_fake_kubectl(tmp_path, "v1.35.0")))
    assert [f.level for f in check_learner_kubectl("v1.36.1")] == [OK]


def test_doctor_speaks_the_language_picked_in_the_app(tmp_path, monkeypatch, capsys):
    from tutor.cli import main
    from tutor.store.settings import save_setting

    monkeypatch.setenv("K8S_TUTOR_DATA_DIR", str(tmp_path))
    save_setting("language", "zh")
    assert main(["doctor", "--kubeconfig", str(tmp_path / "missing")]) == 2
    out = capsys.readouterr().out
    assert "修复：k8s-tutor cluster up" in out and "个问题；请运行上面的修复命令" in out
    assert "fix:" not in out and "problem(s)" not in out
    assert main(["doctor", "--json", "--kubeconfig", str(tmp_path / "missing")]) == 2
    assert {"ok", "findings"} == set(json.loads(capsys.readouterr().out))  # keys stay English
