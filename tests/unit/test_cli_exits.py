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


def _validate(report: dict) -> None:
    """``report`` is what docs/report.schema.json promises CI."""
    schema = json.loads((ROOT / "docs/report.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(report)


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
    _validate(data)
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


NEVER_STARTED = {
    "unknown exercise": (["grade", "--exercise", "no-such-exercise"], "has no exercise 'no-such-exercise'"),
    "unknown lesson": (["grade", "--lesson", "no-such-lesson"], "has no lesson 'no-such-lesson'"),
    "broken pack.yaml": (["grade", "--pack", "{broken}"], "pack.yaml must be one mapping"),
    "untrusted pack": (["grade", "--pack", "{tiny}"], "run again with --trust"),
    "pack test: no such pack": (["pack", "test", "{missing}"], "no pack"),
    "pack test: broken pack.yaml": (["pack", "test", "{broken}"], "pack.yaml must be one mapping"),
}


@pytest.mark.parametrize("fmt", ["json", "junit"])
@pytest.mark.parametrize("case", sorted(NEVER_STARTED))
def test_a_run_that_never_starts_still_writes_the_report_saying_why(case, fmt, tmp_path, monkeypatch, capsys):
    """CI that asked for a report finds one: one error entry with the reason, exit 2."""
    monkeypatch.delenv("K8S_TUTOR_TRUST")  # the untrusted case; the others fail before trust matters
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "pack.yaml").write_text("- a list\n")
    words, reason = NEVER_STARTED[case]
    paths = {"broken": broken, "tiny": ROOT / "tests/data/packs/tiny", "missing": tmp_path / "missing"}
    out = tmp_path / f"report.{fmt}"
    args = [w.format(**paths) for w in words] + ["--format", fmt, "--output", str(out)]
    assert main(args) == 2
    assert reason in capsys.readouterr().err
    text = out.read_text()
    assert reason in text
    if fmt == "json":
        data = json.loads(text)
        _validate(data)
        assert (data["status"], data["exit_code"], data["summary"]["error"]) == ("error", 2, 1)
    else:
        assert ET.fromstring(text).get("errors") == "1"


@pytest.mark.parametrize(
    ("error", "said"),
    [
        (
            PermissionError(13, "Permission denied", "/data/progress.json"),
            "/data/progress.json: Permission denied",
        ),
        (ValueError("a bug"), "internal error: ValueError: a bug (at test_cli_exits.py:"),
    ],
)
def test_an_unexpected_error_is_one_line_and_exit_2_never_a_traceback(error, said, monkeypatch, capsys):
    import tutor.commands.doctor as doctor

    def fails(_args):
        raise error

    monkeypatch.setattr(doctor, "run", fails)
    assert main(["doctor"]) == 2
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err and len(err.splitlines()) == 1
    if isinstance(error, ValueError):  # a developer can still see the whole story
        monkeypatch.setenv("K8S_TUTOR_DEBUG", "1")
        with pytest.raises(ValueError, match="a bug"):
            main(["doctor"])


def test_progress_export_makes_its_folder_or_says_why_not(tmp_path, capsys):
    target = tmp_path / "new" / "folder" / "progress.json"
    assert main(["progress", "export", str(target)]) == 0
    assert json.loads(target.read_text())["exercises"] == {}
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert main(["progress", "export", str(blocker / "x.json")]) == 2
    assert "is not a folder" in capsys.readouterr().err
