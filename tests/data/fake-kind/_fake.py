"""Stand-ins for docker, kind and kubectl, so the kind driver's commands and error paths can be
tested on machines without Docker. Each call is appended to $FAKE_LOG as a JSON line
{"tool": ..., "argv": [...]}. Behaviour is steered by environment variables:

FAKE_DOCKER=down            `docker info` fails as when the engine is not running
FAKE_KIND_CLUSTERS=a,b      clusters `kind get clusters` reports
FAKE_KIND_FAIL=create       `kind create cluster` fails with kind-like output
FAKE_KUBECTL_FAIL=wait      `kubectl ... wait` fails (any subcommand word works)
"""

import json
import os
import sys
from pathlib import Path


def log(tool: str) -> None:
    with open(os.environ["FAKE_LOG"], "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"tool": tool, "argv": sys.argv[1:]}) + "\n")


def opt(name: str, default: str = "") -> str:
    argv = sys.argv
    return argv[argv.index(name) + 1] if name in argv else default


def write_kubeconfig(name: str) -> None:
    import yaml

    path = Path(opt("--kubeconfig", os.environ.get("KUBECONFIG", str(Path.home() / ".kube/config"))))
    data = yaml.safe_load(path.read_text()) if path.exists() and path.read_text().strip() else {}
    data = data or {"apiVersion": "v1", "kind": "Config"}
    ctx = f"kind-{name}"
    for key, entry in (
        ("clusters", {"name": ctx, "cluster": {"server": "https://127.0.0.1:6443"}}),
        ("users", {"name": ctx, "user": {"token": "fake"}}),
        ("contexts", {"name": ctx, "context": {"cluster": ctx, "user": ctx}}),
    ):
        data[key] = [e for e in data.get(key) or [] if e.get("name") != ctx] + [entry]
    data["current-context"] = ctx
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data))


def docker() -> int:
    log("docker")
    if os.environ.get("FAKE_DOCKER") == "down":
        print(
            "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. "
            "Is the docker daemon running?",
            file=sys.stderr,
        )
        return 1
    print("28.2.2")
    return 0


def kind() -> int:
    log("kind")
    args = sys.argv[1:]
    name = opt("--name", "kind")
    if args[:2] == ["get", "clusters"]:
        existing = [c for c in os.environ.get("FAKE_KIND_CLUSTERS", "").split(",") if c]
        print("\n".join(existing) if existing else "No kind clusters found.")
        return 0
    if args[:2] == ["get", "nodes"]:
        print(f"{name}-control-plane\n{name}-worker\n{name}-worker2")
        return 0
    if args[:2] == ["create", "cluster"]:
        if os.environ.get("FAKE_KIND_FAIL") == "create":
            print("ERROR: failed to create cluster: node(s) already exist for a cluster with the name", name)
            return 1
        print(f'Creating cluster "{name}" ...\n ✓ Ensuring node image\n ✓ Preparing nodes')
        write_kubeconfig(name)
        return 0
    if args[:2] == ["export", "kubeconfig"]:
        write_kubeconfig(name)
        print(f'Set kubectl context to "kind-{name}"')
        return 0
    if args[:2] == ["delete", "cluster"]:
        print(f'Deleting cluster "{name}" ...')
        return 0
    print(f"fake kind: unexpected arguments {args}", file=sys.stderr)
    return 2


def kubectl() -> int:
    log("kubectl")
    fail = os.environ.get("FAKE_KUBECTL_FAIL")
    if fail and fail in sys.argv:
        print(f"error: timed out waiting for the condition ({fail})", file=sys.stderr)
        return 1
    if "version" in sys.argv:
        print(json.dumps({"serverVersion": {"gitVersion": "v1.36.1"}}))
    return 0


if __name__ == "__main__":
    sys.exit({"docker": docker, "kind": kind, "kubectl": kubectl}[sys.argv.pop(1)]())
