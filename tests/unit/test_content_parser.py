"""The parser and loader on the ``good`` fixture pack, which uses every feature of the format."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutor.content import load_pack, parse_lesson, translated_lesson
from tutor.content.parser import parse_lesson_report
from tutor.errors import FormatError

PACKS = Path(__file__).resolve().parent.parent / "data" / "packs"
GOOD = PACKS / "good"


@pytest.fixture(scope="module")
def pack():
    return load_pack(GOOD)


def test_pack_metadata(pack):
    assert (pack.id, pack.title, pack.version) == ("good", "A good pack", "1.2.3")
    assert pack.languages == ("en", "zh")
    assert pack.requires == frozenset({"api", "scheduler"})
    assert (pack.timeout, pack.poll) == (12.0, 0.5)
    assert pack.exam.duration_minutes == 30 and pack.exam.tasks == 2
    assert pack.exam.pass_mark == 70.0 and pack.exam.allow_check is True
    assert pack.checks_dir == GOOD / "checks"
    assert pack.description == "Fixture for the parser and lint tests."


def test_lessons_in_pack_order_with_paths(pack):
    assert [lesson.id for lesson in pack.lessons] == ["basics", "labels"]
    assert pack.lessons[1].path == GOOD / "more" / "labels.md"
    assert pack.lessons[1].order == 2  # from its position: the front matter gives none
    basics = pack.lesson("basics")
    assert (basics.order, basics.minutes, basics.tags) == (1, 20, ("basics", "intro"))
    assert basics.translations == ("zh",)
    assert basics.body.startswith("# Basics")


def test_exercise_metadata_and_checks(pack):
    ex = pack.exercise("make-configmap")
    assert (ex.title, ex.points, ex.exam) == ("Make a ConfigMap", 3.0, "also")
    assert (ex.minutes, ex.timeout) == (4.0, 20)
    assert ex.namespace == "make-configmap"  # defaults to the exercise id
    assert ex.requires == frozenset({"api"})  # from the lesson's front matter
    assert ex.lesson_id == "basics"
    first, second = ex.checks
    assert (first.check, first.args, first.title, first.weight, first.hint) == (
        "basics.has_key",
        {"name": "settings", "key": "mode"},
        "ConfigMap settings has mode",
        2.0,
        1,
    )
    assert first.location is not None and first.location.line == 42
    assert second.args["match"] == {"metadata": {"labels": {"tier": "backend"}}}
    assert type(second.args) is dict and type(second.args["match"]) is dict  # plain, not YAML subclasses


def test_task_text_excludes_metadata_setup_hints_and_solution(pack):
    task = pack.exercise("make-configmap").task
    assert task == "Create a ConfigMap `settings` with the key `mode`,\nlabelled `tier=backend`."


def test_hints_keep_their_markdown(pack):
    hints = pack.exercise("make-configmap").hints
    assert hints[0] == "Use `kubectl create configmap`."
    assert hints[1] == "Then label it:\n\n```bash\nkubectl label configmap settings tier=backend\n```"


def test_setup_listed_steps_then_fences(pack):
    setup = pack.exercise("make-configmap").setup
    assert setup[0].manifest is not None and "name: base" in setup[0].manifest
    assert setup[0].source is not None and setup[0].source.path == GOOD / "setup" / "base.yaml"
    assert setup[1].kubectl == "create configmap seed --from-literal=a=b"
    assert setup[2].manifest is not None and setup[2].manifest.startswith("apiVersion: v1\nkind: Secret")


def test_bash_solution_joins_continuations_and_skips_comments(pack):
    steps = pack.exercise("make-configmap").solution
    assert [s.kubectl for s in steps] == [
        "create configmap settings --from-literal=mode=production",
        "label configmap settings tier=backend",
    ]
    assert steps[0].source is not None and steps[0].source.line == 78


def test_cluster_scoped_exercise_with_hold_and_cleanup(pack):
    ex = pack.exercise("make-namespace")
    assert ex.namespace is None and ex.exam == "no"
    assert ex.requires == frozenset({"api", "controllers"})
    assert ex.checks[0].hold == 2
    assert ex.cleanup == ({"apiVersion": "v1", "kind": "Namespace", "name": "old"},)
    assert "name: done" in (ex.solution[0].manifest or "")


def test_exam_task_is_exam_only(pack):
    ex = pack.exercise("exam-node-label")
    assert ex.exam == "only" and ex.title == "Label a node"
    assert ex.cleanup[0]["label"] == "gpu"
    assert ex not in pack.exercises() and ex in pack.exercises(include_exam_only=True)
    assert [e.id for e in pack.exam_pool()] == ["make-configmap", "exam-node-label"]


def test_apply_blocks_located(pack):
    (block,) = pack.lesson("basics").apply_blocks
    assert block.manifest.startswith("apiVersion: v1\nkind: ConfigMap")
    assert block.location.line == 19


def test_translation_takes_prose_but_keeps_grading(pack):
    zh = translated_lesson(pack, "basics", "zh")
    assert zh.language == "zh" and zh.title == "基础"
    ex = zh.exercises[0]
    assert ex.title == "创建 ConfigMap" and ex.task == "创建 ConfigMap `settings`。"
    assert ex.hints == ("使用 `kubectl create configmap`。", "然后给它加标签。")
    assert ex.checks == pack.exercise("make-configmap").checks
    assert translated_lesson(pack, "basics", "fr") is pack.lesson("basics")


def test_parse_lesson_from_text_collects_every_error():
    text = (
        "---\nid: x\ntitle: X\nbogus: 1\n---\n\n## Exercise: A\n\n```yaml exercise\nid: a\npoints: -1\n```\n"
    )
    with pytest.raises(FormatError) as err:
        parse_lesson(text, "x.md")
    fields = {(p.location.line, p.field) for p in err.value.problems}
    assert (4, "bogus") in fields and (11, "points") in fields and (10, "checks") in fields
    assert "x.md:4: error: bogus: unknown key" in str(err.value)


def test_parse_lesson_reads_a_path():
    lesson = parse_lesson(GOOD / "more" / "labels.md")
    assert lesson.exercises[0].id == "label-pod" and lesson.path == GOOD / "more" / "labels.md"


def test_exercise_heading_inside_code_is_not_an_exercise():
    text = (
        "---\nid: x\ntitle: X\n---\n\n```markdown\n## Exercise: not real\n```\n\n"
        "    ## Exercise: indented code\n"
    )
    result = parse_lesson_report(text, Path("x.md"))
    assert result.lesson is not None and result.lesson.exercises == () and result.problems == []


def test_yaml_no_means_practice_only():
    text = (
        "---\nid: x\ntitle: X\n---\n## Exercise: A\n"
        "```yaml exercise\nid: a\nexam: no\nchecks: [{check: c}]\n```\n"
    )
    assert parse_lesson(text).exercises[0].exam == "no"


def test_second_metadata_block_is_an_error():
    text = (
        "---\nid: x\ntitle: X\n---\n## Exercise: A\n```yaml exercise\nid: a\nchecks: [{check: c}]\n```\n"
        "```yaml exercise\nid: b\n```\n"
    )
    problems = parse_lesson_report(text, Path("x.md")).problems
    assert [(p.location.line, "second") for p in problems if "second" in p.message] == [(10, "second")]


def test_misspelt_fence_role_warns():
    text = "---\nid: x\ntitle: X\n---\n```yaml aply\na: 1\n```\n"
    (problem,) = parse_lesson_report(text, Path("x.md")).problems
    assert problem.severity == "warning" and "did you mean 'apply'" in problem.message


def test_broken_translation_is_a_format_error(tmp_path):
    import shutil

    shutil.copytree(GOOD, tmp_path / "good")
    pack = load_pack(tmp_path / "good")
    zh = tmp_path / "good" / "basics.zh.md"
    zh.write_text(zh.read_text().replace("id: make-configmap", "id: made-up"))
    with pytest.raises(
        FormatError, match=r"basics.zh.md:\d+: error: id: exercise 'made-up' is not in the en lesson"
    ):
        translated_lesson(pack, "basics", "zh")


@pytest.mark.parametrize(
    ("front", "found"),
    [("- 1\n", "found a list [1]"), ("hello\n", "found a string 'hello'"), ("3\n", "found a number 3")],
)
def test_front_matter_that_is_not_a_mapping_says_what_it_is_in_yaml_words(front, found):
    with pytest.raises(FormatError) as err:
        parse_lesson(f"---\n{front}---\n\n# X\n", "x.md")
    assert f"must be one mapping, {found}" in str(err.value)
    assert "LineList" not in str(err.value)


@pytest.mark.parametrize(
    ("meta", "field"),
    [
        ('id: "a\\n"', "id"),  # a trailing newline passed `^...$` validators ($ matches before it)
        ('id: a\nnamespace: "shop\\n"', "namespace"),
        ('id: a\nrequires: ["api\\n"]', "requires"),
    ],
)
def test_a_trailing_newline_never_passes_for_a_name(meta, field):
    fence = f"```yaml exercise\n{meta}\nchecks:\n  - check: t.c\n```\n"
    text = f"---\nid: x\ntitle: X\n---\n\n## Exercise: A\n\n{fence}"
    with pytest.raises(FormatError) as err:
        parse_lesson(text, "x.md")
    assert any(p.field.startswith(field) for p in err.value.problems), str(err.value)
