"""Pilot and snapshot tests of the exam TUI, with the fixture pack, a fake clock and a fake grader."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tutor.content import load_pack
from tutor.exam import AttemptStore, ExamSession, ExamState, FakeClock
from tutor.model import Exercise, Pack
from tutor.results import CheckResult, ExerciseResult, FieldDiff, Status
from tutor.tui.exam import ExamApp
from tutor.tui.exam.screens import ConfirmSubmitModal, ExamScreen, ReadyScreen, ReviewScreen

PACK_DIR = Path(__file__).parents[1] / "data" / "exam-pack"
SIZE = (110, 32)


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_pack(PACK_DIR)


def grader(solved: set[str]):
    """Grades tasks in ``solved`` as fully passing; the others fail their last check with a diff."""

    def grade_all(exercises: list[Exercise]) -> list[ExerciseResult]:
        out = []
        for ex in exercises:
            checks = []
            for i, ref in enumerate(ex.checks):
                ok = ex.id in solved or i < len(ex.checks) - 1
                diffs = () if ok else (FieldDiff("data.mode", "prod", None),)
                status = Status.PASS if ok else Status.FAIL
                checks.append(
                    CheckResult(
                        ref.check,
                        ref.title or ref.check,
                        status,
                        "wrong" * (not ok),
                        diffs,
                        weight=ref.weight,
                    )
                )
            out.append(ExerciseResult(ex.id and "exam-fixture", ex.id, ex.title, tuple(checks), ex.points))
        return out

    return grade_all


def make_session(pack: Pack, clock: FakeClock, tmp_path: Path, *, start: bool = True, **kw) -> ExamSession:
    s = ExamSession.new(pack, seed=11, clock=clock, store=AttemptStore(tmp_path), **kw)
    s.mark_set_up()
    if start:
        s.start()
    return s


async def test_ready_screen_starts_the_clock_only_on_enter(pack, tmp_path):
    clock = FakeClock()
    session = make_session(pack, clock, tmp_path, start=False)
    app = ExamApp(session, grader(set()), tick_seconds=0.05)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, ReadyScreen)
        clock.advance(120)
        await pilot.pause(0.1)
        assert session.state is ExamState.SET_UP
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExamScreen)
        assert session.state is ExamState.RUNNING
        assert session.remaining() == 30 * 60
        assert "30:00" in str(app.screen.query_one("#countdown").render())


async def test_navigation_and_flags(pack, tmp_path):
    clock = FakeClock()
    session = make_session(pack, clock, tmp_path)
    app = ExamApp(session, grader(set()), tick_seconds=0.05)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n")
        assert session.current == 2
        markdown = app.screen.query_one("#task-text").query_one("Markdown")
        assert session.exercise(2).title in markdown.source
        await pilot.press("f")
        assert session.tasks[2].flagged
        await pilot.press("p")
        assert session.current == 1
        await pilot.press("p", "p")
        assert session.current == len(session.tasks) - 1  # wraps around
        await pilot.press("c")  # not allowed by this pack: nothing happens
        assert all(t.checks_used == 0 for t in session.tasks)
        active = app.screen.active_bindings.values()
        assert not any(ab.binding.action == "check" and ab.enabled for ab in active)


async def test_warnings_and_timeout_then_review(pack, tmp_path):
    clock = FakeClock()
    session = make_session(pack, clock, tmp_path)
    solved = {session.tasks[0].exercise_id, session.tasks[2].exercise_id}
    app = ExamApp(session, grader(solved), tick_seconds=0.05)
    async with app.run_test(size=SIZE) as pilot:
        for left in (15 * 60, 5 * 60, 60):
            clock.t = session.attempt.deadline - left
            await pilot.pause(0.15)
        assert app.announced == ["15 minutes left.", "5 minutes left.", "1 minute left."]
        assert app.screen.query_one("#countdown").has_class("-urgent")
        clock.t = session.attempt.deadline + 1
        await pilot.pause(0.3)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert session.state is ExamState.GRADED
        score = session.score()
        expected = sum(t.points for t in session.tasks if t.exercise_id in solved) + sum(
            t.points
            * sum(c.weight for c in session.exercise(i).checks[:-1])
            / sum(c.weight for c in session.exercise(i).checks)
            for i, t in enumerate(session.tasks)
            if t.exercise_id not in solved
        )
        assert score.points == pytest.approx(expected)
        assert "Time is up" in app.announced[-1]
        await pilot.press("n")
        review = app.screen.query_one("#review-task")
        assert "Reference solution" in review.source and session.exercise(1).title in review.source


async def test_submit_asks_first_and_freezes(pack, tmp_path):
    clock = FakeClock()
    session = make_session(pack, clock, tmp_path)
    app = ExamApp(session, grader({t.exercise_id for t in session.tasks}), tick_seconds=0.05)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("S")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmSubmitModal)
        await pilot.press("escape")
        await pilot.pause()
        assert session.state is ExamState.RUNNING
        await pilot.press("S")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause(0.2)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert session.state is ExamState.GRADED
        assert session.score().percent == 100.0 and session.score().passed
        assert isinstance(app.screen, ReviewScreen)


async def test_check_my_answer_when_the_pack_allows_it(pack, tmp_path):
    allowing = replace(pack, exam=replace(pack.exam, allow_check=True))
    clock = FakeClock()
    session = make_session(allowing, clock, tmp_path)
    graded = grader(set())
    app = ExamApp(session, graded, grade_one=lambda ex: graded([ex])[0], tick_seconds=0.05)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pilot.pause(0.2)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert session.tasks[0].checks_used == 1
        assert "points now" in str(app.screen.query_one("#check-result").render())


async def test_reopening_a_graded_attempt_shows_the_review(pack, tmp_path):
    clock = FakeClock()
    session = make_session(pack, clock, tmp_path)
    session.submit()
    session.grade(grader(set()))
    again = ExamSession.resume(AttemptStore(tmp_path).load(session.attempt.id), pack, clock)
    app = ExamApp(again, grader(set()), tick_seconds=0.05)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert "NOT PASSED" in app.screen.query_one("#review-summary").source


async def test_page_keys_scroll_the_review_while_the_task_list_has_the_focus(pack, tmp_path):
    """PageDown/End reach the hints and solution below the fold at once, without Tab first."""
    clock = FakeClock()
    session = make_session(pack, clock, tmp_path)
    session.submit()
    session.grade(grader(set()))
    app = ExamApp(session, grader(set()), tick_seconds=3600)
    async with app.run_test(size=(80, 16)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        pane = app.screen.query_one("#review-pane")
        assert app.focused is app.screen.query_one("#review-list") and pane.max_scroll_y > 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert pane.scroll_y > 0
        await pilot.press("end")
        await pilot.pause()
        assert pane.scroll_y == pane.max_scroll_y
        await pilot.press("home")
        await pilot.pause()
        assert pane.scroll_y == 0
        assert app.focused is app.screen.query_one("#review-list")  # the list keeps the focus


# ----- snapshots (fixed size, theme, clock and seed) ---------------------------------------------------


def _snapshot_app(pack: Pack, tmp_path: Path, *, graded: bool) -> ExamApp:
    clock = FakeClock()
    session = make_session(pack, clock, tmp_path)
    session.toggle_flag(1)
    clock.advance(17 * 60 + 30)
    session.tick()
    if graded:
        session.submit()
        session.grade(grader({session.tasks[0].exercise_id}))
    app = ExamApp(session, grader(set()), tick_seconds=3600)
    app.theme = "textual-dark"
    return app


def test_exam_screen_snapshot(pack, tmp_path, snap_compare):
    assert snap_compare(_snapshot_app(pack, tmp_path, graded=False), press=["n"], terminal_size=SIZE)


def test_review_screen_snapshot(pack, tmp_path, snap_compare):
    assert snap_compare(_snapshot_app(pack, tmp_path, graded=True), press=["n"], terminal_size=SIZE)


async def test_grading_failure_says_how_to_grade_later(pack, tmp_path):
    from tutor.errors import ClusterUnavailable

    def broken(exercises):
        raise ClusterUnavailable("API server 127.0.0.1:6443 refused the connection")

    clock = FakeClock()
    session = make_session(pack, clock, tmp_path)
    app = ExamApp(session, broken, tick_seconds=0.05)
    async with app.run_test(size=SIZE) as pilot:
        clock.t = session.attempt.deadline
        await pilot.pause(0.2)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert session.state is ExamState.TIMED_OUT  # frozen, not graded: `exam grade` can finish it
        text = str(app.screen.query_one("#grading-text").render())
        assert "refused the connection" in text and f"k8s-tutor exam grade {session.attempt.id}" in text


async def test_time_out_while_the_submit_dialog_is_open(pack, tmp_path):
    clock = FakeClock()
    session = make_session(pack, clock, tmp_path)
    app = ExamApp(session, grader(set()), tick_seconds=0.05)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("S")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmSubmitModal)
        clock.t = session.attempt.deadline + 5
        await pilot.pause(0.2)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert session.attempt.ended_at == session.attempt.deadline  # timed out, not submitted late


async def test_resuming_a_running_attempt_shows_the_time_really_left(pack, tmp_path):
    clock = FakeClock()
    first = make_session(pack, clock, tmp_path)
    first.goto(3)
    clock.advance(600)  # the tutor was closed for ten minutes
    session = ExamSession.resume(AttemptStore(tmp_path).load(first.attempt.id), pack, clock)
    app = ExamApp(session, grader(set()), tick_seconds=0.05)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ExamScreen)
        assert "20:00" in str(app.screen.query_one("#countdown").render())
        assert app.screen.query_one("#task-list").index == 3


def test_ready_screen_snapshot(pack, tmp_path, snap_compare):
    session = make_session(pack, FakeClock(), tmp_path, start=False)
    app = ExamApp(session, grader(set()), tick_seconds=3600)
    app.theme = "textual-dark"
    assert snap_compare(app, terminal_size=SIZE)


def test_submit_dialog_snapshot(pack, tmp_path, snap_compare):
    app = _snapshot_app(pack, tmp_path, graded=False)
    assert snap_compare(app, press=["S"], terminal_size=SIZE)


async def test_reopening_after_the_deadline_grades_then_reviews(pack, tmp_path):
    clock = FakeClock()
    first = make_session(pack, clock, tmp_path)
    clock.advance(3600)  # closed past the deadline
    session = ExamSession.resume(AttemptStore(tmp_path).load(first.attempt.id), pack, clock)
    assert session.state is ExamState.TIMED_OUT
    app = ExamApp(session, grader({t.exercise_id for t in session.tasks}), tick_seconds=0.05)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.2)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert session.score().percent == 100.0
        assert "30 min after the exam ended" in app.screen.query_one("#review-summary").source


async def test_grading_screen_counts_verdicts(pack, tmp_path):
    import threading

    clock = FakeClock()
    session = make_session(pack, clock, tmp_path)
    release = threading.Event()
    total = sum(len(ex.checks) for ex in session.exercises)

    def slow_grader(exercises):
        for ex in exercises[:1]:
            for _ in ex.checks:
                app.verdict_seen(ex, None)
        release.wait(10)
        return grader(set())(exercises)

    app = ExamApp(session, slow_grader, tick_seconds=0.05)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("S")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause(0.3)
        text = str(app.screen.query_one("#grading-text").render())
        assert f"2/{total} checks done" in text
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)


@pytest.mark.parametrize(
    "minutes,text",
    [
        (30, "; warnings at 15, 5 and 1 minutes left"),
        (10, "; warnings at 5 and 1 minutes left"),
        (2, "; warnings at 1 minute left"),
        (1, ""),
    ],
)
def test_ready_screen_lists_only_the_warnings_the_exam_gives(minutes, text):
    from tutor.tui.exam.screens import _warnings_text

    assert _warnings_text(minutes * 60) == text


async def test_task_list_shows_whole_titles_and_points_at_100x30(pack, tmp_path):
    """Long titles wrap inside the list instead of being cut off together with their points."""
    from textual.widgets import Label

    from tutor.tui.exam.widgets import TaskList

    session = make_session(pack, FakeClock(), tmp_path)
    app = ExamApp(session, grader(set()), tick_seconds=0.05)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        task_list = app.screen.query_one(TaskList)
        inside = task_list.content_region
        labels = list(task_list.query(".task-title").results(Label))
        assert len(labels) == len(session.tasks)
        for label in labels:
            assert label.region.right <= inside.right, f"{label.content} is cut off"
            lines = [str(line.text) for line in label.render_lines(label.region.reset_offset)]
            assert "pts)" in lines[-1] or "pts)" in "".join(lines), lines
        assert max(label.region.height for label in labels) >= 2  # the long title wrapped


async def test_the_grading_screen_names_the_check_it_waits_for(pack, tmp_path):
    """While an unsolved check is polled, the screen says which one instead of sitting at "n/m done"."""
    import threading

    from tutor.tui.exam.screens import GradingScreen

    release = threading.Event()
    clock = FakeClock()
    session = make_session(pack, clock, tmp_path)
    app: ExamApp

    def slow(exercises: list[Exercise]) -> list[ExerciseResult]:
        ex = exercises[0]
        app.waiting_seen(
            ex, CheckResult(ex.checks[0].check, "ConfigMap app has mode=prod", Status.RUNNING, duration=7)
        )
        release.wait(30)  # held until the test has read the screen (a loaded machine can be slow)
        return grader(set())(exercises)

    app = ExamApp(session, slow, tick_seconds=0.05)
    async with app.run_test(size=SIZE) as pilot:
        clock.t = session.attempt.deadline
        for _ in range(300):
            await pilot.pause(0.05)
            if isinstance(app.screen, GradingScreen) and "Waiting for" in str(
                app.screen.query_one("#grading-waiting").render()
            ):
                break
        text = str(app.screen.query_one("#grading-waiting").render())
        release.set()
        for _ in range(300):  # let grading end and the review open before the app is torn down
            await pilot.pause(0.05)
            if not isinstance(app.screen, GradingScreen):
                break
        assert f"Waiting for: {session.exercises[0].title} — ConfigMap app has mode=prod (7 s)" in text
