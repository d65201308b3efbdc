"""`k8s-tutor cluster up|down|status`: create, inspect or delete the tutor's local cluster.

Two drivers: ``kind`` (real containers in Docker; the default when kind is installed and the Docker
engine answers) and ``sim`` (a real control plane with kwok-simulated nodes; no Docker needed).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path


def configure(parser: argparse.ArgumentParser) -> None:
    """``up``, ``down`` and ``status`` sub-actions with their options."""
    from tutor.commands._args import cluster_name, wait_seconds

    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    for action, text in (
        ("up", "create the cluster (or reuse the running one) and make its context current"),
        ("down", "delete the cluster, its processes and its kubeconfig context"),
        ("status", "show what runs, where, and which version"),
    ):
        p = sub.add_parser(action, help=text, description=text)
        p.add_argument(
            "--driver",
            choices=("kind", "sim"),
            help="kind (Docker) or sim (no Docker); default: kind if kind is installed and the Docker engine "
            "answers, else sim",
        )
        p.add_argument("--name", type=cluster_name, default=None, help="cluster name (default: k8s-tutor)")
        if action == "up":
            p.add_argument(
                "--kubeconfig", type=Path, help="write the context to this file instead of ~/.kube/config"
            )
            p.add_argument(
                "--no-switch", action="store_true", help="do not make the new context the current one"
            )
            p.add_argument(
                "--build",
                action="store_true",
                help="sim: build missing binaries with Go (kind/sim/build.sh) instead of downloading them",
            )
            p.add_argument(
                "--offline",
                action="store_true",
                help="sim: never download; use the cached binaries (or build them with --build)",
            )
            p.add_argument(
                "--addons",
                default="",
                help="kind: comma-separated addons from kind/addons/ (ingress, metrics-server)",
            )
            p.add_argument(
                "--timeout", type=wait_seconds, default=300, help="seconds to wait for a Ready cluster"
            )
        if action == "status":
            p.add_argument("--json", action="store_true", help="machine-readable output")


def default_driver() -> str:
    """The driver ``tutor.cluster.drivers.choose_driver`` picks (the TUI uses the same rule)."""
    from tutor.cluster.drivers import choose_driver

    return choose_driver().driver


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _live_line(text: str) -> None:
    """Redraw one status line in place (download progress); only used when stderr is a terminal."""
    sys.stderr.write("\r\x1b[K" + text)
    sys.stderr.flush()


def _current_tutor_cluster():  # -> records.ClusterRecord | None
    """The tutor-created cluster behind the kubeconfig's current context, if it is one of ours."""
    from tutor.cluster import kubeconfig, records

    try:
        context = kubeconfig.current_context(kubeconfig.user_kubeconfig_path())
    except (OSError, ValueError):
        return None
    return next((r for r in records.all_records() if r.context == context), None) if context else None


def _driver_for_existing(name: str) -> str:
    """For down/status without --driver: whichever driver has a cluster of that name."""
    from tutor.cluster import records, sim

    if sim.load_state(name):
        return "sim"
    if records.load("kind", name):
        return "kind"
    return default_driver()


def run(args: argparse.Namespace) -> int:
    """Dispatch to the chosen driver module (``tutor.cluster.sim`` or ``.kind``, same up/down/status shape).

    Errors surface as TutorError (exit 2) through the CLI.
    """
    from tutor.cluster.drivers import UpRequest, choose_driver, driver

    name = args.name or "k8s-tutor"
    current = _current_tutor_cluster() if args.action == "status" and not args.name else None
    if current is not None and not args.driver:  # status of the cluster kubectl talks to right now
        name, args.driver = current.name, current.driver
    if args.driver:
        driver_name = args.driver
    elif args.action == "up":
        choice = choose_driver()
        driver_name = choice.driver
        _progress(f"using the {driver_name} driver: {choice.reason}")
    else:
        driver_name = _driver_for_existing(name)
    chosen = driver(driver_name)
    if args.action == "up":
        request = UpRequest(
            name,
            kubeconfig=Path(args.kubeconfig) if args.kubeconfig else None,
            make_current=not args.no_switch,
            timeout=args.timeout,
            build=getattr(args, "build", False),
            offline=getattr(args, "offline", False),
            live=_live_line if sys.stderr.isatty() else None,
            addons=tuple(a.strip() for a in (getattr(args, "addons", "") or "").split(",") if a.strip()),
        )
        made = chosen.up(request, _progress)
        where = f"context {made.context} ({made.server}) in {made.kubeconfig}"
        print(f"{driver_name} cluster {name!r} is up: {where}")
        print(f"try: {_kubectl_hint(made.context, made.kubeconfig)} get nodes")
        return 0
    if args.action == "down":
        chosen.down(name, _progress)
        print(f"{driver_name} cluster {name!r} deleted")
        return 0
    return _print_status(chosen.status(name), args.json)


def _kubectl_hint(context: str, kubeconfig: str | Path) -> str:
    """The kubectl prefix that reaches the new cluster: adds ``--kubeconfig`` unless kubectl reads it."""
    from tutor.cluster.client import default_kubeconfig

    read_by_default = {Path(p).expanduser().resolve() for p in default_kubeconfig().split(os.pathsep) if p}
    if Path(kubeconfig).expanduser().resolve() in read_by_default:
        return f"kubectl --context {context}"
    return f"kubectl --kubeconfig {kubeconfig} --context {context}"


def _print_status(info: dict, as_json: bool) -> int:
    """Print a driver's status dict; exit 0 when the cluster exists and runs, else 1."""
    ok = bool(info.get("exists")) and all(c.get("running") for c in info.get("components", {}).values())
    if as_json:
        print(json.dumps(info, indent=2, sort_keys=True))
        return 0 if ok else 1
    if not info.get("exists"):
        print(
            f"no {info.get('driver', 'sim')} cluster named {info['name']!r}; "
            "create it with `k8s-tutor cluster up`"
        )
        return 1
    print(f"cluster {info['name']!r}: context {info['context']} in {info['kubeconfig']}")
    print(f"  API server  {info['server']}  version {info.get('server_version') or 'unreachable'}")
    if "ready_nodes" in info:
        print(f"  nodes Ready {info['ready_nodes']}")
    for comp, c in info.get("components", {}).items():
        state = "running" if c.get("running") else "STOPPED"
        where = f"pid {c['pid']}" if c.get("pid") else c.get("where", "")
        port = f"127.0.0.1:{c['port']}" if c.get("port") else ""
        print(f"  {comp:<24}{state:<9}{where:<12}{port}")
    for key, value in sorted(info.get("versions", {}).items()):
        print(f"  {key} {value}")
    if info.get("state_dir"):
        print(f"  state {info['state_dir']}")
    return 0 if ok else 1
