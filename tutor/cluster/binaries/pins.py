"""What the sim driver can download instead of building: the pinned upstream release files, per platform.

The versions are those of ``kind/sim/build.sh`` (tutor.cluster.paths); the cache layout is the one build.sh
fills (``<cache>/bin/k8s-v1.36.1/kube-apiserver`` ...), so a downloaded and a built cache look the same to
the sim driver. Each download names where its expected SHA-256 comes from (:class:`Checksum`):

``pinned``          a digest committed here, readable offline: the kwok stage manifests, hashed from the
                    Go module that ``kind/sim/kwok/go.sum`` pins.
``sha256-file``     the ``<file>.sha256`` Kubernetes publishes beside every release binary on dl.k8s.io.
``sums-file``       the ``SHA256SUMS`` etcd publishes beside its release archives.
``github-release``  the ``digest`` GitHub lists for each asset of kwok's release (kwok has no sums file).

No SHA-256 of the v1.36.1 binaries, the etcd v3.6.10 archives or the kwok v0.8.0 binaries could be read
offline when this table was written (the Kubernetes CHANGELOG's SHA-512 sums cover the server tarball, 400 MB
of container images, not the single binaries), so those are checked against the published checksum fetched
beside the file — over HTTPS from the same release. Put a digest in ``pinned`` when one is known.

A component without ``artifacts`` is *build-only* (nothing is published for it, e.g. a metrics-server
binary): the sim driver says so and builds it with ``kind/sim/build.sh <component>``.
"""

from __future__ import annotations

import platform
from collections.abc import Callable
from dataclasses import dataclass, field

from tutor.cluster.paths import ETCD_VERSION, K8S_VERSION, KWOK_VERSION, METRICS_SERVER_VERSION


@dataclass(frozen=True)
class Checksum:
    """Where the expected SHA-256 of a download comes from: ``value`` is the digest or the checksum's URL."""

    kind: str  # pinned | sha256-file | sums-file | github-release
    value: str

    def describe(self) -> str:
        """Words for messages and provenance: what the file was checked against."""
        name = self.value.rsplit("/", 1)[-1]
        return {
            "pinned": "the digest pinned in k8s-tutor (tutor/cluster/binaries/pins.py)",
            "sha256-file": f"the published {name}",
            "sums-file": f"the published {name}",
            "github-release": "the SHA-256 digest GitHub publishes for the release asset",
        }[self.kind]


@dataclass(frozen=True)
class Artifact:
    """One file to download, and which cache files it yields.

    ``members`` maps an archive member to its cache path (relative to ``<cache>/bin``); a plain file has
    the single key ``""``.
    """

    url: str
    checksum: Checksum
    members: dict[str, str]
    executable: bool = True

    @property
    def archive(self) -> str:
        """``tar.gz``, ``zip`` or ``""`` for a plain file."""
        return "tar.gz" if self.url.endswith(".tar.gz") else "zip" if self.url.endswith(".zip") else ""


@dataclass(frozen=True)
class Component:
    """A unit ``kind/sim/build.sh`` builds (its argument) and its downloads per ``os/arch``."""

    name: str  # kubernetes | etcd | kwok — the build.sh argument
    version: str
    cache_dir: str  # under <cache>/bin
    artifacts: Callable[[str, str], list[Artifact]] | None = None  # None: build-only
    platforms: frozenset[str] = field(default_factory=frozenset)
    build_only_reason: str = "no published binary exists for it"

    def downloads(self, plat: str) -> list[Artifact]:
        """The artifacts for ``plat`` (``linux/amd64``); empty when build-only or not published for it."""
        if self.artifacts is None or plat not in self.platforms:
            return []
        os_, arch = plat.split("/")
        return self.artifacts(os_, arch)


K8S_BINARIES = ("kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl")

KWOK_STAGE_SHA256 = {
    # sha256 of kustomize/stage/<stage>.yaml in sigs.k8s.io/kwok v0.8.0 — the module whose h1: hash
    # kind/sim/kwok/go.sum pins (build.sh copies these same files next to the kwok binary).
    "node/fast/node-initialize": "bb38f752d90248528b579a0ae8f0f660ff3428457eb5c1ebe6345c3246cc7ee5",
    "node/heartbeat-with-lease/node-heartbeat-with-lease": (
        "9becfc93321222915bd1ec8ab103fe769afe4b23e1386bf40553deb02e332c9c"
    ),
    "pod/fast/pod-ready": "4d04a22c1b9dc6adcd4da90b32ce85687ba0058e15ca1eebcfa7cd64201d4148",
    "pod/fast/pod-complete": "86b800597419abbd7d8c43b0dfc4782643cfcfcfc8ac617f1e79e4e3a68533b2",
    "pod/fast/pod-delete": "a83bc287bfc7a4f1e3748e01761186128a4042e38b304195e984111ce5626cef",
}

PINNED_SHA256: dict[str, str] = {}
"""URL -> SHA-256 known offline; a URL here is checked against it instead of the published checksum."""

APPROX_DOWNLOAD_MB = 410
"""What a linux/amd64 download weighs, measured by benchmarks/sim_download.py on our Go builds of the pinned
versions packed like upstream (105 + 95 + 73 + 60 MB Kubernetes, etcd in a tar.gz, 64 MB kwok): 408 MB.
Upstream's published sizes could not be read offline."""


def _checksum(url: str, published: Checksum) -> Checksum:
    pinned = PINNED_SHA256.get(url)
    return Checksum("pinned", pinned) if pinned else published


def _kubernetes(os_: str, arch: str) -> list[Artifact]:
    base = f"https://dl.k8s.io/release/{K8S_VERSION}/bin/{os_}/{arch}"
    return [
        Artifact(
            f"{base}/{b}",
            _checksum(f"{base}/{b}", Checksum("sha256-file", f"{base}/{b}.sha256")),
            {"": f"k8s-{K8S_VERSION}/{b}"},
        )
        for b in K8S_BINARIES
    ]


def _etcd(os_: str, arch: str) -> list[Artifact]:
    base = f"https://github.com/etcd-io/etcd/releases/download/{ETCD_VERSION}"
    stem = f"etcd-{ETCD_VERSION}-{os_}-{arch}"
    url = f"{base}/{stem}.{'zip' if os_ == 'darwin' else 'tar.gz'}"
    return [
        Artifact(
            url,
            _checksum(url, Checksum("sums-file", f"{base}/SHA256SUMS")),
            {f"{stem}/etcd": f"etcd-{ETCD_VERSION}/etcd"},
        )
    ]


def _kwok(os_: str, arch: str) -> list[Artifact]:
    url = f"https://github.com/kubernetes-sigs/kwok/releases/download/{KWOK_VERSION}/kwok-{os_}-{arch}"
    release = f"https://api.github.com/repos/kubernetes-sigs/kwok/releases/tags/{KWOK_VERSION}"
    raw = f"https://raw.githubusercontent.com/kubernetes-sigs/kwok/{KWOK_VERSION}/kustomize/stage"
    stages = [
        Artifact(
            f"{raw}/{stage}.yaml",
            Checksum("pinned", digest),
            {"": f"kwok-{KWOK_VERSION}/stage/{stage}.yaml"},
            executable=False,
        )
        for stage, digest in KWOK_STAGE_SHA256.items()
    ]
    return [
        Artifact(url, _checksum(url, Checksum("github-release", release)), {"": f"kwok-{KWOK_VERSION}/kwok"}),
        *stages,
    ]


_LINUX = {"linux/amd64", "linux/arm64", "linux/ppc64le", "linux/s390x"}
COMPONENTS: list[Component] = [
    Component("kubernetes", K8S_VERSION, f"k8s-{K8S_VERSION}", _kubernetes, frozenset(_LINUX)),
    Component(
        "etcd",
        ETCD_VERSION,
        f"etcd-{ETCD_VERSION}",
        _etcd,
        frozenset(_LINUX | {"darwin/amd64", "darwin/arm64"}),
    ),
    Component(
        "kwok",
        KWOK_VERSION,
        f"kwok-{KWOK_VERSION}",
        _kwok,
        frozenset({"linux/amd64", "linux/arm64", "darwin/amd64", "darwin/arm64"}),
    ),
    Component(
        "metrics-server",
        METRICS_SERVER_VERSION,
        f"metrics-server-{METRICS_SERVER_VERSION}",
        build_only_reason=(
            "upstream publishes only a container image; optional: without it the sim has no `kubectl top` "
            "and no CPU autoscaling"
        ),
    ),
]
"""Every component the sim runs, in build.sh's order. Tests replace this list to point at their own pins."""

_ARCH = {
    "x86_64": "amd64",
    "amd64": "amd64",
    "aarch64": "arm64",
    "arm64": "arm64",
    "ppc64le": "ppc64le",
    "s390x": "s390x",
}


def current_platform() -> str:
    """``os/arch`` in Go's spelling (``linux/amd64``), as the release file names use it."""
    machine = platform.machine().lower()
    return f"{platform.system().lower()}/{_ARCH.get(machine, machine)}"


def component_of(cache_relative: str) -> Component | None:
    """The component whose cache folder holds ``cache_relative`` (``k8s-v1.36.1/kubectl``)."""
    top = cache_relative.split("/", 1)[0]
    return next((c for c in COMPONENTS if c.cache_dir == top), None)
