"""A lesson file (front matter + Markdown) → :class:`~tutor.model.Lesson`.

The front matter is the ``front_matter`` token of mdit-py-plugins (not string slicing); the
body is split into blocks by markdown-it-py (see :mod:`tutor.content.markdown`). Every problem is
collected with its ``file:line`` and field; :func:`parse_lesson` raises them together as one
:class:`~tutor.errors.FormatError`, :func:`parse_lesson_report` returns them for ``pack lint``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tutor.content.exercise import LessonScope, check_fence_role, heading_kind, parse_exercise
from tutor.content.markdown import Block, blocks
from tutor.content.schema import LESSON, validate
from tutor.content.steps import manifest_step
from tutor.content.yamlsrc import YamlSource, load_mapping
from tutor.errors import FormatError, FormatProblem
from tutor.model import ApplyBlock, Exercise, Lesson, SourceLocation

DEFAULT_REQUIRES = frozenset({"api"})


@dataclass
class ParseResult:
    """A lesson (None if it could not be built at all) and every problem found, warnings included."""

    lesson: Lesson | None
    problems: list[FormatProblem] = field(default_factory=list)

    @property
    def errors(self) -> list[FormatProblem]:
        return [p for p in self.problems if p.severity == "error"]


def parse_lesson(
    source: str | Path,
    path: Path | str | None = None,
    *,
    language: str = "en",
    order: int = 0,
    requires: frozenset[str] = DEFAULT_REQUIRES,
) -> Lesson:
    """Parse one lesson.

    Args:
        source: the lesson's text, or a Path to read it from.
        path: the file name used in messages and to resolve setup/solution files (default: ``source``
            if it is a Path, else ``<string>`` in the current directory).
        language: the language of this file.
        order: the order used when the front matter has none (the loader passes the pack position).
        requires: the capabilities exercises need when neither they nor the front matter say.

    Raises:
        FormatError: with every error found (warnings are not raised; ``pack lint`` reports them).
    """
    if isinstance(source, Path):
        from tutor.content.packfiles import PackPathError, read_pack_text
        from tutor.limits import MAX_LESSON_BYTES

        try:
            text, where = read_pack_text(source, MAX_LESSON_BYTES), Path(path or source)
        except PackPathError as exc:
            raise FormatError([FormatProblem(SourceLocation(source, 0), str(exc))]) from None
    else:
        text, where = source, Path(path or "<string>")
    result = parse_lesson_report(text, where, language=language, order=order, requires=requires)
    if result.errors or result.lesson is None:
        raise FormatError(result.errors or [FormatProblem(SourceLocation(where, 1), "not a lesson")])
    return result.lesson


def parse_lesson_report(
    text: str,
    path: Path,
    *,
    language: str = "en",
    order: int = 0,
    requires: frozenset[str] = DEFAULT_REQUIRES,
    translated: bool = False,
    pack_root: Path | None = None,
) -> ParseResult:
    """Parse a lesson and return it with all problems instead of raising.

    ``translated=True`` parses a translation: exercise metadata needs only ``id`` (the rest comes
    from the default-language file, see :mod:`tutor.content.translations`) and checks may be absent.
    ``pack_root`` is the pack folder (default: the lesson's folder): setup/solution files must stay
    inside it and kubectl steps run there.
    """
    problems: list[FormatProblem] = []
    # markdown-it numbers lines after turning \r\n and \r into \n, and splits on nothing else
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    parts = blocks(text)
    if not parts or parts[0].type != "front_matter":
        problems.append(
            FormatProblem(
                SourceLocation(path, 1),
                "a lesson starts with YAML front matter between '---' lines",
                "front matter",
            )
        )
        return ParseResult(None, problems)
    front = parts[0]
    source = YamlSource(path, 2, problems)
    data = load_mapping(front.text, source, "front matter")
    meta = validate(data, LESSON, source) if data is not None else {}
    if "id" not in meta or "title" not in meta:
        return ParseResult(None, problems)
    lesson_requires = frozenset(meta["requires"]) if "requires" in meta else requires
    scope = LessonScope(path, lines, meta["id"], lesson_requires, problems, translated, pack_root)
    exercises = _exercises(parts[1:], scope)
    for block in parts:
        if block.type == "fence":
            check_fence_role(block, scope)
    apply_blocks = tuple(
        ApplyBlock(step.manifest or "", SourceLocation(path, b.start + 2))
        for b in parts
        if b.type == "fence" and b.fence_role[1] == "apply"
        if (step := manifest_step(b.text, SourceLocation(path, b.start + 2), problems, "apply", None))
    )
    lesson = Lesson(
        id=meta["id"],
        title=meta["title"],
        order=meta.get("order", order),
        body="\n".join(lines[front.end :]).strip() + "\n",
        exercises=tuple(exercises),
        apply_blocks=apply_blocks,
        minutes=meta.get("minutes", 15),
        tags=tuple(meta.get("tags", ())),
        requires=lesson_requires,
        language=language,
        path=path,
    )
    return ParseResult(lesson, problems)


def _exercises(parts: list[Block], scope: LessonScope) -> list[Exercise]:
    """Every exercise section, in document order; stray exercise fences are errors."""
    out: list[Exercise] = []
    seen: dict[str, int] = {}
    i = 0
    while i < len(parts):
        block = parts[i]
        if heading_kind(block) is None:
            role = block.fence_role[1] if block.type == "fence" else ""
            if role in ("exercise", "setup", "solution"):
                scope.problem(
                    block.start,
                    f"a ```{block.fence_role[0]} {role} block outside an exercise section",
                    "fence",
                )
            i += 1
            continue
        j = i + 1
        while j < len(parts) and not (parts[j].type == "heading" and parts[j].level <= block.level):
            j += 1
        exercise = parse_exercise(block, parts[i + 1 : j], scope)
        if exercise is not None:
            if exercise.id in seen:
                scope.problem(
                    block.start,
                    f"duplicate exercise id {exercise.id!r} (also on line {seen[exercise.id]})",
                    "id",
                )
            else:
                seen[exercise.id] = block.start + 1
                out.append(exercise)
        i = j
    return out
