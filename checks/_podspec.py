"""Helpers shared by the basics checkers (namespaces, labels, pods, probes, resources).

A file starting with ``_`` is not loaded as a checker module; checker files import it with
``from ._podspec import ...``. Everything here is pure: it reads the dicts a checker already has,
so the checkers stay short and read like the task they grade.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Mapping
from typing import Any

SHELLS = ("sh", "/bin/sh", "bash", "/bin/bash", "ash", "/bin/ash")


def meta(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    """``obj["metadata"]`` or an empty mapping."""
    return obj.get("metadata") or {}


def labels_of(obj: Mapping[str, Any]) -> dict[str, str]:
    """The object's labels (never None)."""
    return dict(meta(obj).get("labels") or {})


def names(objs: Iterable[Mapping[str, Any]]) -> list[str]:
    """Sorted names of ``objs``."""
    return sorted(str(meta(o).get("name", "?")) for o in objs)


def show_labels(labels: Mapping[str, Any]) -> str:
    """``app=web,tier=frontend`` (sorted), or ``(no labels)``."""
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items())) or "(no labels)"


def argv(container: Mapping[str, Any]) -> list[str]:
    """The container's ``command`` followed by its ``args`` (what the kubelet would exec)."""
    return [str(x) for x in (container.get("command") or [])] + [
        str(x) for x in (container.get("args") or [])
    ]


def script(words: list[str]) -> str:
    """What an argv runs, as one line: ``["sh", "-c", "cat /x"]`` and ``["cat", "/x"]`` both give ``cat /x``.

    Why: a learner may write an exec probe or a hook with or without a shell wrapper; both are valid.
    """
    if len(words) >= 3 and words[0] in SHELLS and words[1] in ("-c", "-ec", "-ce"):
        return " ".join(words[2:]).strip()
    return " ".join(words).strip()


def same_command(words: list[str], expected: str) -> bool:
    """True if ``words`` runs ``expected`` (whitespace-insensitive, shell wrapper allowed)."""
    return _squash(script(words)) == _squash(expected)


def single_string_argv(words: list[str]) -> bool:
    """True for the classic mistake ``["cat /tmp/healthy"]``: one argv element that contains a space."""
    return len(words) == 1 and " " in words[0].strip()


def _squash(text: str) -> str:
    try:
        return " ".join(shlex.split(text))
    except ValueError:
        return " ".join(text.split())


def resolve_port(container: Mapping[str, Any], port: Any) -> Any:
    """A probe/hook port as a number: ints stay, a named port becomes its ``containerPort``.

    A name the container does not declare is returned unchanged so the message can quote it.
    """
    if isinstance(port, int) or (isinstance(port, str) and port.isdigit()):
        return int(port)
    for p in container.get("ports") or []:
        if p.get("name") == port:
            return int(p.get("containerPort"))
    return port
