"""`k8s-tutor exam history|grade` on saved attempts (no cluster needed once an attempt is graded),
the review Markdown and the start-snapshot round trip."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tutor.cli import main
from tutor.content import load_pack
from tutor.exam import AttemptStore, ExamSession, FakeClock
from tutor.exam.review import solution_markdown, summary_markdown, task_review_markdown
from tutor.exam.runner import exam_report
from tutor.grading.lifecycle import ExerciseRun
from tutor.model import SolutionStep
from tutor.results import CheckResult, ExerciseResult, FieldDiff, Status

PACK_DIR = Path(__file__).parents[1] / "data" / "exam-pack"


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("K8S_TUTOR_DATA_DIR", str(tmp_path))
    return tmp_path


def first_check_only(exercises):
    """Every task earns the weight of its first check only."""
    out = []
    for ex in exercises:
        checks = tuple(
            CheckResult(
                ref.check,
                ref.title or "",
                Status.PASS if i == 0 else Status.FAIL,
                "" if i == 0 else "not right",
                () if i == 0 else (FieldDiff("data.x", "1", "2"),),
                weight=ref.weight,
            )
            for i, ref in enumerate(ex.checks)
        )
        out.append(ExerciseResult("exam-fixture", ex.id, ex.title, checks, ex.points))
    return out


def graded_attempt(data_dir: Path, seed: int = 5) -> ExamSession:
    pack = load_pack(PACK_DIR)
    session = ExamSession.new(
        pack, seed=seed, clock=FakeClock(), store=AttemptStore(), pack_source=str(PACK_DIR)
    )
    session.mark_set_up()
    session.start()
    session.submit()
    session.grade(first_check_only)
    return session


def expected_points(session: ExamSession) -> float:
    return sum(ex.points * ex.checks[0].weight / sum(c.weight for c in ex.checks) for ex in session.exercises)


def test_grade_a_graded_attempt_as_json_without_a_cluster(data_dir, capsys):
    session = graded_attempt(data_dir)
    code = main(["exam", "grade", session.attempt.id, "--format", "json", "--kubeconfig", "/nonexistent"])
    out = capsys.readouterr()
    report = json.loads(out.out)
    exam = report["meta"]["exam"]
    assert exam["attempt"] == session.attempt.id
    assert exam["points"] == pytest.approx(expected_points(session))
    assert exam["passed"] is False and code == 1  # below the 60 % pass mark
    assert "NOT PASSED" in out.err
    assert [e["exercise"] for e in report["exercises"]] == [t.exercise_id for t in session.tasks]


def test_exam_dash_dash_grade_defaults_to_the_latest_and_writes_junit(data_dir, tmp_path, capsys):
    graded_attempt(data_dir, seed=1)
    latest = graded_attempt(data_dir, seed=2)
    out_file = tmp_path / "exam.xml"
    code = main(["exam", "--grade", "--format", "junit", "--output", str(out_file)])
    assert code == 1
    xml = out_file.read_text()
    assert "<testsuite" in xml and latest.tasks[0].exercise_id in xml
    assert latest.attempt.id in capsys.readouterr().out


def test_history_lists_attempts_with_scores(data_dir, capsys):
    session = graded_attempt(data_dir)
    running = ExamSession.new(load_pack(PACK_DIR), seed=9, clock=FakeClock(), store=AttemptStore())
    assert main(["exam", "history"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    score = session.score()
    assert any(session.attempt.id in ln and f"{score.percent:.1f}%" in ln and "FAIL" in ln for ln in lines)
    assert any(running.attempt.id in ln and "drawn" in ln for ln in lines)
    assert main(["exam", "history", "--json"]) == 0
    assert {a["id"] for a in json.loads(capsys.readouterr().out)} == {session.attempt.id, running.attempt.id}


def test_the_exam_command_speaks_the_learners_language(data_dir, capsys):
    assert main(["exam", "--lang", "zh", "history"]) == 0
    assert "还没有考试记录" in capsys.readouterr().out
    session = graded_attempt(data_dir)
    code = main(["exam", "--lang", "zh", "grade", session.attempt.id, "--format", "json"])
    out = capsys.readouterr()
    assert json.loads(out.out)["exercises"] and code == 1  # the report's keys stay English
    assert f"考试 {session.attempt.id}：" in out.err and "未通过" in out.err and "NOT PASSED" not in out.err


def test_grading_an_unknown_attempt_is_an_input_error(data_dir, capsys):
    assert main(["exam", "grade", "nope"]) == 2
    assert "no exam attempt 'nope'" in capsys.readouterr().err


def test_exam_report_meta(data_dir):
    session = graded_attempt(data_dir)
    report = exam_report(session)
    exam = report.meta["exam"]
    assert exam["seed"] == 5 and exam["state"] == "graded" and not exam["timed_out"]
    assert exam["exit_code"] == session.score().exit_code == 1
    assert report.points == pytest.approx(exam["points"])


def test_review_markdown_has_diffs_hints_and_solutions():
    pack = load_pack(PACK_DIR)
    ex = pack.exercise("cm-create")
    (result,) = first_check_only([ex])
    text = task_review_markdown(3, ex, result, flagged=True)
    assert text.startswith("## 3. Application settings ⚑")
    assert "2 / 3 points" in text
    assert "✘ ConfigMap app-config has mode=prod" in text and "`data.x`: expected `'1'`, got `'2'`" in text
    assert "### Hints" in text and "--from-literal" in text
    assert "```yaml\napiVersion: v1\nkind: ConfigMap" in text
    assert solution_markdown([SolutionStep(kubectl="get pods")]) == "```bash\nkubectl get pods\n```\n"
    assert "no reference solution" in solution_markdown([])


def test_summary_markdown_flags_errors_and_late_grading(data_dir):
    score = graded_attempt(data_dir).score()
    text = summary_markdown(score, late_seconds=600)
    assert f"# NOT PASSED: {score.percent:.1f}%" in text
    assert "10 min after" in text
    for topic in score.topics:
        assert f"- {topic.topic}: {topic.points:g}/{topic.possible:g} points ({topic.percent:.0f}%)" in text
    assert "after the exam ended" not in summary_markdown(score, late_seconds=5)


def test_start_snapshot_round_trips_through_json():
    run = ExerciseRun(
        "cm-label",
        "exam-cm-label",
        datetime(2026, 1, 1, 12, 0, tzinfo=UTC),
        {("v1", "ConfigMap", "exam-cm-label", "settings"): {"uid": "u1", "resourceVersion": "7"}},
    )
    data = json.loads(json.dumps(run.to_dict()))
    assert ExerciseRun.from_dict("cm-label", data) == run


def test_saved_results_keep_missing_fields_and_odd_values():
    from decimal import Decimal

    from tutor.exam.scoring import result_from_dict, result_to_json
    from tutor.grading.fieldpath import MISSING

    check = CheckResult(
        "match", "t", Status.FAIL, "m", (FieldDiff("spec.x", Decimal("0.5"), MISSING),), weight=2.0
    )
    result = ExerciseResult("p", "e", "E", (check,), 3.0)
    data = json.loads(json.dumps(result_to_json(result)))
    back = result_from_dict(data)
    assert back.checks[0].diffs[0].actual is MISSING
    assert back.checks[0].diffs[0].expected == "0.5"
    assert back.points == result.points == 0.0 and back.checks[0].weight == 2.0
    review = task_review_markdown(1, load_pack(PACK_DIR).exercise("cm-create"), back)
    assert "`spec.x`: expected `'0.5'`, it is missing" in review


def test_exam_grade_cut_short_still_writes_the_report(data_dir, tmp_path, capsys):
    """A running attempt graded where no cluster answers: exit 2, and the asked-for report says why."""
    pack = load_pack(PACK_DIR)
    session = ExamSession.new(
        pack, seed=3, clock=FakeClock(), store=AttemptStore(), pack_source=str(PACK_DIR)
    )
    session.mark_set_up()
    session.start()
    out = tmp_path / "exam.xml"
    code = main(
        ["exam", "grade", session.attempt.id, "--format", "junit", "--output", str(out)]
        + ["--kubeconfig", str(tmp_path / "missing-kubeconfig")]
    )
    assert code == 2
    text = out.read_text()
    assert "<testsuite" in text and "error" in text
    assert all(ex.id in text for ex in session.exercises)
