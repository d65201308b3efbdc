"""Fixtures for the course tests: the built-in pack, a tester on the sim cluster, and results computed
in parallel once per session for just the exercises and wrong answers pytest selected.

Why precompute: each exercise needs setup, a start-state grade, a solution and a cleanup (seconds of
cluster work). Running the selected ones concurrently (distinct namespaces; cluster-scoped ones
alone) keeps the whole course under a few minutes, and each parametrized test then asserts on its
own exercise's verdict.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from tutor.errors import FormatError, TutorError
from tutor.model import Exercise, Pack, SolutionStep
from tutor.results import CheckResult, ExerciseResult, Status

WRONG_DIR = Path(__file__).parent / "wrong"
JOBS = 4
WRONG_TIMEOUT = 6.0
"""Seconds a wrong answer's expected check may poll: long enough for controllers to settle."""
RIGHT_TIMEOUT = 90.0
"""Seconds an alternative-correct answer may take to pass. It ends as soon as it passes, so only a
false fail waits this long; a Job that must use up its retries needs ~35 s of back-off (10 s, 20 s)."""


def load_course() -> Pack:
    """The built-in pack; lesson files that pack.yaml lists but that are not written yet are tolerated."""
    from tutor.content import resolve_pack
    from tutor.content.discovery import builtin_path
    from tutor.content.loader import load_pack_report

    try:
        return resolve_pack()
    except FormatError as exc:
        if not all("not found" in p.message and p.field.startswith("lessons") for p in exc.problems):
            raise
        pack = load_pack_report(builtin_path()).pack
        assert pack is not None
        return pack


@dataclass(frozen=True)
class WrongCase:
    """One answer from ``tests/course/wrong/<exercise>.yaml``: a wrong one the named check must fail
    with ``message``, or (``expect.passes: true``) an alternative-correct one it must pass — another
    spelling of the right answer, so checks grade meaning and not the reference solution's spelling."""

    exercise: str
    name: str
    steps: tuple[SolutionStep, ...]
    check: str
    message: str
    source: str
    passes: bool = False
    message_zh: str = ""  # the same failure's message when the lesson is read in Chinese

    @property
    def id(self) -> str:
        return f"{self.exercise}:{self.name}"


def load_wrong_cases(directory: Path = WRONG_DIR) -> list[WrongCase]:
    """Every case of every file; a malformed file raises naming the file and the case."""
    cases = []
    for path in sorted(directory.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for i, case in enumerate(data.get("cases") or [], 1):
            where = f"{path}: case {i}"
            try:
                steps = tuple(
                    SolutionStep(manifest=s.get("manifest"), kubectl=s.get("kubectl")) for s in case["steps"]
                )
                cases.append(
                    WrongCase(
                        data["exercise"],
                        case["name"],
                        steps,
                        case["expect"]["check"],
                        str(case["expect"].get("message", "")),
                        where,
                        bool(case["expect"].get("passes", False)),
                        str(case["expect"].get("message_zh", "")),
                    )
                )
            except (KeyError, TypeError, AttributeError) as exc:
                raise ValueError(f"{where}: malformed wrong answer ({exc!r})") from exc
    return cases


def _selected(session: pytest.Session, name: str) -> list[Any]:
    return [
        item.callspec.params[name]
        for item in session.items
        if hasattr(item, "callspec") and name in item.callspec.params
    ]


def _by_groups(
    items: Iterable[Any], exercise_of: Callable[[Any], Exercise], work: Callable[[list[Any]], Any]
) -> dict[Any, Any]:
    """Run ``work`` on groups of items sharing an exercise: groups in parallel, cluster-scoped ones alone."""
    groups: dict[str, list[Any]] = defaultdict(list)
    for item in items:
        groups[exercise_of(item).id].append(item)
    namespaces = Counter(exercise_of(g[0]).namespace for g in groups.values())
    alone = [
        g
        for g in groups.values()
        if exercise_of(g[0]).namespace is None
        or exercise_of(g[0]).cleanup
        or namespaces[exercise_of(g[0]).namespace] > 1
    ]
    together = [g for g in groups.values() if g not in alone]
    done: dict[Any, Any] = {}
    with ThreadPoolExecutor(JOBS, thread_name_prefix="course") as pool:
        for result in pool.map(work, together):
            done.update(result)
    for group in alone:
        done.update(work(group))
    return done


@pytest.fixture(scope="session")
def course() -> Pack:
    return load_course()


@pytest.fixture(scope="session")
def course_tester(cluster, course):
    from tutor.grading.isolation import isolated_checks
    from tutor.grading.pack_test import ExerciseTester
    from tutor.grading.registry import require_clean

    return ExerciseTester(cluster, course, require_clean(isolated_checks(course)), cluster.writer())


class LessonBatches(Mapping[str, Any]):
    """Results computed one lesson at a time, when a test first asks for a key of that lesson.

    Why not all at once: a session fixture that computes the whole course runs inside the first test's
    setup, under that test's pytest-timeout (600 s) — and the course outgrew it (CI hit the timeout and
    187 tests errored). A lesson's batch takes well under a minute, still runs its exercises in
    parallel, and a failure is reported as soon as its lesson is done.
    """

    def __init__(
        self,
        items: list[Any],
        key: Callable[[Any], str],
        exercise_of: Callable[[Any], Exercise],
        work: Callable[[list[Any]], dict[str, Any]],
    ) -> None:
        self._lessons: dict[str, list[Any]] = defaultdict(list)
        self._lesson_of_key: dict[str, str] = {}
        for item in items:
            lesson = exercise_of(item).lesson_id or ""
            self._lessons[lesson].append(item)
            self._lesson_of_key[key(item)] = lesson
        self._exercise_of, self._work = exercise_of, work
        self._done: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        lesson = self._lesson_of_key[key]  # KeyError: not selected or not runnable here
        if key not in self._done:
            self._done.update(_by_groups(self._lessons.pop(lesson, []), self._exercise_of, self._work))
        return self._done[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._lesson_of_key)

    def __len__(self) -> int:
        return len(self._lesson_of_key)


@pytest.fixture(scope="session")
def exercise_results(request, course_tester) -> Mapping[str, list[ExerciseResult]]:
    """start fails / solution passes, for every selected sim-capable exercise (id → combined results,
    graded with the lessons in English, then in Chinese, at both ends of one run on the cluster)."""
    caps = course_tester.capabilities
    wanted = [course_tester.pack.exercise(i) for i in _selected(request.session, "exercise_id")]
    runnable = [e for e in wanted if e.requires <= caps]
    languages = [course_tester.pack, _chinese(course_tester)]
    return LessonBatches(
        runnable,
        lambda e: e.id,
        lambda e: e,
        lambda group: {e.id: course_tester.test_in(e, languages) for e in group},
    )


@dataclass(frozen=True)
class WrongOutcome:
    """The named check's results for one case, and (with ``message_zh``) the same in Chinese."""

    checks: list[CheckResult]
    checks_zh: list[CheckResult]
    evidence: str = ""
    """For a correct answer that failed or steps that failed: the namespace's pods, Jobs and
    events, read before cleanup."""
    flaked: str = ""
    """For a case that went as intended only on its second try: the first try's evidence."""


def _evidence(tester, namespace: str | None) -> str:
    """What the cluster looked like when a correct answer failed, so a flake can be diagnosed from CI
    output alone (the namespace is deleted right after)."""
    if not namespace:
        return ""
    read, lines = tester.writer.read, [f"namespace {namespace}:"]
    for pod in read.list("v1", "Pod", namespace):
        status = pod.get("status") or {}
        states = [
            f"{c.get('name')}={next(iter(c.get('state') or {'?': 0}))} restarts={c.get('restartCount')}"
            for c in status.get("containerStatuses") or []
        ]
        conditions = [f"{c.get('type')}={c.get('status')}" for c in status.get("conditions") or []]
        lines.append(
            f"  Pod {pod['metadata']['name']} node={pod['spec'].get('nodeName')} phase={status.get('phase')} "
            f"{' '.join(conditions)} {' '.join(states)}"
        )
    for job in read.list("batch/v1", "Job", namespace):
        lines.append(f"  Job {job['metadata']['name']} status={job.get('status')}")
    for event in read.list("v1", "Event", namespace)[-15:]:
        involved = event.get("involvedObject") or {}
        lines.append(
            f"  Event {involved.get('kind')}/{involved.get('name')} "
            f"{event.get('reason')}: {event.get('message')}"
        )
    return "\n".join(lines)


def grade_wrong(tester, case: WrongCase) -> WrongOutcome:
    """Grade one case; a correct answer that fails, or a case whose steps fail (a ``kubectl wait``
    that times out), is graded once more from a fresh start.

    Why once more: the answers are deterministic on a settled cluster, but a loaded CI machine
    can leave a controller behind (once in ~20 runs a re-created Job got no pod for 90 s; once a
    Job's deadline was not acted on within 60 s). A real defect fails twice and is reported with
    both snapshots; a pass on the second try is reported as a warning with the first snapshot, so
    the flake stays visible.
    """
    first = _grade_once(tester, case)
    if not first.evidence:
        return first
    second = _grade_once(tester, case)
    if second.evidence:
        return replace(second, evidence=f"first try:\n{first.evidence}\nsecond try:\n{second.evidence}")
    return replace(second, flaked=first.evidence)


def _grade_once(tester, case: WrongCase) -> WrongOutcome:
    """Start the exercise, apply the wrong answer, grade the checks the case names (again with the
    lessons in Chinese when the case gives ``message_zh``); always clean up."""
    exercise = tester.pack.exercise(case.exercise)
    named = tuple(r for r in exercise.checks if r.check == case.check)
    if not named:
        raise ValueError(f"{case.source}: exercise {case.exercise} has no check {case.check!r}")
    try:
        run = tester.start(exercise)
        try:
            tester.apply(exercise, case.steps)
        except TutorError as exc:  # a step that failed (a wait timing out): retried, with evidence
            return _errored(case, exc, f"{exc}\n{_evidence(tester, exercise.namespace)}")
        timeout = RIGHT_TIMEOUT if case.passes else WRONG_TIMEOUT
        result = tester.grade(replace(exercise, checks=named), run, max_timeout=timeout)
        in_zh = []
        if case.message_zh:
            chinese = _chinese(tester)
            in_zh = list(
                tester.grade(replace(exercise, checks=named), run, max_timeout=timeout, pack=chinese).checks
            )
        evidence = ""
        if case.passes and any(r.status is not Status.PASS for r in result.checks):
            messages = "; ".join(r.message for r in result.checks if r.status is not Status.PASS)
            evidence = f"{messages}\n{_evidence(tester, exercise.namespace)}"
        return WrongOutcome(list(result.checks), in_zh, evidence)
    except TutorError as exc:
        return _errored(case, exc)
    finally:
        tester.cleanup(exercise, wait=bool(exercise.cleanup) or exercise.namespace is None)


def _errored(case: WrongCase, exc: TutorError, evidence: str = "") -> WrongOutcome:
    """The case's check as an error naming the case file (in both languages)."""
    failed = [CheckResult(case.check, case.name, Status.ERROR, f"{case.source}: {exc}")]
    return WrongOutcome(failed, failed, evidence)


_ZH: dict[int, Pack] = {}


def _chinese(tester) -> Pack:
    """The course with every lesson in Chinese (made once per tester)."""
    from tutor.practice.packs import translated

    if id(tester) not in _ZH:
        _ZH[id(tester)] = translated(tester.pack, "zh")
    return _ZH[id(tester)]


@pytest.fixture(scope="session")
def wrong_results(request, course_tester) -> Mapping[str, WrongOutcome]:
    """Case id → the named check's results, for every selected wrong answer the cluster can run."""
    caps = course_tester.capabilities
    cases = [
        c
        for c in _selected(request.session, "wrong_case")
        if course_tester.pack.exercise(c.exercise).requires <= caps
    ]
    return LessonBatches(
        cases,
        lambda c: c.id,
        lambda c: course_tester.pack.exercise(c.exercise),
        lambda group: {c.id: grade_wrong(course_tester, c) for c in group},
    )
