"""The sim driver: a real control plane on 127.0.0.1 with kwok-simulated nodes.

etcd, kube-apiserver, kube-controller-manager and kube-scheduler are the real Kubernetes binaries
(downloaded or built: tutor.cluster.binaries); kwok plays the kubelets, so pods are scheduled, become
Running and Ready, Job pods Succeed, and deletions complete — but no container ever runs. Processes are
started directly (not through kwokctl) so the driver knows exactly which PIDs and ports it owns.

Layout of ``<state root>/sim/<name>/``: ``state.json`` (PIDs, ports, versions), ``cluster.json``
(the record the context guard trusts), ``pki/``, ``etcd/``, ``kubeconfig`` (for the components),
``stages.yaml`` (kwok), ``logs/<component>.log``.
"""

from __future__ import annotations

import json
import shutil
import ssl
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from tutor.cluster import kubeconfig as kcfg
from tutor.cluster import procs, records, sim_metrics, sim_rules
from tutor.cluster.paths import (
    ETCD_VERSION,
    K8S_VERSION,
    KWOK_VERSION,
    METRICS_SERVER_VERSION,
    kwok_stage_dir,
    metrics_server_binary,
    sim_binaries,
    state_root,
)
from tutor.cluster.pki import make_pki
from tutor.cluster.topology import NODES, sim_node, sim_node_status
from tutor.errors import TutorError
from tutor.store.atomic import write_json_atomic

DRIVER = "sim"
DEFAULT_NAME = "k8s-tutor"
SERVICE_CIDR = "10.96.0.0/16"  # the same ranges as kind
POD_CIDR = "10.244.0.0/16"
STAGES = (
    "node/fast/node-initialize",
    "node/heartbeat-with-lease/node-heartbeat-with-lease",
    "pod/fast/pod-ready",
    "pod/fast/pod-complete",
    "pod/fast/pod-delete",
)
COMPONENTS = ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok")
#: Started when its binary exists; the cluster runs without it (and without the ``metrics`` capability).
OPTIONAL = ("metrics-server", "traffic")

Progress = Callable[[str], None]


class SimError(TutorError):
    """The sim cluster could not be started, stopped or inspected."""


def context_name(name: str) -> str:
    """``k8s-tutor-sim`` for the default cluster, ``k8s-tutor-sim-<name>`` for others."""
    return "k8s-tutor-sim" if name == DEFAULT_NAME else f"k8s-tutor-sim-{name}"


@dataclass
class SimState:
    """What ``state.json`` records about one running sim cluster."""

    name: str
    context: str
    kubeconfig: str  # the user-facing kubeconfig file holding the context
    server: str
    ports: dict[str, int]
    pids: dict[str, int] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    started: float = 0.0
    startup_seconds: float = 0.0

    @property
    def state_dir(self) -> Path:
        """This cluster's folder."""
        return records.cluster_dir(DRIVER, self.name)


def state_dir(name: str) -> Path:
    """``<state root>/sim/<name>``."""
    return records.cluster_dir(DRIVER, name)


def load_state(name: str) -> SimState | None:
    """The recorded state of cluster ``name``, or None."""
    try:
        data = json.loads((state_dir(name) / "state.json").read_text(encoding="utf-8"))
        return SimState(**data)
    except (OSError, ValueError, TypeError):
        return None


def list_clusters() -> list[str]:
    """Names of the sim clusters that have a state folder."""
    root = state_root() / DRIVER
    return sorted(p.name for p in root.iterdir() if (p / "state.json").exists()) if root.is_dir() else []


def missing_binaries() -> list[Path]:
    """The sim binaries (and kwok stage files) that are not built yet."""
    paths = list(sim_binaries().values()) + [kwok_stage_dir() / f"{s}.yaml" for s in STAGES]
    return [p for p in paths if not p.exists()]


def ensure_binaries(
    build: bool = False,
    progress: Progress = lambda _m: None,
    offline: bool = False,
    live: Progress | None = None,
) -> None:
    """Make the binaries exist: cached, else downloaded (pinned, verified), else built with Go.

    The order and its messages live in :mod:`tutor.cluster.binaries`; ``build`` asks for the Go build
    (``--build``), ``offline`` forbids the network, ``live`` redraws a download's progress line.

    Raises:
        SimError: no allowed source could provide them (the message says what to run).
    """
    from tutor.cluster.binaries import obtain

    missing = missing_binaries()
    if not missing:
        return
    try:
        obtain(missing, build=build, offline=offline, progress=progress, live=live)
    except TutorError as exc:
        raise SimError(str(exc)) from None
    if still := missing_binaries():
        raise SimError(f"the sim binaries are still incomplete: {still[0]} is missing")


#: kwok Stages narrowed by a container rule before use (see tutor.cluster.sim_rules).
_NARROWED = {"pod/fast/pod-ready": sim_rules.healthy_only, "pod/fast/pod-complete": sim_rules.ready_only}


def _stages_yaml(state: Path) -> str:
    """kwok's node and pod Stages (healthy pods only), the container-failure rules and the logs rule.

    The log files are written into ``state`` (the cluster's folder) next to the config.
    """
    stages = []
    for name in STAGES:
        stage = yaml.safe_load((kwok_stage_dir() / f"{name}.yaml").read_text(encoding="utf-8"))
        stages.append(_NARROWED.get(name, lambda s: s)(stage))
    stages += sim_rules.fault_stages()
    current, previous = state / "container.log", state / "container-previous.log"
    current.write_text(sim_rules.cri_log(sim_rules.SIM_LOG_LINES), encoding="utf-8")
    previous.write_text(
        sim_rules.cri_log(("(the previous instance of this container)", *sim_rules.SIM_LOG_LINES)),
        encoding="utf-8",
    )
    stages.append(sim_rules.cluster_logs(str(current), str(previous)))
    stages += [sim_metrics.resource_metric(), sim_metrics.usage_rule()]
    return yaml.safe_dump_all(stages, sort_keys=False, width=10_000)


def _commands(st: SimState, pki: dict[str, Path]) -> dict[str, list[str]]:
    """Each component's command line; every one contains the state folder (see procs.is_ours)."""
    b, d, p = sim_binaries(), st.state_dir, st.ports
    kc = str(d / "kubeconfig")
    peer = f"http://127.0.0.1:{p['etcd-peer']}"
    client = f"http://127.0.0.1:{p['etcd']}"
    auth = [
        f"--kubeconfig={kc}",
        f"--authentication-kubeconfig={kc}",
        f"--authorization-kubeconfig={kc}",
        "--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics",
        "--bind-address=127.0.0.1",
        "--leader-elect=false",
    ]
    return {
        "etcd": [
            str(b["etcd"]),
            "--name=node0",
            f"--data-dir={d / 'etcd'}",
            f"--listen-client-urls={client}",
            f"--advertise-client-urls={client}",
            f"--listen-peer-urls={peer}",
            f"--initial-advertise-peer-urls={peer}",
            f"--initial-cluster=node0={peer}",
            "--unsafe-no-fsync=true",
            "--auto-compaction-retention=1",
            "--quota-backend-bytes=2147483648",
            "--log-level=warn",
        ],
        "kube-apiserver": [
            str(b["kube-apiserver"]),
            f"--etcd-servers={client}",
            "--etcd-prefix=/registry",
            "--allow-privileged=true",
            "--authorization-mode=Node,RBAC",
            "--enable-admission-plugins=NodeRestriction",
            "--bind-address=127.0.0.1",
            "--advertise-address=127.0.0.1",
            f"--secure-port={p['kube-apiserver']}",
            # No kube-proxy or real endpoints here: never publish a loopback address as the
            # endpoint of the `kubernetes` Service.
            "--endpoint-reconciler-type=none",
            f"--tls-cert-file={pki['admin.crt']}",
            f"--tls-private-key-file={pki['admin.key']}",
            f"--client-ca-file={pki['ca.crt']}",
            f"--service-account-key-file={pki['sa.key']}",
            f"--service-account-signing-key-file={pki['sa.key']}",
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
            f"--proxy-client-cert-file={pki['admin.crt']}",
            f"--proxy-client-key-file={pki['admin.key']}",
            # Front-proxy settings as kubeadm sets them: the aggregation layer (metrics-server, custom
            # API servers) and the components' delegated authentication read them.
            f"--requestheader-client-ca-file={pki['ca.crt']}",
            "--requestheader-allowed-names=k8s-tutor-admin",
            "--requestheader-username-headers=X-Remote-User",
            "--requestheader-group-headers=X-Remote-Group",
            "--requestheader-extra-headers-prefix=X-Remote-Extra-",
            f"--service-cluster-ip-range={SERVICE_CIDR}",
            # Logs, exec and metrics go to the node's "kubelet" (kwok, on 127.0.0.1): dial the InternalIP,
            # never look the node's name up in DNS.
            "--kubelet-preferred-address-types=InternalIP",
            f"--kubelet-client-certificate={pki['admin.crt']}",
            f"--kubelet-client-key={pki['admin.key']}",
        ],
        "kube-controller-manager": [
            str(b["kube-controller-manager"]),
            *auth,
            f"--secure-port={p['kube-controller-manager']}",
            f"--root-ca-file={pki['ca.crt']}",
            f"--service-account-private-key-file={pki['sa.key']}",
            f"--cluster-signing-cert-file={pki['ca.crt']}",
            f"--cluster-signing-key-file={pki['ca.key']}",
            "--cluster-name=k8s-tutor",
            "--use-service-account-credentials=true",
            # HPAs react within seconds, and scale down after 30 s instead of 5 minutes, so a
            # learner (and a test) sees both directions; the rules are the kubelet's, the waits shorter.
            "--horizontal-pod-autoscaler-sync-period=5s",
            "--horizontal-pod-autoscaler-downscale-stabilization=30s",
            "--horizontal-pod-autoscaler-cpu-initialization-period=20s",
            "--horizontal-pod-autoscaler-initial-readiness-delay=10s",
        ],
        "kube-scheduler": [str(b["kube-scheduler"]), *auth, f"--secure-port={p['kube-scheduler']}"],
        "kwok": [
            str(b["kwok"]),
            f"--kubeconfig={kc}",
            f"--config={d / 'stages.yaml'}",
            "--manage-all-nodes=true",
            f"--tls-cert-file={pki['admin.crt']}",
            f"--tls-private-key-file={pki['admin.key']}",
            "--node-ip=127.0.0.1",
            "--node-name=localhost",
            f"--node-port={p['kwok']}",
            f"--server-address=127.0.0.1:{p['kwok']}",
            "--node-lease-duration-seconds=40",
            f"--cidr={POD_CIDR}",
        ],
        "metrics-server": [
            str(metrics_server_binary()),
            *sim_metrics.metrics_server_args(
                p["metrics-server"], kc, str(pki["admin.crt"]), str(pki["admin.key"])
            ),
            # Contains the state folder, as every component's command line must (procs.is_ours).
            f"--cert-dir={d / 'metrics-server'}",
        ],
        "traffic": [
            sys.executable,
            "-m",
            "tutor.cluster.sim_traffic",
            f"--kubeconfig={kc}",
            f"--state-dir={d}",
        ],
    }


def _ssl_context(pki_dir: Path) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=str(pki_dir / "ca.crt"))
    ctx.load_cert_chain(str(pki_dir / "admin.crt"), str(pki_dir / "admin.key"))
    return ctx


def _insecure_context() -> ssl.SSLContext:
    """For /healthz of kube-controller-manager and kube-scheduler: they serve a self-signed certificate."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def _healthy(url: str) -> bool:
    """A component's /healthz answers 200 (its serving certificate is self-signed)."""
    return _get(url, _insecure_context())[0] == 200


def _get(url: str, ctx: ssl.SSLContext | None = None, timeout: float = 2.0) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, context=ctx, timeout=timeout) as resp:
            return resp.status, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError) as exc:
        return 0, str(exc)


class _Starter:
    """One ``up`` run: starts components in order and cleans up everything if any step fails."""

    def __init__(self, st: SimState, progress: Progress, timeout: float):
        self.st = st
        self.progress = progress
        self.deadline = time.monotonic() + timeout
        self.t0 = time.monotonic()
        self.logs = st.state_dir / "logs"

    def step(self, msg: str) -> None:
        self.progress(f"[{time.monotonic() - self.t0:5.1f}s] {msg}")

    def start(self, component: str, cmd: list[str]) -> None:
        self.st.pids[component] = procs.spawn(cmd, self.logs / f"{component}.log", self.st.state_dir)
        self._save()

    def _save(self) -> None:
        write_json_atomic(self.st.state_dir / "state.json", asdict(self.st))

    def wait(self, what: str, component: str, probe: Callable[[], bool]) -> None:
        """Poll ``probe`` until it is true; fail fast if ``component`` died, or at the deadline."""
        if not probe():
            self.step(f"waiting for {what}")
        while not probe():
            pid = self.st.pids.get(component)
            if pid and not procs.is_ours(pid, str(self.st.state_dir)):
                raise SimError(
                    f"{component} exited while waiting for {what}; its log ends:\n"
                    f"{procs.tail(self.logs / f'{component}.log')}"
                )
            if time.monotonic() > self.deadline:
                raise SimError(
                    f"timed out waiting for {what}; {component} log ends:\n"
                    f"{procs.tail(self.logs / f'{component}.log')}"
                )
            time.sleep(0.2)


def up(
    name: str = DEFAULT_NAME,
    kubeconfig: Path | None = None,
    make_current: bool = True,
    build: bool = False,
    timeout: float = 120,
    progress: Progress = lambda _m: None,
    offline: bool = False,
    live: Progress | None = None,
) -> SimState:
    """Start sim cluster ``name`` (or reuse it if it already runs) and write its kubeconfig context.

    Args:
        name: the cluster's name (state folder and context suffix); node names do not depend on it.
        kubeconfig: the file to add the context to (default: ``$KUBECONFIG``'s first file,
            else ``~/.kube/config``).
        make_current: make the new context the current one, as kind does.
        build: build missing binaries with Go (``kind/sim/build.sh``) instead of downloading them.
        offline: never download; missing binaries are an error (or built with ``build``).
        live: redraws a download's progress line in place (the CLI passes one on a terminal).
        timeout: seconds for the whole start-up.
        progress: called with one line per step.

    Raises:
        SimError: a binary is missing, a component failed to start (its log tail is in the message).
    """
    target = Path(kubeconfig) if kubeconfig else kcfg.user_kubeconfig_path()
    existing = load_state(name)
    if existing and running(existing):
        progress(f"sim cluster {name!r} is already running at {existing.server}")
        _write_context(existing, target, make_current)
        return existing
    if existing or state_dir(name).exists():
        progress(f"cleaning up the stopped sim cluster {name!r}")
        down(name)
    ensure_binaries(build, progress, offline=offline, live=live)
    _ensure_metrics_server(build, offline, progress)
    d = state_dir(name)
    (d / "logs").mkdir(parents=True, exist_ok=True)
    ports = {c: procs.free_port() for c in ("etcd", "etcd-peer", *COMPONENTS[1:], *OPTIONAL)}
    st = SimState(
        name=name,
        context=context_name(name),
        kubeconfig=str(target),
        server=f"https://127.0.0.1:{ports['kube-apiserver']}",
        ports=ports,
        started=time.time(),
        versions={"kubernetes": K8S_VERSION, "etcd": ETCD_VERSION, "kwok": KWOK_VERSION},
    )
    if metrics_server_binary().exists():
        st.versions["metrics-server"] = METRICS_SERVER_VERSION
    s = _Starter(st, progress, timeout)
    try:
        _start_all(s, target, make_current)
    except BaseException:
        down(name)
        raise
    st.startup_seconds = round(time.monotonic() - s.t0, 2)
    s._save()
    s.step(f"ready: {len(NODES)} nodes, context {st.context} in {target}")
    return st


def _start_all(s: _Starter, target: Path, make_current: bool) -> None:
    st, d = s.st, s.st.state_dir
    s.step("certificates")
    pki = make_pki(d / "pki")
    kcfg.write_component_kubeconfig(
        d / "kubeconfig", st.server, pki["ca.crt"], pki["admin.crt"], pki["admin.key"]
    )
    (d / "stages.yaml").write_text(_stages_yaml(d), encoding="utf-8")
    cmds = _commands(st, pki)
    s.step(f"etcd {ETCD_VERSION} on 127.0.0.1:{st.ports['etcd']}")
    s.start("etcd", cmds["etcd"])
    s.wait(
        "etcd health",
        "etcd",
        lambda: '"health":"true"' in _get(f"http://127.0.0.1:{st.ports['etcd']}/health")[1],
    )
    s.step(f"kube-apiserver {K8S_VERSION} on {st.server}")
    s.start("kube-apiserver", cmds["kube-apiserver"])
    tls = _ssl_context(d / "pki")
    s.wait("kube-apiserver /readyz", "kube-apiserver", lambda: _get(f"{st.server}/readyz", tls)[0] == 200)
    s.step("kube-controller-manager, kube-scheduler, kwok")
    for component in ("kube-controller-manager", "kube-scheduler"):
        s.start(component, cmds[component])
    _create_nodes(d / "kubeconfig")
    s.start("kwok", cmds["kwok"])
    records.save(records.ClusterRecord(DRIVER, st.name, st.context, st.server, str(target)))
    _write_context(st, target, make_current)
    s.wait("3 Ready nodes", "kwok", lambda: _ready_nodes(st.server, tls) >= len(NODES))
    for component in ("kube-controller-manager", "kube-scheduler"):
        url = f"https://127.0.0.1:{st.ports[component]}/healthz"
        s.wait(f"{component} /healthz", component, partial(_healthy, url))
    # The ServiceAccount controller (in kube-controller-manager) creates "default" in every namespace;
    # pods cannot be created before it exists, so wait for it as proof the controllers run.
    s.wait(
        "the default ServiceAccount",
        "kube-controller-manager",
        lambda: _get(f"{st.server}/api/v1/namespaces/default/serviceaccounts/default", tls)[0] == 200,
    )
    if "metrics-server" in st.versions:
        s.step(
            f"metrics-server {METRICS_SERVER_VERSION} (kubectl top answers after its first scrape, "
            f"~{sim_metrics.RESOLUTION_SECONDS} s)"
        )
        s.start("metrics-server", cmds["metrics-server"])
        _create(d / "kubeconfig", sim_metrics.registration(st.ports["metrics-server"]))
        url = f"https://127.0.0.1:{st.ports['metrics-server']}/livez"
        s.wait("metrics-server /livez", "metrics-server", partial(_healthy, url))
        s.step("HTTP load rule (clients looping over a Service make its pods busy; see sim_traffic)")
        s.start("traffic", cmds["traffic"])
    else:
        s.step(
            "no metrics-server binary: this cluster has no `kubectl top` and no CPU autoscaling "
            "(build it with: bash kind/sim/build.sh metrics-server)"
        )


def _ensure_metrics_server(build: bool, offline: bool, progress: Progress) -> None:
    """Build metrics-server when asked to build and Go is there; upstream publishes no binary to download."""
    if metrics_server_binary().exists() or not build or not shutil.which("go"):
        return
    from tutor.cluster.binaries.install import build_with_go

    try:
        build_with_go(["metrics-server"], offline, progress)
    except TutorError as exc:
        progress(f"metrics-server was not built, the cluster starts without it: {exc}")


def _create(component_kubeconfig: Path, objects: list[dict[str, Any]]) -> None:
    """Create cluster objects the sim driver owns (the metrics APIService), as the component admin."""
    from tutor.cluster.client import connect

    with connect(component_kubeconfig, "sim") as c:
        for obj in objects:
            meta = obj["metadata"]
            group_version = obj["apiVersion"]
            prefix = "/api/v1" if group_version == "v1" else f"/apis/{group_version}"
            ns = f"/namespaces/{meta['namespace']}" if meta.get("namespace") else ""
            plural = obj["kind"].lower() + "s"
            c.transport.request(
                "POST",
                f"{prefix}{ns}/{plural}",
                body=obj,
                content_type="application/json",
                what=f"create {obj['kind']} {meta['name']}",
            )


def _create_nodes(component_kubeconfig: Path) -> None:
    """Create the topology's Node objects and their status before kwok starts managing them."""
    from tutor.cluster.client import connect

    with connect(component_kubeconfig, "sim") as c:
        for node in NODES:
            c.transport.request(
                "POST",
                "/api/v1/nodes",
                body=sim_node(node),
                content_type="application/json",
                what=f"create Node {node}",
            )
            c.transport.request(
                "PATCH",
                f"/api/v1/nodes/{node}/status",
                body={"status": sim_node_status(node)},
                content_type="application/merge-patch+json",
                what=f"status of Node {node}",
            )


def _ready_nodes(server: str, tls: ssl.SSLContext) -> int:
    code, body = _get(f"{server}/api/v1/nodes", tls)
    if code != 200:
        return 0
    items = json.loads(body).get("items", [])
    return sum(
        any(
            c.get("type") == "Ready" and c.get("status") == "True"
            for c in (n.get("status") or {}).get("conditions") or []
        )
        for n in items
    )


def _write_context(st: SimState, target: Path, make_current: bool) -> None:
    pki = st.state_dir / "pki"
    kcfg.add_context(
        target, st.context, st.server, pki / "ca.crt", pki / "admin.crt", pki / "admin.key", make_current
    )
    if str(target) != st.kubeconfig:
        st.kubeconfig = str(target)
        write_json_atomic(st.state_dir / "state.json", asdict(st))
        records.save(records.ClusterRecord(DRIVER, st.name, st.context, st.server, str(target)))


def running(st: SimState) -> dict[str, bool]:
    """Component -> is its recorded process alive (and really ours); empty dict if none is."""
    marker = str(st.state_dir)
    alive = {c: procs.is_ours(pid, marker) for c, pid in st.pids.items()}
    return alive if any(alive.values()) and all(alive.get(c) for c in COMPONENTS) else {}


def down(name: str = DEFAULT_NAME, progress: Progress = lambda _m: None) -> list[str]:
    """Stop exactly the recorded processes of cluster ``name``, remove its context and state folder.

    Returns the components that were running. Safe to call on a half-started or already stopped cluster.
    """
    d = state_dir(name)
    st = load_state(name)
    stopped: list[str] = []
    if st:
        for component in reversed(COMPONENTS + OPTIONAL):
            pid = st.pids.get(component)
            if pid and procs.stop(pid, str(d)):
                stopped.append(component)
                progress(f"stopped {component} (pid {pid})")
        if kcfg.remove_context(Path(st.kubeconfig), st.context):
            progress(f"removed context {st.context} from {st.kubeconfig}")
    rec = records.load(DRIVER, name)
    if rec:
        records.remove(rec)
    if d.exists():
        shutil.rmtree(d, ignore_errors=True)
    return stopped


def status(name: str = DEFAULT_NAME) -> dict[str, Any]:
    """What runs for cluster ``name``: per-component PID, port and liveness, server, version, readiness."""
    st = load_state(name)
    if not st:
        return {"driver": DRIVER, "name": name, "exists": False}
    marker = str(st.state_dir)
    comps = {
        c: {
            "pid": st.pids.get(c),
            "port": st.ports.get(c),
            "running": bool(st.pids.get(c)) and procs.is_ours(st.pids[c], marker),
        }
        for c in COMPONENTS + tuple(c for c in OPTIONAL if c in st.pids)
    }
    info: dict[str, Any] = {
        "driver": DRIVER,
        "name": name,
        "exists": True,
        "context": st.context,
        "kubeconfig": st.kubeconfig,
        "server": st.server,
        "components": comps,
        "versions": st.versions,
        "state_dir": marker,
        "startup_seconds": st.startup_seconds,
    }
    if comps["kube-apiserver"]["running"]:
        tls = _ssl_context(st.state_dir / "pki")
        code, body = _get(f"{st.server}/version", tls)
        info["server_version"] = json.loads(body).get("gitVersion") if code == 200 else None
        info["ready_nodes"] = _ready_nodes(st.server, tls)
    return info
