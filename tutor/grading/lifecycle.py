"""The exercise lifecycle: start (namespace, setup, snapshot), reset, apply the solution, clean up.

Shared by the TUI, the exam and ``pack test`` so that "start" means the same everywhere. Writes go
through ``tutor.cluster``'s guarded :class:`ClusterWriter`; reads for waiting and snapshots go through
its reader. Every exercise namespace carries ``app.kubernetes.io/managed-by=k8s-tutor`` and
``k8s-tutor.io/exercise=<id>`` so leftovers can be found and removed.

Cleanup entries (``cleanup:`` in the exercise metadata) are ``{apiVersion, kind, name, namespace?}``
objects to delete; an entry with ``label: KEY`` or ``taint: KEY`` instead removes that label or the
taints with that key from the object (nodes are changed back, never deleted).
"""

from __future__ import annotations

import shlex
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tutor.errors import TutorError
from tutor.grading.context import SnapshotKey
from tutor.model import Exercise, Pack, SolutionStep

if TYPE_CHECKING:
    from tutor.cluster.protocols import Reader, Writer

MANAGED_BY = ("app.kubernetes.io/managed-by", "k8s-tutor")
EXERCISE_LABEL = "k8s-tutor.io/exercise"
SNAPSHOT_KINDS = (("v1", "Pod"), ("apps/v1", "Deployment"), ("v1", "Service"), ("v1", "ConfigMap"))
"""Kinds snapshotted in the exercise namespace besides what setup applied (kubectl setup steps)."""
SETUP_WAIT = 30.0


@dataclass(frozen=True)
class ExerciseRun:
    """A started exercise: what checks compare against ("created after start?", "recreated?")."""

    exercise_id: str
    namespace: str | None
    started_at: datetime
    snapshot: Mapping[SnapshotKey, Mapping[str, Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The run as JSON (the exam's attempt file, the ``setup`` command's run store).

        The exercise id is not included: whoever stores the run keys it by exercise already.
        """
        return {
            "namespace": self.namespace,
            "started_at": self.started_at.isoformat(),
            "snapshot": [[*key, dict(value)] for key, value in self.snapshot.items()],
        }

    @classmethod
    def from_dict(cls, exercise_id: str, data: Mapping[str, Any]) -> ExerciseRun:
        """The inverse of :meth:`to_dict`.

        Raises:
            ValueError: ``data`` is not a run (missing or malformed ``started_at`` or ``snapshot``);
                the message names the field.
        """
        if not isinstance(data, Mapping):
            raise ValueError(f"run of {exercise_id}: expected an object, got {type(data).__name__}")
        try:
            started_at = datetime.fromisoformat(data["started_at"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"run of {exercise_id}: started_at: {exc!r}") from None
        try:
            snapshot = {(av, kind, ns, name): dict(v) for av, kind, ns, name, v in data.get("snapshot", [])}
        except (TypeError, ValueError) as exc:
            raise ValueError(f"run of {exercise_id}: snapshot: {exc}") from None
        namespace = data.get("namespace")
        if namespace is not None and not isinstance(namespace, str):
            raise ValueError(f"run of {exercise_id}: namespace: expected a string or null")
        return cls(exercise_id, namespace, started_at, snapshot)


def namespace_labels(exercise: Exercise) -> dict[str, str]:
    """The labels every exercise namespace carries."""
    return {MANAGED_BY[0]: MANAGED_BY[1], EXERCISE_LABEL: exercise.id}


def run_steps(writer: Writer, steps: Iterable[SolutionStep], namespace: str | None) -> list[dict[str, Any]]:
    """Apply solution/setup steps in order; the objects the manifest steps applied.

    Manifest steps use server-side apply; kubectl steps run the real kubectl pinned to the context
    (with ``--namespace`` added unless the command names one), in the pack folder (``step.workdir``;
    the current folder for steps built in code), after :func:`tutor.kubectl_policy.kubectl_problem`
    agreed once more: the loader checked the step already, this check holds for steps that did not
    come through it and for files that changed since.

    Raises:
        TutorError: a step failed or was refused; the message starts with the step's ``file:line``.
    """
    applied: list[dict[str, Any]] = []
    for step in steps:
        where = str(step.source) if step.source else "<step>"
        try:
            if step.manifest is not None:
                _refuse_system_namespaces(step.manifest, where)
                applied.extend(writer.apply(step.manifest, namespace=namespace, source=where))
            elif step.kubectl:
                writer.kubectl(
                    _allowed_argv(step), namespace=namespace, cwd=step.workdir, timeout=STEP_TIMEOUT
                )
        except TutorError as exc:
            if str(exc).startswith(where):
                raise
            raise TutorError(f"{where}: {exc}") from exc
    return applied


STEP_TIMEOUT = 60.0
"""Seconds a pack's kubectl step may run (``kubectl wait`` included) before it is stopped as failed."""


def _refuse_system_namespaces(manifest: str, where: str) -> None:
    """TutorError when a manifest step would write into, or change, a ``kube-*`` namespace."""
    from tutor.cluster.writer import iter_manifests
    from tutor.kubectl_policy import system_namespace_problem

    for obj in iter_manifests(manifest, where):
        if problem := system_namespace_problem(obj):
            raise TutorError(f"step refused: {problem}")


def _policed(argv: list[str], workdir: Path | None = None, what: str = "cleanup") -> list[str]:
    """``argv`` if the kubectl policy allows it in ``workdir`` (default: the current folder), else
    TutorError. Steps and cleanup values come from the pack, so both pass through here."""
    from tutor.kubectl_policy import kubectl_problem

    refused = kubectl_problem(argv, workdir or Path.cwd())
    if refused is not None:
        raise TutorError(f"{what} refused: {refused}")
    return argv


def _allowed_argv(step: SolutionStep) -> list[str]:
    """The step's words after ``kubectl``, or TutorError when the kubectl policy refuses them."""
    try:
        argv = shlex.split(step.kubectl or "", comments=True)
    except ValueError as exc:
        raise TutorError(f"cannot split the command: {exc}") from None
    if argv and argv[0] == "kubectl":
        argv = argv[1:]
    return _policed(argv, step.workdir, "step")


def _key(obj: Mapping[str, Any]) -> SnapshotKey:
    meta = obj.get("metadata") or {}
    return (str(obj.get("apiVersion")), str(obj.get("kind")), meta.get("namespace"), str(meta.get("name")))


def _wait_exist(reader: Reader, objects: list[dict[str, Any]], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    for obj in objects:
        av, kind, ns, name = _key(obj)
        while reader.get(av, kind, name, ns) is None:
            if time.monotonic() > deadline:
                raise TutorError(f"setup object {kind} {name} did not appear within {timeout:g} s")
            time.sleep(0.2)


def take_snapshot(
    reader: Reader,
    namespace: str | None,
    objects: Iterable[Mapping[str, Any]],
    extra: Iterable[Mapping[str, Any]] = (),
) -> dict[SnapshotKey, dict[str, Any]]:
    """UID, resourceVersion, generation and creationTimestamp of the given objects as they are now.

    Args:
        reader: the cluster reader.
        namespace: the exercise namespace; common kinds in it are included.
        objects: objects setup applied (re-read, so the snapshot is what the server holds).
        extra: ``{apiVersion, kind, name, namespace?}`` references (cleanup entries) to include if present.
    """
    found: list[Mapping[str, Any]] = []
    for ref in [*objects, *extra]:
        av, kind, ns, name = (
            _key(ref)
            if "metadata" in ref
            else (ref["apiVersion"], ref["kind"], ref.get("namespace"), ref["name"])
        )
        obj = reader.get(av, kind, name, ns)
        if obj is not None:
            found.append({**obj, "apiVersion": av, "kind": kind})
    if namespace:
        for av, kind in SNAPSHOT_KINDS:
            found.extend(reader.list(av, kind, namespace=namespace))
    snapshot = {}
    for item in found:
        meta = item.get("metadata") or {}
        snapshot[_key(item)] = {
            k: meta.get(k) for k in ("uid", "resourceVersion", "generation", "creationTimestamp")
        }
    return snapshot


def start_exercise(
    writer: Writer, pack: Pack | None, exercise: Exercise, *, wait: float = SETUP_WAIT
) -> ExerciseRun:
    """Create and label the exercise namespace, apply setup, wait for it, take the start snapshot.

    Returns:
        The run; ``started_at`` is taken after setup, so setup objects never count as the learner's.
    """
    ns = exercise.namespace
    if ns:
        writer.ensure_namespace(ns, namespace_labels(exercise))
    applied = run_steps(writer, exercise.setup, ns)
    _wait_exist(writer.read, applied, wait)
    snapshot = take_snapshot(writer.read, ns, applied, [c for c in exercise.cleanup if "name" in c])
    return ExerciseRun(exercise.id, ns, datetime.now(UTC), snapshot)


def apply_solution(writer: Writer, exercise: Exercise) -> list[dict[str, Any]]:
    """Apply the reference solution (used by "skip", ``pack test`` and the course tests)."""
    if not exercise.solution:
        raise TutorError(
            f"{exercise.location or exercise.id}: exercise {exercise.id} has no reference solution"
        )
    return run_steps(writer, exercise.solution, exercise.namespace)


def cleanup_exercise(writer: Writer, exercise: Exercise, *, wait: bool = True, timeout: float = 120) -> None:
    """Delete the exercise namespace and undo its ``cleanup`` entries (see the module docstring).

    Every deletion is issued first and then waited for together (namespace deletion takes the
    namespace controller seconds each), so three namespaces cost one wait, not three.
    """
    gone: list[tuple[str, str, str, str | None]] = []
    if exercise.namespace and writer.delete_namespace(exercise.namespace, wait=False):
        gone.append(("v1", "Namespace", exercise.namespace, None))
    for entry in exercise.cleanup:
        if _undo(writer, entry):
            gone.append((entry.get("apiVersion", "v1"), entry["kind"], entry["name"], entry.get("namespace")))
    deadline = time.monotonic() + timeout
    while wait and gone:
        gone = [g for g in gone if writer.read.get(g[0], g[1], g[2], g[3]) is not None]
        if gone and time.monotonic() > deadline:
            raise TutorError(f"{gone[0][1]} {gone[0][2]} still exists {timeout:g} s after it was deleted")
        time.sleep(0.25 if gone else 0)


def _undo(writer: Writer, entry: Mapping[str, str]) -> bool:
    """Undo one cleanup entry; True when an object was deleted (and should be waited for)."""
    kind, name = entry.get("kind", ""), entry.get("name", "")
    if entry.get("label"):
        writer.kubectl(
            _policed(["label", kind.lower(), name, f"{entry['label']}-", "--overwrite"]),
            check=False,
            namespace=entry.get("namespace"),
        )
        return False
    if entry.get("taint"):
        writer.kubectl(_policed(["taint", "nodes", name, f"{entry['taint']}-"]), check=False)
        return False
    if kind == "Node":
        raise TutorError(
            f"cleanup entry {dict(entry)} would delete a node; give `label:` or `taint:` to undo"
        )
    return bool(writer.delete(entry.get("apiVersion", "v1"), kind, name, entry.get("namespace"), wait=False))


def reset_exercise(writer: Writer, pack: Pack | None, exercise: Exercise) -> ExerciseRun:
    """Clean up, then start again: the cluster looks as it did on a fresh start."""
    cleanup_exercise(writer, exercise)
    return start_exercise(writer, pack, exercise)
