"""Started exercise runs, saved so a later process can grade against them.

``k8s-tutor setup`` starts exercises and ``k8s-tutor grade`` runs afterwards in another process (a CI
step, a script). Checks such as ``created_after_start`` and ``snapshot_uid`` need the start time and
snapshot of the run, so ``setup`` saves each :class:`~tutor.grading.lifecycle.ExerciseRun` here and
``grade`` loads it.

One JSON file per (kube context, pack id, exercise id), under ``<data dir>/runs/`` (the data dir of
the progress store, so ``K8S_TUTOR_DATA_DIR`` moves both). Keyed by context because the same
exercise set up on two clusters has two different snapshots. A file that cannot be read is skipped
with a warning (the exercise is then graded as if never set up); it never stops grading.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tutor.store.atomic import write_json_atomic
from tutor.store.progress import default_data_dir

if TYPE_CHECKING:
    from tutor.grading.lifecycle import ExerciseRun

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
DIR_NAME = "runs"


def _safe(part: str) -> str:
    """A file-name-safe form of ``part`` that stays unique (a short hash of the original is appended
    when anything had to be replaced, so ``a/b`` and ``a_b`` never share a file)."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", part).strip(".") or "_"
    if cleaned == part:
        return part
    return f"{cleaned}-{hashlib.sha256(part.encode()).hexdigest()[:8]}"


class RunStore:
    """Saved runs in one folder (default: ``<data dir>/runs``).

    Args:
        root: the folder; tests pass a temporary one.
    """

    def __init__(self, root: Path | None = None):
        self.root = root if root is not None else default_data_dir() / DIR_NAME

    def path(self, context: str, pack_id: str, exercise_id: str) -> Path:
        """Where the run of ``exercise_id`` of ``pack_id`` on ``context`` is kept."""
        return self.root / _safe(context) / _safe(pack_id) / f"{_safe(exercise_id)}.json"

    def save(self, context: str, pack_id: str, run: ExerciseRun) -> Path:
        """Write ``run`` atomically (replacing an earlier run of the same exercise); returns the file."""
        path = self.path(context, pack_id, run.exercise_id)
        write_json_atomic(
            path,
            {
                "version": SCHEMA_VERSION,
                "context": context,
                "pack": pack_id,
                "exercise": run.exercise_id,
                "run": run.to_dict(),
            },
        )
        return path

    def load(self, context: str, pack_id: str, exercise_id: str) -> ExerciseRun | None:
        """The saved run, or None when there is none or its file is unreadable (logged as a warning)."""
        from tutor.grading.lifecycle import ExerciseRun

        path = self.path(context, pack_id, exercise_id)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.warning("%s: cannot read the saved run, grading without it: %s", path, exc)
            return None
        try:
            doc: Any = json.loads(text)
            if not isinstance(doc, dict):
                raise ValueError(f"expected an object, got {type(doc).__name__}")
            if doc.get("version") != SCHEMA_VERSION:
                raise ValueError(f"version: expected {SCHEMA_VERSION}, got {doc.get('version')!r}")
            if doc.get("exercise") != exercise_id:
                raise ValueError(f"exercise: expected {exercise_id!r}, got {doc.get('exercise')!r}")
            return ExerciseRun.from_dict(exercise_id, doc.get("run"))
        except (ValueError, RecursionError) as exc:  # json.JSONDecodeError is a ValueError; deep nesting
            log.warning("%s: ignoring a corrupt saved run, grading without it: %s", path, exc)
            return None

    def load_many(self, context: str, pack_id: str, exercise_ids: list[str]) -> dict[str, ExerciseRun]:
        """Exercise id -> saved run, for the ids that have a readable one."""
        runs = {ex_id: self.load(context, pack_id, ex_id) for ex_id in exercise_ids}
        return {ex_id: run for ex_id, run in runs.items() if run is not None}
