"""docs/authoring.md's worked example is a real pack: rebuilt from the page, it lints clean."""

from __future__ import annotations

from pathlib import Path

from tutor.content.markdown import blocks
from tutor.lint import lint_pack

DOC = Path(__file__).resolve().parents[2] / "docs" / "authoring.md"


def _worked_example() -> dict[str, str]:
    """The fences under "A complete worked example", each named by the `file` line before it."""
    text = DOC.read_text()
    files: dict[str, str] = {}
    inside, name = False, None
    lines = text.splitlines()
    for block in blocks(text):
        if block.type == "heading" and block.level == 2:
            inside = block.text == "A complete worked example"
        elif inside and block.type == "paragraph":
            name = lines[block.start].strip().strip("`:")
        elif inside and block.type == "fence" and name and name != "Then":
            files[name] = block.text
            name = None
    return files


def test_worked_example_lints_clean(tmp_path):
    files = _worked_example()
    assert set(files) == {"pack.yaml", "configmaps.md", "checks/configmaps.py"}
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    report = lint_pack(tmp_path, strict=True)
    assert report.problems == [], "\n".join(map(str, report.problems))
    assert [ex.id for ex in report.pack.exercises()] == ["settings-configmap"]
