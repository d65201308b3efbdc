"""Checkers never get the learner's credentials. On the sim cluster:

* a hostile checker (it runs in the checker worker) that looks through every object of its process for
  a client, a transport or the worker's line to the tutor, and tries to create a Namespace with each,
  finds no client and is answered "checks can only read" by the tutor; its verdict is an error, nothing
  is created, and a normal check (Secrets included) still passes;
* the read view the tutor reads through for checkers cannot write either, whoever holds it: its
  transport refuses before sending ("checks are read-only") and the API server's RBAC answers 403 for
  the grader ServiceAccount (or for the impersonated one, on a context the tutor did not create)."""

from __future__ import annotations

import json
import secrets
import time

import pytest

from tutor.cli import main
from tutor.cluster import connect, identity, records
from tutor.cluster.target import ClusterTarget
from tutor.practice.cluster_session import ClusterSession

pytestmark = pytest.mark.cluster

HOSTILE = '''
import gc
import json

from tutor.sdk import check


def attempts(name):
    """Try to create Namespace ``name`` with everything in this process that looks like a way out."""
    body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
    outcomes = []
    for obj in gc.get_objects():
        kind = type(obj).__name__
        try:
            if kind == "ApiClient":
                obj.call_api("/api/v1/namespaces", "POST", body=body)
                outcomes.append("ApiClient: WROTE")
            elif callable(getattr(obj, "request", None)) and hasattr(obj, "api_client"):
                obj.request("POST", "/api/v1/namespaces", body=body, content_type="application/json")
                outcomes.append("Transport: WROTE")
            elif callable(getattr(obj, "send", None)) and callable(getattr(obj, "receive", None)):
                # the worker's line to the tutor: ask it to write instead of to read
                asked = {"op": "read", "what": "create", "api_version": "v1", "kind": "Namespace"}
                obj.send({**asked, "body": body})
                outcomes.append(f"Protocol: {json.dumps(obj.receive())}")
        except Exception as exc:
            outcomes.append(f"{kind}: {type(exc).__name__}: {exc}")
    return [o for o in outcomes if o]


@check("hostile.create_namespace")
def create_namespace(ctx, name: str) -> None:
    """Namespace {name} is created by the checker itself."""
    raise RuntimeError(" || ".join(attempts(name)) or "no client reachable")


@check("hostile.reads")
def reads(ctx) -> None:
    """The grader reads Namespaces and Secrets."""
    ctx.get("v1", "Namespace", "kube-system")
    ctx.list("v1", "Secret", namespace="kube-system")
'''


def write_attempts(reader, name):
    """Every client and transport reachable from the tutor's read view, asked to create ``name``."""
    from kubernetes import client as k8s

    seen, todo, outcomes = set(), [(reader, 0)], []
    body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
    while todo:
        obj, depth = todo.pop()
        if id(obj) in seen or depth > 8 or isinstance(obj, (str, bytes, int, float, bool, type(None))):
            continue
        seen.add(id(obj))
        try:
            if isinstance(obj, k8s.ApiClient):
                k8s.CoreV1Api(obj).create_namespace(body)
                outcomes.append("ApiClient: WROTE")
            elif callable(getattr(obj, "request", None)) and hasattr(obj, "api_client"):
                obj.request("POST", "/api/v1/namespaces", body=body, content_type="application/json")
                outcomes.append("Transport: WROTE")
        except k8s.ApiException as exc:
            outcomes.append(f"ApiClient: {exc.status} {exc.reason}: {json.loads(exc.body)['message']}")
        except Exception as exc:  # noqa: BLE001 - every refusal is an outcome to assert on
            outcomes.append(f"{type(obj).__name__}: {type(exc).__name__}: {exc}")
        if isinstance(obj, dict):
            todo += [(v, depth + 1) for v in obj.values()]
        elif isinstance(obj, (list, tuple, set)):
            todo += [(v, depth + 1) for v in obj]
        elif hasattr(obj, "__dict__") and not isinstance(obj, type):
            todo += [(v, depth + 1) for v in vars(obj).values()]
    return " || ".join(outcomes)


LESSON = """---
id: one
title: Lesson one
---

# Lesson

## Exercise: Write

```yaml exercise
id: write
namespace: null
checks:
  - check: hostile.create_namespace
    args: {{name: {name}}}
```

Nothing to do.

### Hints

1. None.

### Solution

```bash solution
kubectl get namespaces
```

## Exercise: Read

```yaml exercise
id: read
namespace: null
checks:
  - check: hostile.reads
```

Nothing to do.

### Hints

1. None.

### Solution

```bash solution
kubectl get namespaces
```
"""


def hostile_pack(tmp_path, name):
    root = tmp_path / "hostile"
    (root / "checks").mkdir(parents=True)
    (root / "pack.yaml").write_text(
        "format_version: 1\nid: hostile\ntitle: Hostile\nversion: 0.1.0\nlessons: [one]\n"
    )
    (root / "one.md").write_text(LESSON.format(name=name))
    (root / "checks" / "hostile.py").write_text(HOSTILE)
    return root


def grade_json(sim_cluster, tmp_path, pack, *extra):
    out = tmp_path / f"report-{secrets.token_hex(2)}.json"
    code = main(
        [
            "grade",
            "--pack",
            str(pack),
            "--kubeconfig",
            str(sim_cluster.kubeconfig),
            "--context",
            sim_cluster.context,
            *extra,
            "--format",
            "json",
            "--output",
            str(out),
        ]
    )
    data = json.loads(out.read_text())
    return code, {e["exercise"]: e["checks"][0] for e in data["exercises"]}


@pytest.fixture
def trusting(monkeypatch):
    monkeypatch.setenv("K8S_TUTOR_TRUST", "1")  # these packs are hostile on purpose; trust is tested apart


def test_a_checker_cannot_write_through_any_client_it_can_reach(cluster, sim_cluster, tmp_path, trusting):
    name = f"t-hostile-{secrets.token_hex(3)}"
    code, checks = grade_json(sim_cluster, tmp_path, hostile_pack(tmp_path, name))
    assert code == 2
    write, read = checks["write"], checks["read"]
    assert read["status"] == "pass", read  # a normal check, Secrets included, still passes as the grader
    assert write["status"] == "error"
    message = write["message"]
    assert "WROTE" not in message and "ApiClient" not in message  # no client in the checker worker
    assert "checks can only read (asked for 'create')" in message  # the tutor answers only reads
    assert cluster.read.get("v1", "Namespace", name) is None


def test_the_read_view_checkers_read_through_cannot_write(cluster, sim_cluster):
    """Whoever gets hold of it: the transport refuses before sending, the API server's RBAC says 403."""
    view = ClusterSession(ClusterTarget(str(sim_cluster.kubeconfig), sim_cluster.context)).grader_view()
    name = f"t-hostile-{secrets.token_hex(3)}"
    said = write_attempts(view.reader, name)
    assert "WROTE" not in said and "checks are read-only" in said
    assert "Forbidden" in said and f'User "{identity.USERNAME}" cannot create resource' in said
    assert cluster.read.get("v1", "Namespace", name) is None


def test_the_grader_identity_is_read_only_on_the_server(cluster, sim_cluster):
    session = ClusterSession(ClusterTarget(str(sim_cluster.kubeconfig), sim_cluster.context))
    view = session.grader_view()
    assert view.identity == identity.USERNAME and view.notice is None
    role = cluster.read.get("rbac.authorization.k8s.io/v1", "ClusterRole", identity.NAME)
    assert role is not None
    assert {v for rule in role["rules"] for v in rule["verbs"]} == {"get", "list", "watch"}
    assert view.reader.get("v1", "Namespace", "default") is not None
    token = identity._tokens[(cluster.context, cluster.server.rstrip("/"))]
    assert token.fresh()  # cached in this process; a second session reuses it without a TokenRequest
    again = ClusterSession(ClusterTarget(str(sim_cluster.kubeconfig), sim_cluster.context)).grader_view()
    assert identity._tokens[(cluster.context, cluster.server.rstrip("/"))] is token
    assert again.reader.get("v1", "Namespace", "default") is not None
    session.close()


def test_a_context_the_tutor_did_not_create_gets_no_rbac_objects_but_impersonation(
    cluster, sim_cluster, foreign_kubeconfig, tmp_path, trusting
):
    ClusterSession(ClusterTarget(str(sim_cluster.kubeconfig), sim_cluster.context)).grader_view()  # exists
    foreign = connect(foreign_kubeconfig, "someones-prod")
    view = identity.grader_view(foreign, None, create=False)
    assert view.identity.endswith("(impersonated)") and view.notice is None
    assert view.reader.get("v1", "Namespace", "default") is not None
    name = f"t-hostile-{secrets.token_hex(3)}"
    out = tmp_path / "r.json"
    args = ["grade", "--pack", str(hostile_pack(tmp_path, name)), "--kubeconfig", str(foreign_kubeconfig)]
    assert main([*args, "--format", "json", "--output", str(out)]) == 2
    [write, read] = [e["checks"][0] for e in json.loads(out.read_text())["exercises"]]
    assert read["status"] == "pass" and write["status"] == "error"
    assert "checks can only read" in write["message"]
    assert f'User "{identity.USERNAME}" cannot create resource' in write_attempts(view.reader, name)
    assert cluster.read.get("v1", "Namespace", name) is None
    foreign.close()


def test_create_grader_on_a_foreign_context_needs_consent_to_write(sim_cluster, foreign_kubeconfig):
    from tutor.errors import ContextRefused

    foreign = connect(foreign_kubeconfig, "someones-prod")
    with pytest.raises(ContextRefused, match="--allow-context someones-prod"):
        identity.grader_view(foreign, None, create=True)
    view = identity.grader_view(foreign, "someones-prod", create=True)
    assert view.identity == identity.USERNAME
    foreign.close()


def test_the_identity_costs_little(cluster, sim_cluster, capsys):
    """Not a pass/fail benchmark: prints what the identity adds (see benchmarks/grading.py too)."""
    identity._tokens.clear()
    for record in records.all_records():
        (record.state_dir() / identity.TOKEN_FILE).unlink(missing_ok=True)
    target = ClusterTarget(str(sim_cluster.kubeconfig), sim_cluster.context)
    t0 = time.perf_counter()
    cold = ClusterSession(target).grader_view()
    cold_ms = (time.perf_counter() - t0) * 1000
    identity._tokens.clear()
    t0 = time.perf_counter()
    ClusterSession(target).grader_view()
    file_ms = (time.perf_counter() - t0) * 1000
    with capsys.disabled():
        print(f"\ngrader identity: first {cold_ms:.0f} ms, from the cached token {file_ms:.0f} ms")
    assert cold.reader.get("v1", "Namespace", "default") is not None


def test_without_impersonation_rights_grading_says_once_that_checks_run_with_your_rights(
    cluster, sim_cluster, foreign_kubeconfig, tmp_path, trusting, capsys
):
    import yaml

    ClusterSession(ClusterTarget(str(sim_cluster.kubeconfig), sim_cluster.context)).grader_view()
    token = identity._tokens[(cluster.context, cluster.server.rstrip("/"))].value
    data = yaml.safe_load(foreign_kubeconfig.read_text())
    user = data["contexts"][0]["context"]["user"]
    data["users"] = [{"name": user, "user": {"token": token}}]  # a user who may read but not impersonate
    limited = tmp_path / "limited"
    limited.write_text(yaml.safe_dump(data))
    name = f"t-hostile-{secrets.token_hex(3)}"
    out = tmp_path / "r.json"
    args = ["grade", "--pack", str(hostile_pack(tmp_path, name)), "--kubeconfig", str(limited)]
    assert main([*args, "--format", "json", "--output", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("checks run with your own rights on context 'someones-prod'") == 1
    assert "may not impersonate" in err and "--create-grader" in err
    [write, read] = [e["checks"][0] for e in json.loads(out.read_text())["exercises"]]
    assert read["status"] == "pass" and write["status"] == "error"
    assert "checks can only read" in write["message"]
    own_rights = identity.grader_view(connect(limited, "someones-prod"), None, create=False)
    assert own_rights.notice and "checks are read-only" in write_attempts(own_rights.reader, name)
    assert cluster.read.get("v1", "Namespace", name) is None


def test_create_grader_refused_by_the_guard_is_an_error_per_check_and_a_report(
    sim_cluster, foreign_kubeconfig, tmp_path, trusting, capsys
):
    out = tmp_path / "r.json"
    pack = hostile_pack(tmp_path, "unused")
    args = ["grade", "--pack", str(pack), "--kubeconfig", str(foreign_kubeconfig), "--create-grader"]
    assert main([*args, "--format", "json", "--output", str(out)]) == 2
    checks = [e["checks"][0] for e in json.loads(out.read_text())["exercises"]]
    assert {c["status"] for c in checks} == {"error"}
    assert all("cannot prepare the read-only identity" in c["message"] for c in checks)
    assert all("--allow-context someones-prod" in c["message"] for c in checks)
    assert "Traceback" not in capsys.readouterr().err
