"""A pack folder (``pack.yaml`` + lesson files) → :class:`~tutor.model.Pack`.

:func:`load_pack` is what every front end calls; it raises one :class:`~tutor.errors.FormatError`
carrying *all* problems. :func:`load_pack_report` returns the (possibly partial) pack together
with errors and warnings, which is what ``pack lint`` needs to keep checking after a bad lesson.

Every file is read through :mod:`tutor.content.packfiles`: inside the pack, regular, at most
:data:`tutor.limits.MAX_FILE_BYTES`. ``LoadResult.code_outside`` is set when ``checks:`` or a checker
file leads out of the pack, so ``pack lint`` knows not to import any of them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from tutor.content.packfiles import (
    PackPathError,
    inside,
    is_folder,
    is_regular_file,
    pack_boundary,
    read_pack_text,
    real,
)
from tutor.content.parser import ParseResult, parse_lesson_report
from tutor.content.schema import PACK, PACK_DEFAULTS, PACK_EXAM, validate
from tutor.content.yamlsrc import LineDict, LineList, YamlSource, load_mapping
from tutor.errors import FormatError, FormatProblem
from tutor.limits import MAX_FILE_BYTES, MAX_LESSON_BYTES, shorten
from tutor.model import ExamSettings, Lesson, Pack, SourceLocation

PACK_FILE = "pack.yaml"


@dataclass
class LoadResult:
    """A pack (None if pack.yaml itself is unusable), every problem, and each translation parsed."""

    pack: Pack | None
    problems: list[FormatProblem] = field(default_factory=list)
    translations: dict[tuple[str, str], ParseResult] = field(default_factory=dict)
    lesson_files: list[Path] = field(default_factory=list)  # every file pack.yaml lists, parsed or not
    code_outside: bool = False  # checks: leads out of the pack or is unusable: import no checker file

    @property
    def errors(self) -> list[FormatProblem]:
        return [p for p in self.problems if p.severity == "error"]


MAX_CHECKER_FILES = 1000
"""Files looked at under ``checks:`` for symlinks leading out of the pack (more is an error)."""


def read_text(file: Path, problems: list[FormatProblem]) -> str | None:
    """The file as UTF-8 text, or None with a problem recorded (unreadable, too big, not UTF-8).

    Markdown files are capped at :data:`~tutor.limits.MAX_LESSON_BYTES`, others at ``MAX_FILE_BYTES``.
    """
    limit = MAX_LESSON_BYTES if file.suffix == ".md" else MAX_FILE_BYTES
    try:
        return read_pack_text(file, limit)
    except PackPathError as exc:
        problems.append(FormatProblem(SourceLocation(file, 0), str(exc)))
        return None


def pack_file(path: Path | str) -> Path:
    """``pack.yaml`` for a pack folder, the file itself, or a lesson file's pack (its folder's pack.yaml)."""
    path = Path(path).expanduser()
    if path.suffix == ".md":
        path = path.parent
    return path / PACK_FILE if path.is_dir() else path


def load_pack(path: Path | str) -> Pack:
    """Load a pack folder (or its ``pack.yaml``) with all its lessons.

    Raises:
        FormatError: with every error found, each naming ``file:line`` and the field.
    """
    result = load_pack_report(path)
    if result.errors or result.pack is None:
        raise FormatError(result.errors)
    return result.pack


def load_pack_report(path: Path | str) -> LoadResult:
    """Load a pack and return it with all problems (errors and warnings) instead of raising."""
    file = pack_file(path)
    result = LoadResult(None)
    if not is_regular_file(file):
        result.problems.append(FormatProblem(SourceLocation(file, 0), "no pack.yaml here", "pack.yaml"))
        return result
    root = file.parent
    source = YamlSource(file, 1, result.problems)
    text = read_text(file, result.problems)
    data = load_mapping(text, source, "pack.yaml") if text is not None else None
    if data is None:
        return result
    meta = validate(data, PACK, source)
    if not {"id", "title", "version", "lessons", "format_version"} <= meta.keys():
        return result
    defaults = _sub(data, meta, "defaults", PACK_DEFAULTS, source)
    exam = _sub(data, meta, "exam", PACK_EXAM, source)
    languages = tuple(meta.get("languages") or ("en",))
    requires = frozenset(meta.get("requires", ("api",)))
    lessons = _lessons(root, data["lessons"], languages, requires, result)
    _check_unique_exercises(lessons, result)
    checks_at = SourceLocation(file, data.line_of("checks"))
    checks_dir = _checks_dir(root, meta.get("checks", "checks"), checks_at, result)
    result.pack = Pack(
        id=meta["id"],
        title=meta["title"],
        version=str(meta["version"]),
        root=root,
        lessons=tuple(lessons),
        checks_dir=checks_dir,
        format_version=meta["format_version"],
        languages=languages,
        requires=requires,
        timeout=float(defaults.get("timeout", 30.0)),
        poll=float(defaults.get("poll", 1.0)),
        exam=ExamSettings(
            duration_minutes=exam.get("duration", 120),
            tasks=exam.get("tasks", 8),
            pass_mark=float(exam.get("pass_mark", 66.0)),
            allow_check=exam.get("allow_check", False),
        ),
        description=(meta.get("description") or "").strip(),
    )
    return result


def _sub(data: LineDict, meta: dict, key: str, fields: dict, source: YamlSource) -> dict:
    value = meta.get(key)
    return validate(value, fields, source, prefix=f"{key}.") if isinstance(value, LineDict) else {}


def _checks_dir(root: Path, name: str, where: SourceLocation, result: LoadResult) -> Path:
    """The checker folder, resolved; a problem (and ``code_outside``) if it or a file in it leaves the pack.

    Only the built-in pack may keep its checkers beside the pack folder (see ``pack_boundary``).
    """
    boundary = pack_boundary(root)
    try:
        folder = inside(boundary, root, name)
    except PackPathError as exc:
        result.problems.append(FormatProblem(where, str(exc), "checks"))
        result.code_outside = True
        return real(root / "checks")
    folder = real(folder)
    if is_folder(folder):
        for problem in _escaping_checker_files(folder, boundary):
            result.problems.append(problem)
            result.code_outside = True
    elif os.path.lexists(folder):  # a file, a FIFO, a symlink loop: nothing to import from
        result.problems.append(FormatProblem(where, f"{shorten(name)} is not a folder", "checks"))
        result.code_outside = True
    return folder


def _escaping_checker_files(folder: Path, boundary: Path) -> list[FormatProblem]:
    """Entries of the checks folder (recursively, symlinks not followed) that resolve outside the
    pack, or that are not regular files (FIFOs, sockets, devices, symlink loops)."""
    out: list[FormatProblem] = []
    seen = 0
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        for name in dirnames + filenames:
            seen += 1
            if seen > MAX_CHECKER_FILES:
                return out + [
                    FormatProblem(SourceLocation(folder, 0), f"more than {MAX_CHECKER_FILES} files", "checks")
                ]
            entry = Path(dirpath) / name
            if os.path.islink(entry) and not real(entry).is_relative_to(boundary):
                out.append(
                    FormatProblem(SourceLocation(entry, 0), "a symlink leading outside the pack", "checks")
                )
            elif name in filenames and not is_regular_file(entry):  # a FIFO would hang the import
                out.append(FormatProblem(SourceLocation(entry, 0), "not a regular file", "checks"))
    return out


def lesson_file(root: Path, entry: str, language: str | None = None) -> Path:
    """The file of a ``lessons:`` entry (an id → ``<id>.md``, or a path ending in ``.md``)."""
    path = root / entry if entry.endswith(".md") else root / f"{entry}.md"
    return path.with_name(f"{path.stem}.{language}.md") if language else path


def _lessons(
    root: Path, entries: LineList, languages: tuple[str, ...], requires: frozenset[str], result: LoadResult
) -> list[Lesson]:
    lessons: list[Lesson] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(entries):
        where = SourceLocation(root / PACK_FILE, entries.line_of(index))
        try:
            file = inside(root, root, str(lesson_file(Path(), entry)))
        except PackPathError as exc:
            result.problems.append(FormatProblem(where, f"lesson {exc}", f"lessons[{index}]"))
            continue
        expected_id = file.stem
        if expected_id in seen:
            result.problems.append(
                FormatProblem(where, f"lesson {shorten(entry)} is listed twice", f"lessons[{index}]")
            )
            continue
        seen[expected_id] = index
        result.lesson_files.append(file)
        if not os.path.lexists(file):
            result.problems.append(
                FormatProblem(
                    where, f"lesson file {file.name[:200]} not found in {file.parent}", f"lessons[{index}]"
                )
            )
            continue
        text = read_text(file, result.problems)
        if text is None:
            continue
        parsed = parse_lesson_report(
            text, file, language=languages[0], order=index + 1, requires=requires, pack_root=root
        )
        result.problems.extend(parsed.problems)
        lesson = parsed.lesson
        if lesson is None:
            continue
        if lesson.id != expected_id:
            result.problems.append(
                FormatProblem(
                    SourceLocation(file, 2),
                    f"front matter id {lesson.id!r} differs from the file name {file.name!r}",
                    "id",
                )
            )
        found = tuple(lang for lang in languages[1:] if os.path.lexists(lesson_file(root, entry, lang)))
        for lang in found:
            parsed_tr = _translation(root, entry, lang, lesson, result)
            if parsed_tr is not None:
                result.translations[(lesson.id, lang)] = parsed_tr
        lessons.append(_with_translations(lesson, found))
    return lessons


def _with_translations(lesson: Lesson, languages: tuple[str, ...]) -> Lesson:
    return replace(lesson, translations=languages) if languages else lesson


def _translation(root: Path, entry: str, lang: str, lesson: Lesson, result: LoadResult) -> ParseResult | None:
    from tutor.content.translations import check_translation

    file = lesson_file(root, entry, lang)
    if not real(file).is_relative_to(real(root)):
        result.problems.append(FormatProblem(SourceLocation(file, 0), "a symlink leading outside the pack"))
        return None
    text = read_text(file, result.problems)
    if text is None:
        return None
    parsed = parse_lesson_report(text, file, language=lang, translated=True, pack_root=root)
    result.problems.extend(parsed.problems)
    result.problems.extend(check_translation(lesson, parsed))
    return parsed


def _check_unique_exercises(lessons: list[Lesson], result: LoadResult) -> None:
    first: dict[str, str] = {}
    for lesson in lessons:
        for ex in lesson.exercises:
            if ex.id in first:
                result.problems.append(
                    FormatProblem(
                        ex.location or SourceLocation(lesson.path or Path(), 0),
                        f"duplicate exercise id {ex.id!r} (first defined at {first[ex.id]})",
                        "id",
                    )
                )
            else:
                first[ex.id] = str(ex.location)
