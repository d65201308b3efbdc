"""Lesson packs: the Markdown lesson format → frozen model objects, and finding packs.

Public API (see docs/design.md, "Content API"):

    load_pack(path) -> Pack                 a pack folder or its pack.yaml; FormatError lists every problem
    resolve_pack(spec=None) -> Pack         None = built-in; a path; or a discovered pack's id
    discover_packs() -> list[PackSource]    entry points + K8S_TUTOR_PACKS, without parsing lessons
    parse_lesson(text_or_path, path=None)   one lesson file -> Lesson
    translated_lesson(pack, id, language)   the lesson with a translation's prose

Names are resolved lazily so ``import tutor.content`` stays cheap for the CLI.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tutor.content.discovery import PackSource, discover_packs, resolve_pack
    from tutor.content.loader import load_pack, load_pack_report
    from tutor.content.parser import parse_lesson, parse_lesson_report
    from tutor.content.translations import translated_lesson

_EXPORTS = {
    "load_pack": "loader",
    "load_pack_report": "loader",
    "resolve_pack": "discovery",
    "discover_packs": "discovery",
    "PackSource": "discovery",
    "parse_lesson": "parser",
    "parse_lesson_report": "parser",
    "translated_lesson": "translations",
}

__all__ = [
    "PackSource",
    "discover_packs",
    "load_pack",
    "load_pack_report",
    "parse_lesson",
    "parse_lesson_report",
    "resolve_pack",
    "translated_lesson",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'tutor.content' has no attribute {name!r}")
    return getattr(import_module(f"tutor.content.{module}"), name)
