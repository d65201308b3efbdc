"""Pure logic of ``pack test`` and the grade batch helpers: phases, scheduling, selection, skips."""

from __future__ import annotations

import pytest

from tutor.errors import TutorError
from tutor.grading import batch
from tutor.grading.pack_test import combine, parallel_safe
from tutor.model import CheckRef, Exercise, Lesson, Pack
from tutor.results import CheckResult, ExerciseResult, Status


def result(*statuses: Status, messages: tuple[str, ...] = ()) -> ExerciseResult:
    checks = tuple(
        CheckResult(f"c{i}", f"check {i}", s, messages[i] if messages else s.value, attempts=1, duration=1.0)
        for i, s in enumerate(statuses)
    )
    return ExerciseResult("p", "ex", "Ex", checks, points_possible=3)


def test_combine_requires_fail_at_start_and_pass_when_solved():
    start = result(Status.TIMEOUT, Status.PASS, Status.FAIL, Status.ERROR, Status.FAIL)
    solved = result(Status.PASS, Status.PASS, Status.TIMEOUT, Status.PASS, Status.PASS)
    checks = combine(start, solved).checks
    assert [c.status for c in checks] == [Status.PASS, Status.FAIL, Status.TIMEOUT, Status.ERROR, Status.PASS]
    assert checks[0].message.startswith("fails at start (timeout: timeout); passes when solved")
    assert "passes before the reference solution is applied" in checks[1].message
    assert checks[2].message == "with the reference solution applied: timeout"
    assert checks[3].message == "on the start state: error"
    assert checks[0].attempts == 2 and checks[0].duration == 2.0


def ex(
    ex_id: str, namespace: str | None, cleanup: tuple = (), requires=frozenset({"api"}), exam="no"
) -> Exercise:
    return Exercise(
        id=ex_id,
        title=ex_id,
        task="",
        checks=(CheckRef("match", title="t"),),
        namespace=namespace,
        cleanup=cleanup,
        requires=frozenset(requires),
        exam=exam,
    )


def test_parallel_safe_keeps_shared_state_alone():
    exs = [
        ex("a", "a"),
        ex("b", None),
        ex("c", "c", cleanup=({"kind": "Node", "name": "n", "label": "x"},)),
        ex("d", "shared"),
        ex("e", "shared"),
    ]
    together, alone = parallel_safe(exs)
    assert [e.id for e in together] == ["a"] and [e.id for e in alone] == ["b", "c", "d", "e"]


def pack() -> Pack:
    lessons = (
        Lesson("one", "One", 1, "", (ex("a", "a"), ex("x", "x", exam="only"))),
        Lesson("two", "Two", 2, "", (ex("b", "b", requires={"api", "containers"}),)),
    )
    return Pack(id="p", title="P", version="1", root=None, lessons=lessons, checks_dir=None)


def test_select_and_skip_reasons():
    p = pack()
    assert [e.id for e in batch.select(p)] == ["a", "b"]
    assert [e.id for e in batch.select(p, include_exam_only=True)] == ["a", "x", "b"]
    assert [e.id for e in batch.select(p, "one")] == ["a"]
    assert [e.id for e in batch.select(p, exercise_ids=["x"])] == ["x"]
    with pytest.raises(TutorError, match=r"no exercise 'zz'.*known: a, x, b"):
        batch.select(p, exercise_ids=["zz"])
    with pytest.raises(TutorError, match=r"no lesson 'zz'.*known: one, two"):
        batch.select(p, "zz")
    info = batch.ClusterInfo(capabilities=frozenset({"api", "scheduler", "controllers"}))
    assert batch.skip_reason(p.exercise("a"), info.capabilities) == ""
    reason = batch.skip_reason(p.exercise("b"), info.capabilities)
    assert reason == "needs containers; this cluster offers api, controllers, scheduler"
    skipped = batch.placeholder(p, p.exercise("b"), Status.SKIPPED, reason)
    assert (
        skipped.status is Status.SKIPPED
        and skipped.checks[0].title == "t"
        and skipped.skipped_reason == reason
    )
