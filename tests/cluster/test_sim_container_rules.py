"""The sim cluster's container rules (docs/clusters.md, "What the sim simulates"), end to end through the API.

Each test creates real objects on the sim cluster and reads what kwok's Stages, the real Job controller
and the real EndpointSlice controller make of them: pod status, restartCount, events, Job conditions.
On a sim without the rules every one of these pods would be Running and Ready, so each test fails there.
"""

from __future__ import annotations

import time

import pytest

from tests.cluster.test_sim_control_plane import wait_for

pytestmark = pytest.mark.cluster


def _pod(name: str, container: str, restart: str = "Always") -> str:
    return f"""
apiVersion: v1
kind: Pod
metadata: {{name: {name}, labels: {{app: {name}}}}}
spec:
  restartPolicy: {restart}
  containers: [{container}]
"""


def _status(cluster, namespace: str, name: str) -> dict:
    pod = cluster.read.get("v1", "Pod", name, namespace) or {}
    statuses = (pod.get("status") or {}).get("containerStatuses") or [{}]
    return {"phase": (pod.get("status") or {}).get("phase"), **statuses[0]}


def _events(cluster, namespace: str, name: str) -> list[tuple[str, str, str]]:
    return [
        (e["type"], e["reason"], e.get("message", ""))
        for e in cluster.read.list("v1", "Event", namespace)
        if e["involvedObject"]["name"] == name
    ]


def test_sim_offers_container_states(cluster):
    assert "container-states" in cluster.read.capabilities()
    assert "containers" not in cluster.read.capabilities()  # still no real containers: no logs, no exec


def test_unknown_tag_of_a_well_known_image_fails_to_pull_then_backs_off(cluster, namespace):
    cluster.writer().apply(_pod("badtag", "{name: web, image: nginx:1.99}"), namespace)
    first = wait_for(lambda: (s := _status(cluster, namespace, "badtag")).get("state") and s, "a status")
    assert first["phase"] == "Pending"
    assert first["state"]["waiting"]["reason"] in {"ErrImagePull", "ImagePullBackOff"}
    assert "nginx:1.99" in first["state"]["waiting"]["message"]
    wait_for(
        lambda: _status(cluster, namespace, "badtag")["state"]["waiting"]["reason"] == "ImagePullBackOff",
        "ImagePullBackOff",
        timeout=15,
    )
    events = _events(cluster, namespace, "badtag")
    assert ("Warning", "Failed", "Error: ErrImagePull") in events
    wait_for(
        lambda: ("Warning", "Failed", "Error: ImagePullBackOff") in _events(cluster, namespace, "badtag"),
        "the ImagePullBackOff event",
    )
    assert _status(cluster, namespace, "badtag")["ready"] is False


def test_unresolvable_registry_host_fails_to_pull(cluster, namespace):
    cluster.writer().apply(_pod("nohost", "{name: c, image: registry.invalid/team/app:1.0}"), namespace)
    wait_for(
        lambda: (
            (_status(cluster, namespace, "nohost").get("state") or {}).get("waiting", {}).get("reason")
            in {"ErrImagePull", "ImagePullBackOff"}
        ),
        "a pull failure",
    )


def test_known_tags_and_unknown_images_stay_running_and_ready(cluster, namespace):
    w = cluster.writer()
    for name, image in [
        ("a", "nginx:1.25"),
        ("b", "docker.io/library/busybox:1.36"),
        ("c", "example.com/x:7"),
    ]:
        w.apply(
            _pod(name, f"{{name: c, image: {image}, command: [sh, -c, 'sleep 3600 && echo done']}}"),
            namespace,
        )
    for name in "abc":
        wait_for(lambda n=name: _status(cluster, namespace, n).get("ready") is True, f"pod {name} Ready")
        assert _status(cluster, namespace, name)["restartCount"] == 0


def test_command_that_exits_crash_loops_with_growing_restart_count(cluster, namespace):
    cluster.writer().apply(
        _pod("crash", "{name: app, image: busybox:1.36, command: [sh, -c, 'echo starting; exit 3']}"),
        namespace,
    )
    wait_for(
        lambda: _status(cluster, namespace, "crash").get("restartCount", 0) >= 2, "2 restarts", timeout=30
    )
    st = wait_for(
        lambda: (s := _status(cluster, namespace, "crash")).get("state", {}).get("waiting") and s,
        "CrashLoopBackOff",
    )
    assert st["phase"] == "Running"
    assert st["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert st["lastState"]["terminated"] == {
        **st["lastState"]["terminated"],
        "exitCode": 3,
        "reason": "Error",
    }
    assert ("Warning", "BackOff", "Back-off restarting failed container") in _events(
        cluster, namespace, "crash"
    )


def test_memory_hog_over_its_limit_is_oom_killed(cluster, namespace):
    cluster.writer().apply(
        _pod(
            "memhog",
            "{name: hog, image: busybox:1.36, command: [tail, /dev/zero],"
            " resources: {limits: {memory: 64Mi}}}",
            restart="Never",
        ),
        namespace,
    )
    st = wait_for(
        lambda: (s := _status(cluster, namespace, "memhog"))["phase"] == "Failed" and s, "pod Failed"
    )
    assert st["state"]["terminated"]["reason"] == "OOMKilled"
    assert st["state"]["terminated"]["exitCode"] == 137


def test_failing_job_honours_backoff_limit(cluster, namespace):
    cluster.writer().apply(
        """
apiVersion: batch/v1
kind: Job
metadata: {name: flaky}
spec:
  backoffLimit: 1
  template:
    spec:
      restartPolicy: Never
      containers: [{name: flaky, image: busybox:1.36, command: [sh, -c, "exit 1"]}]
""",
        namespace,
    )

    def failed_condition():
        job = cluster.read.get("batch/v1", "Job", "flaky", namespace) or {}
        conds = (job.get("status") or {}).get("conditions") or []
        return next((c for c in conds if c["type"] == "Failed" and c["status"] == "True"), None)

    cond = wait_for(failed_condition, "Job flaky Failed", timeout=60)
    assert cond["reason"] == "BackoffLimitExceeded"
    pods = cluster.read.list("v1", "Pod", namespace, label_selector={"job-name": "flaky"})
    assert len(pods) == 2  # the first try and one retry
    assert {p["status"]["phase"] for p in pods} == {"Failed"}


def test_crashing_pod_is_not_a_service_endpoint(cluster, namespace):
    w = cluster.writer()
    w.apply(_pod("bad", "{name: c, image: busybox:1.36, command: ['false']}"), namespace)
    w.apply(
        """
apiVersion: v1
kind: Service
metadata: {name: svc}
spec: {selector: {app: bad}, ports: [{port: 80}]}
""",
        namespace,
    )
    wait_for(lambda: _status(cluster, namespace, "bad").get("restartCount", 0) >= 1, "a restart")

    def endpoints():
        slices = cluster.read.list(
            "discovery.k8s.io/v1",
            "EndpointSlice",
            namespace,
            label_selector={"kubernetes.io/service-name": "svc"},
        )
        return [e for s in slices for e in (s.get("endpoints") or [])]

    eps = wait_for(endpoints, "the pod's endpoint entry", timeout=15)
    assert all(e["conditions"].get("ready") is False for e in eps)


def _ready_endpoints(cluster, namespace: str, service: str) -> list[dict]:
    slices = cluster.read.list(
        "discovery.k8s.io/v1",
        "EndpointSlice",
        namespace,
        label_selector={"kubernetes.io/service-name": service},
    )
    return [e for s in slices for e in (s.get("endpoints") or []) if e["conditions"].get("ready")]


def test_readiness_probe_on_an_unserved_port_keeps_the_service_empty(cluster, namespace):
    w = cluster.writer()
    probe = "readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}"
    w.apply(_pod("wrongport", f"{{name: web, image: nginx:1.25, {probe}}}"), namespace)
    w.apply(
        _pod("rightport", "{name: web, image: nginx:1.25, readinessProbe: {httpGet: {path: /, port: 80}}}"),
        namespace,
    )
    for name in ("wrongport", "rightport"):
        w.apply(
            f"""
apiVersion: v1
kind: Service
metadata: {{name: {name}}}
spec: {{selector: {{app: {name}}}, ports: [{{port: 80}}]}}
""",
            namespace,
        )
    wait_for(lambda: _ready_endpoints(cluster, namespace, "rightport"), "a ready endpoint behind rightport")
    wait_for(
        lambda: (
            ("Warning", "Unhealthy", "Readiness probe failed: connect: connection refused")
            in _events(cluster, namespace, "wrongport")
        ),
        "the Unhealthy event",
        timeout=15,
    )
    st = _status(cluster, namespace, "wrongport")
    assert (st["phase"], st["ready"], st["restartCount"]) == ("Running", False, 0)
    assert _ready_endpoints(cluster, namespace, "wrongport") == []


def test_failing_liveness_probe_restarts_after_delay_period_and_threshold(cluster, namespace):
    timing = "initialDelaySeconds: 2, periodSeconds: 1, failureThreshold: 2"
    probe = f"livenessProbe: {{httpGet: {{path: /healthz, port: 8080}}, {timing}}}"
    cluster.writer().apply(_pod("unlive", f"{{name: web, image: nginx:1.25, {probe}}}"), namespace)
    wait_for(lambda: _status(cluster, namespace, "unlive").get("state"), "a container status")
    started = time.monotonic()
    wait_for(
        lambda: _status(cluster, namespace, "unlive")["restartCount"] >= 1, "the first restart", timeout=15
    )
    assert time.monotonic() - started >= 3  # initialDelaySeconds 2 + 1 s x 2 failures = 4 s
    wait_for(
        lambda: _status(cluster, namespace, "unlive")["restartCount"] >= 2, "the second restart", timeout=15
    )
    events = _events(cluster, namespace, "unlive")
    assert ("Warning", "Unhealthy", "Liveness probe failed: connect: connection refused") in events
    assert ("Normal", "Killing", "Container failed liveness probe, will be restarted") in events
    st = _status(cluster, namespace, "unlive")
    assert "running" in st["state"] and st["lastState"]["terminated"]["exitCode"] == 137


def test_failing_startup_probe_restarts_and_the_container_never_becomes_ready(cluster, namespace):
    timing = "initialDelaySeconds: 1, periodSeconds: 1, failureThreshold: 3"
    probes = (
        f"startupProbe: {{tcpSocket: {{port: 9000}}, {timing}}},"
        " livenessProbe: {httpGet: {path: /, port: 80}}"  # healthy, but never asked while startup fails
    )
    cluster.writer().apply(_pod("slow", f"{{name: web, image: nginx:1.25, {probes}}}"), namespace)
    wait_for(lambda: _status(cluster, namespace, "slow").get("state"), "a container status")
    started = time.monotonic()
    wait_for(
        lambda: _status(cluster, namespace, "slow")["restartCount"] >= 1, "the first restart", timeout=15
    )
    assert time.monotonic() - started >= 3  # initialDelaySeconds 1 + 1 s x 3 failures = 4 s
    st = _status(cluster, namespace, "slow")
    assert st["ready"] is False and st["started"] is False
    events = _events(cluster, namespace, "slow")
    assert ("Warning", "Unhealthy", "Startup probe failed: connect: connection refused") in events
    assert ("Normal", "Killing", "Container failed startup probe, will be restarted") in events
    assert not any("Liveness" in message for _t, _r, message in events)


def test_kubectl_logs_answers_and_says_the_container_is_simulated(cluster, namespace):
    cluster.writer().apply(
        _pod("talk", "{name: c, image: busybox:1.36, command: [sh, -c, 'exit 1']}"), namespace
    )
    wait_for(lambda: _status(cluster, namespace, "talk").get("restartCount", 0) >= 1, "a restart")
    text = cluster.read.logs(namespace, "talk", "c")
    assert "no program runs in this container" in text
    assert "What the sim simulates" in text
    path = f"/api/v1/namespaces/{namespace}/pods/talk/log"
    previous = b"".join(cluster.transport.stream_lines(path, {"previous": "true"}, (5.0, 10.0), what="logs"))
    assert b"previous instance" in previous
