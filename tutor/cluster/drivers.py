"""Which driver `cluster up` (and the TUI's first-run screen) uses when none is named.

One place decides, so the CLI and the TUI never disagree: kind needs docker and kind on PATH *and*
a Docker engine that answers (an installed but stopped Docker made `cluster up` pick kind and fail
while the TUI picked sim). The sim driver needs its binaries: a download of the pinned releases where
they are published, else a Go build (Go >= 1.26); ``sim_build_notice`` says which before the learner chooses.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from tutor.errors import TutorError

GO_MIN = "1.26"


@dataclass(frozen=True)
class DockerEngine:
    """What ``docker info`` said: ``exe`` is None when docker is not on PATH."""

    exe: str | None
    version: str = ""
    error: str = ""  # why the engine does not answer ("" when it does, or docker is missing)

    @property
    def answers(self) -> bool:
        return bool(self.exe) and not self.error


@dataclass(frozen=True)
class DriverChoice:
    """The default driver and why, in words the CLI and the TUI can show."""

    driver: str  # "kind" | "sim"
    reason: str
    notice: str = ""  # what creating it involves beyond the usual (a long sim build), "" when nothing
    can_create: bool = True  # False when creating it cannot work here (no Go to build the sim binaries)


Progress = Callable[[str], None]


@dataclass(frozen=True)
class UpRequest:
    """What ``cluster up`` (or the TUI's first-run screen) asks a driver for.

    ``timeout`` None keeps the driver's own default; ``build``, ``offline`` and ``live`` are for sim (build
    missing binaries; never download; redraw a download's progress line), ``addons`` for kind.
    """

    name: str = "k8s-tutor"
    kubeconfig: Path | None = None
    make_current: bool = True
    timeout: float | None = None
    build: bool = False
    offline: bool = False
    live: Progress | None = None
    addons: tuple[str, ...] = ()


class CreatedCluster(Protocol):
    """What a driver's ``up`` returns (``sim.SimState``, ``registry.ClusterRecord``)."""

    @property
    def context(self) -> str: ...
    @property
    def server(self) -> str: ...
    @property
    def kubeconfig(self) -> str: ...


class Driver(Protocol):
    """A way to create, delete and describe the tutor's local cluster."""

    def up(self, request: UpRequest, progress: Progress) -> CreatedCluster: ...
    def down(self, name: str, progress: Progress) -> None: ...
    def status(self, name: str) -> dict[str, Any]: ...


def _sim_module() -> Any:
    from tutor.cluster import sim

    return sim


def _kind_module() -> Any:
    from tutor.cluster import kind

    return kind


@dataclass(frozen=True)
class _ModuleDriver:
    """A driver module (``up``/``down``/``status``), imported on use so ``cluster up --help`` stays light.

    ``options`` picks the ``up`` keywords only this driver takes (sim ``build``, kind ``addons``).
    """

    load: Callable[[], Any]
    options: Callable[[UpRequest], dict[str, Any]]

    def up(self, request: UpRequest, progress: Progress) -> CreatedCluster:
        timeout = {} if request.timeout is None else {"timeout": request.timeout}
        made: CreatedCluster = self.load().up(
            request.name,
            kubeconfig=request.kubeconfig,
            make_current=request.make_current,
            progress=progress,
            **self.options(request),
            **timeout,
        )
        return made

    def down(self, name: str, progress: Progress) -> None:
        self.load().down(name, progress=progress)

    def status(self, name: str) -> dict[str, Any]:
        info: dict[str, Any] = self.load().status(name)
        return info


DRIVERS: dict[str, Driver] = {
    "sim": _ModuleDriver(
        _sim_module,
        lambda request: {"build": request.build, "offline": request.offline, "live": request.live},
    ),
    "kind": _ModuleDriver(_kind_module, lambda request: {"addons": request.addons}),
}
"""Every driver by the name ``--driver`` takes."""


def driver(name: str) -> Driver:
    """The driver called ``name``; TutorError naming the known ones otherwise."""
    try:
        return DRIVERS[name]
    except KeyError:
        raise TutorError(f"no cluster driver {name!r} (known: {', '.join(DRIVERS)})") from None


def docker_engine(timeout: float = 10) -> DockerEngine:
    """Probe the Docker engine with ``docker info`` (never raises)."""
    exe = shutil.which("docker")
    if not exe:
        return DockerEngine(None)
    try:
        proc = subprocess.run(
            [exe, "info", "--format", "{{.ServerVersion}}"], capture_output=True, text=True, timeout=timeout
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return DockerEngine(exe, error=str(exc) or type(exc).__name__)
    if proc.returncode != 0:
        return DockerEngine(
            exe, error=(proc.stderr or proc.stdout).strip()[:200] or f"exit {proc.returncode}"
        )
    return DockerEngine(exe, version=proc.stdout.strip())


def choose_driver() -> DriverChoice:
    """kind when docker and kind are installed and the Docker engine answers, otherwise sim."""
    kind = shutil.which("kind")
    engine = docker_engine()
    if kind and engine.answers:
        return DriverChoice("kind", f"Docker {engine.version} answers and kind is installed")
    if not engine.exe:
        why = "Docker is not installed"
    elif engine.error:
        why = "Docker is installed but its engine does not answer (`docker info` failed)"
    else:
        why = "kind is not installed"
    notice, can_create = sim_build_notice()
    return DriverChoice("sim", f"{why}, so the Docker-free sim driver is used", notice, can_create)


def sim_build_notice() -> tuple[str, bool]:
    """What creating a sim cluster involves when its binaries are missing.

    Returns:
        ("", True) when the binaries are cached; otherwise a sentence for the learner and whether they can be
        obtained here at all: by download of the pinned releases (no Go needed) or, for what has no published
        binary on this platform, by a Go build (False when that is needed and ``go`` is not on PATH).
    """
    from tutor.cluster import sim
    from tutor.cluster.binaries.install import needs
    from tutor.cluster.binaries.pins import APPROX_DOWNLOAD_MB, current_platform

    missing = sim.missing_binaries()
    if not missing:
        return "", True
    build_only = [n.why_not for n in needs(missing) if n.why_not]
    if not build_only:
        return (
            f"The sim cluster's binaries are not cached yet ({len(missing)} files): creating it first "
            f"downloads the pinned official releases (about {APPROX_DOWNLOAD_MB} MB, under a minute at "
            "100 Mbit/s; each file checked against its SHA-256). No Go needed.",
            True,
        )
    if not shutil.which("go"):
        return (
            f"The sim cluster's binaries cannot be downloaded here ({build_only[0]}; platform "
            f"{current_platform()}) and `go` is not on PATH: building them needs Go >= {GO_MIN} "
            "(https://go.dev/dl/). Install Go, then run `k8s-tutor cluster up --driver sim --build` "
            "(about 10 minutes on 2 cores).",
            False,
        )
    return (
        f"Part of the sim cluster's binaries cannot be downloaded ({build_only[0]}): creating it first "
        f"builds them with Go (needs Go >= {GO_MIN} and the Go module proxy; about 10 minutes on 2 cores, "
        "first time only).",
        True,
    )
