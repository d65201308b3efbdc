"""ExamSession with a fake clock: draw, warnings, time-out freeze, resume, scoring."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.exam import (
    AttemptStore,
    DrawError,
    ExamClosed,
    ExamLocked,
    ExamSession,
    ExamState,
    FakeClock,
    draw,
)
from tutor.model import CheckRef, ExamSettings, Exercise, Lesson, Pack
from tutor.results import CheckResult, ExerciseResult, Status


def make_pack(topics: dict[str, int], *, allow_check: bool = False, points: float = 2.0) -> Pack:
    """A pack with ``topics[t]`` exam-only tasks in lesson ``t``; two checks per task, weights 1 and 3."""
    lessons = []
    for order, (topic, n) in enumerate(topics.items(), 1):
        exercises = tuple(
            Exercise(
                id=f"{topic}-{i}",
                title=f"{topic} task {i}",
                task=f"Do {topic} thing {i}.",
                checks=(
                    CheckRef("match", weight=1.0, title="first"),
                    CheckRef("absent", weight=3.0, title="second"),
                ),
                hints=(f"hint for {topic}-{i}",),
                namespace=f"exam-{topic}-{i}",
                points=points,
                exam="only",
                lesson_id=topic,
            )
            for i in range(n)
        )
        # one practice exercise per lesson that must never be drawn
        practice = Exercise(
            id=f"{topic}-practice", title="p", task="p", checks=(CheckRef("match"),), lesson_id=topic
        )
        lessons.append(Lesson(id=topic, title=topic, order=order, body="", exercises=(practice, *exercises)))
    return Pack(
        id="fixture",
        title="Fixture",
        version="1.0.0",
        root=Path("/nonexistent"),
        lessons=tuple(lessons),
        checks_dir=Path("/nonexistent/checks"),
        exam=ExamSettings(duration_minutes=30, tasks=4, pass_mark=66.0, allow_check=allow_check),
    )


def fake_result(ex: Exercise, passed: set[str]) -> ExerciseResult:
    """Checks whose title is in ``passed`` pass, the others fail."""
    checks = tuple(
        CheckResult(
            ref.check, ref.title or "", Status.PASS if ref.title in passed else Status.FAIL, weight=ref.weight
        )
        for ref in ex.checks
    )
    return ExerciseResult("fixture", ex.id, ex.title, checks, ex.points)


@pytest.fixture
def store(tmp_path: Path) -> AttemptStore:
    return AttemptStore(tmp_path / "exams")


def running(pack: Pack, clock: FakeClock, store: AttemptStore | None = None, **kw) -> ExamSession:
    s = ExamSession.new(pack, seed=7, clock=clock, store=store, **kw)
    s.mark_set_up()
    s.start()
    return s


# ----- draw ---------------------------------------------------------------------------------------


def test_same_seed_same_draw_and_different_seeds_differ():
    pool = make_pack({"a": 4, "b": 4, "c": 4}).exam_pool()
    first = [e.id for e in draw(pool, 6, seed=42)]
    assert first == [e.id for e in draw(pool, 6, seed=42)]
    draws = {tuple(e.id for e in draw(pool, 6, seed=s)) for s in range(20)}
    assert len(draws) > 10  # the seed really changes the draw


def test_draw_is_balanced_across_topics():
    pool = make_pack({"a": 5, "b": 5, "c": 1, "d": 3}).exam_pool()
    for seed in range(30):
        counts = Counter(e.lesson_id for e in draw(pool, 8, seed))
        assert set(counts) == {"a", "b", "c", "d"}
        assert counts["c"] == 1
        assert max(counts.values()) - min(counts[t] for t in ("a", "b", "d")) <= 1


def test_draw_takes_only_the_exam_pool_and_no_duplicates():
    pack = make_pack({"a": 3, "b": 3})
    ids = [e.id for e in draw(pack.exam_pool(), 6, 1)]
    assert sorted(ids) == sorted(e.id for e in pack.exam_pool())
    assert not any(i.endswith("practice") for i in ids)


def test_draw_too_many_and_capabilities():
    pool = make_pack({"a": 2}).exam_pool()
    with pytest.raises(DrawError, match="has 2 usable task"):
        draw(pool, 3, 1)
    with pytest.raises(DrawError, match="2 more need capabilities"):
        draw(pool, 1, 1, capabilities={"scheduler"})
    assert len(draw(pool, 2, 1, capabilities={"api"})) == 2


# ----- clock, warnings, time-out ------------------------------------------------------------------


def test_clock_starts_only_after_setup():
    clock = FakeClock()
    s = ExamSession.new(make_pack({"a": 2, "b": 2}), seed=1, clock=clock)
    assert s.state is ExamState.DRAWN
    with pytest.raises(ExamClosed):
        s.start()
    clock.advance(600)  # setup took ten minutes: not counted
    s.mark_set_up()
    s.start()
    assert s.remaining() == 30 * 60
    assert s.attempt.deadline == clock.now() + 1800


def test_warnings_fire_once_each_at_15_5_1_minutes():
    clock = FakeClock()
    s = running(make_pack({"a": 2, "b": 2}), clock)
    fired: list[tuple[int, float]] = []
    for second in range(1, 30 * 60):
        clock.advance(1)
        fired += [(e.minutes, 1800 - second) for e in s.tick() if e.kind == "warning"]
    assert fired == [(15, 900), (5, 300), (1, 60)]
    assert s.state is ExamState.RUNNING
    clock.advance(1)
    events = s.tick()
    assert [e.kind for e in events] == ["timeout"]
    assert s.state is ExamState.TIMED_OUT and s.state.frozen
    assert s.tick() == []  # the time-out is announced once


def test_a_jump_past_thresholds_announces_only_the_nearest():
    clock = FakeClock()
    s = running(make_pack({"a": 2, "b": 2}), clock)
    clock.advance(1800 - 200)  # 3:20 left
    assert [(e.kind, e.minutes) for e in s.tick()] == [("warning", 5)]
    assert s.attempt.warnings_fired == [15, 5]


def test_short_exam_does_not_warn_about_thresholds_longer_than_itself():
    clock = FakeClock()
    s = running(make_pack({"a": 2, "b": 2}), clock, duration_minutes=10)
    clock.advance(1)
    assert s.tick() == []
    clock.advance(300)
    assert [e.minutes for e in s.tick()] == [5]


def test_timeout_freezes_answers():
    clock = FakeClock()
    s = running(make_pack({"a": 2, "b": 2}, allow_check=True), clock)
    s.toggle_flag(0)
    clock.advance(1800)
    with pytest.raises(ExamClosed, match="frozen"):
        s.toggle_flag(1)
    with pytest.raises(ExamClosed, match="frozen"):
        s.check(lambda ex: fake_result(ex, set()))
    with pytest.raises(ExamClosed):
        s.submit()
    assert s.state is ExamState.TIMED_OUT
    assert [t.flagged for t in s.tasks] == [True, False, False, False]
    assert s.attempt.ended_at == s.attempt.deadline
    s.next()  # looking around is still allowed
    assert s.current == 1


def test_submit_freezes_and_keeps_remaining_time():
    clock = FakeClock()
    s = running(make_pack({"a": 2, "b": 2}), clock)
    clock.advance(100)
    s.submit()
    clock.advance(500)
    assert s.state is ExamState.SUBMITTED
    assert s.remaining() == 1700
    with pytest.raises(ExamClosed):
        s.toggle_flag()


# ----- locks ---------------------------------------------------------------------------------------


def test_hints_solutions_and_checks_locked_during_exam():
    clock = FakeClock()
    s = running(make_pack({"a": 2, "b": 2}), clock)
    with pytest.raises(ExamLocked):
        s.hints()
    with pytest.raises(ExamLocked):
        s.solution()
    with pytest.raises(ExamLocked, match="does not allow"):
        s.check(lambda ex: fake_result(ex, set()))


def test_check_my_answer_when_allowed_is_counted():
    clock = FakeClock()
    s = running(make_pack({"a": 2, "b": 2}, allow_check=True), clock)
    result = s.check(lambda ex: fake_result(ex, {"first"}), index=2)
    assert result.exercise_id == s.tasks[2].exercise_id
    assert result.points == pytest.approx(0.5)
    assert s.tasks[2].checks_used == 1 and s.state is ExamState.RUNNING


# ----- grading ---------------------------------------------------------------------------------------


def test_grading_scores_the_weighted_sum_and_unlocks_review():
    clock = FakeClock()
    s = running(make_pack({"a": 2, "b": 2}), clock)
    with pytest.raises(ExamClosed):
        s.grade(lambda exs: [])
    s.submit()
    # task 0: both checks (2 pts); 1: weight-3 check only (1.5); 2: weight-1 only (0.5); 3: none
    plan = [{"first", "second"}, {"second"}, {"first"}, set()]
    answers = {t.exercise_id: p for t, p in zip(s.tasks, plan, strict=True)}
    result = s.grade(lambda exs: [fake_result(ex, answers[ex.id]) for ex in exs])
    assert result.points == pytest.approx(4.0)
    assert result.possible == pytest.approx(8.0)
    assert result.percent == 50.0 and not result.passed and result.exit_code == 1
    assert sum(t.points for t in result.topics) == pytest.approx(4.0)
    assert s.state is ExamState.GRADED
    assert s.hints(0) == (f"hint for {s.tasks[0].exercise_id}",)
    with pytest.raises(ExamClosed):
        s.grade(lambda exs: [])


def test_grader_error_gives_exit_code_2_and_missing_results_are_refused():
    clock = FakeClock()
    s = running(make_pack({"a": 2, "b": 2}), clock)
    s.submit()
    with pytest.raises(Exception, match="no result for"):
        s.grade(lambda exs: [fake_result(exs[0], set())])
    assert s.state is ExamState.SUBMITTED

    def with_error(exs):
        out = [fake_result(ex, {"first", "second"}) for ex in exs]
        broken = ExerciseResult("fixture", exs[0].id, "", (CheckResult("match", "", Status.ERROR),), 2.0)
        return [broken, *out[1:]]

    result = s.grade(with_error)
    assert result.errors == (s.tasks[0].exercise_id,)
    assert result.exit_code == 2 and not result.passed
    # once the cluster is fixed the attempt may be graded again; a clean grade is final
    assert s.needs_regrade
    again = s.grade(lambda exs: [fake_result(ex, {"first", "second"}) for ex in exs])
    assert again.errors == () and again.percent == 100.0 and not s.needs_regrade
    with pytest.raises(ExamClosed):
        s.grade(lambda exs: [fake_result(ex, set()) for ex in exs])


# ----- persistence and resume ---------------------------------------------------------------------


def test_resume_after_restart_gives_the_right_remaining_time(store: AttemptStore):
    pack = make_pack({"a": 2, "b": 2})
    clock = FakeClock()
    s = running(pack, clock, store)
    s.toggle_flag(1)
    s.goto(2)
    clock.advance(16 * 60)
    assert [e.minutes for e in s.tick()] == [15]
    attempt_id = s.attempt.id
    del s  # the tutor quits
    clock.advance(7 * 60)  # ... and is restarted seven minutes later
    again = ExamSession.resume(store.load(attempt_id), pack, clock, store)
    assert again.state is ExamState.RUNNING
    assert again.remaining() == 30 * 60 - 23 * 60
    assert again.current == 2 and again.tasks[1].flagged
    assert again.tick() == []  # the 15-minute warning is not repeated
    clock.advance(2 * 60)
    assert [e.minutes for e in again.tick()] == [5]


def test_resume_after_the_deadline_times_out(store: AttemptStore):
    pack = make_pack({"a": 2, "b": 2})
    clock = FakeClock()
    s = running(pack, clock, store)
    clock.advance(3600)
    again = ExamSession.resume(store.load(s.attempt.id), pack, clock, store)
    assert again.state is ExamState.TIMED_OUT
    assert store.load(s.attempt.id).state is ExamState.TIMED_OUT
    assert again.attempt.ended_at == again.attempt.deadline


def test_graded_attempt_round_trips_with_its_results(store: AttemptStore):
    pack = make_pack({"a": 2, "b": 2})
    clock = FakeClock()
    s = running(pack, clock, store)
    s.submit()
    s.grade(lambda exs: [fake_result(ex, {"second"}) for ex in exs])
    loaded = ExamSession.resume(store.load(s.attempt.id), pack, clock, store)
    assert loaded.score() == s.score()
    assert [r.to_dict() for r in loaded.results()] == [r.to_dict() for r in s.results()]
    assert "PASS" in loaded.summary() and "75.0%" in loaded.summary()
    assert store.latest().id == s.attempt.id
    assert store.latest(unfinished=True) is None


def test_store_refuses_unknown_versions_and_names_the_file(store: AttemptStore):
    store.root.mkdir(parents=True)
    (store.root / "x.json").write_text('{"version": 99}')
    with pytest.raises(Exception, match=r"x\.json: version"):
        store.load("x")
    with pytest.raises(Exception, match="no exam attempt 'nope'"):
        store.load("nope")


def test_attempt_ids_are_unique_in_the_store(store: AttemptStore):
    pack = make_pack({"a": 2, "b": 2})
    clock = FakeClock()
    ids = {ExamSession.new(pack, seed=3, clock=clock, store=store).attempt.id for _ in range(3)}
    assert len(ids) == 3


def test_data_dir_override(monkeypatch, tmp_path):
    monkeypatch.setenv("K8S_TUTOR_DATA_DIR", str(tmp_path))
    assert AttemptStore().root == tmp_path / "exams"


def test_an_attempt_whose_task_left_the_pack_is_a_clear_error(store: AttemptStore):
    s = ExamSession.new(make_pack({"a": 2, "b": 2}), seed=1, clock=FakeClock(), store=store)
    smaller = make_pack({"a": 2, "c": 2})
    with pytest.raises(Exception, match=r"no exercise 'b-\d'.*pack changed") as info:
        ExamSession.resume(store.load(s.attempt.id), smaller)
    assert type(info.value).__name__ == "TutorError"


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=6),
    data=st.data(),
    seed=st.integers(min_value=0, max_value=10**6),
)
def test_draw_properties(sizes, data, seed):
    """Any pool, any n: no duplicates, only pool tasks, reproducible, and balanced.

    Balanced: a topic gets one task more than another only if that other topic ran out of tasks.
    """
    pool = make_pack({f"t{i}": n for i, n in enumerate(sizes)}).exam_pool()
    n = data.draw(st.integers(min_value=1, max_value=len(pool)))
    chosen = draw(pool, n, seed)
    ids = [e.id for e in chosen]
    assert len(ids) == len(set(ids)) == n
    assert set(ids) <= {e.id for e in pool}
    assert ids == [e.id for e in draw(pool, n, seed)]
    counts = Counter(e.lesson_id for e in chosen)
    size = Counter(e.lesson_id for e in pool)
    for a in size:
        for b in size:
            if counts[a] > counts[b] + 1:
                assert counts[b] == size[b], (counts, size)
