"""``pack new`` makes a pack that lints clean, and the breakages the issue names make lint fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutor.cli import main
from tutor.content import load_pack
from tutor.lint import lint_pack


@pytest.fixture()
def new_pack(tmp_path: Path) -> Path:
    path = tmp_path / "My Pack"
    assert main(["pack", "new", str(path)]) == 0
    return path


def test_new_pack_lints_clean_and_strict(new_pack, capsys):
    capsys.readouterr()
    assert main(["pack", "lint", str(new_pack), "--strict"]) == 0
    pack = load_pack(new_pack)
    assert pack.id == "my-pack" and pack.title == "My pack"
    (ex,) = pack.exercises()
    assert [c.check for c in ex.checks] == ["hello.greeting", "match"]
    assert ex.hints and ex.solution and (new_pack / "checks" / "hello.py").is_file()


def test_refuses_a_non_empty_folder(new_pack, capsys):
    assert main(["pack", "new", str(new_pack)]) == 2
    assert "is not empty" in capsys.readouterr().err


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_broken_front_matter_fails_with_location(new_pack):
    _edit(new_pack / "hello.md", "title: Hello, ConfigMap\n", "title: [Hello\n")
    report = lint_pack(new_pack)
    assert report.exit_code == 2
    (error,) = report.errors
    assert (error.location.path.name, error.location.line) == ("hello.md", 4)
    assert "front matter does not parse" in error.message and "started on line 3" in error.message


def test_unknown_check_fails_with_location(new_pack):
    _edit(new_pack / "hello.md", "check: hello.greeting", "check: hello.nothing")
    (error,) = lint_pack(new_pack).errors
    where = new_pack / "hello.md"
    assert str(error).startswith(f"{where}:32: error: checks[0].check: no checker 'hello.nothing'")


def test_old_ingress_in_solution_fails_with_location(new_pack):
    solution = new_pack / "solutions" / "hello-greeting.yaml"
    solution.write_text(
        solution.read_text() + "---\napiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: web}\n"
    )
    (error,) = lint_pack(new_pack).errors
    assert error.location.path == solution.resolve() and error.location.line == 11
    assert "extensions/v1beta1" in error.message and error.field == "apiVersion"
