"""Engine semantics on an in-memory reader with a fake clock: polling, timeouts, hold, errors, caching."""

from __future__ import annotations

import pytest

from tests.unit.test_grading_fakes import FakeClock, FakeReader, obj
from tutor.errors import ClusterUnavailable
from tutor.grading.engine import Grader
from tutor.grading.outcomes import CheckFailed
from tutor.grading.plan import plan_checks
from tutor.grading.registry import CheckSpec, Registry, builtin_registry
from tutor.model import CheckRef, Exercise, Pack
from tutor.results import GradeReport, Status


def deployment_ready(ctx, name):
    """Deployment {name} is ready"""
    dep = ctx.get("apps/v1", "Deployment", name)
    ctx.expect_field(dep, "status.readyReplicas", 1)


def flaky(ctx, messages):
    """changes its mind"""
    messages.append(f"attempt {len(messages) + 1}")
    raise CheckFailed(messages[-1])


def buggy(ctx):
    """crashes"""
    return 1 / 0


def with_subhint(ctx):
    """sub-check hint"""
    raise CheckFailed("second part wrong", hint=2)


def registry() -> Registry:
    reg = Registry("unit", parent=builtin_registry())
    for cid, fn in [
        ("dep.ready", deployment_ready),
        ("flaky", flaky),
        ("buggy", buggy),
        ("subhint", with_subhint),
    ]:
        reg.add(CheckSpec(cid, fn, title=fn.__doc__))
    return reg


def exercise(
    *refs: CheckRef, ex_id: str = "ex1", namespace: str | None = "ex", timeout: float | None = None
) -> Exercise:
    return Exercise(
        id=ex_id, title=ex_id, task="", checks=tuple(refs), namespace=namespace, timeout=timeout, points=4
    )


def grade(reader, clock, *exs, **kw):
    grader = Grader(registry(), reader, None, clock=clock, sleep=clock.sleep, **kw)
    return grader, grader.grade(list(exs))


def becomes_ready_at(reader: FakeReader, clock: FakeClock, t: float) -> None:
    dep = obj("Deployment", "web", api_version="apps/v1", status={"readyReplicas": 0})
    reader.objects.append(dep)
    clock.at(t, lambda: dep["status"].update(readyReplicas=1))


@pytest.mark.parametrize("timeout,status", [(10, Status.PASS), (3, Status.FAIL)])
def test_ready_after_five_seconds(timeout, status):
    reader, clock = FakeReader(), FakeClock()
    becomes_ready_at(reader, clock, 5)
    _, [res] = grade(reader, clock, exercise(CheckRef("dep.ready", {"name": "web"}, timeout=timeout)))
    check = res.checks[0]
    assert check.status is status
    if status is Status.PASS:
        assert 5 <= check.duration < 6.5
    else:
        assert "status.readyReplicas is 0, expected 1" in check.message and check.duration == pytest.approx(
            3, abs=0.01
        )


def test_absent_object_times_out_with_notyet_message():
    reader, clock = FakeReader(), FakeClock()
    _, [res] = grade(reader, clock, exercise(CheckRef("dep.ready", {"name": "web"}, timeout=2)))
    assert res.checks[0].status is Status.TIMEOUT
    assert res.checks[0].message == "timed out after 2 s: Deployment web not found in namespace ex"
    assert res.checks[0].attempts == 3  # t = 0, 1, 2


def test_hold_window_fails_when_object_appears_mid_window():
    reader, clock = FakeReader(), FakeClock()
    clock.at(4, lambda: reader.objects.append(obj("Pod", "intruder")))
    ref = CheckRef("absent", {"apiVersion": "v1", "kind": "Pod", "name": "intruder", "hold": 10})
    _, [res] = grade(reader, clock, exercise(ref))
    check = res.checks[0]
    assert check.status is Status.FAIL
    assert "hold window" in check.message and "still exists" in check.message
    assert 4 <= check.duration < 5


def test_hold_window_passes_when_it_stays_absent():
    reader, clock = FakeReader(), FakeClock()
    ref = CheckRef("absent", {"apiVersion": "v1", "kind": "Pod", "name": "intruder", "hold": 3})
    _, [res] = grade(reader, clock, exercise(ref))
    assert res.checks[0].status is Status.PASS and res.checks[0].duration == pytest.approx(3, abs=0.01)


def test_hold_on_the_check_reference_wins_over_the_checker_argument():
    """`hold:` written on the check ref (lesson metadata) is the most specific setting."""
    reader, clock = FakeReader(), FakeClock()
    clock.at(4, lambda: reader.objects.append(obj("Pod", "intruder")))
    ref = CheckRef("absent", {"apiVersion": "v1", "kind": "Pod", "name": "intruder", "hold": 2}, hold=10)
    _, [res] = grade(reader, clock, exercise(ref))
    assert res.checks[0].status is Status.FAIL  # with the argument's 2 s window it would have passed at t=2
    assert 4 <= res.checks[0].duration < 5


def test_only_last_failure_is_reported():
    seen: list[str] = []
    _, [res] = grade(FakeReader(), FakeClock(), exercise(CheckRef("flaky", {"messages": seen}, timeout=3)))
    assert res.checks[0].status is Status.FAIL
    assert res.checks[0].message == seen[-1] == "attempt 4"


def test_checker_bug_is_an_error_at_once_with_location():
    _, [res] = grade(FakeReader(), FakeClock(), exercise(CheckRef("buggy", timeout=30)))
    check = res.checks[0]
    assert check.status is Status.ERROR and check.attempts == 1
    assert "ZeroDivisionError" in check.message and "test_grading_engine.py:" in check.message
    assert GradeReport((res,)).exit_code == 2


@pytest.mark.parametrize("exc", [ConnectionRefusedError("refused"), ClusterUnavailable("gone")])
def test_unreachable_api_is_an_error_never_a_failure(exc):
    reader, clock = (
        FakeReader([obj("Deployment", "web", api_version="apps/v1", status={"readyReplicas": 0})]),
        FakeClock(),
    )

    def down():
        if clock.now >= 2:
            raise exc

    reader.on_list = down
    ex = exercise(
        CheckRef("dep.ready", {"name": "web"}, timeout=10),
        CheckRef("match", {"apiVersion": "v1", "kind": "Pod", "name": "x"}, timeout=10),
    )
    _, [res] = grade(reader, clock, ex)
    assert [c.status for c in res.checks] == [Status.ERROR, Status.ERROR]
    assert all(c.message.startswith("cluster unavailable:") for c in res.checks)
    assert GradeReport((res,)).exit_code == 2


def test_unknown_checker_and_bad_args_are_errors():
    ex = exercise(CheckRef("nope"), CheckRef("dep.ready", {"nam": "web"}))
    _, [res] = grade(FakeReader(), FakeClock(), ex)
    assert [c.status for c in res.checks] == [Status.ERROR, Status.ERROR]
    assert "no checker 'nope'" in res.checks[0].message and "did you mean 'name'" in res.checks[1].message


def test_each_kind_listed_once_per_round_across_exercises():
    reader, clock = FakeReader(), FakeClock()
    exs = [
        exercise(*[CheckRef("dep.ready", {"name": f"d{i}"}, timeout=2) for i in range(5)], ex_id=f"e{n}")
        for n in range(3)
    ]
    grader, results = grade(reader, clock, *exs)
    assert all(c.status is Status.TIMEOUT for r in results for c in r.checks)
    deployment_calls = [c for c in reader.calls if c[1] == "Deployment"]
    assert grader.rounds >= 3 and len(deployment_calls) == 3  # one per round, not 15 per round


def test_hints_follow_the_failing_sub_check():
    ex = exercise(
        CheckRef("subhint", hint=1, timeout=0),
        CheckRef("flaky", {"messages": []}, hint=3, timeout=0),
        CheckRef("absent", {"apiVersion": "v1", "kind": "Pod", "name": "x", "hold": 0}, hint=1),
    )
    _, [res] = grade(FakeReader(), FakeClock(), ex)
    assert [c.hint for c in res.checks] == [2, 3, None]


def test_partial_credit_and_progress_callback():
    reader = FakeReader([obj("Pod", "a"), obj("Pod", "b", metadata={"labels": {"app": "web"}})])
    ex = exercise(
        CheckRef("match", {"apiVersion": "v1", "kind": "Pod", "name": "a"}, weight=3),
        CheckRef(
            "match",
            {"apiVersion": "v1", "kind": "Pod", "labels": {"app": "web"}, "count": 3},
            weight=1,
            timeout=1,
        ),
    )
    seen = []
    clock = FakeClock()
    grader = Grader(registry(), reader, None, clock=clock, sleep=clock.sleep)
    [res] = grader.grade([ex], progress=lambda e, r: seen.append((e.id, r.status)))
    assert [c.status for c in res.checks] == [Status.PASS, Status.FAIL]
    assert (
        "expected exactly 3 Pod with labels app=web in namespace ex matching, found 1"
        in res.checks[1].message
    )
    assert res.points == 3.0 and res.points_possible == 4
    assert ("ex1", Status.PASS) in seen and ("ex1", Status.FAIL) in seen and ("ex1", Status.RUNNING) in seen


def test_diagnostics_carry_events_of_the_failing_object():
    pod = obj("Pod", "web", status={"phase": "Pending"})
    event = obj(
        "Event",
        "web.1",
        involvedObject={"kind": "Pod", "name": "web", "uid": "uid-Pod-web"},
        type="Warning",
        reason="FailedScheduling",
        message="0/3 nodes are available",
    )
    ex = exercise(
        CheckRef(
            "match",
            {"apiVersion": "v1", "kind": "Pod", "name": "web", "match": {"status": {"phase": "Running"}}},
            timeout=0,
        )
    )
    _, [res] = grade(FakeReader([pod, event]), FakeClock(), ex)
    check = res.checks[0]
    assert check.status is Status.FAIL and check.diffs[0].path == ".status.phase"
    assert "event Warning FailedScheduling on Pod web: 0/3 nodes are available" in check.diagnostics


def test_evaluate_once_maps_outcomes():
    reader = FakeReader([obj("Pod", "a", status={"phase": "Pending"})])
    ex = exercise(
        CheckRef("match", {"apiVersion": "v1", "kind": "Pod", "name": "a"}),
        CheckRef("match", {"apiVersion": "v1", "kind": "Pod", "name": "zz"}),
        CheckRef(
            "match",
            {"apiVersion": "v1", "kind": "Pod", "name": "a", "match": {"status": {"phase": "Running"}}},
        ),
    )
    res = Grader(registry(), reader).evaluate_once(ex)
    assert [c.status for c in res.checks] == [Status.PASS, Status.PENDING, Status.FAIL]
    assert len(reader.calls) == 1


def test_timeout_precedence_most_specific_wins():
    reg = registry()
    reg.add(CheckSpec("slow", deployment_ready, timeout=60, poll=2, title="slow"))
    pack = Pack(id="p", title="p", version="1", root=None, lessons=(), checks_dir=None, timeout=20, poll=1)
    ex = exercise(
        CheckRef("slow", {"name": "x"}, timeout=5),
        CheckRef("slow", {"name": "x"}),
        CheckRef("dep.ready", {"name": "x"}),
        timeout=None,
    )
    timings = [p.timing for p in plan_checks(reg, pack, ex)]
    assert [(t.timeout, t.poll) for t in timings] == [(5, 2), (60, 2), (20, 1)]
    ex2 = exercise(CheckRef("slow", {"name": "x"}), timeout=7)
    assert plan_checks(reg, pack, ex2)[0].timing.timeout == 7
    assert plan_checks(reg, pack, ex2, timeout=3)[0].timing.timeout == 3
    assert plan_checks(reg, pack, ex2, max_timeout=2)[0].timing.timeout == 2


def test_grading_never_starts_a_subprocess(monkeypatch):
    import subprocess

    def refuse(*args, **kwargs):
        raise AssertionError(f"grading started a subprocess: {args}")

    monkeypatch.setattr(subprocess, "Popen", refuse)
    reader = FakeReader([obj("Pod", "a")])
    ex = exercise(
        CheckRef("match", {"apiVersion": "v1", "kind": "Pod", "name": "a"}),
        CheckRef("absent", {"apiVersion": "v1", "kind": "Pod", "name": "b", "hold": 1}),
    )
    _, [res] = grade(reader, FakeClock(), ex)
    assert [c.status for c in res.checks] == [Status.PASS, Status.PASS]


def test_cluster_scoped_messages_name_no_namespace():
    ex = exercise(
        CheckRef("match", {"apiVersion": "v1", "kind": "Namespace", "name": "prod"}, timeout=0),
        CheckRef(
            "match", {"apiVersion": "v1", "kind": "ConfigMap", "name": "c", "namespace": "other"}, timeout=0
        ),
    )
    _, [res] = grade(FakeReader(), FakeClock(), ex)
    assert [c.message for c in res.checks] == [
        "timed out after 0 s: Namespace prod not found",
        "timed out after 0 s: ConfigMap c not found in namespace other",
    ]


def test_api_refusal_is_a_cluster_error_not_a_checker_bug():
    from tutor.cluster.errors import ApiError

    reader = FakeReader()

    def forbidden():
        raise ApiError(403, "Forbidden", "pods is forbidden", "list Pods in namespace ex")

    reader.on_list = forbidden
    _, [res] = grade(
        reader, FakeClock(), exercise(CheckRef("match", {"apiVersion": "v1", "kind": "Pod", "name": "a"}))
    )
    assert res.checks[0].status is Status.ERROR
    assert res.checks[0].message.startswith("cluster error: list Pods in namespace ex: pods is forbidden")


def test_each_exercise_reports_its_own_duration_not_the_whole_runs():
    reader, clock = FakeReader(), FakeClock()
    becomes_ready_at(reader, clock, 2)
    quick = exercise(CheckRef("dep.ready", {"name": "web"}, timeout=10), ex_id="quick")
    slow = exercise(CheckRef("dep.ready", {"name": "db"}, timeout=6), ex_id="slow")
    _, [q, s] = grade(reader, clock, quick, slow)
    assert q.checks[0].status is Status.PASS and q.duration == pytest.approx(2, abs=1.01)
    assert s.checks[0].status is Status.TIMEOUT and s.duration == pytest.approx(6, abs=0.01)


def test_repeated_check_ids_get_distinct_one_based_indexes():
    """Two `match` references in one exercise: the index, not the id, tells their results apart."""
    reader = FakeReader([obj("Pod", "a")])
    ex = exercise(
        CheckRef("match", {"apiVersion": "v1", "kind": "Pod", "name": "a"}),
        CheckRef("match", {"apiVersion": "v1", "kind": "Pod", "name": "b"}, timeout=0),
        CheckRef("nope"),
    )
    _, [res] = grade(reader, FakeClock(), ex)
    assert [(c.check_id, c.index) for c in res.checks] == [("match", 1), ("match", 2), ("nope", 3)]
    assert [c.to_dict()["index"] for c in res.checks] == [1, 2, 3]


def test_fail_fast_stops_polling_after_the_first_failing_verdict():
    """--fail-fast: a checker bug ends the run at once; the check still waiting (30 s) is skipped."""
    clock = FakeClock()
    grader = Grader(registry(), FakeReader(), None, clock=clock, sleep=clock.sleep)
    [res] = grader.grade(
        [exercise(CheckRef("buggy", timeout=30), CheckRef("dep.ready", args={"name": "web"}, timeout=30))],
        fail_fast=True,
    )
    assert [c.status for c in res.checks] == [Status.ERROR, Status.SKIPPED]
    assert "--fail-fast stopped at ex1" in res.checks[1].message
    assert clock.now < 5  # not the 30 s the second check would have polled
