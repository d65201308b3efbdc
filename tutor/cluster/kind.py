"""The kind driver: the tutor's cluster as Docker containers (real kubelets, containers, networking).

``up`` creates the cluster from ``kind/cluster.yaml`` (or reuses one of that name), waits for every
node to be Ready, installs the requested addons from ``kind/addons/<name>.yaml`` and records the
context for the context guard. Everything shells out to ``kind`` and ``kubectl`` — the commands a
learner could type themselves; their output is streamed as progress.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

from tutor.cluster import kubeconfig as kcfg
from tutor.cluster import records
from tutor.cluster.drivers import docker_engine
from tutor.cluster.paths import KIND_NODE_IMAGE, find_kubectl, kind_dir
from tutor.errors import TutorError

DRIVER = "kind"
DEFAULT_NAME = "k8s-tutor"
KIND_VERSION = "v0.32.0"

Progress = Callable[[str], None]


class KindError(TutorError):
    """kind, Docker or kubectl is missing or failed; the message says what to run."""


def context_name(name: str) -> str:
    """kind's context naming: ``kind-<cluster name>``."""
    return f"kind-{name}"


def config_path() -> Path:
    """``kind/cluster.yaml``."""
    return kind_dir() / "cluster.yaml"


def available_addons() -> dict[str, Path]:
    """Addon name -> its descriptor in ``kind/addons/``."""
    folder = kind_dir() / "addons"
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))} if folder.is_dir() else {}


def load_addon(name: str) -> dict[str, Any]:
    """An addon descriptor: ``manifest`` URL (pinned) and ``after`` kubectl argument lists.

    Raises:
        KindError: unknown addon, or a descriptor without the required fields (named by file).
    """
    found = available_addons()
    if name not in found:
        raise KindError(
            f"unknown addon {name!r}; available: {', '.join(found) or 'none'} (kind/addons/*.yaml)"
        )
    data = yaml.safe_load(found[name].read_text(encoding="utf-8")) or {}
    if not isinstance(data.get("manifest"), str) or not all(
        isinstance(a, list) for a in data.get("after") or []
    ):
        raise KindError(
            f"{found[name]}: needs `manifest: <url>` and `after:` as a list of kubectl argument lists"
        )
    return data


def _tool(name: str, hint: str) -> str:
    exe = shutil.which(name)
    if not exe:
        raise KindError(f"{name} not found on PATH. {hint}")
    return exe


def _kubectl() -> str:
    """kubectl for kind: the one on PATH (what the learner uses), else the sim-built one."""
    exe = shutil.which("kubectl") or find_kubectl()
    if not exe:
        raise KindError("kubectl not found on PATH. Install it: https://kubernetes.io/docs/tasks/tools/")
    return exe


def _run(cmd: Sequence[str], progress: Progress, what: str, env: dict[str, str] | None = None) -> str:
    """Run ``cmd``, stream its output lines to ``progress``, return the output; KindError on failure."""
    try:
        proc = subprocess.Popen(
            list(cmd), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, errors="replace"
        )
    except OSError as exc:
        raise KindError(f"{what}: cannot run {cmd[0]}: {exc}") from exc
    lines = []
    assert proc.stdout is not None
    for line in proc.stdout:
        line = line.rstrip()
        lines.append(line)
        if line:
            progress(f"  {line}")
    rc = proc.wait()
    if rc != 0:
        tail = "\n".join(lines[-15:])
        raise KindError(f"{what} failed (exit {rc}): `{' '.join(cmd)}`\n{tail}")
    return "\n".join(lines)


def check_docker() -> str:
    """The docker executable, if the Docker engine answers; KindError saying how to fix it otherwise."""
    docker = _tool(
        "docker",
        "kind runs the cluster in Docker: install Docker (https://docs.docker.com/get-docker/), "
        "or use the Docker-free driver: `k8s-tutor cluster up --driver sim`.",
    )
    engine = docker_engine()
    if engine.error:
        raise KindError(
            "Docker is installed but the engine does not answer (`docker info` failed: "
            f"{engine.error}). Start Docker (Docker Desktop, or "
            "`sudo systemctl start docker`), or use `k8s-tutor cluster up --driver sim`."
        )
    return docker


def kind_exe() -> str:
    """The kind executable, or KindError with the install command."""
    return _tool(
        "kind",
        f"Install it with `go install sigs.k8s.io/kind@{KIND_VERSION}` or from "
        f"https://kind.sigs.k8s.io/dl/{KIND_VERSION}/kind-linux-amd64 (see docs/clusters.md).",
    )


def clusters() -> list[str]:
    """Names of the kind clusters that exist (``kind get clusters``)."""
    out = subprocess.run([kind_exe(), "get", "clusters"], capture_output=True, text=True)
    if out.returncode != 0:
        raise KindError(f"`kind get clusters` failed: {out.stderr.strip()}")
    return [
        line.strip() for line in out.stdout.splitlines() if line.strip() and not line.startswith("No kind")
    ]


def up(
    name: str = DEFAULT_NAME,
    kubeconfig: Path | None = None,
    addons: Sequence[str] = (),
    make_current: bool = True,
    timeout: float = 300,
    progress: Progress = lambda _m: None,
) -> records.ClusterRecord:
    """Create (or reuse) kind cluster ``name``, wait for Ready nodes, install ``addons``.

    Raises:
        KindError: docker/kind/kubectl missing or failing, unknown addon, a step timed out.
    """
    descriptors = [load_addon(a) for a in addons]  # fail on a typo before creating anything
    check_docker()
    kind = kind_exe()
    target = Path(kubeconfig) if kubeconfig else kcfg.user_kubeconfig_path()
    kc_args = ["--kubeconfig", str(target)]
    previous = kcfg.current_context(target)
    context = context_name(name)
    if name in clusters():
        progress(f"reusing the existing kind cluster {name!r}")
        _run([kind, "export", "kubeconfig", "--name", name, *kc_args], progress, "kind export kubeconfig")
    else:
        progress(f"creating kind cluster {name!r} from {config_path()} ({KIND_NODE_IMAGE.split('@')[0]})")
        _run(
            [
                kind,
                "create",
                "cluster",
                "--name",
                name,
                "--config",
                str(config_path()),
                "--wait",
                f"{int(timeout)}s",
                *kc_args,
            ],
            progress,
            "kind create cluster",
        )
    if not make_current and previous and previous != context:
        kcfg.set_current_context(target, previous)
    server = kcfg.server_of(target, context)
    if not server:
        raise KindError(f"kind did not write context {context} into {target}")
    rec = records.ClusterRecord(DRIVER, name, context, server, str(target))
    records.save(rec)
    kubectl = [_kubectl(), "--kubeconfig", str(target), "--context", context]
    progress("waiting for all nodes to be Ready")
    _run(
        [*kubectl, "wait", "--for=condition=Ready", "nodes", "--all", f"--timeout={int(timeout)}s"],
        progress,
        "waiting for Ready nodes",
    )
    for addon in descriptors:
        progress(f"addon {addon['name']}: {addon['manifest']}")
        _run([*kubectl, "apply", "-f", addon["manifest"]], progress, f"installing addon {addon['name']}")
        for args in addon.get("after") or []:
            _run(
                [*kubectl, *map(str, args)],
                progress,
                f"addon {addon['name']}: kubectl {' '.join(map(str, args[:4]))}",
            )
    return rec


def down(name: str = DEFAULT_NAME, progress: Progress = lambda _m: None) -> None:
    """``kind delete cluster`` (which also removes its kubeconfig context) and forget the record."""
    rec = records.load(DRIVER, name)
    cmd = [kind_exe(), "delete", "cluster", "--name", name]
    if rec:
        cmd += ["--kubeconfig", rec.kubeconfig]
    _run(cmd, progress, "kind delete cluster")
    if rec:
        records.remove(rec)
        shutil.rmtree(rec.state_dir(), ignore_errors=True)


def status(name: str = DEFAULT_NAME) -> dict[str, Any]:
    """Whether the kind cluster exists, its node containers, context and server version."""
    info: dict[str, Any] = {"driver": DRIVER, "name": name, "exists": name in clusters()}
    if not info["exists"]:
        return info
    rec = records.load(DRIVER, name)
    target = Path(rec.kubeconfig) if rec else kcfg.user_kubeconfig_path()
    context = context_name(name)
    nodes = subprocess.run([kind_exe(), "get", "nodes", "--name", name], capture_output=True, text=True)
    info.update(
        context=context,
        kubeconfig=str(target),
        server=kcfg.server_of(target, context),
        components={n: {"running": True, "where": "docker"} for n in nodes.stdout.split()},
    )
    ver = subprocess.run(
        [_kubectl(), "--kubeconfig", str(target), "--context", context, "version", "-o", "json"],
        capture_output=True,
        text=True,
    )
    if ver.returncode == 0:
        info["server_version"] = (yaml.safe_load(ver.stdout).get("serverVersion") or {}).get("gitVersion")
    return info
