"""Property-based fuzzing of the lesson parser: any text yields a Lesson or a FormatError.

Two sources, 1,200 examples each (2,400 lesson files): lessons *generated* from the format's
building blocks with random values, and real lessons *mutated* (lines dropped, duplicated,
swapped, truncated, junk inserted). ``parse_lesson`` must never raise anything else, and every
problem it reports must carry a location inside the file.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tutor.content import parse_lesson
from tutor.content.parser import parse_lesson_report
from tutor.errors import FormatError
from tutor.model import Lesson

PACKS = Path(__file__).resolve().parent.parent / "data" / "packs"
SEEDS = [
    (PACKS / "good" / "basics.md").read_text(),
    (PACKS / "good" / "basics.zh.md").read_text(),
    (PACKS / "good" / "more" / "labels.md").read_text(),
    (PACKS / "tiny" / "one.md").read_text(),
    (Path(__file__).resolve().parents[2] / "tutor" / "templates" / "pack" / "hello.md").read_text(),
]
FUZZ = settings(max_examples=1200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
keys = (
    st.sampled_from(
        [
            "id",
            "title",
            "order",
            "minutes",
            "tags",
            "requires",
            "checks",
            "check",
            "args",
            "hint",
            "namespace",
            "exam",
            "points",
            "setup",
            "solution",
            "cleanup",
            "timeout",
            "hold",
            "weight",
            "titel",
            "file",
            "kubectl",
            "manifest",
        ]
    )
    | words
)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-5, 10**20)
    | st.floats(allow_nan=True)
    | words
    | st.sampled_from(["no", "also", "only", "api", "match", "setup/x.yaml", "kubectl get pods", "a-b", ""])
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5),
    max_leaves=12,
)


def _yaml(data) -> str:
    try:
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    except (yaml.YAMLError, ValueError):
        return "{broken"


raw_yaml = st.one_of(
    values.map(_yaml), words, st.sampled_from(["a: [1", "- x\n y: z", "!!python/object:os.system {}"])
)
fences = st.builds(
    lambda lang, role, body: f"```{lang} {role}\n{body}\n```",
    st.sampled_from(["yaml", "yml", "bash", "sh", "", "python"]),
    st.sampled_from(["exercise", "apply", "setup", "solution", "aply", "", "title=x"]),
    raw_yaml,
)
headings = st.builds(
    lambda level, prefix, title: f"{'#' * level} {prefix}{title}",
    st.integers(1, 7),
    st.sampled_from(["Exercise: ", "Exam task: ", "练习：", "Hints", "Solution", "提示", ""]),
    words,
)
hint_lists = st.lists(words, max_size=4).map(lambda xs: "\n".join(f"{i + 1}. {x}" for i, x in enumerate(xs)))
blocks = st.lists(
    st.one_of(fences, headings, hint_lists, words, st.just("    indented code"), st.just("> quote")),
    max_size=14,
)
front = st.one_of(
    values.map(lambda v: f"---\n{_yaml(v)}---\n"),
    st.just("---\nid: x\ntitle: X\n---\n"),
    st.just("---\nid: x\n"),
    st.just(""),
)
lessons = st.builds(lambda f, b: f + "\n\n".join(b), front, blocks)


def _check(text: str) -> None:
    path = Path("fuzz/lesson.md")
    try:
        assert isinstance(parse_lesson(text, path), Lesson)
    except FormatError as exc:
        assert exc.problems, "a FormatError always carries its problems"
    # Line numbers follow markdown-it, which (like editors) takes a lone "\r" as a line break too.
    nlines = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 2
    for problem in parse_lesson_report(text, path, translated=True).problems:
        assert problem.location.path == path and 0 <= problem.location.line <= nlines, problem


@FUZZ
@given(lessons)
def test_generated_lessons_parse_or_raise_format_error(text):
    _check(text)


@st.composite
def mutated(draw) -> str:
    lines = draw(st.sampled_from(SEEDS)).split("\n")
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["drop", "dup", "swap", "junk", "truncate", "indent", "chars"]))
        if op == "drop":
            del lines[i : i + draw(st.integers(1, 5))]
        elif op == "dup":
            lines[i:i] = lines[i : i + draw(st.integers(1, 8))]
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "junk":
            lines.insert(
                i, draw(st.one_of(words, fences, headings, st.sampled_from(["---", "```", "\r", "\x00"])))
            )
        elif op == "truncate":
            lines = lines[:i]
        elif op == "indent":
            lines[i] = draw(st.sampled_from(["  ", "\t", "    "])) + lines[i]
        else:
            pos = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:pos] + draw(words) + lines[i][pos + 1 :]
    return "\n".join(lines)


@FUZZ
@given(mutated())
def test_mutated_lessons_parse_or_raise_format_error(text):
    _check(text)
