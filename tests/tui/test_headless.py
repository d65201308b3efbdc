"""The TUI's headless parts: spoiler-free prose, the watch loop's debounce/fallback, watched kinds."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from tests.tui.fakes import LESSON_BODY, FakeBackend, demo_pack
from tutor.grading.batch import check_titles
from tutor.model import CheckRef, Exercise, SolutionStep
from tutor.practice.core import steps_of
from tutor.practice.watching import WatchLoop, watched_kinds
from tutor.results import Status
from tutor.tui.backend import kubectl_equivalent
from tutor.tui.prose import lesson_prose


def test_prose_hides_hints_solution_metadata_and_exam_tasks():
    body = LESSON_BODY + "\n## Exam task: Secret thing\n\nDo the secret.\n\n## Afterword\n\nBye.\n"
    prose = lesson_prose(body)
    assert "Namespaces split one cluster" in prose
    assert "```yaml apply" in prose and "name: demo" in prose  # examples stay
    assert "## Exercise: Environment namespaces" in prose and "Create the namespaces" in prose
    for spoiler in (
        "### Hints",
        "kubectl label namespace",
        "### Solution",
        "```bash solution",
        "id: env-namespaces",
    ):
        assert spoiler not in prose
    assert "Secret thing" not in prose and "Do the secret" not in prose
    assert "## Afterword" in prose and "Bye." in prose


def test_prose_hides_the_chinese_spoiler_headings_of_a_translation():
    body = (
        "# 名字空间\n\n正文。\n\n## 练习：环境名字空间\n\n```yaml exercise\nid: env-namespaces\n```\n\n"
        "创建名字空间。\n\n### 提示\n\n1. 秘密提示\n\n"
        "### 答案：\n\n```bash solution\nkubectl create ns dev\n```\n\n"
        "## 考试题：秘密考试\n\n考试内容。\n\n## 小结\n\n结束。\n"
    )
    prose = lesson_prose(body)
    assert "## 练习：环境名字空间" in prose and "创建名字空间。" in prose
    spoilers = ("提示", "秘密提示", "答案", "kubectl create ns", "秘密考试", "考试内容", "id: env-namespaces")
    for spoiler in spoilers:
        assert spoiler not in prose
    assert "## 小结" in prose and "结束。" in prose


def test_prose_keeps_a_hints_heading_inside_a_code_fence():
    body = "# T\n\n```markdown\n### Hints\nnot a heading\n```\n\nafter\n"
    assert "not a heading" in lesson_prose(body) and "after" in lesson_prose(body)


def test_steps_titles_and_kubectl_equivalent():
    pack = demo_pack()
    steps = steps_of(pack)
    assert [(s.lesson.id, s.exercise.id if s.exercise else None) for s in steps] == [
        ("namespaces", "env-namespaces"),
        ("reading", None),
    ]
    assert check_titles(steps[0].exercise) == ["Namespace dev has env=dev", "Namespace prod has env=prod"]
    untitled = Exercise("x", "X", "", (CheckRef("ns.labelled", {"name": "dev", "match": {"a": 1}}),))
    assert check_titles(untitled) == ["ns.labelled(name=dev)"]
    block = pack.lessons[0].apply_blocks[0]
    assert kubectl_equivalent(block, None).splitlines()[0] == "kubectl apply -f - <<'EOF'"
    assert kubectl_equivalent(block, "ex").endswith("name: demo\nEOF")


def _loop(backend, results, problems, modes, **kw):
    pack = demo_pack()
    options = {"debounce": 0.05, "max_delay": 0.3, "poll_interval": 0.2, "idle_recheck": 30.0} | kw
    return WatchLoop(
        backend,
        pack,
        pack.lessons[0].exercises[0],
        on_result=results.append,
        on_problem=problems.append,
        on_mode=lambda mode, why: modes.append((mode, why)),
        **options,
    )


@contextmanager
def running(loop: WatchLoop) -> Iterator[None]:
    """Run ``loop`` in a thread for the block; stop it after and check the thread ended."""
    thread = threading.Thread(target=loop.run)
    thread.start()
    try:
        yield
    finally:
        loop.stop()
        thread.join(5)
    assert not thread.is_alive(), "the watch loop did not stop"


def _wait(condition, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_watch_loop_debounces_a_burst_into_one_round(store):
    backend = FakeBackend(store)
    results, problems, modes = [], [], []
    loop = _loop(backend, results, problems, modes, idle_recheck=30.0, max_delay=1.0, debounce=0.3)
    with running(loop):
        _wait(lambda: loop.rounds == 1 and loop.mode == "watch")
        for i in range(5):  # one kubectl apply = many events in a short burst
            backend.put(f"obj{i}")
            time.sleep(0.02)
        backend.put("dev", env="dev")
        _wait(lambda: loop.rounds >= 2)
        time.sleep(0.5)
        assert loop.rounds == 2
        assert results[-1].checks[0].status is Status.PASS


def test_watch_loop_verdict_lands_quickly_after_a_change(store):
    backend = FakeBackend(store)
    results, problems, modes = [], [], []
    loop = _loop(backend, results, problems, modes, debounce=0.25, max_delay=0.5)
    with running(loop):
        _wait(lambda: loop.rounds == 1 and loop.mode == "watch")
        t0 = time.monotonic()
        backend.put("dev", env="dev")
        backend.put("prod", env="prod")
        _wait(lambda: results and results[-1].status is Status.PASS)
        assert time.monotonic() - t0 < 2.0


class _BrokenWatch(FakeBackend):
    def watch_changes(self, pack, exercise, watch):
        raise ConnectionError("watch refused")
        yield  # pragma: no cover


def test_watch_loop_falls_back_to_polling_when_the_watch_breaks(store):
    backend = _BrokenWatch(store)
    results, problems, modes = [], [], []
    loop = _loop(backend, results, problems, modes)
    with running(loop):
        _wait(lambda: "polling" in [mode for mode, _ in modes])
        assert any("watch refused" in why for mode, why in modes if mode == "polling")
        backend.put("dev", env="dev")  # no watch event: polling must see it
        _wait(lambda: results and results[-1].checks[0].status is Status.PASS)


def test_watch_loop_reports_outage_as_problem_and_recovers(store):
    backend = FakeBackend(store)
    results, problems, modes = [], [], []
    loop = _loop(backend, results, problems, modes)
    with running(loop):
        _wait(lambda: loop.rounds == 1)
        backend.down = True
        _wait(lambda: problems and "refused" in problems[-1])
        count = len(results)
        time.sleep(0.5)
        assert len(results) == count  # no verdicts (and so no failures) while the API is down
        backend.down = False
        backend.put("dev", env="dev")
        _wait(lambda: problems[-1] == "" and results[-1].checks[0].status is Status.PASS)


def test_watch_loop_survives_a_checker_crash(store):
    class Crashy(FakeBackend):
        calls_left = 1

        def check_once(self, pack, exercise):
            if self.calls_left:
                self.calls_left -= 1
                raise KeyError("spec")
            return super().check_once(pack, exercise)

    results, problems, modes = [], [], []
    loop = _loop(Crashy(store), results, problems, modes)
    with running(loop):
        _wait(lambda: problems and "KeyError" in problems[0])
        loop.request_check()
        _wait(lambda: results)
        assert problems[-1] == ""


def test_watched_kinds_come_from_checks_and_solution_manifests():
    ex = Exercise(
        "e",
        "E",
        "",
        (CheckRef("match", {"apiVersion": "batch/v1", "kind": "Job", "name": "x"}),),
        solution=(SolutionStep(manifest="apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n"),),
        namespace="ex",
    )
    kinds = watched_kinds(ex)
    assert kinds[:2] == [("batch/v1", "Job"), ("v1", "Secret")]
    assert ("v1", "Pod") in kinds and len(kinds) <= 6
    cluster_scoped = Exercise("c", "C", "", (CheckRef("namespaces.labelled", {"name": "dev"}),))
    assert watched_kinds(cluster_scoped) == []


def test_headless_modules_do_not_import_textual():
    code = (
        "import sys, tutor.tui.backend, tutor.practice.watching, tutor.practice.practice_session, "
        "tutor.tui.prose, tutor.tui.core_backend, "
        "tutor.store.settings, "
        "tutor.store.progress, tutor.commands.start, tutor.commands.progress; "
        "assert 'textual' not in sys.modules, 'textual imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


class _ScriptedReader:
    """A reader whose successive watch() calls replay scripted event lists or raise."""

    def __init__(self, *scripts):
        self.scripts = list(scripts)
        self.versions: list[str | None] = []

    def watch(self, api_version, kind, namespace=None, timeout=30, resource_version=None):
        self.versions.append(resource_version)
        script = self.scripts.pop(0) if self.scripts else ConnectionError("no more scripts")
        if isinstance(script, BaseException):
            raise script
        yield from script


def _obj(name: str, rv: str) -> dict:
    return {"metadata": {"name": name, "resourceVersion": rv}}


def test_follow_resumes_from_the_last_version_and_restarts_after_410():
    import queue

    from tutor.practice.core import Watch
    from tutor.practice.watching import follow as _follow

    reader = _ScriptedReader(
        [{"type": "ADDED", "object": _obj("a", "5")}],
        [{"type": "MODIFIED", "object": _obj("a", "7")}, {"type": "ERROR", "object": {"code": 410}}],
        [],
    )
    out: queue.Queue = queue.Queue()
    _follow(reader, "v1", "ConfigMap", "ns", Watch(), out)
    items = [out.get_nowait() for _ in range(out.qsize())]
    assert items[:2] == ["ADDED ConfigMap/a", "MODIFIED ConfigMap/a"]
    assert isinstance(items[2], ConnectionError)  # the scripted end: reported, so the loop polls
    assert reader.versions == [None, "5", None, None]


def test_follow_ignores_a_kind_the_cluster_does_not_serve():
    import queue

    from tutor.cluster.errors import UnknownKind
    from tutor.practice.core import Watch
    from tutor.practice.watching import follow as _follow

    out: queue.Queue = queue.Queue()
    _follow(
        _ScriptedReader(UnknownKind("no kind Widget in example.com/v1")),
        "example.com/v1",
        "Widget",
        "ns",
        Watch(),
        out,
    )
    assert out.empty()
