"""The built-in course on the sim cluster: every exercise's start state fails and its reference solution
passes; every wrong answer in ``tests/course/wrong/`` fails the named check with the intended message,
and every alternative-correct answer there (``expect.passes: true``) passes it. A case with
``expect.message_zh`` is graded once more with the lessons in Chinese and must fail with that message.

Parametrized over whatever lessons exist, so it grows with the course. Exercises needing what the sim
lacks (real containers, networking, ingress, metrics) are skipped with the reason.
"""

from __future__ import annotations

import re
import warnings

import pytest

from tests.course.conftest import load_course, load_wrong_cases
from tutor.results import Status

pytestmark = [pytest.mark.cluster, pytest.mark.slow]

COURSE = load_course()
EXERCISES = [e.id for e in COURSE.exercises(include_exam_only=True)]
WRONG = load_wrong_cases()


def _skip_unless_supported(course_tester, exercise_id: str) -> None:
    ex = course_tester.pack.exercise(exercise_id)
    missing = sorted(ex.requires - course_tester.capabilities)
    if missing:
        pytest.skip(f"{exercise_id} needs {', '.join(missing)}; the sim cluster lacks it")


def test_course_has_exercises_and_wrong_answers_name_real_checks():
    assert EXERCISES, "the built-in pack has no exercises"
    for case in WRONG:
        ex = COURSE.exercise(case.exercise)  # KeyError names an unknown exercise
        assert any(r.check == case.check for r in ex.checks), (
            f"{case.source}: {case.exercise} has no {case.check}"
        )


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_start_fails_and_solution_passes(exercise_id, course_tester, exercise_results):
    """In English and with the lessons read in Chinese (the same run on the cluster, graded twice)."""
    _skip_unless_supported(course_tester, exercise_id)
    for language, result in zip(("en", "zh"), exercise_results[exercise_id], strict=True):
        bad = [
            f"[{language}] {c.title} [{c.check_id}]: {c.status.value}: {c.message}"
            for c in result.checks
            if c.status is not Status.PASS
        ]
        assert result.checks and not bad, "\n".join(bad)


@pytest.mark.parametrize("wrong_case", WRONG, ids=[c.id for c in WRONG])
def test_wrong_answer_fails_with_the_intended_message(wrong_case, course_tester, wrong_results):
    _skip_unless_supported(course_tester, wrong_case.exercise)
    outcome = wrong_results[wrong_case.id]
    results = outcome.checks
    assert all(r.status is not Status.ERROR for r in results), (
        f"{[r.message for r in results]}\n{outcome.evidence}"
    )
    if outcome.flaked:
        first_try = f"{wrong_case.source}: went as intended on the second try; the first:\n{outcome.flaked}"
        warnings.warn(first_try, stacklevel=1)
    failing = [r for r in results if r.status is not Status.PASS]
    if wrong_case.passes:
        assert not failing, (
            f"{wrong_case.source}: this correct answer fails: {[r.message for r in failing]}\n"
            f"{outcome.evidence}"
        )
        return
    assert failing, f"{wrong_case.source}: the wrong answer passes {wrong_case.check}"
    assert any(wrong_case.message in r.message for r in failing), (
        f"{wrong_case.source}: expected {wrong_case.message!r} in: {[r.message for r in failing]}"
    )
    if wrong_case.message_zh:  # the same failure, the lesson read in Chinese (start --lang zh)
        failing_zh = [r for r in outcome.checks_zh if r.status is not Status.PASS]
        assert any(wrong_case.message_zh in r.message for r in failing_zh), (
            f"{wrong_case.source}: expected {wrong_case.message_zh!r} in: {[r.message for r in failing_zh]}"
        )
        for r in failing_zh:
            assert not english_prose(r.message), f"{wrong_case.source}: English left in: {r.message!r}"


#: Words that occur in English sentences but not in field paths, YAML or kubectl commands.
_ENGLISH_WORDS = re.compile(r"\b(the|is|are|has|have|was|which|its|does|not|but|only|with)\b", re.I)


def english_prose(message: str) -> list[str]:
    """The English function words of ``message`` outside `code` and quotes: a helper's English
    fragment inside a Chinese message (two or more of them mean a sentence, not a value). Kubernetes'
    own words (an event, a condition message) are quoted “like this” and not counted."""
    plain = re.sub(r"`[^`]*`|'[^']*'|\"[^\"]*\"|“[^”]*”|\{[^}]*\}|\[[^\]]*\]", "", message)
    words = _ENGLISH_WORDS.findall(plain)
    return words if len(words) >= 2 else []


def test_english_prose_finds_a_sentence_but_not_values():
    assert english_prose("Pod web 在 node-1 上，but it is not ready")
    assert not english_prose("请运行 `kubectl get pods -l app=web`：字段 spec.replicas 是 3")
    assert not english_prose("容器 shipper 的 command 是 ['sh', '-c', 'tail -F /logs/access.log']")
    assert not english_prose("调度器说：“0/3 nodes are available: 3 Insufficient memory”")
