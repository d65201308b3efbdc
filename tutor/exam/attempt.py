"""The saved form of an exam attempt, and where attempts live on disk.

An attempt is one small versioned JSON file per attempt under ``<data dir>/exams/``, rewritten
atomically (``tutor.store.atomic``) after every change of state. It holds the *deadline* as wall
time, so quitting and restarting resumes the attempt with exactly the time that is really left,
and the warnings already shown, so they are not shown again.

The data dir is the platform's user data dir for ``k8s-tutor`` (platformdirs), or
``$K8S_TUTOR_DATA_DIR`` when set (tests, portable installs).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from tutor.errors import TutorError
from tutor.store.atomic import write_json_atomic
from tutor.store.progress import default_data_dir

ATTEMPT_VERSION = 1
"""Version of the attempt file format; a newer file is refused rather than misread."""


class ExamState(StrEnum):
    """Where an attempt is in its life.

    DRAWN      tasks chosen; the cluster not prepared yet.
    SET_UP     every task's namespace and starting state exist; the clock has not started.
    RUNNING    the clock runs; the learner works.
    SUBMITTED  the learner handed in early; answers frozen.
    TIMED_OUT  the deadline passed; answers frozen.
    GRADED     every task graded against the cluster; the review is open.
    """

    DRAWN = "drawn"
    SET_UP = "set_up"
    RUNNING = "running"
    SUBMITTED = "submitted"
    TIMED_OUT = "timed_out"
    GRADED = "graded"

    @property
    def frozen(self) -> bool:
        """Answers can no longer change (the learner's actions are refused)."""
        return self in (ExamState.SUBMITTED, ExamState.TIMED_OUT, ExamState.GRADED)


@dataclass
class TaskRecord:
    """One drawn task and what the learner did with it."""

    exercise_id: str
    topic: str
    title: str
    points: float
    namespace: str | None = None
    flagged: bool = False
    checks_used: int = 0
    result: dict[str, Any] | None = None  # ExerciseResult.to_dict() once graded
    run: dict[str, Any] | None = None  # the start snapshot (ExerciseRun.to_dict) once set up


@dataclass
class ExamAttempt:
    """Everything needed to resume, grade and review an attempt, as saved on disk.

    Times are POSIX seconds (UTC). ``deadline`` is None until the clock starts.
    """

    id: str
    pack_id: str
    pack_version: str
    pack_source: str  # what --pack was (a path or an id), None meaning the built-in pack: ""
    seed: int
    duration: float  # seconds
    pass_mark: float
    allow_check: bool
    tasks: list[TaskRecord]
    created_at: float
    state: ExamState = ExamState.DRAWN
    started_at: float | None = None
    deadline: float | None = None
    ended_at: float | None = None
    graded_at: float | None = None
    current: int = 0
    warnings_fired: list[int] = field(default_factory=list)  # minutes thresholds already announced
    context: str = ""
    server_version: str = ""  # the API server's version when graded, for the report
    score: dict[str, Any] | None = None  # ExamScore.to_dict() once graded

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["state"] = self.state.value
        d["version"] = ATTEMPT_VERSION
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any], where: str = "<attempt>") -> ExamAttempt:
        """Read a saved attempt; TutorError naming the file and field if it cannot be read."""
        if not isinstance(d, dict):
            raise TutorError(f"{where}: not a readable exam attempt: expected an object")
        version = d.get("version")
        if version != ATTEMPT_VERSION:
            raise TutorError(f"{where}: version: attempt format {version!r} is not {ATTEMPT_VERSION}")
        data = {k: v for k, v in d.items() if k != "version"}
        try:
            data["tasks"] = [TaskRecord(**t) for t in data["tasks"]]
            data["state"] = ExamState(data["state"])
            return cls(**data)
        except (KeyError, TypeError, ValueError) as exc:
            raise TutorError(f"{where}: not a readable exam attempt: {exc}") from None


def data_dir() -> Path:
    """The user data dir shared with the progress store (``$K8S_TUTOR_DATA_DIR`` overrides it)."""
    return default_data_dir()


class AttemptStore:
    """Exam attempts as ``<root>/<attempt id>.json`` files.

    Args:
        root: the folder; defaults to ``<data dir>/exams``.
    """

    def __init__(self, root: Path | None = None):
        self.root = root if root is not None else data_dir() / "exams"

    def path(self, attempt_id: str) -> Path:
        return self.root / f"{attempt_id}.json"

    def save(self, attempt: ExamAttempt) -> None:
        write_json_atomic(self.path(attempt.id), attempt.to_dict())

    def load(self, attempt_id: str) -> ExamAttempt:
        """The attempt with that id; TutorError if there is none or it is unreadable."""
        path = self.path(attempt_id)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise TutorError(
                f"no exam attempt {attempt_id!r} in {self.root} (see `k8s-tutor exam history`)"
            ) from None
        except json.JSONDecodeError as exc:
            raise TutorError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from None
        except RecursionError:
            raise TutorError(f"{path}: nested too deeply to be an exam attempt") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise TutorError(f"{path}: cannot read the attempt: {exc}") from None
        return ExamAttempt.from_dict(raw, str(path))

    def all(self) -> list[ExamAttempt]:
        """Every readable attempt, oldest first (ids sort by creation time)."""
        if not self.root.is_dir():
            return []
        return [self.load(p.stem) for p in sorted(self.root.glob("*.json"))]

    def latest(self, *, unfinished: bool = False) -> ExamAttempt | None:
        """The newest attempt; with ``unfinished``, the newest one not graded yet."""
        for attempt in reversed(self.all()):
            if not unfinished or attempt.state is not ExamState.GRADED:
                return attempt
        return None
