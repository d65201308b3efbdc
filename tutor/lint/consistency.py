"""Does the exercise say what its checks check? A cheap, cluster-free consistency lint.

A check that looks for ``backup-job`` while the task asks for ``hello-job`` grades every
learner wrong, and only ``pack test`` on a cluster would notice. Here: each object name a check
reference passes (``args.name``) should appear in the task text, and — unless the check expects
the object to be gone (``absent``) — in some setup or solution step. Warnings, not errors: a
name may legitimately be built by a controller (a Deployment's pods).
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from tutor.errors import FormatProblem
from tutor.limits import clip, shorten
from tutor.model import Exercise, Pack, SourceLocation

NEGATIVE_CHECKS = {"absent"}


def check_names(ex: Exercise) -> list[FormatProblem]:
    """Warnings for check names the task or the solution never mention."""
    steps = " ".join(s.manifest or s.kubectl or "" for s in ex.setup + ex.solution)
    out: list[FormatProblem] = []
    for index, ref in enumerate(ex.checks):
        name = ref.args.get("name")
        if not isinstance(name, str) or not name:
            continue
        where = ref.location or ex.location or SourceLocation(Path(ex.lesson_id), 0)
        field = f"checks[{index}].args.name"
        shown = shorten(name)
        if name not in ex.task:
            out.append(FormatProblem(where, f"{shown} is not mentioned in the task text", field, "warning"))
        if ex.solution and ref.check not in NEGATIVE_CHECKS and name not in steps:
            out.append(FormatProblem(where, f"no setup or solution step mentions {shown}", field, "warning"))
    return out


_INLINE_KUBECTL = re.compile(r"`([^`\n]*\bkubectl [^`\n]*)`")
_FENCED = re.compile(r"```[^\n]*\n(.*?)```", re.S)


def _kubectl_commands(text: str) -> list[str]:
    """The kubectl command lines of a task, hint or solution text (inline code and code blocks)."""
    found = [m.group(1) for m in _INLINE_KUBECTL.finditer(text)]
    for block in _FENCED.findall(text):
        found += [line.strip() for line in block.splitlines() if line.strip().startswith("kubectl ")]
    return found


def _namespace_flag(command: str) -> str | None:
    """The namespace a kubectl command names with ``-n``/``--namespace`` (None when it names none)."""
    try:
        words = shlex.split(command.split("|", 1)[0])
    except ValueError:
        words = command.split()
    for i, word in enumerate(words):
        if word in ("-n", "--namespace") and i + 1 < len(words):
            return words[i + 1]
        if word.startswith("--namespace="):
            return word.split("=", 1)[1]
        if word.startswith("-n") and not word.startswith("--") and len(word) > 2:
            return word[2:].lstrip("=")
    return None


def check_command_namespaces(ex: Exercise) -> list[FormatProblem]:
    """A command in a namespaced exercise's task, hints or solution that works in another namespace.

    Why this rule and not "every command needs -n": the tutor points the learner's kubectl at the
    exercise namespace (on the clusters it created; elsewhere it tells the learner to add ``-n``), so
    ``kubectl get pods`` as printed works there. What cannot work is a command naming another namespace
    — ``-n default`` copied from another lesson, a stale name after a rename — unless the task itself
    names that namespace in backticks (cross-namespace tasks do).
    """
    if not ex.namespace:
        return []
    where = ex.location or SourceLocation(Path(ex.lesson_id), 0)
    texts = [("task", ex.task)] + [(f"hints[{i}]", hint) for i, hint in enumerate(ex.hints)]
    texts += [(f"solution[{i}]", f"`kubectl {s.kubectl}`") for i, s in enumerate(ex.solution) if s.kubectl]
    out = []
    for field, text in texts:
        for command in _kubectl_commands(text):
            named = _namespace_flag(command)
            if named and named != ex.namespace and f"`{named}`" not in ex.task:
                out.append(
                    FormatProblem(
                        where,
                        f"{shorten(command)} works in namespace {clip(named, 63)}, but exercise {ex.id!r} "
                        f"works in {ex.namespace} (write `{clip(named, 63)}` in the task text if the task is "
                        "about that namespace)",
                        field,
                    )
                )
    return out


def check_cleanup(ex: Exercise) -> list[FormatProblem]:
    """``cleanup`` entries must name types Kubernetes serves, or reset silently leaves objects behind."""
    from tutor.lint.manifests import type_problem

    out = []
    for index, entry in enumerate(ex.cleanup):
        found = type_problem(entry["apiVersion"], entry["kind"])
        if found is not None:
            field, message, severity = found
            where = ex.location or SourceLocation(Path(ex.lesson_id), 0)
            out.append(FormatProblem(where, message, f"cleanup[{index}].{field}", severity))
    return out


def check_exam_pool(pack: Pack) -> list[FormatProblem]:
    """An exam that draws more tasks than the pool holds cannot be taken as configured."""
    pool = len(pack.exam_pool())
    if not pool or pool >= pack.exam.tasks:
        return []
    file = pack.root / "pack.yaml"
    line = _line_of(file, r"^\s*tasks\s*:") or _line_of(file, r"^exam\s*:")
    where = SourceLocation(file, line or 1)
    default = "" if line else " (8 is the default: set exam.tasks in pack.yaml)"
    message = (
        f"the exam draws {pack.exam.tasks} tasks{default} but only {pool} exercise(s) have exam: also/only"
    )
    return [FormatProblem(where, message, "exam.tasks", "warning")]


def _line_of(file: Path, pattern: str) -> int:
    """The 1-based line of ``file`` matching ``pattern``, or 0 (pack.yaml problems always carry a line)."""
    import re

    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except OSError:
        return 0
    return next((i for i, text in enumerate(lines, 1) if re.match(pattern, text)), 0)
