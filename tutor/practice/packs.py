"""The packs a practice front end offers: every discovered pack (or the one named), each loaded in the
learner's language, a broken one carried with its error instead of raised."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from tutor.errors import FormatError, TutorError
from tutor.model import Pack
from tutor.practice.core import PackEntry


def load_packs(spec: str | None = None, language: str | None = None) -> list[PackEntry]:
    """``spec`` (a path or pack id) alone, else every discovered pack, else the built-in one."""
    from tutor import content

    if spec:
        return [_load(spec, lambda: content.resolve_pack(spec), language)]
    entries = []
    for source in content.discover_packs():
        if source.error:
            entries.append(PackEntry(spec=str(source.path), error=source.error, title=source.title))
        else:
            path = source.path
            entries.append(_load(str(path), partial(content.load_pack, path), language))
    return entries or [_load("built-in", lambda: content.resolve_pack(None), language)]


def _load(spec: str, load: Callable[[], Pack], language: str | None) -> PackEntry:
    try:
        return PackEntry(spec=spec, pack=translated(load(), language))
    except FormatError as exc:
        return PackEntry(spec=spec, error=str(exc), title=Path(spec).name)
    except TutorError as exc:
        return PackEntry(spec=spec, error=str(exc))


def translated(pack: Pack, language: str | None) -> Pack:
    """The pack with each lesson in ``language`` where a translation exists (checks stay the same)."""
    if not language:
        return pack
    from dataclasses import replace

    from tutor.content import translated_lesson

    return replace(pack, lessons=tuple(translated_lesson(pack, le.id, language) for le in pack.lessons))
