"""Where the cluster module keeps things on disk, and the pinned component versions.

Two places, on purpose apart:
    cache  (``~/.cache/k8s-tutor``, env ``K8S_TUTOR_CACHE``): the sim binaries built by
           ``kind/sim/build.sh``; large, rebuildable, shared by every cluster and every clone.
    state  (platformdirs user state dir, env ``K8S_TUTOR_STATE_DIR``): one folder per cluster the
           tutor created, with its PIDs, ports, certificates, logs and the record the context guard reads.
The cache path follows build.sh exactly (``${XDG_CACHE_HOME:-$HOME/.cache}/k8s-tutor``) so the
Python side finds what the script built on every OS.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

K8S_VERSION = "v1.36.1"
ETCD_VERSION = "v3.6.10"
KWOK_VERSION = "v0.8.0"
METRICS_SERVER_VERSION = "v0.8.0"
KIND_NODE_IMAGE = (
    "kindest/node:v1.36.1@sha256:3489c7674813ba5d8b1a9977baea8a6e553784dab7b84759d1014dbd78f7ebd5"
)

REPO_ROOT = Path(__file__).resolve().parents[2]
"""The source tree (kind/, tests/ live here in a checkout)."""


def cache_dir() -> Path:
    """The binary cache shared with ``kind/sim/build.sh``."""
    env = os.environ.get("K8S_TUTOR_CACHE")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "k8s-tutor"


def state_root() -> Path:
    """The tutor's state folder for clusters (``<user state dir>/k8s-tutor``)."""
    env = os.environ.get("K8S_TUTOR_STATE_DIR")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_state_dir

    return Path(user_state_dir("k8s-tutor", appauthor=False))


def bin_dir() -> Path:
    """Root of the built binaries (``<cache>/bin``)."""
    return cache_dir() / "bin"


def sim_binaries() -> dict[str, Path]:
    """Paths of every binary the sim driver runs (they may not exist yet)."""
    k8s = bin_dir() / f"k8s-{K8S_VERSION}"
    return {
        "etcd": bin_dir() / f"etcd-{ETCD_VERSION}" / "etcd",
        "kube-apiserver": k8s / "kube-apiserver",
        "kube-controller-manager": k8s / "kube-controller-manager",
        "kube-scheduler": k8s / "kube-scheduler",
        "kubectl": k8s / "kubectl",
        "kwok": bin_dir() / f"kwok-{KWOK_VERSION}" / "kwok",
    }


def metrics_server_binary() -> Path:
    """metrics-server: optional (upstream publishes only an image, so it is built with Go or absent).

    Without it the sim cluster runs without the ``metrics`` capability (no ``kubectl top``, no HPA on CPU).
    """
    return bin_dir() / f"metrics-server-{METRICS_SERVER_VERSION}" / "metrics-server"


def kwok_stage_dir() -> Path:
    """The kwok Stage manifests build.sh copies next to the kwok binary."""
    return bin_dir() / f"kwok-{KWOK_VERSION}" / "stage"


def kind_dir() -> Path:
    """The ``kind/`` folder: in a source checkout, or shipped inside the wheel as ``tutor/_kind``."""
    checkout = REPO_ROOT / "kind"
    return checkout if checkout.is_dir() else Path(__file__).resolve().parents[1] / "_kind"


def build_script() -> Path:
    """``kind/sim/build.sh``."""
    return kind_dir() / "sim" / "build.sh"


def find_kubectl() -> str | None:
    """The kubectl to run: the sim-built one (matches the server version) or the one on PATH."""
    built = sim_binaries()["kubectl"]
    if built.is_file() and os.access(built, os.X_OK):
        return str(built)
    return shutil.which("kubectl")
