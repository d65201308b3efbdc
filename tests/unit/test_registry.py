"""Checker loading: per-pack isolation, path loading without sys.path changes, binding, titles."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from tutor.errors import FormatError
from tutor.grading import registry as reg
from tutor.grading.registry import Registry, check, load_checks, require_clean

CHECKER = '''
from tutor.sdk import check

@check("{id}", timeout={timeout}, poll=2, hold=3)
def fn(ctx, name: str, label: str = "env") -> str:
    """Thing {{name}} has label {{label}}."""
    return "{tag}"
'''


def _pack(tmp_path: Path, name: str, files: dict[str, str]) -> SimpleNamespace:
    checks = tmp_path / name / "checks"
    checks.mkdir(parents=True)
    for file, text in files.items():
        (checks / file).write_text(text)
    return SimpleNamespace(id=name, checks_dir=checks)


def _one(tmp_path: Path):
    return load_checks(_pack(tmp_path, "p", {"x.py": CHECKER.format(id="x.one", timeout=5, tag="")})).get(
        "x.one"
    )


def test_two_packs_same_id_do_not_clash(tmp_path):
    a = load_checks(_pack(tmp_path, "a", {"x.py": CHECKER.format(id="x.same", timeout=5, tag="A")}))
    b = load_checks(_pack(tmp_path, "b", {"x.py": CHECKER.format(id="x.same", timeout=7, tag="B")}))
    assert a.get("x.same").fn(None, "n") == "A" and b.get("x.same").fn(None, "n") == "B"
    assert a.get("x.same").timeout == 5 and b.get("x.same").timeout == 7
    assert a.problems == [] and b.problems == []


def test_spec_fields_and_location(tmp_path):
    spec = _one(tmp_path)
    assert (spec.timeout, spec.poll, spec.hold) == (5, 2, 3)
    assert spec.title == "Thing {name} has label {label}"  # the trailing "." is dropped
    assert spec.describe({"name": "web"}) == "Thing web has label env"
    assert spec.location.path.name == "x.py" and spec.location.line == 4


def test_no_sys_path_change_and_unique_module_names(tmp_path):
    before = list(sys.path)
    pack = _pack(tmp_path, "p", {"x.py": CHECKER.format(id="x.one", timeout=5, tag="")})
    spec = load_checks(pack).get("x.one")
    assert sys.path == before
    assert spec.fn.__module__.startswith("_k8s_tutor_checks_p_") and spec.fn.__module__.endswith(".x")
    loaded_as_x = getattr(sys.modules.get("x"), "__file__", "")
    assert loaded_as_x != str(pack.checks_dir / "x.py")


def test_helper_modules_import_relatively_and_are_not_checkers(tmp_path):
    files = {
        "_util.py": "def helper():\n    return 'from helper'\n",
        "x.py": "from tutor.sdk import check\nfrom ._util import helper\n\n"
        "@check('x.uses_helper')\ndef fn(ctx):\n    return helper()\n",
    }
    registry = load_checks(_pack(tmp_path, "p", files))
    assert registry.get("x.uses_helper").fn(None) == "from helper"
    assert [s.id for s in registry.own()] == ["x.uses_helper"]


def test_reload_sees_edited_files(tmp_path):
    pack = _pack(tmp_path, "p", {"x.py": CHECKER.format(id="x.one", timeout=5, tag="old")})
    assert load_checks(pack).get("x.one").fn(None, "n") == "old"
    (pack.checks_dir / "x.py").write_text(CHECKER.format(id="x.one", timeout=5, tag="new"))
    assert load_checks(pack).get("x.one").fn(None, "n") == "new"


def test_builtin_checks_are_the_fallback(tmp_path):
    registry = load_checks(_pack(tmp_path, "p", {}))
    assert "match" in registry and "absent" in registry
    assert registry.own() == []


def test_shadowing_a_builtin_is_a_problem(tmp_path):
    registry = load_checks(_pack(tmp_path, "p", {"x.py": CHECKER.format(id="match", timeout=5, tag="")}))
    (problem,) = registry.problems
    assert "'match' is already defined" in problem.message and problem.location.line == 4
    with pytest.raises(FormatError):
        require_clean(registry)


def test_bad_id_is_a_problem(tmp_path):
    registry = load_checks(_pack(tmp_path, "p", {"x.py": CHECKER.format(id="Bad Id", timeout=5, tag="")}))
    assert "dotted lowercase" in registry.problems[0].message


def test_bind_names_unknown_and_missing_arguments(tmp_path):
    spec = _one(tmp_path)
    assert spec.bind({"name": "a"}).arguments == {"ctx": None, "name": "a"}
    expected = r"unknown argument 'lable' \(did you mean 'label'\?\); missing 'name'"
    with pytest.raises(TypeError, match=expected):
        spec.bind({"lable": "x"})
    assert "x.one(name: str, label: str = 'env')" in spec.signature_text()


def test_unknown_id_suggests_the_closest():
    registry = Registry("pack 't'")
    registry.add(reg.CheckSpec("ns.labelled", lambda ctx: None))
    with pytest.raises(KeyError, match=r"did you mean 'ns.labelled'"):
        registry.get("ns.label")


def test_decorator_outside_a_load_registers_a_builtin(monkeypatch):
    fresh = Registry("builtins under test")
    monkeypatch.setattr(reg, "_BUILTIN", fresh)

    @check("test.builtin")
    def fn(ctx):
        """A built-in."""

    assert fresh.get("test.builtin").fn is fn and fresh.get("test.builtin").title == "A built-in"


def test_first_checker_goes_to_the_pack_even_without_builtins(monkeypatch, tmp_path):
    """An empty pack registry is falsy; registration must still target it, not the builtins."""
    empty = Registry("no builtins")
    monkeypatch.setattr(reg, "builtin_registry", lambda: empty)
    registry = load_checks(_pack(tmp_path, "p", {"x.py": CHECKER.format(id="x.first", timeout=5, tag="")}))
    assert [s.id for s in registry.own()] == ["x.first"] and "x.first" not in empty


def test_titles_render_arguments_readably():
    spec = reg.CheckSpec(
        "t.x", lambda ctx, pods, labels, value=None, on=True: None, title="{pods} {labels} {value} {on}"
    )
    shown = spec.describe({"pods": ["a", "b"], "labels": {"app": "web", "tier": "front"}})
    assert shown == "a, b app=web, tier=front (any) true"
