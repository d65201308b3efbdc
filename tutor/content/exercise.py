"""One exercise section of a lesson → :class:`~tutor.model.Exercise`.

An exercise is a heading ``Exercise: <title>`` (or ``Exam task: <title>``) and every block up to
the next heading of the same or a higher level. Inside it: the first ```` ```yaml exercise ````
fence is the metadata, a ``Hints`` sub-heading holds the hint ladder (a list), a ``Solution``
sub-heading holds the reference solution; setup/solution fences may appear anywhere in the
section. The task text is what remains, so the lesson reads naturally on GitHub.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tutor.content.markdown import Block, join_lines, list_items
from tutor.content.schema import CHECK_REF, EXERCISE, TRANSLATED_EXERCISE, did_you_mean, validate
from tutor.content.schema import namespace as namespace_problem
from tutor.content.steps import cleanup_items, fence_steps, metadata_steps
from tutor.content.yamlsrc import LineDict, YamlSource, load_mapping, plain
from tutor.errors import FormatProblem
from tutor.limits import shorten
from tutor.model import CheckRef, ExamMode, Exercise, SolutionStep, SourceLocation

# Heading words, in English and in the translations the built-in pack ships. Compared casefolded,
# without a trailing colon. A translation may keep the English words.
EXERCISE_PREFIXES = ("exercise:", "练习:", "练习：")
EXAM_PREFIXES = ("exam task:", "考试题:", "考试题：")
HINTS_HEADINGS = ("hints", "hint", "提示")
SOLUTION_HEADINGS = ("solution", "solutions", "答案", "参考答案", "解答")
FENCE_ROLES = ("exercise", "apply", "setup", "solution")


@dataclass
class LessonScope:
    """What an exercise inherits from its lesson and where problems go."""

    path: Path
    lines: list[str]
    lesson_id: str
    requires: frozenset[str]
    problems: list[FormatProblem] = field(default_factory=list)
    translated: bool = False
    pack_root: Path | None = None  # the pack folder; None = the lesson's own folder

    @property
    def workdir(self) -> Path:
        """Where steps run and what their files must stay inside: the pack folder."""
        return self.pack_root or self.path.parent

    def at(self, line0: int) -> SourceLocation:
        """Location of a 0-based line."""
        return SourceLocation(self.path, line0 + 1)

    def problem(self, line0: int, message: str, field_name: str = "", severity: str = "error") -> None:
        self.problems.append(FormatProblem(self.at(line0), message, field_name, severity))


def heading_kind(block: Block) -> tuple[str, str] | None:
    """``("exercise"|"exam", title)`` if ``block`` is an exercise heading, else None."""
    if block.type != "heading":
        return None
    folded = block.text.casefold()
    for kind, prefixes in (("exercise", EXERCISE_PREFIXES), ("exam", EXAM_PREFIXES)):
        for prefix in prefixes:
            if folded.startswith(prefix):
                return kind, block.text[len(prefix) :].strip()
    return None


def _subheading(block: Block) -> str:
    word = block.text.casefold().rstrip(":：").strip()
    if word in HINTS_HEADINGS:
        return "hints"
    if word in SOLUTION_HEADINGS:
        return "solution"
    return ""


@dataclass
class _Parts:
    """The pieces of an exercise section, sorted by what they are."""

    meta: Block | None = None
    hints: list[tuple[int, str]] = field(default_factory=list)
    hints_line: int | None = None
    setup: list[Block] = field(default_factory=list)
    solution: list[Block] = field(default_factory=list)
    has_solution_heading: bool = False
    task_lines: list[str] = field(default_factory=list)


def _split(heading: Block, body: list[Block], scope: LessonScope) -> _Parts:
    parts = _Parts()
    excluded: set[int] = set()
    sub, sub_level = "", 0
    for block in body:
        if block.type == "heading" and sub and block.level <= sub_level:
            sub = ""
        if block.type == "heading" and (kind := _subheading(block)):
            sub, sub_level = kind, block.level
            parts.has_solution_heading |= kind == "solution"
            parts.hints_line = block.start if kind == "hints" else parts.hints_line
        role = block.fence_role[1] if block.type == "fence" else ""
        if role == "exercise" and parts.meta is None:
            parts.meta = block
        elif role == "exercise":
            scope.problem(
                block.start, "a second ```yaml exercise block; start a new Exercise: heading for it"
            )
        elif role in ("setup", "solution"):
            getattr(parts, role).append(block)
        elif sub == "hints" and block.type in ("ordered_list", "bullet_list"):
            parts.hints.extend(list_items(block, scope.lines))
        if sub or role in ("exercise", "setup", "solution"):
            excluded.update(range(block.start, block.end))
    end = body[-1].end if body else heading.end
    parts.task_lines = [scope.lines[i] for i in range(heading.end, end) if i not in excluded]
    return parts


def check_fence_role(block: Block, scope: LessonScope) -> None:
    """Warn about ``yaml <word>`` fences with an unknown role word.

    A typo such as ``yaml aply`` would otherwise silently turn into a plain example. Info strings
    with attributes (``yaml title="x"``) are left alone.
    """
    language, role = block.fence_role
    if language in ("yaml", "yml") and role.replace("-", "").isalpha() and role not in FENCE_ROLES:
        scope.problem(
            block.start,
            f"unknown fence role {shorten(role)}{did_you_mean(role, FENCE_ROLES)}; "
            f"known: {', '.join(FENCE_ROLES)}",
            "fence",
            severity="warning",
        )


def parse_exercise(heading: Block, body: list[Block], scope: LessonScope) -> Exercise | None:
    """Build the exercise of one section, or None (with problems in ``scope``) if it cannot be."""
    kind, title = heading_kind(heading) or ("exercise", heading.text)
    parts = _split(heading, body, scope)
    if not title:
        scope.problem(heading.start, "the exercise heading has no title after the colon", "title")
    if parts.meta is None:
        scope.problem(heading.start, "exercise has no ```yaml exercise metadata block", "exercise")
        return None
    source = YamlSource(scope.path, parts.meta.start + 2, scope.problems)
    data = load_mapping(parts.meta.text, source, "exercise metadata")
    if data is None:
        return None
    before = len(scope.problems)
    meta = validate(data, TRANSLATED_EXERCISE if scope.translated else EXERCISE, source)
    if "id" not in meta:
        return None
    if scope.translated:  # the rest comes from the default-language file; other keys are not read
        # checks are read only for their translated titles: lint proves they match the original's
        listed = meta.get("checks")
        meta = {"id": meta["id"], **({"checks": listed} if isinstance(listed, list) else {})}
    hints = tuple(text for _line, text in parts.hints)
    if parts.hints_line is not None and not hints:
        scope.problem(
            parts.hints_line, "the Hints section has no list; write hints as a numbered list", "hints"
        )
    if not scope.translated and "namespace" not in meta and (err := namespace_problem(meta["id"])):
        source.problems.append(FormatProblem(source.at(data.line_of("id")), f"as the namespace: {err}", "id"))
    checks = _checks(meta, data, hints, source)
    exam = _exam(kind, meta, data, source)
    if not scope.translated and not checks and "checks" not in [p.field for p in scope.problems[before:]]:
        source.problems.append(
            FormatProblem(
                source.at(data.line_of("checks")), "exercise has no checks; add at least one", "checks"
            )
        )
    base, workdir = scope.path.parent, scope.workdir
    steps: dict[str, list[SolutionStep]] = {}
    for role in ("setup", "solution"):
        listed = metadata_steps(meta[role], role, base, source, workdir) if role in meta else []
        fenced = [
            s for b in getattr(parts, role) for s in fence_steps(b, scope.path, scope.problems, role, workdir)
        ]
        steps[role] = listed + fenced
    return Exercise(
        id=meta["id"],
        title=title,
        task=join_lines(parts.task_lines),
        checks=tuple(checks),
        hints=hints,
        solution=tuple(steps["solution"]),
        setup=tuple(steps["setup"]),
        cleanup=cleanup_items(meta["cleanup"], source) if "cleanup" in meta else (),
        namespace=meta.get("namespace", meta["id"]),
        points=float(meta.get("points", 1.0)),
        exam=exam,
        minutes=float(meta.get("minutes", 5.0)),
        requires=frozenset(meta["requires"]) if "requires" in meta else scope.requires,
        timeout=meta.get("timeout"),
        lesson_id=scope.lesson_id,
        location=scope.at(heading.start),
    )


def _exam(kind: str, meta: dict[str, Any], data: LineDict, source: YamlSource) -> ExamMode:
    value = meta.get("exam", "only" if kind == "exam" else "no")
    value = {False: "no", True: "also"}.get(value, value) if isinstance(value, bool) else value
    if kind == "exam" and value != "only":
        source.problems.append(
            FormatProblem(
                source.at(data.line_of("exam")),
                "an 'Exam task:' is exam-only; remove exam: or set it to only",
                "exam",
            )
        )
    return value


def _checks(
    meta: dict[str, Any], data: LineDict, hints: tuple[str, ...], source: YamlSource
) -> list[CheckRef]:
    refs: list[CheckRef] = []
    for index, raw in enumerate(meta.get("checks", [])):
        name = f"checks[{index}]"
        if not isinstance(raw, LineDict):
            continue
        ref = validate(raw, CHECK_REF, source, prefix=f"{name}.")
        if "check" not in ref:
            continue
        hint = ref.get("hint")
        if hint is not None and hint > len(hints):
            source.problems.append(
                FormatProblem(
                    source.at(raw.line_of("hint")),
                    f"hint {hint} but the exercise has {len(hints)} hint(s)",
                    f"{name}.hint",
                )
            )
        refs.append(
            CheckRef(
                check=ref["check"],
                args=plain(ref.get("args", {})),
                title=ref.get("title"),
                weight=float(ref.get("weight", 1.0)),
                hint=hint,
                timeout=ref.get("timeout"),
                hold=ref.get("hold"),
                location=source.at(raw.line),
            )
        )
    return refs
