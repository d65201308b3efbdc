"""Translated lessons: ``<id>.<lang>.md`` next to ``<id>.md``, with the same exercise ids.

Metadata (checks, points, setup, solution) comes from the default-language file so a
translation can never grade differently; the translation supplies the prose: lesson title and
body, exercise titles, task text and hints. A translation's ```` ```yaml exercise ```` fence needs
only ``id:``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from tutor.content.parser import ParseResult, parse_lesson_report
from tutor.errors import FormatError, FormatProblem
from tutor.model import Exercise, Lesson, Pack, SourceLocation


def check_translation(lesson: Lesson, parsed: ParseResult) -> list[FormatProblem]:
    """Problems of a translation against its default-language lesson (ids must agree)."""
    tr = parsed.lesson
    if tr is None:
        return []
    where = SourceLocation(tr.path or Path(f"{lesson.id}.{tr.language}.md"), 2)
    problems: list[FormatProblem] = []
    if tr.id != lesson.id:
        problems.append(FormatProblem(where, f"translation id {tr.id!r} differs from {lesson.id!r}", "id"))
    ids = {ex.id for ex in lesson.exercises}
    for ex in tr.exercises:
        if ex.id not in ids:
            problems.append(
                FormatProblem(
                    ex.location or where, f"exercise {ex.id!r} is not in the {lesson.language} lesson", "id"
                )
            )
    originals = {ex.id: ex for ex in lesson.exercises}
    for ex in tr.exercises:
        if ex.id in originals:
            problems += _parity(originals[ex.id], ex, where, lesson.language)
    missing = ids - {ex.id for ex in tr.exercises}
    for ex_id in sorted(missing):
        problems.append(
            FormatProblem(
                where,
                f"exercise {ex_id!r} is not translated (the {lesson.language} text is shown)",
                "exercises",
                severity="warning",
            )
        )
    return problems


def _refs(ex: Exercise) -> list[tuple[str, dict[str, Any]]]:
    return [(c.check, dict(c.args)) for c in ex.checks]


def _parity(original: Exercise, tr: Exercise, where: SourceLocation, language: str) -> list[FormatProblem]:
    """A translated exercise must keep the hint ladder and (when it lists them) the check references.

    Checks refer to hints by number, and the checklist pairs translated titles with checks by position:
    a translation with a hint or a check more or less would point learners at the wrong one.
    """
    at = tr.location or where
    out = []
    if tr.hints and len(tr.hints) != len(original.hints):
        out.append(
            FormatProblem(
                at,
                f"exercise {tr.id!r} has {len(tr.hints)} hint(s), "
                f"the {language} lesson {len(original.hints)}",
                "hints",
            )
        )
    if tr.checks and _refs(tr) != _refs(original):
        mine, theirs = _refs(tr), _refs(original)
        i = next(
            (i for i, (a, b) in enumerate(zip(mine, theirs, strict=False)) if a != b),
            min(len(mine), len(theirs)),
        )
        check_at = tr.checks[i].location if i < len(tr.checks) and tr.checks[i].location else at
        out.append(
            FormatProblem(
                check_at,
                f"exercise {tr.id!r}: checks[{i}] differs from the {language} lesson "
                f"({len(mine)} check(s) here, {len(theirs)} there); "
                "copy the checks and translate only titles",
                f"checks[{i}]",
            )
        )
    return out


def merge(lesson: Lesson, tr: Lesson) -> Lesson:
    """The default-language ``lesson`` with ``tr``'s prose; check titles too if it lists the same checks."""
    texts = {ex.id: ex for ex in tr.exercises}

    def translated(ex: Exercise, t: Exercise) -> Exercise:
        checks = ex.checks
        if t.checks and _refs(t) == _refs(ex):
            checks = tuple(
                replace(c, title=tc.title or c.title) for c, tc in zip(ex.checks, t.checks, strict=True)
            )
        return replace(ex, title=t.title, task=t.task, hints=t.hints or ex.hints, checks=checks)

    exercises = tuple(translated(ex, t) if (t := texts.get(ex.id)) else ex for ex in lesson.exercises)
    return replace(
        lesson, title=tr.title, body=tr.body, exercises=exercises, language=tr.language, path=tr.path
    )


def translated_lesson(pack: Pack, lesson_id: str, language: str) -> Lesson:
    """The lesson in ``language``, or the default-language lesson if it has no such translation.

    Raises:
        KeyError: no lesson ``lesson_id``.
        FormatError: the translation file has errors.
    """
    lesson = pack.lesson(lesson_id)
    if language == lesson.language or language not in lesson.translations or lesson.path is None:
        return lesson
    from tutor.content.packfiles import PackPathError, read_pack_text
    from tutor.limits import MAX_LESSON_BYTES

    file = lesson.path.with_name(f"{lesson.path.stem}.{language}.md")
    try:
        text = read_pack_text(file, MAX_LESSON_BYTES)  # the loader checked it stays inside the pack
    except PackPathError as exc:
        raise FormatError([FormatProblem(SourceLocation(file, 0), str(exc))]) from None
    parsed = parse_lesson_report(text, file, language=language, translated=True, pack_root=pack.root)
    errors = [p for p in parsed.problems + check_translation(lesson, parsed) if p.severity == "error"]
    if errors or parsed.lesson is None:
        raise FormatError(errors or [FormatProblem(SourceLocation(file, 1), "not a lesson")])
    return merge(lesson, parsed.lesson)
