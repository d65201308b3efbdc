"""Does every concrete requirement of a task reach a check? (``pack lint --coverage``)

The false passes learners found share one cause: a clause of the task that no check reads ("runs
`busybox:1.36`", "mounted at `/shared`"), so a wrong answer on that clause still passes. This rule
takes each value the task writes in backticks — names, images, label pairs, paths, ports, classes —
and warns when no check reference's args or title mention it, and neither does the exercise's setup
(where a value is given context, not a requirement) nor its namespace.

A container command the task prescribes (```sh -c 'tail -F /logs/access.log'```, ```sleep 3600```) is a
requirement too — "the liveness command may change" and "the text a Job prints" were false passes —
and counts as checked when a check's args hold each of its words. Tool commands (``kubectl ...``,
``curl ...``) and sentences (words without ``=`` or ``:``) are skipped. A check id counts as a mention
of its subject (``volumes.emptydir`` reads the `emptyDir`).

Opt-in because it reads prose: a backticked word is not always a requirement (a field name in an
explanation), so its findings are warnings for an author to review, not lint errors.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from tutor.errors import FormatProblem
from tutor.model import Exercise, SourceLocation

_BACKTICKED = re.compile(r"`([^`\n]+)`")
_PARTS = re.compile(r"[=:,\s]+")
_PLACEHOLDER = re.compile(r"^<[^>]*>$")


#: The first word of a command a container runs (as tasks write them: ``sh -c '...'``, ``sleep 3600``).
_CONTAINER_COMMANDS = {"sh", "/bin/sh", "bash", "/bin/bash", "sleep", "echo", "tail", "cat", "date", "wget"}


def is_container_command(token: str) -> bool:
    """Does this backticked text prescribe what a container runs (rather than being prose)?"""
    return token.split(" ", 1)[0] in _CONTAINER_COMMANDS and " " in token


def _words(token: str) -> list[str]:
    """A command's words as they appear in a manifest's argv (shell quotes removed)."""
    try:
        argv = shlex.split(token)
    except ValueError:  # an unbalanced quote: compare the raw words
        argv = token.split()
    return [w for arg in argv for w in arg.split()]


def requirements(task: str) -> list[str]:
    """The backticked values of a task text that read like requirements (not tool commands or prose)."""
    found = []
    for token in (t.strip() for t in _BACKTICKED.findall(task)):
        if token.startswith(("kubectl ", "k8s-tutor ", "curl ", "-")):
            continue
        if " " in token and "=" not in token and ":" not in token and not is_container_command(token):
            continue
        if token not in found:
            found.append(token)
    return found


def uncovered(ex: Exercise) -> list[str]:
    """The task's requirements that no check, setup step or the exercise namespace mentions."""
    checked = json.dumps([dict(r.args) for r in ex.checks], default=str, ensure_ascii=False)
    checked += " " + " ".join(f"{r.title or ''} {r.check}" for r in ex.checks)
    given = " ".join((s.manifest or s.kubectl or "") for s in ex.setup) + f" {ex.namespace or ''}"
    lowered = checked.lower()
    missing = []
    for token in requirements(ex.task):
        if is_container_command(token):
            parts = _words(token)
        else:
            parts = [p for p in _PARTS.split(token) if p and not _PLACEHOLDER.match(p)]
        if parts and not all(p in checked or p.lower() in lowered or p in given for p in parts):
            missing.append(token)
    return missing


def check_coverage(ex: Exercise) -> list[FormatProblem]:
    """One warning per requirement of ``ex``'s task that no check reads."""
    where = ex.location or SourceLocation(Path(ex.lesson_id), 0)
    return [
        FormatProblem(
            where,
            f"exercise {ex.id!r}: the task asks for `{token}`, but no check mentions it; a wrong answer on "
            "that clause would pass (check it, or drop the backticks if it is not a requirement)",
            "task",
            "warning",
        )
        for token in uncovered(ex)
    ]
