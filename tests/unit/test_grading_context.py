"""CheckContext helpers on an in-memory reader: reads, shapes, assertions, start snapshot."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.unit.test_grading_fakes import FakeReader, obj
from tutor.grading.cache import RoundCache
from tutor.grading.context import CheckContext
from tutor.grading.outcomes import CheckFailed, NotYet

TEMPLATE = {
    "metadata": {"labels": {"app": "web"}},
    "spec": {
        "containers": [
            {"name": "web", "image": "nginx:1.25", "resources": {"limits": {"memory": "1Gi", "cpu": "0.5"}}}
        ],
        "initContainers": [{"name": "init", "image": "busybox"}],
    },
}


def world() -> FakeReader:
    dep = obj(
        "Deployment",
        "web",
        api_version="apps/v1",
        spec={"selector": {"matchLabels": {"app": "web"}}, "template": TEMPLATE},
    )
    rs = obj(
        "ReplicaSet",
        "web-1",
        api_version="apps/v1",
        metadata={
            "uid": "rs",
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "kind": "Deployment",
                    "name": "web",
                    "uid": "uid-Deployment-web",
                    "controller": True,
                }
            ],
        },
    )
    pods = [
        obj(
            "Pod",
            f"web-1-{i}",
            metadata={
                "labels": {"app": "web"},
                "ownerReferences": [
                    {
                        "apiVersion": "apps/v1",
                        "kind": "ReplicaSet",
                        "name": "web-1",
                        "uid": "rs",
                        "controller": True,
                    }
                ],
            },
            spec=TEMPLATE["spec"],
            status={"phase": "Running"},
        )
        for i in range(2)
    ]
    pods.append(
        obj(
            "Pod", "web-old", metadata={"labels": {"app": "web"}, "deletionTimestamp": "2026-01-01T00:00:00Z"}
        )
    )
    pods.append(obj("Pod", "other", metadata={"labels": {"app": "db"}}, status={"phase": "Pending"}))
    events = [
        obj(
            "Event",
            f"e{i}",
            involvedObject={"kind": "Pod", "name": "web-1-0", "uid": "uid-Pod-web-1-0"},
            lastTimestamp=f"2026-01-01T00:00:0{9 - i}Z",
            reason=f"R{i}",
        )
        for i in range(3)
    ]
    ns = obj("Namespace", "ex", namespace=None, metadata={"labels": {"team": "a"}})
    return FakeReader([dep, rs, *pods, *events, ns, obj("Pod", "elsewhere", namespace="other")])


def ctx(reader: FakeReader | None = None, **kw) -> CheckContext:
    return CheckContext(RoundCache(reader or world()), "ex", **kw)


def test_get_find_list_default_to_the_exercise_namespace():
    c = ctx()
    assert c.get("apps/v1", "Deployment", "web")["metadata"]["name"] == "web"
    assert c.find("v1", "Pod", "elsewhere") is None and c.find("v1", "Pod", "elsewhere", namespace="other")
    with pytest.raises(NotYet, match="Pod nope not found in namespace ex"):
        c.get("v1", "Pod", "nope")
    assert c.get("v1", "Namespace", "ex")["metadata"]["labels"] == {"team": "a"}  # cluster-scoped ignores ns
    assert [p["metadata"]["name"] for p in c.list("v1", "Pod", labels="app=db")] == ["other"]
    assert [p["metadata"]["name"] for p in c.list("v1", "Pod", fields={"status.phase": "Running"})] == [
        "web-1-0",
        "web-1-1",
    ]
    assert len(c.list("v1", "Pod", namespace=None)) == 5


def test_reads_are_cached_per_round():
    reader = world()
    c = ctx(reader)
    for _ in range(5):
        c.get("v1", "Pod", "web-1-0")
        c.list("v1", "Pod", labels={"app": "web"})
    assert reader.calls == [("v1", "Pod", "ex")]


def test_field_and_expect_field():
    c = ctx()
    dep = c.get("apps/v1", "Deployment", "web")
    assert c.field(dep, "spec.template.spec.containers[name=web].image") == "nginx:1.25"
    assert c.field(dep, "spec.replicas", default=1) == 1
    with pytest.raises(CheckFailed, match="Deployment web in namespace ex has no .spec.replicas"):
        c.field(dep, "spec.replicas")
    c.expect_field(dep, "spec.template.spec.containers[name=web].resources.limits.memory", "1024Mi")
    c.expect_field(dep, "spec.template.spec.containers[name=web].resources.limits.cpu", "500m")
    with pytest.raises(CheckFailed) as exc:
        c.expect_field(dep, "spec.template.spec.containers[name=web].image", "nginx:1.24")
    assert exc.value.diffs[0].path == ".spec.template.spec.containers[name=web].image"
    assert "is 'nginx:1.25', expected 'nginx:1.24'" in exc.value.message
    with pytest.raises(CheckFailed, match="custom"):
        c.expect(False, "custom")


def test_shapes_container_pods_owner_chain_events():
    c = ctx()
    dep = c.get("apps/v1", "Deployment", "web")
    assert c.container(dep, "init")["image"] == "busybox"
    with pytest.raises(CheckFailed, match="has no container named db \\(it has web\\)"):
        c.container(dep, "db")
    assert [p["metadata"]["name"] for p in c.pods_of(dep)] == [
        "web-1-0",
        "web-1-1",
    ]  # not terminating, not db
    pod = c.get("v1", "Pod", "web-1-0")
    assert [o["kind"] for o in c.owner_chain(pod)] == ["Pod", "ReplicaSet", "Deployment"]
    assert [e["reason"] for e in c.events_for(pod)] == ["R2", "R1", "R0"]  # oldest first
    cron = {
        "kind": "CronJob",
        "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "x"}]}}}}},
    }
    assert c.pod_spec(cron)["containers"][0]["name"] == "x"
    assert c.quantity("250m") * 4 == 1


def test_match_helpers():
    c = ctx()
    pod = c.get("v1", "Pod", "web-1-0")
    assert c.match(pod, {"spec": {"containers": [{"name": "web"}]}}) == []
    with pytest.raises(CheckFailed, match=r"\.status\.phase: expected 'Failed', got 'Running'"):
        c.expect_match(pod, {"status": {"phase": "Failed"}})


def test_start_snapshot_and_created_after_start():
    started = datetime(2026, 1, 1, 0, 0, 5, 300000, tzinfo=UTC)
    snapshot = {("v1", "Pod", "ex", "web-1-0"): {"uid": "uid-Pod-web-1-0"}}
    c = ctx(started_at=started, snapshot=snapshot)
    assert (
        c.snapshot_uid("v1", "Pod", "web-1-0") == "uid-Pod-web-1-0"
        and c.snapshot_uid("v1", "Pod", "x") is None
    )
    same_second = {"metadata": {"uid": "new", "creationTimestamp": "2026-01-01T00:00:05Z"}}
    before = {"metadata": {"uid": "old", "creationTimestamp": "2026-01-01T00:00:04Z"}}
    in_snapshot = {"metadata": {"uid": "uid-Pod-web-1-0", "creationTimestamp": "2026-01-01T00:00:09Z"}}
    assert c.created_after_start(same_second) and not c.created_after_start(before)
    assert not c.created_after_start(in_snapshot)
    assert ctx().created_after_start(before)  # no started run: nothing to compare with
