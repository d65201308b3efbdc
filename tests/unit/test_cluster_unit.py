"""Unit tests of the cluster module's pure parts: kubeconfig edits, registry + guard, resource
paths, manifest parsing, error mapping, process identity, and kind/sim topology agreement."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from tutor.cli import main
from tutor.cluster import guard, kubeconfig, procs, records
from tutor.cluster.client import connect
from tutor.cluster.paths import KIND_NODE_IMAGE, kind_dir
from tutor.cluster.resources import BUILTIN
from tutor.cluster.topology import NODES, sim_node, taints_of
from tutor.cluster.writer import iter_manifests
from tutor.errors import ClusterUnavailable, ContextRefused, TutorError


@pytest.fixture
def state(tmp_path, monkeypatch):
    monkeypatch.setenv("K8S_TUTOR_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv(guard.ALLOW_ENV, raising=False)
    return tmp_path / "state"


def _certs(tmp_path: Path) -> tuple[Path, Path, Path]:
    files = []
    for name in ("ca.crt", "admin.crt", "admin.key"):
        (tmp_path / name).write_text(f"PEM {name}")
        files.append(tmp_path / name)
    return files[0], files[1], files[2]


def test_add_and_remove_context_leaves_other_entries_alone(tmp_path):
    path = tmp_path / "config"
    other = {
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": "work",
        "clusters": [{"name": "work", "cluster": {"server": "https://work"}}],
        "users": [{"name": "work", "user": {"token": "t"}}],
        "contexts": [{"name": "work", "context": {"cluster": "work", "user": "work"}}],
    }
    path.write_text(yaml.safe_dump(other))
    ca, cert, key = _certs(tmp_path)
    kubeconfig.add_context(path, "k8s-tutor-sim", "https://127.0.0.1:1234", ca, cert, key)
    data = yaml.safe_load(path.read_text())
    assert data["current-context"] == "k8s-tutor-sim"
    assert [c["name"] for c in data["contexts"]] == ["work", "k8s-tutor-sim"]
    assert kubeconfig.server_of(path, "k8s-tutor-sim") == "https://127.0.0.1:1234"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    # Re-adding replaces instead of duplicating.
    kubeconfig.add_context(path, "k8s-tutor-sim", "https://127.0.0.1:999", ca, cert, key, make_current=False)
    data = yaml.safe_load(path.read_text())
    assert (
        len(data["contexts"]) == 2 and kubeconfig.server_of(path, "k8s-tutor-sim") == "https://127.0.0.1:999"
    )
    assert kubeconfig.remove_context(path, "k8s-tutor-sim")
    data = yaml.safe_load(path.read_text())
    assert data["contexts"] == other["contexts"] and data["clusters"] == other["clusters"]
    assert data["current-context"] == ""
    assert not kubeconfig.remove_context(path, "k8s-tutor-sim")


def test_a_kubeconfig_holding_only_the_tutor_context_is_deleted(tmp_path):
    path = tmp_path / "own"
    kubeconfig.add_context(path, "c", "https://127.0.0.1:1", *_certs(tmp_path))
    assert kubeconfig.current_context(path) == "c"
    kubeconfig.remove_context(path, "c")
    assert not path.exists()


def test_user_kubeconfig_path_is_the_first_kubeconfig_entry(monkeypatch, tmp_path):
    monkeypatch.setenv("KUBECONFIG", os.pathsep.join([str(tmp_path / "a"), str(tmp_path / "b")]))
    assert kubeconfig.user_kubeconfig_path() == tmp_path / "a"
    monkeypatch.delenv("KUBECONFIG")
    assert kubeconfig.user_kubeconfig_path() == Path.home() / ".kube" / "config"


def test_up_hint_names_the_kubeconfig_only_when_kubectl_would_not_read_it(monkeypatch, tmp_path):
    from tutor.commands.cluster import _kubectl_hint

    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "a") + os.pathsep + str(tmp_path / "b"))
    assert _kubectl_hint("ctx", tmp_path / "b") == "kubectl --context ctx"
    other = tmp_path / "qa.kubeconfig"
    assert _kubectl_hint("ctx", other) == f"kubectl --kubeconfig {other} --context ctx"


def test_guard_allows_recorded_contexts_only_with_the_same_server(state):
    records.save(records.ClusterRecord("sim", "x", "k8s-tutor-sim-x", "https://127.0.0.1:6443", "/k"))
    assert "created by" in guard.check_write("k8s-tutor-sim-x", "https://127.0.0.1:6443/")
    with pytest.raises(ContextRefused) as err:
        guard.check_write("k8s-tutor-sim-x", "https://10.0.0.1:6443")  # same name, other cluster
    assert err.value.exit_code == 2
    assert "--allow-context k8s-tutor-sim-x" in str(err.value)


def test_guard_refuses_foreign_contexts_unless_named(state, monkeypatch):
    with pytest.raises(ContextRefused, match="refusing to change context 'prod'"):
        guard.check_write("prod", "https://prod:6443")
    with pytest.raises(ContextRefused, match="you allowed 'dev', but the context in use is 'prod'"):
        guard.check_write("prod", "https://prod:6443", allow_context="dev")
    assert "allowed by name" in guard.check_write("prod", "https://prod:6443", allow_context="prod")
    monkeypatch.setenv(guard.ALLOW_ENV, "prod")
    assert "allowed by name" in guard.check_write("prod", "https://prod:6443")


def test_registry_lists_and_forgets_records(state):
    a = records.ClusterRecord("sim", "a", "ca", "https://1", "/k")
    b = records.ClusterRecord("kind", "b", "kind-b", "https://2", "/k")
    records.save(a)
    records.save(b)
    (state / "sim" / "broken").mkdir(parents=True)
    (state / "sim" / "broken" / "cluster.json").write_text("{not json")
    assert sorted(r.name for r in records.all_records()) == ["a", "b"]
    records.remove(a)
    assert records.load("sim", "a") is None and records.load("kind", "b") == b


@pytest.mark.parametrize("name", ["../evil", "a/b", "UPPER", "", "-x", "x-", "a" * 41, "x\n"])
def test_a_cluster_name_that_could_leave_the_state_folder_is_refused(state, name, capsys):
    with pytest.raises(TutorError, match="use 1-40 lowercase letters"):
        records.cluster_dir("sim", name)
    with pytest.raises(SystemExit):  # a usage error of every cluster action, before anything runs
        main(["cluster", "up", "--driver", "sim", "--name", name])
    assert "argument --name" in capsys.readouterr().err
    # a record file naming such a cluster (tampered, or from an old version) is not trusted
    forged = state / "sim" / "forged" / "cluster.json"
    forged.parent.mkdir(parents=True)
    forged.write_text(
        json.dumps({"driver": "sim", "name": name, "context": "c", "server": "s", "kubeconfig": "k"})
    )
    assert records.all_records() == []


@pytest.mark.parametrize(
    ("api_version", "kind", "path"),
    [
        ("v1", "Endpoints", "/api/v1/namespaces/ns/endpoints/n"),
        ("networking.k8s.io/v1", "Ingress", "/apis/networking.k8s.io/v1/namespaces/ns/ingresses/n"),
        (
            "networking.k8s.io/v1",
            "NetworkPolicy",
            "/apis/networking.k8s.io/v1/namespaces/ns/networkpolicies/n",
        ),
        ("storage.k8s.io/v1", "StorageClass", "/apis/storage.k8s.io/v1/storageclasses/n"),
        ("scheduling.k8s.io/v1", "PriorityClass", "/apis/scheduling.k8s.io/v1/priorityclasses/n"),
        ("v1", "Namespace", "/api/v1/namespaces/n"),
        ("policy/v1", "PodDisruptionBudget", "/apis/policy/v1/namespaces/ns/poddisruptionbudgets/n"),
    ],
)
def test_builtin_resource_paths(api_version, kind, path):
    assert BUILTIN[(api_version, kind)].path("ns", "n") == path


def test_iter_manifests_flattens_lists_and_names_bad_lines():
    text = (
        "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n"
        "---\n---\n"
        "apiVersion: v1\nkind: Secret\nmetadata: {name: b}\n"
    )
    assert [o["metadata"]["name"] for o in iter_manifests(text)] == ["a", "b"]
    with pytest.raises(TutorError, match=r"setup/x.yaml:4: invalid YAML"):
        list(iter_manifests("a: 1\nb: 2\nc: [1, 2\nd: 3\n", source="setup/x.yaml"))
    with pytest.raises(TutorError, match="document 2: not a Kubernetes object"):
        list(iter_manifests("apiVersion: v1\nkind: Pod\n---\n- just a list\n"))


def test_an_empty_kubeconfig_is_named_in_one_clean_sentence(tmp_path):
    path = tmp_path / "config"
    path.write_text("")
    with pytest.raises(ClusterUnavailable, match=f"cannot read kubeconfig {path}") as caught:
        connect(path)
    assert ".." not in str(caught.value)


def test_unreachable_api_server_raises_cluster_unavailable_quickly(tmp_path):
    port = procs.free_port()  # nothing listens there
    path = tmp_path / "config"
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "current-context": "c",
                "clusters": [
                    {
                        "name": "c",
                        "cluster": {"server": f"https://127.0.0.1:{port}", "insecure-skip-tls-verify": True},
                    }
                ],
                "users": [{"name": "c", "user": {"token": "t"}}],
                "contexts": [{"name": "c", "context": {"cluster": "c", "user": "c"}}],
            }
        )
    )
    cluster = connect(path)
    start = time.monotonic()
    with pytest.raises(
        ClusterUnavailable,
        match=rf"cannot reach the Kubernetes API at https://127.0.0.1:{port} "
        r"\(context c\): connection refused.*k8s-tutor cluster up",
    ):
        cluster.read.list("v1", "Pod")
    assert time.monotonic() - start < 5
    with pytest.raises(ClusterUnavailable, match="has no context 'nope' \\(contexts: c\\)"):
        connect(path, "nope")


def test_stop_never_signals_a_process_without_the_marker(tmp_path):
    proc = subprocess.Popen(["sleep", "30"], start_new_session=True)
    try:
        deadline = time.monotonic() + 10
        while "sleep 30" not in (procs.cmdline(proc.pid) or ""):  # until exec replaced the forked child
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert not procs.stop(proc.pid, marker=str(tmp_path))  # not ours: left alone
        assert proc.poll() is None
        assert procs.stop(proc.pid, marker="sleep 30")
        assert proc.wait(timeout=5) is not None
    finally:
        proc.kill()


def test_kind_config_matches_the_sim_topology():
    config = yaml.safe_load((kind_dir() / "cluster.yaml").read_text())
    assert config["name"] == "k8s-tutor"
    roles = [n["role"] for n in config["nodes"]]
    assert roles == ["control-plane", "worker", "worker"]
    # kind names nodes <name>-control-plane, <name>-worker, <name>-worker2, in this order.
    for node, name in zip(config["nodes"], NODES, strict=True):
        assert node["image"] == KIND_NODE_IMAGE
        expected = {k: v for k, v in NODES[name].items() if k != "node-role.kubernetes.io/control-plane"}
        assert node["labels"] == expected, name
    assert {m["listenAddress"] for m in config["nodes"][0]["extraPortMappings"]} == {"127.0.0.1"}
    assert sim_node("k8s-tutor-control-plane")["spec"]["taints"] == taints_of("k8s-tutor-control-plane") != []
    assert sim_node("k8s-tutor-worker")["spec"]["taints"] == []


def test_pinned_versions_agree_between_build_script_go_mods_and_python():
    """build.sh, the committed wrapper modules and tutor.cluster.paths must name the same versions."""
    import re

    from tutor.cluster import paths

    script = (kind_dir() / "sim" / "build.sh").read_text()
    pinned = dict(re.findall(r"^(K8S_VERSION|ETCD_VERSION|KWOK_VERSION)=(\S+)$", script, re.M))
    assert pinned == {
        "K8S_VERSION": paths.K8S_VERSION,
        "ETCD_VERSION": paths.ETCD_VERSION,
        "KWOK_VERSION": paths.KWOK_VERSION,
    }
    requires = {
        "k8s": f"k8s.io/kubernetes {paths.K8S_VERSION}",
        "etcd": f"go.etcd.io/etcd/server/v3 {paths.ETCD_VERSION}",
        "kwok": f"sigs.k8s.io/kwok {paths.KWOK_VERSION}",
    }
    for folder, require in requires.items():
        gomod = (kind_dir() / "sim" / folder / "go.mod").read_text()
        assert require in gomod, f"kind/sim/{folder}/go.mod does not require {require}"
        assert (kind_dir() / "sim" / folder / "go.sum").stat().st_size > 0
    staging = f"v0.{paths.K8S_VERSION.removeprefix('v1.')}"
    k8s_mod = (kind_dir() / "sim" / "k8s" / "go.mod").read_text()
    replaces = re.findall(r"^replace (k8s\.io/\S+) => \1 (\S+)$", k8s_mod, re.M)
    assert len(replaces) >= 30 and {v for _m, v in replaces} == {staging}
    assert paths.KIND_NODE_IMAGE.startswith(f"kindest/node:{paths.K8S_VERSION}@sha256:")


def test_cluster_status_without_a_name_reports_the_current_contexts_tutor_cluster(
    tmp_path, monkeypatch, capsys
):
    """`cluster status` alone means the cluster kubectl talks to now, when the tutor created it."""
    import json

    from tutor.cli import main
    from tutor.cluster import records

    monkeypatch.setenv("K8S_TUTOR_STATE_DIR", str(tmp_path / "state"))
    config = tmp_path / "kubeconfig"
    config.write_text(
        "apiVersion: v1\nkind: Config\nclusters: []\nusers: []\ncontexts: []\n"
        "current-context: k8s-tutor-sim-demo\n"
    )
    monkeypatch.setenv("KUBECONFIG", str(config))
    records.save(
        records.ClusterRecord("sim", "demo", "k8s-tutor-sim-demo", "https://127.0.0.1:1", str(config))
    )
    main(["cluster", "status", "--json"])
    assert json.loads(capsys.readouterr().out)["name"] == "demo"
