"""A scripted exam attempt on the sim cluster scores exactly the weighted sum of what was solved.

Half of the drawn tasks get their reference solution (applied through the API, like `pack test`),
one gets a partial answer that satisfies exactly its first check, the rest stay untouched. The
expected score is computed from the pack's points and check weights, never hard-coded.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tutor.content import load_pack, resolve_pack
from tutor.exam import AttemptStore, ExamSession, ExamState
from tutor.exam.runner import ExamRunner, exam_report
from tutor.grading.lifecycle import apply_solution, cleanup_exercise
from tutor.practice.cluster_session import ClusterSession
from tutor.results import Status

pytestmark = pytest.mark.cluster

PACK_DIR = Path(__file__).parents[1] / "data" / "exam-pack"

# For each fixture task, an answer that satisfies its first check and fails the others.
FIRST_CHECK_ONLY = {
    "cm-create": """
apiVersion: v1
kind: ConfigMap
metadata: {name: app-config}
data: {color: blue, mode: dev}
""",
    "cm-label": """
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, labels: {tier: backend}}
""",
    "sa-create": """
apiVersion: v1
kind: ServiceAccount
metadata: {name: builder}
""",
    "rbac-reader": """
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-reader}
rules: [{apiGroups: [""], resources: [pods], verbs: [get, list]}]
""",
    "secret-create": """
apiVersion: v1
kind: Secret
metadata: {name: db-creds}
type: Opaque
stringData: {user: root}
""",
    "secret-immutable": """
apiVersion: v1
kind: Secret
metadata: {name: api-key}
immutable: true
data: {k: dg==}
""",
}


def first_check_share(ex) -> float:
    return ex.points * ex.checks[0].weight / sum(c.weight for c in ex.checks)


@pytest.fixture
def exam_cleanup(cluster):
    """Delete every exam namespace a test set up, whatever happened."""
    started: list = []
    yield started
    writer = cluster.writer(cluster.context)
    for session in started:
        for ex in session.exercises:
            cleanup_exercise(writer, ex, wait=False)


def run_attempt(cluster, pack, store, seed, tasks, exam_cleanup, timeout):
    runner = ExamRunner(
        pack, ClusterSession.attached(cluster, allow_context=cluster.context), timeout=timeout
    )
    session = ExamSession.new(
        pack, tasks=tasks, seed=seed, capabilities=runner.capabilities(), store=store, context=cluster.context
    )
    exam_cleanup.append(session)
    runner.set_up(session)
    assert session.state is ExamState.SET_UP
    assert all(t.run is not None for t in session.tasks)
    session.start()
    return runner, session


def test_half_solved_fixture_attempt_scores_the_weighted_sum(cluster, tmp_path, exam_cleanup):
    pack = load_pack(PACK_DIR)
    store = AttemptStore(tmp_path)
    runner, session = run_attempt(
        cluster, pack, store, seed=2024, tasks=6, exam_cleanup=exam_cleanup, timeout=3
    )
    again = ExamSession.new(pack, tasks=6, seed=2024, capabilities=runner.capabilities())
    assert [t.exercise_id for t in again.tasks] == [t.exercise_id for t in session.tasks]

    writer = cluster.writer(cluster.context)
    exercises = session.exercises
    solved = exercises[::2]
    partial = exercises[1]
    for ex in solved:
        apply_solution(writer, ex)
    writer.apply(FIRST_CHECK_ONLY[partial.id], namespace=partial.namespace)

    session.submit()
    # Grade after a "restart": a fresh runner that only knows what the attempt file says.
    resumed = ExamSession.resume(store.load(session.attempt.id), pack, store=store)
    fresh = ExamRunner(pack, ClusterSession.attached(cluster, allow_context=cluster.context), timeout=3)
    fresh.load_runs(resumed)
    verdicts: list[str] = []
    fresh.on_verdict = lambda ex, res: verdicts.append(ex.id)
    score = resumed.grade(fresh.grade_all, fresh.server_version())
    assert exam_report(resumed).server_version.startswith("v1.")
    assert sorted(verdicts) == sorted(ex.id for ex in exercises for _ in ex.checks)  # one final verdict each

    expected = sum(ex.points for ex in solved) + first_check_share(partial)
    assert score.points == pytest.approx(expected, abs=1e-6)
    assert score.possible == pytest.approx(sum(ex.points for ex in exercises))
    assert not score.errors
    by_id = {r.exercise_id: r for r in resumed.results()}
    assert all(by_id[ex.id].status is Status.PASS for ex in solved)
    assert [c.status is Status.PASS for c in by_id[partial.id].checks] == [True, False]
    for ex in exercises[3::2]:
        assert by_id[ex.id].points == 0.0, by_id[ex.id]
    assert score.passed is (score.percent >= pack.exam.pass_mark)


def test_setup_gives_a_fresh_start_even_after_an_earlier_attempt(cluster, tmp_path, exam_cleanup):
    """Answers left in a namespace by an earlier attempt never count for a new one."""
    pack = load_pack(PACK_DIR)
    store = AttemptStore(tmp_path)
    _, first = run_attempt(cluster, pack, store, seed=7, tasks=2, exam_cleanup=exam_cleanup, timeout=3)
    writer = cluster.writer(cluster.context)
    for ex in first.exercises:
        apply_solution(writer, ex)
    runner, second = run_attempt(cluster, pack, store, seed=7, tasks=2, exam_cleanup=exam_cleanup, timeout=3)
    assert [t.exercise_id for t in second.tasks] == [t.exercise_id for t in first.tasks]
    second.submit()
    assert second.grade(runner.grade_all).points == 0.0


@pytest.mark.slow
def test_builtin_pack_exam_pool_half_solved(cluster, tmp_path, exam_cleanup):
    """The same on the built-in course's exam pool, for the tasks the sim cluster can run."""
    pack = resolve_pack(None)
    caps = cluster.read.capabilities()
    pool = [ex for ex in pack.exam_pool() if ex.requires <= caps and ex.solution]
    if len(pool) < 2:
        pytest.skip(f"the built-in exam pool has {len(pool)} sim-capable tasks so far")
    n = min(8, len(pool))
    runner, session = run_attempt(
        cluster, pack, AttemptStore(tmp_path), seed=1, tasks=n, exam_cleanup=exam_cleanup, timeout=None
    )
    writer = cluster.writer(cluster.context)
    solved = session.exercises[::2]
    for ex in solved:
        apply_solution(writer, ex)
    session.submit()
    score = session.grade(runner.grade_all)
    assert not score.errors, [r.to_dict() for r in session.results() if r.status is Status.ERROR]
    assert score.points == pytest.approx(sum(ex.points for ex in solved), abs=1e-6)


@pytest.mark.slow
async def test_builtin_exam_of_8_tasks_end_to_end_in_the_tui(cluster, tmp_path, exam_cleanup):
    """The issue's "done when": a 30-minute, 8-task exam of the built-in pack, taken in the TUI, reviewed."""
    from tutor.tui.exam import ExamApp
    from tutor.tui.exam.screens import ExamScreen, ReviewScreen

    pack = resolve_pack(None)
    runner = ExamRunner(pack, ClusterSession.attached(cluster, allow_context=cluster.context))
    session = ExamSession.new(
        pack,
        tasks=8,
        duration_minutes=30,
        seed=99,
        capabilities=runner.capabilities(),
        store=AttemptStore(tmp_path),
        context=cluster.context,
    )
    exam_cleanup.append(session)
    runner.set_up(session)
    writer = cluster.writer(cluster.context)
    app = ExamApp(session, runner.grade_all, server_version=runner.server_version())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExamScreen) and session.state is ExamState.RUNNING
        solved = session.exercises[1::2]
        for ex in solved:  # the candidate works in another terminal
            apply_solution(writer, ex)
        await pilot.press("n", "f", "S")
        await pilot.pause()
        await pilot.press("y")
        for _ in range(240):
            await pilot.pause(0.5)
            if isinstance(app.screen, ReviewScreen):
                break
        assert isinstance(app.screen, ReviewScreen), "grading did not finish within two minutes"
        score = session.score()
        assert score.points == pytest.approx(sum(ex.points for ex in solved), abs=1e-6)
        assert f"{score.percent:.1f}%" in app.screen.query_one("#review-summary").source
        assert session.tasks[1].flagged


def test_cli_exam_no_tui_then_grade(cluster, tmp_path, monkeypatch, capsys, exam_cleanup):
    """`exam --no-tui` sets up and starts the clock; the learner answers; `exam grade` scores it."""
    import json

    from tutor.cli import main

    monkeypatch.setenv("K8S_TUTOR_DATA_DIR", str(tmp_path))
    where = [
        "--kubeconfig",
        cluster.kubeconfig,
        "--context",
        cluster.context,
        "--allow-context",
        cluster.context,
    ]
    args = ["exam", "--pack", str(PACK_DIR), "--tasks", "2", "--seed", "4", "--no-tui", *where]
    assert main(args) == 0
    out = capsys.readouterr().out
    store = AttemptStore(tmp_path / "exams")
    attempt = store.latest()
    assert attempt is not None and attempt.state is ExamState.RUNNING
    session = ExamSession(attempt, load_pack(PACK_DIR))
    exam_cleanup.append(session)
    for i, ex in enumerate(session.exercises, 1):
        assert f"## {i}. {ex.title}" in out
    solved = session.exercises[0]
    apply_solution(cluster.writer(cluster.context), solved)

    code = main(["exam", "grade", "--format", "json", "--timeout", "2", *where])
    report = json.loads(capsys.readouterr().out)
    exam = report["meta"]["exam"]
    assert exam["points"] == pytest.approx(solved.points)
    assert code == exam["exit_code"] == (0 if exam["passed"] else 1)
    assert store.load(attempt.id).state is ExamState.GRADED
