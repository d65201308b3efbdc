"""``grade`` is never silent: on a terminal a live line per exercise names the check it waits for within
a second of the start; in a pipe, a ``waiting:`` line per slow check."""

from __future__ import annotations

import io
import shutil
import threading
import time
from pathlib import Path

from rich.console import Console

from tutor.commands._progress import LiveProgress, SlowCheckNotices, grade_progress
from tutor.content import load_pack
from tutor.grading.engine import Grader
from tutor.grading.isolation import isolated_checks
from tutor.results import CheckResult, Status

TINY = Path(__file__).resolve().parent.parent / "data" / "packs" / "tiny"


class Empty:
    def list(self, api_version, kind, namespace=None, label_selector=None):
        return []


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_live_progress_and_a_pipe_gets_waiting_lines():
    assert isinstance(grade_progress(Terminal(), {}, 1), LiveProgress)
    assert isinstance(grade_progress(io.StringIO(), {}, 1), SlowCheckNotices)


def test_live_progress_names_the_waiting_check_within_a_second(tmp_path):
    root = tmp_path / "tiny"
    shutil.copytree(TINY, root)
    pack = load_pack(root)
    [exercise] = pack.exercises()
    grader = Grader(isolated_checks(pack), Empty(), pack, timeout=3)
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=120, color_system=None)
    live = LiveProgress(console, {(exercise.id, 1): 3.0}, total=1)
    started = time.monotonic()
    with live:
        worker = threading.Thread(target=grader.grade, args=([exercise],), kwargs={"progress": live})
        worker.start()
        seen_at = None
        while time.monotonic() - started < 2.5:
            if "waiting for ConfigMap web exists" in out.getvalue():
                seen_at = time.monotonic() - started
                break
            time.sleep(0.05)
        worker.join()
    assert seen_at is not None and seen_at < 1.0, out.getvalue()[-500:]
    assert "one-task" in out.getvalue() and "/ 3 s" in out.getvalue()
    assert "ConfigMap web not found in namespace one-task" in out.getvalue()  # what it waits for
    assert "grading: 1/1 checks done" in out.getvalue() or live._done == {(exercise.id, 1)}


def test_a_pipe_gets_one_line_per_slow_check():
    stream = io.StringIO()
    notices = SlowCheckNotices(stream)
    exercise = type("E", (), {"id": "labels-edit"})()
    for seconds in (1.0, 3.5, 5.0):
        notices(
            exercise,
            CheckResult("c", "Pod web has tier", Status.RUNNING, "no tier", duration=seconds, index=1),
        )
    assert stream.getvalue() == "waiting: labels-edit: Pod web has tier (4 s so far): no tier\n"
