# ruff: noqa: F811  (dead_kubeconfig is a fixture imported from test_grading_cli)
"""Pack code that exits or interrupts can never turn into a green CI (issue: trust, item 1).

A checker file that calls ``sys.exit(0)`` / ``sys.exit(3)`` or raises ``KeyboardInterrupt`` while it is
imported: ``grade`` and ``pack test`` exit 2, say which file, and still write the report they were asked
for; ``pack lint`` fails naming the file. (During a check the engine turns the same into an error verdict:
tests/cluster/test_hostile_checkers.py.)
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from tests.unit.test_grading_cli import LESSON, ROOT, dead_kubeconfig  # noqa: F401 - fixture
from tutor.cli import main

HOSTILE = {
    "exit-0": "import sys\nsys.exit(0)\n",
    "exit-3": "import sys\nsys.exit(3)\n",
    "interrupt": "raise KeyboardInterrupt\n",
    "system-exit-class": "raise SystemExit\n",
}


@pytest.fixture(params=sorted(HOSTILE))
def hostile_pack(request, tmp_path: Path) -> Path:
    root = tmp_path / "pack"
    (root / "checks").mkdir(parents=True)
    (root / "pack.yaml").write_text(
        "format_version: 1\nid: evil\ntitle: Evil\nversion: 0.1.0\nlessons: [basics]\n"
    )
    (root / "basics.md").write_text(LESSON)
    (root / "checks" / "evil.py").write_text(HOSTILE[request.param])
    return root


def test_grade_exits_2_names_the_file_and_writes_the_junit_report(
    hostile_pack, dead_kubeconfig, tmp_path, capsys
):
    out = tmp_path / "report.xml"
    code = main(
        ["grade", "--pack", str(hostile_pack), "--kubeconfig", str(dead_kubeconfig), "--format", "junit"]
        + ["--output", str(out)]
    )
    assert code == 2
    assert "evil.py" in capsys.readouterr().err
    suite = ET.parse(out).getroot()
    assert int(suite.get("errors") or suite.find("testsuite").get("errors")) >= 1  # type: ignore[union-attr]
    assert "evil.py" in out.read_text()


def test_grade_json_report_of_an_aborted_run_is_valid_and_all_errors(hostile_pack, dead_kubeconfig, tmp_path):
    out = tmp_path / "report.json"
    args = ["grade", "--pack", str(hostile_pack), "--kubeconfig", str(dead_kubeconfig), "--format", "json"]
    assert main([*args, "--output", str(out)]) == 2
    data = json.loads(out.read_text())
    jsonschema.Draft202012Validator(json.loads((ROOT / "docs/report.schema.json").read_text())).validate(data)
    assert data["status"] == "error"
    assert all(c["status"] == "error" for e in data["exercises"] for c in e["checks"])


def test_pack_test_exits_2_and_writes_the_report(hostile_pack, dead_kubeconfig, tmp_path):
    out = tmp_path / "report.json"
    args = ["pack", "test", str(hostile_pack), "--kubeconfig", str(dead_kubeconfig), "--format", "json"]
    assert main([*args, "--output", str(out)]) == 2
    assert json.loads(out.read_text())["status"] == "error"


def test_pack_lint_fails_naming_the_file(hostile_pack, capsys):
    assert main(["pack", "lint", str(hostile_pack)]) != 0
    assert "evil.py" in capsys.readouterr().out


def test_a_pack_exit_escaping_a_command_is_exit_2_not_its_own_code(monkeypatch, capsys):
    """Whatever path a pack's sys.exit takes, the CLI never exits with the pack's code."""
    import tutor.commands.doctor as doctor

    def exits(_args):
        raise SystemExit(0)

    monkeypatch.setattr(doctor, "run", exits)
    assert main(["doctor"]) == 2
    assert "sys.exit(0)" in capsys.readouterr().err
