"""A fresh cache filled by download from a local mirror, then `cluster up --driver sim` on those binaries.

The mirror (tests/sim_mirror.py, loopback HTTP) holds the already-built binaries of ~/.cache/k8s-tutor
packed the way upstream ships them, at the upstream paths of the real pin table; the test injects a pinned
SHA-256 for kube-apiserver (the others are checked against the published checksum files beside them).
No internet needed.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import time
from pathlib import Path

import pytest

from tests.sim_mirror import Mirror, pack
from tutor.cli import main
from tutor.cluster import paths, sim
from tutor.cluster.binaries import install, pins
from tutor.cluster.binaries.fetch import MIRROR_ENV

pytestmark = [pytest.mark.cluster, pytest.mark.slow]

SOURCE_BIN = paths.bin_dir()  # the cache the session's sim cluster runs from, read before any test moves it


def test_fresh_cache_fills_by_download_and_cluster_up_works(tmp_path, monkeypatch, capsys):
    plat = pins.current_platform()
    artifacts = [a for c in pins.COMPONENTS for a in c.downloads(plat)]
    if not artifacts or not all((SOURCE_BIN / d).exists() for a in artifacts for d in a.members.values()):
        pytest.skip(f"no built sim binaries in {SOURCE_BIN} to publish, or nothing is published for {plat}")
    apiserver = f"https://dl.k8s.io/release/{paths.K8S_VERSION}/bin/{plat}/kube-apiserver"
    pinned = hashlib.sha256((SOURCE_BIN / f"k8s-{paths.K8S_VERSION}/kube-apiserver").read_bytes()).hexdigest()
    monkeypatch.setitem(pins.PINNED_SHA256, apiserver, pinned)  # the injected pin table entry
    monkeypatch.setenv("K8S_TUTOR_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("K8S_TUTOR_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv(
        "PATH",
        os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if not (Path(p) / "go").exists()),
    )
    assert len(sim.missing_binaries()) == 6 + len(sim.STAGES)
    name = f"pytest-dl-{os.getpid()}-{secrets.token_hex(2)}"
    kubeconfig = tmp_path / "kubeconfig"
    with Mirror(tmp_path / "mirror") as mirror:
        pack(mirror, [a for c in pins.COMPONENTS for a in c.downloads(plat)], SOURCE_BIN)
        monkeypatch.setenv(MIRROR_ENV, mirror.url)
        start = time.monotonic()
        code = main(
            [
                "cluster",
                "up",
                "--driver",
                "sim",
                "--name",
                name,
                "--kubeconfig",
                str(kubeconfig),
                "--no-switch",
            ]
        )
        took = time.monotonic() - start
        err = capsys.readouterr().err
    try:
        assert code == 0, err
        assert sim.missing_binaries() == []
        for comp in ("kubernetes", "etcd", "kwok"):
            assert f"sim binaries: {comp} " in err and "not cached: downloading the pinned release" in err
        assert "kube-apiserver: " in err and "verified against the digest pinned in k8s-tutor" in err
        assert "verified against the published kubectl.sha256" in err
        assert "verified against the published SHA256SUMS" in err
        assert "digest GitHub publishes" in err
        served = {path for path, _range in mirror.requests}
        assert f"dl.k8s.io/release/{paths.K8S_VERSION}/bin/{plat}/kube-scheduler" in served
        assert (
            f"dl.k8s.io/release/{paths.K8S_VERSION}/bin/{plat}/kube-apiserver.sha256" not in served
        )  # pinned
        report = {name: (ok, detail) for name, ok, detail, _ in install.source_report()}
        assert all(ok for ok, _ in report.values()) and set(report) == {"kubernetes", "etcd", "kwok"}
        assert "downloaded from dl.k8s.io via the mirror" in report["kubernetes"][1]
        st = sim.load_state(name)
        assert st is not None and set(st.pids) == set(sim.COMPONENTS)
        status = sim.status(name)
        assert status["server_version"] == paths.K8S_VERSION and status["ready_nodes"] == 3
        print(f"download from the loopback mirror + cluster up: {took:.1f}s")
        print("\n".join(line for line in err.splitlines() if "MB/s" in line))
    finally:
        sim.down(name)
