"""``k8s-tutor doctor``: is everything in place to learn? Each problem comes with the command that fixes it.

Checks are plain functions returning :class:`Finding` lists (``check_cluster`` also says whether
the cluster is simulated) so the CLI, the TUI and tests can use them. Which tools are *required*
depends on the cluster in use: on a sim cluster Docker and kind are optional; on anything else they
are what ``k8s-tutor cluster up`` needs.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tutor.cluster import guard, sim
from tutor.cluster.drivers import choose_driver, docker_engine
from tutor.cluster.paths import K8S_VERSION, find_kubectl
from tutor.cluster.topology import NODES, taints_of
from tutor.i18n import _

if TYPE_CHECKING:
    from tutor.cluster.client import Cluster
    from tutor.cluster.target import ClusterTarget

OK, WARN, FAIL, INFO = "ok", "warn", "fail", "info"


@dataclass(frozen=True)
class Finding:
    """One line of the doctor's report."""

    check: str
    level: str  # ok | warn | fail | info
    detail: str
    fix: str = ""  # the command (or action) that fixes a warn/fail


def _version_line(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return _("(cannot run: {error})").format(error=exc)
    return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr).strip() else ""


def check_tools(needs_docker: bool) -> list[Finding]:
    """docker (and its engine), kind, kubectl."""
    found: list[Finding] = []
    bad = FAIL if needs_docker else INFO
    engine = docker_engine()
    if not engine.exe:
        found.append(
            Finding(
                "docker",
                bad,
                _("not installed (the kind driver needs it; the sim driver does not)"),
                _("install Docker (docs.docker.com/get-docker) or use: k8s-tutor cluster up --driver sim"),
            )
        )
    else:
        if engine.answers:
            found.append(Finding("docker", OK, _("engine {version}").format(version=engine.version)))
        else:
            found.append(
                Finding(
                    "docker",
                    bad,
                    _("installed, but the engine does not answer"),
                    _("start Docker (Docker Desktop, or `sudo systemctl start docker`)"),
                )
            )
    kind = shutil.which("kind")
    if kind:
        found.append(Finding("kind", OK, _version_line([kind, "version"])))
    else:
        found.append(Finding("kind", bad, _("not installed"), "go install sigs.k8s.io/kind@v0.32.0"))
    kubectl = find_kubectl()
    if kubectl:
        found.append(Finding("kubectl", OK, f"{kubectl}: {_version_line([kubectl, 'version', '--client'])}"))
    else:
        found.append(
            Finding(
                "kubectl",
                FAIL,
                _("not found"),
                _(
                    "install kubectl (https://kubernetes.io/docs/tasks/tools/) "
                    "or get the sim binaries (kubectl is one): `k8s-tutor cluster up --driver sim` "
                    "downloads them, `k8s-tutor cluster up --driver sim --build` compiles them "
                    "(the script it runs: kind/sim/build.sh)"
                ),
            )
        )
    found += check_learner_kubectl()
    return found


def _minor(version: str) -> int | None:
    match = re.match(r"v?1\.(\d+)", version.strip())
    return int(match.group(1)) if match else None


def check_learner_kubectl(server_version: str = K8S_VERSION) -> list[Finding]:
    """The kubectl on PATH — the one the learner types — against the server's version.

    The tutor runs its own pinned kubectl, so a learner's old kubectl only shows in their terminal:
    kubectl supports one minor version of skew with the API server; beyond that flags and output drift.
    """
    on_path = shutil.which("kubectl")
    if not on_path:
        return []
    try:
        out = subprocess.run(
            [on_path, "version", "--client", "-o", "json"], capture_output=True, text=True, timeout=10
        )
        client = json.loads(out.stdout)["clientVersion"]["gitVersion"]
    except (OSError, subprocess.TimeoutExpired, ValueError, KeyError, TypeError):
        return [Finding("kubectl on PATH", WARN, _("{path}: cannot read its version").format(path=on_path))]
    mine, theirs = _minor(client), _minor(server_version)
    if mine is None or theirs is None or abs(mine - theirs) <= 1:
        ok = _("{path} {client} (server {server})").format(path=on_path, client=client, server=server_version)
        return [Finding("kubectl on PATH", OK, ok)]
    return [
        Finding(
            "kubectl on PATH",
            WARN,
            _(
                "{path} is {client}, {skew} minor versions from the server's {server} "
                "(kubectl supports one): commands from the lessons may fail or print differently"
            ).format(path=on_path, client=client, skew=abs(mine - theirs), server=server_version),
            _(
                "install kubectl {server} (https://kubernetes.io/docs/tasks/tools/), or put the tutor's "
                "on PATH: {kubectl}"
            ).format(server=server_version, kubectl=find_kubectl()),
        )
    ]


def check_sim_binaries() -> list[Finding]:
    """The sim driver's binaries and where they came from."""
    from tutor.cluster.binaries.install import needs, source_report

    missing = sim.missing_binaries()
    if missing:
        fix = (
            _("k8s-tutor cluster up --driver sim   # downloads the pinned binaries; --build compiles them")
            if not any(n.why_not for n in needs(missing))
            else _("k8s-tutor cluster up --driver sim --build   # or, in a clone: bash kind/sim/build.sh")
        )
        found = [
            Finding(
                "sim binaries",
                WARN,
                _("not cached ({n} missing, e.g. {first})").format(n=len(missing), first=missing[0]),
                fix,
            )
        ]
    else:
        found = [Finding("sim binaries", OK, _("cached (Kubernetes {version})").format(version=K8S_VERSION))]
    for name, matches, detail, folder in source_report():
        level = INFO if matches is None else OK if matches else WARN
        fix = (
            _("rm -r {folder}   # then: k8s-tutor cluster up --driver sim").format(folder=folder)
            if matches is False
            else ""
        )
        found.append(Finding(f"sim source: {name}", level, detail, fix))
    return found


def check_cluster(cluster: Cluster) -> tuple[list[Finding], bool]:
    """Context, API reachability and version, nodes, capabilities and addons of a connected cluster;
    and whether its pods are simulated (a sim cluster), which decides what the tools must be."""
    from tutor.errors import TutorError

    found: list[Finding] = []
    rec = guard.created_by_tutor(cluster.context, cluster.server)
    if rec:
        found.append(
            Finding(
                "context",
                OK,
                _("{context} (created by `k8s-tutor cluster up --driver {driver}`)").format(
                    context=cluster.context, driver=rec.driver
                ),
            )
        )
    else:
        found.append(
            Finding(
                "context",
                WARN,
                _("{context} was not created by k8s-tutor: exercises will not write to it").format(
                    context=cluster.context
                ),
                _("k8s-tutor cluster up   # or pass --allow-context {context}").format(
                    context=cluster.context
                ),
            )
        )
    try:
        version = cluster.read.version().get("gitVersion", "?")
        nodes = cluster.read.list("v1", "Node")
        caps = cluster.read.capabilities()
    except TutorError as exc:
        found.append(Finding("API server", FAIL, str(exc), "k8s-tutor cluster up"))
        return found, False
    answers = _("{server} answers, Kubernetes {version}").format(server=cluster.server, version=version)
    found.append(Finding("API server", OK, answers))
    minor = version.split(".")[1] if version.count(".") >= 2 else ""
    if minor and minor.isdigit() and abs(int(minor) - int(K8S_VERSION.split(".")[1])) > 1:
        found.append(
            Finding(
                "version",
                WARN,
                _("the lessons target Kubernetes {pinned}, this cluster runs {version}").format(
                    pinned=K8S_VERSION, version=version
                ),
                _("k8s-tutor cluster up   # the tutor's cluster runs the pinned version"),
            )
        )
    not_ready = [
        n["metadata"]["name"]
        for n in nodes
        if not any(
            c.get("type") == "Ready" and c.get("status") == "True"
            for c in (n.get("status") or {}).get("conditions") or []
        )
    ]
    if not nodes:
        found.append(
            Finding(
                "nodes", FAIL, _("the cluster has no nodes"), "k8s-tutor cluster down && k8s-tutor cluster up"
            )
        )
    elif not_ready:
        found.append(
            Finding(
                "nodes",
                FAIL,
                _("not Ready: {nodes}").format(nodes=", ".join(not_ready)),
                _("kubectl describe node {node}  # then recreate: k8s-tutor cluster down; cluster up").format(
                    node=not_ready[0]
                ),
            )
        )
    else:
        found.append(Finding("nodes", OK, _("{n} Ready").format(n=len(nodes))))
    found.append(check_topology(nodes))
    simulated = "containers" not in caps
    found.append(
        Finding(
            "capabilities",
            INFO,
            ", ".join(sorted(caps)) + (_(" (sim: pods are simulated)") if simulated else ""),
        )
    )
    if simulated:
        found.append(Finding("addons", INFO, _("ingress and metrics need the kind driver (real containers)")))
        return found, True
    found.append(
        Finding("ingress", OK, _("an IngressClass exists"))
        if "ingress" in caps
        else Finding(
            "ingress",
            WARN,
            _("no IngressClass: Ingress lessons cannot be graded"),
            "k8s-tutor cluster up --addons ingress",
        )
    )
    found.append(
        Finding("metrics", OK, _("metrics.k8s.io is Available"))
        if "metrics" in caps
        else Finding(
            "metrics",
            WARN,
            _("metrics.k8s.io is not available: `kubectl top` and HPA lessons will not work"),
            "k8s-tutor cluster up --addons metrics-server",
        )
    )
    return found, False


def check_topology(nodes: list[dict[str, Any]]) -> Finding:
    """Do the nodes carry the names, labels and taint the lessons rely on (docs/design.md)?"""
    by_name = {n["metadata"]["name"]: n for n in nodes}
    problems = []
    for name, labels in NODES.items():
        node = by_name.get(name)
        if node is None:
            problems.append(_("no node {name}").format(name=name))
            continue
        have = node["metadata"].get("labels") or {}
        missing = [f"{k}={v}" for k, v in labels.items() if have.get(k) != v]
        if missing:
            problems.append(_("{name} lacks {labels}").format(name=name, labels=", ".join(missing)))
        taints = (node.get("spec") or {}).get("taints") or []
        for taint in taints_of(name):
            if not any(t.get("key") == taint["key"] and t.get("effect") == taint["effect"] for t in taints):
                problems.append(
                    _("{name} lacks the taint {taint}").format(
                        name=name, taint=f"{taint['key']}:{taint['effect']}"
                    )
                )
    if not problems:
        return Finding("topology", OK, _("{nodes} with the lesson labels").format(nodes=", ".join(NODES)))
    return Finding(
        "topology",
        WARN,
        "; ".join(problems) + _(" (node lessons check these names and labels)"),
        _("k8s-tutor cluster down; k8s-tutor cluster up   # recreates the three lesson nodes"),
    )


def run_checks(target: ClusterTarget | None = None) -> list[Finding]:
    """Every check, in report order, on ``target`` (default: the kubeconfig's current context)."""
    from tutor.cluster.target import ClusterTarget
    from tutor.errors import TutorError

    cluster_findings: list[Finding]
    cluster: Cluster | None = None
    simulated = False
    try:
        cluster = (target or ClusterTarget()).connect()
    except TutorError as exc:
        cluster_findings = [Finding("kubeconfig", FAIL, str(exc), "k8s-tutor cluster up")]
    else:
        with cluster:
            cluster_findings, simulated = check_cluster(cluster)
    on_sim = bool(
        cluster and (rec := guard.created_by_tutor(cluster.context, cluster.server)) and rec.driver == "sim"
    )
    # Without a cluster, `cluster up` picks sim unless docker and kind are both there: then Docker and
    # kind are optional, and the sim binaries are what the suggested `cluster up` needs.
    uses_sim = on_sim or simulated or (cluster is None and choose_driver().driver == "sim")
    return (
        check_tools(needs_docker=not uses_sim)
        + (check_sim_binaries() if uses_sim or not shutil.which("docker") else [])
        + cluster_findings
    )
