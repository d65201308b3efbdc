"""``k8s-tutor pack docs``: the generated overview an instructor reads (no cluster, no pack code)."""

from __future__ import annotations

from tutor.cli import main
from tutor.content import resolve_pack


def test_the_overview_lists_every_lesson_and_exercise_with_titles_and_the_exam_pool(capsys):
    pack = resolve_pack(None)
    assert main(["pack", "docs"]) == 0
    text = capsys.readouterr().out
    assert text.startswith(f"# {pack.title}\n")
    for lesson in pack.lessons:
        assert f"\n## {lesson.title}\n" in text
    for ex in pack.exercises(include_exam_only=True):
        assert f"`{ex.id}`" in text
    assert "1. Pod fast may only be scheduled onto nodes labelled disktype=ssd" in text  # docstring title
    assert "| `metrics` |" in text and "## Exam" in text
    assert f"from a pool of {len(pack.exam_pool())}" in text


def test_html_and_chinese(tmp_path, capsys):
    out = tmp_path / "course.html"
    assert main(["pack", "docs", "--format", "html", "--lang", "zh", "--output", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and "<h2>名字空间</h2>" in html and "<table>" in html
