"""App-wide messages, named in the past tense: each says what already happened.

Thread workers post these (``post_message`` is thread-safe); screens react in handlers. Tests
assert on them too, so they carry plain data, not widgets.
"""

from __future__ import annotations

from textual.message import Message

from tutor.practice.core import ClusterStatus, PackEntry
from tutor.results import ExerciseResult


class PacksLoaded(Message):
    """The catalog's packs were loaded (broken ones carry their error)."""

    def __init__(self, entries: list[PackEntry]) -> None:
        super().__init__()
        self.entries = entries


class ClusterStatusChanged(Message):
    """A cluster probe finished with a different status than before."""

    def __init__(self, status: ClusterStatus) -> None:
        super().__init__()
        self.status = status


class ClusterCreationProgressed(Message):
    """A cluster driver reported a step (a line for the first-run screen's log)."""

    def __init__(self, line: str) -> None:
        super().__init__()
        self.line = line


class ClusterCreated(Message):
    """Creating the local cluster finished; ``error`` is "" on success."""

    def __init__(self, error: str = "") -> None:
        super().__init__()
        self.error = error


class ExerciseStarted(Message):
    """The exercise namespace and setup are ready; ``error`` is "" on success; ``notice`` says where
    the learner's kubectl now works; ``read_only``: setup was refused on a context the tutor may not
    change, and the checks run anyway (they only read)."""

    def __init__(self, exercise_id: str, error: str = "", notice: str = "", read_only: bool = False) -> None:
        super().__init__()
        self.exercise_id = exercise_id
        self.error = error
        self.notice = notice
        self.read_only = read_only


class ChecksCompleted(Message):
    """A grading round finished (by watch, poll or the ``c`` key)."""

    def __init__(self, exercise_id: str, result: ExerciseResult) -> None:
        super().__init__()
        self.exercise_id = exercise_id
        self.result = result


class ExercisePassed(Message):
    """Every check passed and the pass was recorded; ``with_solution`` when help was used."""

    def __init__(self, exercise_id: str, with_solution: bool) -> None:
        super().__init__()
        self.exercise_id = exercise_id
        self.with_solution = with_solution


class EnvironmentProblemChanged(Message):
    """The API server stopped (``text`` says why) or resumed (``text`` is "") answering."""

    def __init__(self, exercise_id: str, text: str) -> None:
        super().__init__()
        self.exercise_id = exercise_id
        self.text = text


class WatchModeChanged(Message):
    """Watch mode switched between ``watch`` and ``polling``."""

    def __init__(self, exercise_id: str, mode: str, reason: str) -> None:
        super().__init__()
        self.exercise_id = exercise_id
        self.mode = mode
        self.reason = reason


class ActionFinished(Message):
    """A one-shot cluster action (apply block, skip, reset) finished; ``error`` is "" on success."""

    def __init__(self, action: str, detail: str = "", error: str = "") -> None:
        super().__init__()
        self.action = action
        self.detail = detail
        self.error = error
