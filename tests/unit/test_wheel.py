"""The wheel ships the built-in pack (lessons and checks) and the scaffold templates.

Built with hatchling, the project's build backend, into a temporary folder; only the member
list is inspected, nothing is installed.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    script = (
        "import sys; from hatchling.builders.wheel import WheelBuilder; "
        "print(*WheelBuilder(sys.argv[1]).build(directory=sys.argv[2], versions=['standard']))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(REPO), str(out)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    (built,) = out.glob("k8s_tutor-*.whl")
    return built


@pytest.fixture(scope="module")
def members(wheel) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        return archive.namelist()


def test_builtin_pack_is_inside_the_package(members):
    assert "tutor/_builtin_pack/lessons/pack.yaml" in members
    lessons = [m for m in members if m.startswith("tutor/_builtin_pack/lessons/") and m.endswith(".md")]
    checks = [m for m in members if m.startswith("tutor/_builtin_pack/checks/") and m.endswith(".py")]
    assert lessons and checks
    # every lesson and checker file of the checkout is shipped
    assert {Path(m).name for m in lessons} >= {p.name for p in (REPO / "lessons").glob("*.md")}
    assert {Path(m).name for m in checks} >= {p.name for p in (REPO / "checks").glob("*.py")}


def test_the_compiled_message_catalog_is_shipped(wheel, members):
    """hatch_build.py compiles tutor/locale/*/LC_MESSAGES/k8s_tutor.po into the .mo gettext reads."""
    import gettext
    import io

    name = "tutor/locale/zh_CN/LC_MESSAGES/k8s_tutor.mo"
    assert name in members and "tutor/locale/zh_CN/LC_MESSAGES/k8s_tutor.po" in members
    with zipfile.ZipFile(wheel) as archive:
        catalog = gettext.GNUTranslations(io.BytesIO(archive.read(name)))
    assert catalog.gettext("Quit") == "退出"


def test_code_templates_and_entry_point_are_shipped(members):
    assert "tutor/content/parser.py" in members and "tutor/grading/registry.py" in members
    assert "tutor/templates/pack/hello.md" in members and "tutor/templates/pack/checks/hello.py" in members


def test_entry_point_registers_the_builtin_pack(wheel, members):
    name = next(m for m in members if m.endswith(".dist-info/entry_points.txt"))
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read(name).decode()
    assert "[k8s_tutor.packs]" in text and "builtin = tutor.content.builtin:pack_path" in text


def test_installed_layout_finds_the_shipped_pack(wheel, tmp_path):
    """Unpacked like an installed wheel, pack_path() is the shipped copy and checks: ../checks resolves."""
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(tmp_path)
    script = (
        "from tutor.content.builtin import pack_path; import yaml; p = pack_path(); "
        "print(p); print((p / yaml.safe_load((p / 'pack.yaml').read_text())['checks']).resolve())"
    )
    done = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(tmp_path)!r}); {script}"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    lessons, checks = done.stdout.split()
    assert lessons == str(tmp_path / "tutor" / "_builtin_pack" / "lessons")
    assert checks == str(tmp_path / "tutor" / "_builtin_pack" / "checks") and Path(checks).is_dir()


def test_no_tests_or_caches_in_the_wheel(members):
    assert not [m for m in members if m.startswith("tests/") or "__pycache__" in m or m.endswith(".pyc")]
