"""The "Recipes" in docs/grading.md stay runnable: every snippet parses and every name it uses that
it does not define is exported by tutor.sdk (or is a builtin), and every helper tutor.sdk exports
has a recipe that uses it."""

from __future__ import annotations

import ast
import builtins
import re
from pathlib import Path

import tutor.sdk as sdk

DOC = Path(__file__).resolve().parents[2] / "docs" / "grading.md"


def _recipes() -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Recipes: the SDK helpers", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def _free_names(code: str) -> set[str]:
    tree = ast.parse(code)
    bound = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    bound |= {a.arg for n in ast.walk(tree) if isinstance(n, ast.arguments) for a in n.args}
    bound |= {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return used - bound - set(dir(builtins))


def test_every_recipe_uses_only_sdk_names():
    recipes = _recipes()
    assert len(recipes) >= 12
    for code in recipes:
        unknown = _free_names(code) - set(sdk.__all__)
        assert not unknown, f"recipe uses names tutor.sdk does not export: {unknown}\n{code}"


def test_every_helper_is_documented():
    text = DOC.read_text(encoding="utf-8").split("## Recipes: the SDK helpers", 1)[1]
    helpers = [n for n in sdk.__all__ if n[0].islower() and n != "check"]
    missing = [n for n in helpers if f"`{n}" not in text and f"{n}(" not in text]
    assert not missing, f"tutor.sdk helpers without a recipe or mention: {missing}"
