"""The learner's progress: which exercises passed, with what help, in how long.

Kept as one versioned JSON file in the user data dir (``k8s-tutor/progress.json``; the env var
``K8S_TUTOR_DATA_DIR`` overrides the folder, which tests use). Records are keyed by
``<pack_id>@<pack_version>/<exercise_id>`` so a new version of a pack starts its own record
instead of crediting answers graded against different checks.

Why atomic writes and a corrupt-file quarantine: the TUI saves after every verdict, and a learner
must never lose a week of progress to a crash mid-write, nor be locked out of the app by a file
that no longer parses (not JSON, nested too deep to parse, a record key that is not
``pack@version/exercise``) is moved aside as ``progress.json.corrupt-<ts>`` and the store starts empty
with a ``notice`` the front end shows. A file whose envelope is sound but some of whose records are not
is salvaged instead: the original is copied aside, the readable records are kept (and written back),
and the notice says how many were left out — one bad record never costs a learner the others.

Why a lock and a merge: the TUI keeps the store open for hours while ``k8s-tutor progress import``
may run beside it. Every write takes an exclusive ``fcntl`` lock on ``progress.json.lock`` (a
separate file: the atomic rename replaces progress.json itself), reads the file again, merges it with
what this process changed since it last read it (:func:`merge_records`), and only then writes. So
two concurrent imports both land, and the TUI's next save keeps an import made while it was open.
"""

from __future__ import annotations

import contextlib
import copy
import json
import math
import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, fields, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from tutor.errors import TutorError
from tutor.i18n import _
from tutor.store.atomic import write_json_atomic

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; concurrent writers may then lose an update
    fcntl = None  # type: ignore[assignment]

SCHEMA_VERSION = 1
FILE_NAME = "progress.json"
DATA_DIR_ENV = "K8S_TUTOR_DATA_DIR"
RECORD_KEY = re.compile(r"^[^/@\s]+@[^/\s]+/[^/\s]+\Z")
"""``pack@version/exercise``: what :func:`record_key` writes and ``progress show`` splits."""


class ProgressStatus(StrEnum):
    """Where a learner stands on one exercise.

    ``passed_with_solution`` is a pass after the learner revealed or applied the reference solution;
    it is counted apart so the catalog never claims more than the learner did alone.
    """

    PENDING = "pending"
    PASSED = "passed"
    PASSED_WITH_SOLUTION = "passed_with_solution"
    SKIPPED = "skipped"


@dataclass
class ExerciseProgress:
    """One exercise's record.

    Attributes:
        status: see ProgressStatus.
        hints_used: how many hints of the ladder were revealed (the highest index shown).
        solution_revealed: the learner looked at the reference solution; a later pass is "with solution".
        attempts: explicit checks plus verdict changes seen by watch mode.
        time_spent: seconds the exercise was open on screen.
        first_opened / completed_at: ISO 8601 UTC timestamps, or "".
    """

    status: ProgressStatus = ProgressStatus.PENDING
    hints_used: int = 0
    solution_revealed: bool = False
    attempts: int = 0
    time_spent: float = 0.0
    first_opened: str = ""
    completed_at: str = ""

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["status"] = self.status.value
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str) -> ExerciseProgress:
        """Build from JSON; ValueError names the record (``where``) and the bad field."""
        if not isinstance(data, dict):
            raise ValueError(f"{where}: expected an object, got {type(data).__name__}")
        known = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in known}
        try:
            kwargs["status"] = ProgressStatus(kwargs.get("status", "pending"))
        except ValueError:
            raise ValueError(f"{where}: status: unknown value {data.get('status')!r}") from None
        for name, typ in (("hints_used", int), ("attempts", int), ("time_spent", (int, float))):
            value = kwargs.get(name, 0)
            if not isinstance(value, typ) or isinstance(value, bool) or not math.isfinite(value) or value < 0:
                raise ValueError(f"{where}: {name}: expected a number >= 0, got {str(value)[:40]}")
        for name in ("first_opened", "completed_at"):
            if not isinstance(kwargs.get(name, ""), str):
                raise ValueError(f"{where}: {name}: expected a timestamp text")
        if not isinstance(kwargs.get("solution_revealed", False), bool):
            raise ValueError(f"{where}: solution_revealed: expected true or false")
        return cls(**kwargs)

    @property
    def done(self) -> bool:
        return self.status in (ProgressStatus.PASSED, ProgressStatus.PASSED_WITH_SOLUTION)


def default_data_dir() -> Path:
    """``$K8S_TUTOR_DATA_DIR`` if set, else the platform's user data dir for k8s-tutor."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir("k8s-tutor", appauthor=False))


def record_key(pack_id: str, pack_version: str, exercise_id: str) -> str:
    """The key of an exercise's record: ``pack@version/exercise``."""
    return f"{pack_id}@{pack_version}/{exercise_id}"


def _now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def parse_document(data: Any, source: str) -> dict[str, ExerciseProgress]:
    """Validate a progress document (file or export) and return its records; strict: one bad
    record refuses the whole document (what ``progress import`` wants).

    Raises:
        ValueError: naming ``source`` and the field when the document is not a progress file.
    """
    records, problems = parse_records(data, source)
    if problems:
        raise ValueError(problems[0])
    return records


def parse_records(data: Any, source: str) -> tuple[dict[str, ExerciseProgress], list[str]]:
    """The readable records of a progress document, and one problem (naming the record and field)
    per record that is not.

    Raises:
        ValueError: when the document itself is not a progress file (no records can be trusted).
    """
    if not isinstance(data, dict) or "exercises" not in data:
        raise ValueError(f"{source}: not a k8s-tutor progress file (no 'exercises' object)")
    version = data.get("version")
    if version != SCHEMA_VERSION:
        raise ValueError(f"{source}: version: expected {SCHEMA_VERSION}, got {version!r}")
    records = data["exercises"]
    if not isinstance(records, dict):
        raise ValueError(f"{source}: exercises: expected an object")
    good: dict[str, ExerciseProgress] = {}
    problems: list[str] = []
    for key, value in records.items():
        if not RECORD_KEY.match(key) or len(key) > 400:
            shown = key if len(key) <= 60 else key[:60] + "..."
            problems.append(f"{source}: exercises: key {shown!r} is not pack@version/exercise")
            continue
        try:
            good[key] = ExerciseProgress.from_dict(value, f"{source}: exercises[{key!r}]")
        except ValueError as exc:
            problems.append(str(exc))
    return good, problems


def _load_json(path: Path) -> Any:
    """The JSON of ``path`` ({"version": 1, "exercises": {}} when it does not exist).

    Raises:
        ValueError: not UTF-8, not JSON, nested too deep to parse. OSError: unreadable.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {"version": SCHEMA_VERSION, "exercises": {}}
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 text") from exc
    try:
        data = json.loads(text)
    except RecursionError:
        raise ValueError(f"{path}: nested too deeply to be a progress file") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}:{exc.lineno}: not JSON: {exc.msg}") from None
    return data


def merge_records(
    base: ExerciseProgress | None, mine: ExerciseProgress | None, theirs: ExerciseProgress | None
) -> ExerciseProgress | None:
    """One record after this process changed ``base`` into ``mine`` while another wrote ``theirs``.

    Whoever did not change the record yields to the one who did. When both did: the better status
    wins (with its completion time), hints and "solution revealed" are the union, and counters add
    what each side added to ``base``. A record this process deleted (``progress reset``) stays deleted.
    """
    if mine == base:
        return theirs
    if theirs == base or mine is None:
        return mine
    if theirs is None:
        return mine
    start = base or ExerciseProgress()
    better = mine if _STATUS_RANK[mine.status] >= _STATUS_RANK[theirs.status] else theirs
    opened = sorted(t for t in (mine.first_opened, theirs.first_opened) if t)
    return replace(
        better,
        hints_used=max(mine.hints_used, theirs.hints_used),
        solution_revealed=mine.solution_revealed or theirs.solution_revealed,
        attempts=theirs.attempts + max(0, mine.attempts - start.attempts),
        time_spent=round(theirs.time_spent + max(0.0, mine.time_spent - start.time_spent), 1),
        first_opened=opened[0] if opened else "",
    )


@dataclass(frozen=True)
class ProgressTrouble:
    """A progress file that did not read cleanly: the first problem (file and field), how many
    records were unreadable and how many kept, and where the original went."""

    problem: str
    unreadable: int
    kept: int
    aside: Path | None
    move_error: str = ""

    def notice(self) -> str:
        if self.aside is not None:
            where = _("the original file is kept as {path}").format(path=self.aside)
        else:
            where = _("it could not be set aside ({error})").format(error=self.move_error)
        if not self.kept:
            return _("Your progress file could not be read ({problem}); {where}. Starting fresh.").format(
                problem=self.problem, where=where
            )
        text = (
            _(
                "1 record of your progress file could not be read ({problem}) and was left out; "
                "the readable ones ({kept}) are kept, and {where}."
            )
            if self.unreadable == 1
            else _(
                "{n} records of your progress file could not be read ({problem}) and were left out; "
                "the readable ones ({kept}) are kept, and {where}."
            )
        )
        return text.format(n=self.unreadable, problem=self.problem, kept=self.kept, where=where)


@dataclass
class ProgressStore:
    """Progress records loaded from, and saved to, one JSON file. Thread-safe (TUI workers save).

    Use :meth:`open` rather than the constructor: it loads the file and quarantines a corrupt one.
    """

    path: Path
    records: dict[str, ExerciseProgress] = field(default_factory=dict)
    # Why the file could not be read as it was, and what became of it (None: it read cleanly).
    trouble: ProgressTrouble | None = None
    # Set by a front end that must keep running when the file cannot be written (the TUI shows a
    # notice); without it a failed save raises, which is right for the CLI.
    on_save_error: Callable[[OSError], None] | None = field(default=None, repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    # The records as last read from or written to the file: what "changed here" is measured against.
    _base: dict[str, ExerciseProgress] = field(default_factory=dict, repr=False)

    @classmethod
    def open(cls, path: Path | None = None) -> ProgressStore:
        """Load ``path`` (default: the data dir's progress.json); a missing file is an empty store."""
        path = path or default_data_dir() / FILE_NAME
        store = cls(path=path)
        if not path.exists():
            return store
        aside = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}")
        try:
            records, problems = parse_records(_load_json(path), str(path))
        except (ValueError, OSError) as exc:
            records, problems = {}, [str(exc)]
        # the records as read are also the base a save merges against: a salvaged file read back
        # yields the same records, which must not count as another writer's additions
        store.records, store._base = records, copy.deepcopy(records)
        if not problems:
            return store
        if not records:  # nothing worth keeping: move the whole file aside and start fresh
            try:
                os.replace(path, aside)
                store.trouble = ProgressTrouble(problems[0], len(problems), 0, aside)
            except OSError as exc:
                store.trouble = ProgressTrouble(problems[0], len(problems), 0, None, str(exc))
            return store
        try:  # keep the readable records; the original stays whole beside them
            shutil.copyfile(path, aside)
        except OSError as exc:  # no copy: leave the file as it is, so nothing is lost
            store.trouble = ProgressTrouble(problems[0], len(problems), len(records), None, str(exc))
            return store
        store.trouble = ProgressTrouble(problems[0], len(problems), len(records), aside)
        with contextlib.suppress(OSError):
            store.save()  # the file read back is unreadable, so the salvaged records replace it
        return store

    @property
    def notice(self) -> str:
        """What a front end tells the learner about a file that could not be read (in the language
        set when it is shown); "" when it read cleanly."""
        return self.trouble.notice() if self.trouble else ""

    # --- reading -------------------------------------------------------------------------------

    def get(self, pack_id: str, version: str, exercise_id: str) -> ExerciseProgress:
        """The record (a fresh pending one when the exercise was never opened; not stored)."""
        with self._lock:
            return self.records.get(record_key(pack_id, version, exercise_id)) or ExerciseProgress()

    def summary(self, pack_id: str, version: str, exercise_ids: list[str]) -> dict[str, int]:
        """Counts for a catalog row: ``passed``, ``passed_with_solution``, ``skipped``, ``total``."""
        counts = {"passed": 0, "passed_with_solution": 0, "skipped": 0, "total": len(exercise_ids)}
        for ex_id in exercise_ids:
            status = self.get(pack_id, version, ex_id).status
            if status is not ProgressStatus.PENDING:
                counts[status.value] += 1
        return counts

    def to_document(self) -> dict[str, Any]:
        with self._lock:
            return {
                "version": SCHEMA_VERSION,
                "exercises": {k: v.to_dict() for k, v in sorted(self.records.items())},
            }

    # --- writing -------------------------------------------------------------------------------

    def _update(self, pack_id: str, version: str, exercise_id: str, change) -> ExerciseProgress:
        with self._lock, self._file_lock():
            self._merge_from_file()
            key = record_key(pack_id, version, exercise_id)
            rec = self.records.setdefault(key, ExerciseProgress(first_opened=_now_iso()))
            change(rec)
            self._write()
            return rec

    def record_opened(self, pack_id: str, version: str, exercise_id: str) -> ExerciseProgress:
        return self._update(pack_id, version, exercise_id, lambda rec: None)

    def record_hint(self, pack_id: str, version: str, exercise_id: str, level: int) -> ExerciseProgress:
        """Remember that hints up to ``level`` (1-based) were shown."""

        def change(rec: ExerciseProgress) -> None:
            rec.hints_used = max(rec.hints_used, level)

        return self._update(pack_id, version, exercise_id, change)

    def record_solution_revealed(self, pack_id: str, version: str, exercise_id: str) -> ExerciseProgress:
        def change(rec: ExerciseProgress) -> None:
            rec.solution_revealed = True

        return self._update(pack_id, version, exercise_id, change)

    def record_attempt(self, pack_id: str, version: str, exercise_id: str) -> ExerciseProgress:
        def change(rec: ExerciseProgress) -> None:
            rec.attempts += 1

        return self._update(pack_id, version, exercise_id, change)

    def record_pass(self, pack_id: str, version: str, exercise_id: str) -> ExerciseProgress:
        """A pass; "with solution" when the solution was revealed first. A plain pass is never downgraded."""

        def change(rec: ExerciseProgress) -> None:
            if rec.status is ProgressStatus.PASSED:
                return
            rec.status = (
                ProgressStatus.PASSED_WITH_SOLUTION if rec.solution_revealed else ProgressStatus.PASSED
            )
            rec.completed_at = _now_iso()

        return self._update(pack_id, version, exercise_id, change)

    def record_skip(self, pack_id: str, version: str, exercise_id: str) -> ExerciseProgress:
        """The learner applied the reference solution to move on; a real pass is kept."""

        def change(rec: ExerciseProgress) -> None:
            rec.solution_revealed = True
            if not rec.done:
                rec.status = ProgressStatus.SKIPPED

        return self._update(pack_id, version, exercise_id, change)

    def add_time(self, pack_id: str, version: str, exercise_id: str, seconds: float) -> ExerciseProgress:
        def change(rec: ExerciseProgress) -> None:
            rec.time_spent = round(rec.time_spent + max(0.0, seconds), 1)

        return self._update(pack_id, version, exercise_id, change)

    def reset(self, prefix: str | None = None) -> int:
        """Forget records whose key starts with ``prefix`` (a pack id, ``pack@version``, or a full key);
        None forgets everything. Returns how many were removed."""
        with self._lock, self._file_lock():
            self._merge_from_file()
            if prefix is None:
                gone = list(self.records)
            else:
                gone = [k for k in self.records if _key_matches(k, prefix)]
            for key in gone:
                del self.records[key]
            self._write()
            return len(gone)

    def import_document(self, data: Any, source: str) -> int:
        """Merge an exported document; the better status of the two wins for each record.

        Raises:
            TutorError: when ``data`` is not a progress document (message names ``source`` and field).
        """
        try:
            incoming = parse_document(data, source)
        except ValueError as exc:
            raise TutorError(str(exc)) from None
        with self._lock, self._file_lock():
            self._merge_from_file()
            for key, rec in incoming.items():
                mine = self.records.get(key)
                if mine is None or _STATUS_RANK[rec.status] > _STATUS_RANK[mine.status]:
                    self.records[key] = rec
            self._write()
        return len(incoming)

    def save(self) -> None:
        """Write the records, merged with whatever other processes wrote since this one read the file."""
        with self._lock, self._file_lock():
            self._merge_from_file()
            self._write()

    # --- the file: lock, merge, write ----------------------------------------------------------

    @contextlib.contextmanager
    def _file_lock(self) -> Iterator[None]:
        """Hold an exclusive lock on ``<file>.lock`` (a no-op without ``fcntl`` or when it cannot be made)."""
        if fcntl is None:
            yield
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path.with_name(self.path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            yield  # an unwritable folder: the write below reports it
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def _merge_from_file(self) -> None:
        """Fold in what other processes wrote since this store last read or wrote the file."""
        try:  # a record another writer left unreadable is dropped; its readable ones are merged
            theirs, _unreadable = parse_records(_load_json(self.path), str(self.path))
        except (ValueError, OSError):
            return  # unreadable now: this store's records are the best copy left; the write replaces it
        merged: dict[str, ExerciseProgress] = {}
        for key in set(self._base) | set(self.records) | set(theirs):
            rec = merge_records(self._base.get(key), self.records.get(key), theirs.get(key))
            if rec is not None:
                merged[key] = rec
        self.records = merged

    def _write(self) -> None:
        try:
            write_json_atomic(self.path, self.to_document())
        except OSError as exc:
            if self.on_save_error is None:
                raise
            self.on_save_error(exc)
            return
        self._base = copy.deepcopy(self.records)


# pending < skipped < passed_with_solution < passed, so an import never downgrades a real pass.
_STATUS_RANK = {
    ProgressStatus.PENDING: 0,
    ProgressStatus.SKIPPED: 1,
    ProgressStatus.PASSED_WITH_SOLUTION: 2,
    ProgressStatus.PASSED: 3,
}


def _key_matches(key: str, prefix: str) -> bool:
    """``pack`` matches ``pack@*``; ``pack@1.0`` matches that version; a full key matches itself."""
    pack_part = key.split("/", 1)[0]
    return key == prefix or pack_part == prefix or pack_part.split("@", 1)[0] == prefix
