"""The built-in Chinese lessons (``lessons/<id>.zh.md``) load and match their English files.

What a zh file may change is prose: titles, body, task text, hints, check titles. Everything that
grades (checks and their args, setup, solution, namespace, points, requires, ...) must be the
English file's, so the course tests (tests/course/), which run the English pack, also cover the
Chinese one. These tests prove that for every zh lesson present, without a cluster.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from tutor.content import resolve_pack, translated_lesson
from tutor.content.discovery import builtin_path
from tutor.content.markdown import blocks
from tutor.content.parser import parse_lesson_report
from tutor.model import Exercise

LESSONS = builtin_path()
ZH_IDS = sorted(p.name.removesuffix(".zh.md") for p in LESSONS.glob("*.zh.md"))
CJK = re.compile(r"[\u4e00-\u9fff]")
CODE_SPAN = re.compile(r"`[^`]*`")


def _translated(text: str) -> bool:
    """Chinese prose, or nothing but code (a hint like `completions: 3`、`parallelism: 3` has no words)."""
    return bool(CJK.search(text)) or not re.search(r"[A-Za-z]{3,}", CODE_SPAN.sub("", text))


def _fences(path: Path, role: str) -> list[tuple[str, str]]:
    """(language, text) of every ``role`` fence."""
    text = path.read_text(encoding="utf-8")
    return [(b.fence_role[0], b.text) for b in blocks(text) if b.type == "fence" and b.fence_role[1] == role]


def _code(path: Path, role: str) -> list[object]:
    """What each ``role`` fence does, comments left out (a translation translates its comments)."""
    out: list[object] = []
    for language, text in _fences(path, role):
        if language in ("yaml", "yml"):
            out.append(list(yaml.safe_load_all(text)))
        else:
            out.append([shlex.split(line, comments=True) for line in text.replace("\\\n", " ").splitlines()])
    return out


def _check_refs(path: Path) -> dict[str, list[tuple[str, object]]]:
    """Exercise id → [(checker, args)] as written in the file's ```yaml exercise fences."""
    out = {}
    for _language, text in _fences(path, "exercise"):
        meta = yaml.safe_load(text)
        out[meta["id"]] = [(c["check"], c.get("args")) for c in meta.get("checks") or ()]
    return out


def _graded(ex: Exercise) -> Exercise:
    """The exercise without its prose: what grading, setup and pack test use."""
    return replace(
        ex,
        title="",
        task="",
        hints=(),
        location=None,
        checks=tuple(replace(c, title=None, location=None) for c in ex.checks),
    )


@pytest.fixture(scope="module")
def pack():
    return resolve_pack()  # raises FormatError (file:line) if any lesson or translation has errors


def test_the_builtin_pack_offers_chinese():
    assert "zh" in resolve_pack().languages
    assert ZH_IDS, "no lessons/<id>.zh.md"


@pytest.mark.parametrize("lesson_id", ZH_IDS)
def test_zh_lesson_parses_without_problems(lesson_id):
    file = LESSONS / f"{lesson_id}.zh.md"
    parsed = parse_lesson_report(file.read_text(encoding="utf-8"), file, language="zh", translated=True)
    assert parsed.lesson is not None and parsed.lesson.id == lesson_id
    assert [str(p) for p in parsed.problems] == []


@pytest.mark.parametrize("lesson_id", ZH_IDS)
def test_zh_lesson_has_the_english_exercises_checks_and_hint_counts(pack, lesson_id):
    english = pack.lesson(lesson_id)
    zh = translated_lesson(pack, lesson_id, "zh")
    assert zh.language == "zh" and CJK.search(zh.body)  # a title may be a kind name, e.g. Ingress
    assert [e.id for e in zh.exercises] == [e.id for e in english.exercises]
    file = LESSONS / f"{lesson_id}.zh.md"
    parsed = parse_lesson_report(
        file.read_text(encoding="utf-8"), file, language="zh", translated=True
    ).lesson
    assert parsed is not None
    for own, en in zip(parsed.exercises, english.exercises, strict=True):
        assert own.id == en.id
        assert len(own.hints) == len(en.hints), f"{own.id}: {len(own.hints)} hints, English {len(en.hints)}"
        assert CJK.search(own.title) and CJK.search(own.task), f"{own.id} is not translated"
        assert all(_translated(h) for h in own.hints), f"{own.id} has an untranslated hint"
    assert _check_refs(file) == _check_refs(english.path), "check references differ from the English file"


@pytest.mark.parametrize("lesson_id", ZH_IDS)
def test_zh_lesson_copies_every_code_block_that_runs(pack, lesson_id):
    """apply/setup/solution fences do what the English ones do; only their comments are translated."""
    english = pack.lesson(lesson_id).path
    for role in ("apply", "setup", "solution"):
        assert _code(LESSONS / f"{lesson_id}.zh.md", role) == _code(english, role), role


@pytest.mark.parametrize("lesson_id", ZH_IDS)
def test_grading_is_the_same_in_both_languages(pack, lesson_id):
    """The loaded zh exercise equals the English one in every graded field: course tests hold for zh."""
    english = pack.lesson(lesson_id)
    zh = translated_lesson(pack, lesson_id, "zh")
    assert [_graded(e) for e in zh.exercises] == [_graded(e) for e in english.exercises]
    assert zh.apply_blocks == english.apply_blocks


@pytest.mark.parametrize("lesson_id", ZH_IDS)
def test_zh_lesson_prose_gives_nothing_away(pack, lesson_id):
    """The TUI's lesson text hides the Chinese hint, solution and exam headings like the English ones."""
    from tutor.tui.prose import lesson_prose

    zh = translated_lesson(pack, lesson_id, "zh")
    prose = lesson_prose(zh.body)
    assert "## 练习" in prose or not zh.exercises
    for spoiler in ("### 提示", "### 答案", "## 考试题", "```yaml exercise", " solution\n"):
        assert spoiler not in prose, f"{lesson_id}: {spoiler!r} is shown"
    for ex in zh.exercises:
        assert all(h not in prose for h in ex.hints), f"{ex.id}: a hint is shown in the prose"


def _outline(path: Path) -> list[tuple[str, int, int]]:
    """Each Markdown block's type, heading level and number of list items / table rows."""
    counted = ("list_item_open", "tr_open")
    text = path.read_text(encoding="utf-8")
    return [(b.type, b.level, sum(t.type in counted for t in b.tokens)) for b in blocks(text)]


@pytest.mark.parametrize("lesson_id", ZH_IDS)
def test_zh_lesson_leaves_no_paragraph_out(pack, lesson_id):
    """Every heading, paragraph, list item, table row and code block of the English file is translated."""
    assert _outline(LESSONS / f"{lesson_id}.zh.md") == _outline(pack.lesson(lesson_id).path)


def test_the_checklist_shows_the_translated_check_titles(pack):
    """A translation that lists the original's checks supplies their titles: the checklist is Chinese too."""
    zh = translated_lesson(pack, "labels", "zh")
    english = pack.lesson("labels")
    for mine, theirs in zip(zh.exercises, english.exercises, strict=True):
        assert [c.check for c in mine.checks] == [c.check for c in theirs.checks]
        assert all(CJK.search(c.title or "") for c in mine.checks if c.title), mine.id
    assert CJK.search(zh.exercises[0].checks[0].title or "")


def _avoided_terms() -> dict[str, str]:
    """avoided variant -> the glossary's term, from docs/glossary-zh.md's table."""
    rows = (LESSONS.parent / "docs" / "glossary-zh.md").read_text(encoding="utf-8").splitlines()
    out = {}
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        if len(cells) == 3 and cells[2] and CJK.search(cells[2]):
            out[cells[2]] = cells[1]
    return out


@pytest.mark.parametrize("lesson_id", ZH_IDS)
def test_zh_lesson_follows_the_glossary(lesson_id):
    text = (LESSONS / f"{lesson_id}.zh.md").read_text(encoding="utf-8")
    avoided = _avoided_terms()
    assert "命名空间" in avoided  # the table was read
    found = {bad: good for bad, good in avoided.items() if bad in text}
    assert not found, f"{lesson_id}.zh.md uses {found} (docs/glossary-zh.md)"
