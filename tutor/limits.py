"""Bounds on what a pack may hand the tutor: file size, YAML shape, and how values appear in messages.

Pack files are untrusted input (an instructor's pack, a pack from the internet). Three things keep
them from exhausting memory or the screen:

* a file larger than :data:`MAX_FILE_BYTES` is refused before it is read;
* YAML is scanned as a stream of parser events before anything is built from it
  (:func:`yaml_hazard`): an alias (``*name``, the "billion laughs" bomb is made of them) or nesting
  deeper than :data:`MAX_YAML_DEPTH` is refused at its line, in time linear in the text;
* a value quoted in an error message goes through :func:`shorten`, never a bare ``repr()``.

Only the standard library and PyYAML are imported: the content loader, lint and the cluster
writer all use this module.
"""

from __future__ import annotations

import functools
import reprlib
from typing import Any

import yaml

MAX_FILE_BYTES = 1024 * 1024
"""The largest YAML file a pack supplies (pack.yaml, a setup/solution manifest): 1 MiB (a big CRD fits)."""

MAX_LESSON_BYTES = 256 * 1024
"""The largest lesson Markdown file: 256 KiB. The built-in course's largest lesson is about 23 KB;
the Markdown parser needs seconds per 100 KB of pathological input (a heading per line), so the cap
keeps the worst lesson well under the 30 s any command may take."""

MAX_YAML_DEPTH = 64
"""Deepest nesting of mappings and lists in any YAML a pack supplies (Kubernetes objects need ~15)."""

MAX_MESSAGE_VALUE = 80
"""Characters of a quoted value kept in an error message."""

_BASE_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_REPR.maxstring = MAX_MESSAGE_VALUE
_REPR.maxother = MAX_MESSAGE_VALUE
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = 6
_REPR.maxlong = 40


def shorten(value: Any) -> str:
    """``repr(value)`` cut to a readable length (nested containers and long strings abbreviated)."""
    try:
        text = _REPR.repr(value)
    except Exception:  # noqa: BLE001 - a message must never fail because of the value it quotes
        text = f"<{type(value).__name__}>"
    if len(text) > MAX_MESSAGE_VALUE + 10:
        text = text[:MAX_MESSAGE_VALUE] + "..."
    return text


def clip(text: str, limit: int = 2 * MAX_MESSAGE_VALUE) -> str:
    """``text`` cut to ``limit`` characters (for an exception's message quoted in a problem)."""
    return text if len(text) <= limit else text[:limit] + "..."


CACHED_TEXT_CHARS = 16 * 1024
"""Texts up to this size have their scan result cached (at most 1024 of them: ~16 MB held at worst)."""


def yaml_hazard(text: str) -> tuple[int, str] | None:
    """The first alias or too-deep nesting in ``text`` as ``(0-based line, message)``, else None.

    Only parser events are produced (no objects are built, anchors are never expanded), and the
    scan stops at the first hazard, so a hostile document costs time linear in its size and
    constant memory. Syntax errors are not reported here: the loader reports them with context.
    Results for small texts are cached: a pack loaded again (TUI reload, ``pack test`` then grading)
    pays once, and a long-running process never holds big hostile texts.
    """
    return _cached_hazard(text) if len(text) <= CACHED_TEXT_CHARS else _scan(text)


@functools.lru_cache(maxsize=1024)
def _cached_hazard(text: str) -> tuple[int, str] | None:
    return _scan(text)


def _scan(text: str) -> tuple[int, str] | None:
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_BASE_LOADER):
            if isinstance(event, yaml.AliasEvent):
                return (
                    event.start_mark.line,
                    f"YAML aliases (*{shorten(event.anchor)[1:-1]}) are not allowed in pack files; "
                    "write the value out",
                )
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    return event.start_mark.line, f"YAML nested deeper than {MAX_YAML_DEPTH} levels"
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except (yaml.YAMLError, ValueError, RecursionError):
        return None
    return None
