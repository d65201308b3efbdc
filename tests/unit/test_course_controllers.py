"""Unit tests for the course checkers of scheduling, deployments, workloads, jobs and autoscaling.

They run the registered checker functions against in-memory objects, to pin down the "accept every
valid way" rules (equivalent cron schedules, percentages vs counts, Exists vs Equal tolerations,
quantities) without a cluster. The cluster behaviour is covered by tests/course on the sim cluster.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.test_grading_fakes import FakeReader, obj
from tutor.grading.cache import RoundCache
from tutor.grading.context import CheckContext
from tutor.grading.outcomes import CheckFailed, NotYet


@pytest.fixture(scope="module")
def checks():
    from tests.course.conftest import load_course
    from tutor.grading.registry import load_checks

    registry = load_checks(load_course())
    return lambda check_id: registry.get(check_id).fn


def ctx(*objects: dict[str, Any], snapshot: dict | None = None) -> CheckContext:
    return CheckContext(RoundCache(FakeReader(list(objects))), "ex", snapshot=snapshot)


def deployment(name: str = "web", **spec: Any) -> dict[str, Any]:
    template = {
        "metadata": {"labels": {"app": name}},
        "spec": {"containers": [{"name": "nginx", "image": "nginx:1.25"}]},
    }
    return obj("Deployment", name, api_version="apps/v1", spec={"replicas": 4, "template": template, **spec})


def cronjob(schedule: str) -> dict[str, Any]:
    return obj("CronJob", "tick", api_version="batch/v1", spec={"schedule": schedule})


@pytest.mark.parametrize("schedule", ["*/2 * * * *", "0-59/2 * * * *", "0-58/2 * * * *", "*/2 * * 1-12 *"])
def test_equivalent_cron_schedules_pass(checks, schedule):
    assert checks("jobs.schedule")(ctx(cronjob(schedule)), name="tick", schedule="*/2 * * * *") is None


def test_cron_names_and_sunday_seven_are_equivalent(checks):
    check = checks("jobs.schedule")
    assert check(ctx(cronjob("0 3 * jan sun")), name="tick", schedule="0 3 * 1 7") is None
    assert check(ctx(cronjob("@daily")), name="tick", schedule="0 0 * * *") is None


def test_cron_wrong_field_is_named(checks):
    with pytest.raises(CheckFailed, match="in the hour field"):
        checks("jobs.schedule")(ctx(cronjob("30 14 * * *")), name="tick", schedule="30 2 * * *")


def test_recreated_object_fails_the_schedule_check(checks):
    started = {("batch/v1", "CronJob", "ex", "tick"): {"uid": "old-uid"}}
    with pytest.raises(CheckFailed, match="deleted and recreated"):
        checks("jobs.schedule")(
            ctx(cronjob("30 2 * * *"), snapshot=started), name="tick", schedule="30 2 * * *"
        )


@pytest.mark.parametrize(
    ("surge", "unavailable", "ok"),
    [(1, 0, True), ("25%", "0%", True), ("25%", "25%", False), (0, 1, False), ("50%", 0, False)],
)
def test_rolling_strategy_resolves_percentages_like_the_controller(checks, surge, unavailable, ok):
    strategy = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": surge, "maxUnavailable": unavailable}}
    run = lambda: checks("deployments.rolling_strategy")(  # noqa: E731
        ctx(deployment(strategy=strategy)), name="web", max_surge=1, max_unavailable=0
    )
    if ok:
        assert run() is None
    else:
        with pytest.raises(CheckFailed, match="expected maxSurge 1 and maxUnavailable 0"):
            run()


def test_recreate_strategy_is_named(checks):
    with pytest.raises(CheckFailed, match="uses strategy Recreate"):
        checks("deployments.rolling_strategy")(
            ctx(deployment(strategy={"type": "Recreate"})), name="web", max_surge=1, max_unavailable=0
        )


# scheduling.tolerates arguments: Deployment batch must tolerate dedicated=batch:NoSchedule.
BATCH_TAINT = {
    "kind": "Deployment",
    "name": "batch",
    "key": "dedicated",
    "value": "batch",
    "effect": "NoSchedule",
}


def _batch(tolerations: list[dict[str, Any]]) -> dict[str, Any]:
    dep = deployment("batch")
    dep["spec"]["template"]["spec"]["tolerations"] = tolerations
    return dep


@pytest.mark.parametrize(
    "toleration",
    [
        {"key": "dedicated", "operator": "Equal", "value": "batch", "effect": "NoSchedule"},
        {"key": "dedicated", "value": "batch"},
        {"key": "dedicated", "operator": "Exists"},
        {"operator": "Exists"},
    ],
)
def test_every_matching_toleration_form_is_accepted(checks, toleration):
    assert checks("scheduling.tolerates")(ctx(_batch([toleration])), **BATCH_TAINT) is None


@pytest.mark.parametrize(
    "toleration",
    [
        {"key": "dedicated", "operator": "Equal", "value": "batch", "effect": "NoExecute"},
        {"key": "dedicated", "operator": "Equal", "value": "other"},
        {"key": "node-role.kubernetes.io/master", "operator": "Exists"},
    ],
)
def test_non_matching_tolerations_fail(checks, toleration):
    with pytest.raises(CheckFailed, match="does not tolerate the taint dedicated=batch:NoSchedule"):
        checks("scheduling.tolerates")(ctx(_batch([toleration])), **BATCH_TAINT)


def _pod(**spec: Any) -> dict[str, Any]:
    return obj("Pod", "fast", spec={"containers": [{"name": "nginx", "image": "nginx:1.25"}], **spec})


def _term(*expressions: dict[str, Any]) -> dict[str, Any]:
    return {"matchExpressions": list(expressions)}


def _affinity(*terms: dict[str, Any]) -> dict[str, Any]:
    return {
        "nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": list(terms)}}
    }


SSD = {"key": "disktype", "operator": "In", "values": ["ssd"]}


@pytest.mark.parametrize(
    "spec",
    [
        {"nodeSelector": {"disktype": "ssd", "zone": "a"}},
        {"affinity": _affinity(_term(SSD))},
        {"affinity": _affinity(_term(SSD, {"key": "gpu", "operator": "Exists"}), _term(SSD))},
    ],
)
def test_node_label_requirement_accepts_selector_and_affinity(checks, spec):
    args = {"kind": "Pod", "name": "fast", "key": "disktype", "value": "ssd"}
    assert checks("scheduling.requires_node_label")(ctx(_pod(**spec)), **args) is None


@pytest.mark.parametrize(
    "spec",
    [
        {"nodeName": "k8s-tutor-worker"},
        {"nodeSelector": {"disktype": "SSD"}},
        {
            "affinity": _affinity(_term(SSD), _term({"key": "zone", "operator": "Exists"}))
        },  # ORed: zone alone is enough
        {"affinity": _affinity(_term({"key": "disktype", "operator": "In", "values": ["ssd", "hdd"]}))},
    ],
)
def test_node_label_requirement_rejects_rules_that_do_not_force_it(checks, spec):
    args = {"kind": "Pod", "name": "fast", "key": "disktype", "value": "ssd"}
    with pytest.raises(CheckFailed, match="nothing forces it onto disktype=ssd nodes"):
        checks("scheduling.requires_node_label")(ctx(_pod(**spec)), **args)


def _hpa(target: dict[str, Any]) -> dict[str, Any]:
    metric = {"type": "Resource", "resource": {"name": "memory", "target": target}}
    return obj("HorizontalPodAutoscaler", "cache", api_version="autoscaling/v2", spec={"metrics": [metric]})


@pytest.mark.parametrize("value", ["200Mi", "209715200", "0.1953125Gi"])
def test_hpa_average_value_compares_quantities(checks, value):
    hpa = _hpa({"type": "AverageValue", "averageValue": value})
    assert (
        checks("autoscaling.resource_target")(
            ctx(hpa), name="cache", resource="memory", type="AverageValue", value="200Mi"
        )
        is None
    )


def test_hpa_utilization_is_not_an_average_value(checks):
    hpa = _hpa({"type": "Utilization", "averageUtilization": 80})
    with pytest.raises(CheckFailed, match="targets memory Utilization 80; expected AverageValue 200Mi"):
        checks("autoscaling.resource_target")(
            ctx(hpa), name="cache", resource="memory", type="AverageValue", value="200Mi"
        )


def test_cpu_request_accepts_equal_quantities_and_a_limit_alone(checks):
    def with_resources(resources: dict[str, Any]) -> CheckContext:
        dep = deployment()
        dep["spec"]["template"]["spec"]["containers"][0]["resources"] = resources
        return ctx(dep)

    check = checks("autoscaling.cpu_request")
    args = {"kind": "Deployment", "name": "web", "container": "nginx", "cpu": "100m"}
    assert check(with_resources({"requests": {"cpu": "0.1"}}), **args) is None
    assert check(with_resources({"limits": {"cpu": "100m"}}), **args) is None
    with pytest.raises(CheckFailed, match="requests no CPU"):
        check(with_resources({"requests": {"memory": "64Mi"}}), **args)


def test_job_made_as_a_bare_pod_is_explained_and_a_missing_job_waits(checks):
    with pytest.raises(CheckFailed, match="hello is a Pod, not a Job"):
        checks("jobs.completed")(ctx(obj("Pod", "hello")), name="hello")
    with pytest.raises(NotYet):
        checks("jobs.completed")(ctx(), name="hello")


def _replica(name: str, node: str | None = None, unschedulable: bool = False) -> dict[str, Any]:
    conditions = (
        [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable"}] if unschedulable else []
    )
    spec = {"nodeName": node} if node else {}
    return obj(
        "Pod", name, metadata={"labels": {"app": "ha-web"}}, spec=spec, status={"conditions": conditions}
    )


def _ha_web() -> dict[str, Any]:
    return obj(
        "Deployment", "ha-web", api_version="apps/v1", spec={"selector": {"matchLabels": {"app": "ha-web"}}}
    )


def test_spread_apart_waits_for_the_scheduler_before_passing(checks):
    check = checks("scheduling.spread_apart")
    args = {"kind": "Deployment", "name": "ha-web", "replicas": 3}
    placed = [_replica("a", "n1"), _replica("b", "n2")]
    with pytest.raises(NotYet, match="waiting for the scheduler to place or reject c"):
        check(ctx(_ha_web(), *placed, _replica("c")), **args)
    assert check(ctx(_ha_web(), *placed, _replica("c", unschedulable=True)), **args) is None
    with pytest.raises(CheckFailed, match="pods a, c share n1"):
        check(ctx(_ha_web(), *placed, _replica("c", "n1")), **args)


def _flaky(limit: int | None, conditions: list[dict[str, Any]]) -> dict[str, Any]:
    spec = {} if limit is None else {"backoffLimit": limit}
    return obj(
        "Job", "flaky", api_version="batch/v1", spec=spec, status={"failed": 3, "conditions": conditions}
    )


def test_failed_after_needs_the_limit_and_the_backoff_condition(checks):
    check = checks("jobs.failed_after")
    gave_up = [{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"}]
    assert check(ctx(_flaky(2, gave_up)), name="flaky", retries=2) is None
    with pytest.raises(CheckFailed, match="has backoffLimit 6"):
        check(ctx(_flaky(None, gave_up)), name="flaky", retries=2)
    with pytest.raises(NotYet, match="still retrying"):
        check(ctx(_flaky(2, [])), name="flaky", retries=2)
    with pytest.raises(CheckFailed, match="failed with DeadlineExceeded"):
        check(ctx(_flaky(2, [{**gave_up[0], "reason": "DeadlineExceeded"}])), name="flaky", retries=2)


def test_a_job_has_failed_from_its_failure_target_on(checks):
    """Kubernetes >= 1.31 sets FailureTarget first and Failed only once its pods have terminated."""
    target = [{"type": "FailureTarget", "status": "True", "reason": "BackoffLimitExceeded"}]
    assert checks("jobs.failed_after")(ctx(_flaky(2, target)), name="flaky", retries=2) is None
    deadline = [{**target[0], "reason": "DeadlineExceeded", "message": "Job was active longer than"}]
    container = {"name": "report", "image": "busybox:1.36", "command": ["sh", "-c", "echo hi"]}

    def report(conditions: list[dict[str, Any]]) -> dict[str, Any]:
        job = _flaky(None, conditions)
        job["spec"]["template"] = {"spec": {"containers": [container]}}
        return job

    with pytest.raises(CheckFailed, match="Job flaky failed \\(DeadlineExceeded"):
        checks("jobs.completed")(ctx(report(deadline)), name="flaky")
    with pytest.raises(NotYet, match="not complete yet"):
        checks("jobs.completed")(ctx(report([{**target[0], "status": "False"}])), name="flaky")


# -- clauses the checks grade since issue 16: "only", "whatever taints", the budget -----------------

WORKER2 = obj(
    "Node",
    "k8s-tutor-worker2",
    namespace=None,
    metadata={"labels": {"disktype": "hdd"}},
    spec={"taints": [{"key": "dedicated", "value": "batch", "effect": "NoSchedule"}]},
)
WORKER = obj("Node", "k8s-tutor-worker", namespace=None, metadata={"labels": {"disktype": "ssd"}}, spec={})


def _placed_batch(**pod_spec: Any) -> list[dict[str, Any]]:
    dep = _batch([{"key": "dedicated", "operator": "Exists"}])
    dep["spec"]["template"]["spec"].update(pod_spec)
    dep["spec"]["selector"] = {"matchLabels": {"app": "batch"}}
    pod = obj("Pod", "batch-1", metadata={"labels": {"app": "batch"}}, spec={"nodeName": "k8s-tutor-worker2"})
    return [dep, pod, WORKER, WORKER2]


def test_runs_on_node_needs_a_rule_that_admits_only_that_node(checks):
    args = {"kind": "Deployment", "name": "batch", "node": "k8s-tutor-worker2"}
    preferred = {
        "nodeAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {"weight": 1, "preference": _term({"key": "disktype", "operator": "In", "values": ["hdd"]})}
            ]
        }
    }
    with pytest.raises(CheckFailed, match="which also admits k8s-tutor-worker"):
        checks("scheduling.runs_on_node")(ctx(*_placed_batch(affinity=preferred)), **args)
    assert (
        checks("scheduling.runs_on_node")(ctx(*_placed_batch(nodeSelector={"disktype": "hdd"})), **args)
        is None
    )


def test_daemonset_any_taint_needs_a_catch_all_toleration(checks):
    ds = obj(
        "DaemonSet",
        "agent",
        api_version="apps/v1",
        spec={
            "selector": {"matchLabels": {"app": "agent"}},
            "template": {
                "spec": {
                    "containers": [{"name": "a"}],
                    "tolerations": [{"key": "dedicated", "operator": "Exists"}],
                }
            },
        },
    )
    pods = [
        obj("Pod", f"agent-{n}", metadata={"labels": {"app": "agent"}}, spec={"nodeName": n})
        for n in ("k8s-tutor-worker", "k8s-tutor-worker2")
    ]
    with pytest.raises(CheckFailed, match="tolerates only some taints"):
        checks("workloads.daemonset_on_every_node")(
            ctx(ds, *pods, WORKER, WORKER2), name="agent", any_taint=True
        )


def test_startup_budget_counts_the_initial_delay(checks):
    def pod(startup: dict[str, Any]) -> dict[str, Any]:
        probe = {"exec": {"command": ["test", "-f", "/tmp/started"]}}
        return obj(
            "Pod", "slow", spec={"containers": [{"name": "app", "startupProbe": {**probe, **startup}}]}
        )

    args = {"name": "slow", "container": "app", "handler": {"exec": "test -f /tmp/started"}, "min_budget": 60}
    assert (
        checks("probes.startup")(
            ctx(pod({"initialDelaySeconds": 30, "periodSeconds": 5, "failureThreshold": 6})), **args
        )
        is None
    )
    with pytest.raises(CheckFailed, match="= 45s, less than the 60s"):
        checks("probes.startup")(
            ctx(pod({"initialDelaySeconds": 15, "periodSeconds": 5, "failureThreshold": 6})), **args
        )
