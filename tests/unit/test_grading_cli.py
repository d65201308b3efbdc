"""``k8s-tutor grade`` without a cluster: an unreachable API server is exit 2 with a valid report."""

from __future__ import annotations

import json
import socket
import textwrap
from pathlib import Path

import jsonschema
import pytest
import xmlschema

from tutor.cli import main

ROOT = Path(__file__).resolve().parents[2]

LESSON = textwrap.dedent("""\
    ---
    id: basics
    title: Basics
    order: 1
    requires: [api]
    ---

    # Basics

    ## Exercise: A config map

    ```yaml exercise
    id: cm
    namespace: grade-cli-cm
    points: 2
    checks:
      - check: match
        args: {apiVersion: v1, kind: ConfigMap, name: app, match: {data: {mode: prod}}}
        title: ConfigMap app has mode=prod
    ```

    Create it.

    ### Solution

    ```yaml solution
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: app}
    data: {mode: prod}
    ```
    """)


@pytest.fixture
def tiny_pack(tmp_path: Path) -> Path:
    root = tmp_path / "pack"
    root.mkdir()
    (root / "pack.yaml").write_text(
        "format_version: 1\nid: tiny\ntitle: Tiny\nversion: 0.1.0\nlessons: [basics]\n"
    )
    (root / "basics.md").write_text(LESSON)
    return root


@pytest.fixture
def dead_kubeconfig(tmp_path: Path) -> Path:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    path = tmp_path / "kubeconfig"
    path.write_text(
        textwrap.dedent(f"""\
        apiVersion: v1
        kind: Config
        clusters:
        - name: dead
          cluster: {{server: "https://127.0.0.1:{port}", insecure-skip-tls-verify: true}}
        users: [{{name: u, user: {{token: t}}}}]
        contexts: [{{name: dead, context: {{cluster: dead, user: u}}}}]
        current-context: dead
        """)
    )
    return path


def test_unreachable_cluster_is_exit_2_with_a_valid_json_report(tiny_pack, dead_kubeconfig, tmp_path, capsys):
    out = tmp_path / "report.json"
    code = main(
        [
            "grade",
            "--pack",
            str(tiny_pack),
            "--kubeconfig",
            str(dead_kubeconfig),
            "--format",
            "json",
            "--output",
            str(out),
        ]
    )
    assert code == 2
    data = json.loads(out.read_text())
    jsonschema.Draft202012Validator(json.loads((ROOT / "docs/report.schema.json").read_text())).validate(data)
    [check] = data["exercises"][0]["checks"]
    assert check["status"] == "error" and check["message"].startswith("cluster unavailable:")
    assert data["status"] == "error" and data["context"] == "dead"
    assert "1 errors" in capsys.readouterr().out


def test_junit_and_text_for_an_unreachable_cluster(tiny_pack, dead_kubeconfig, tmp_path, capsys):
    out = tmp_path / "report.xml"
    args = ["grade", "--pack", str(tiny_pack), "--kubeconfig", str(dead_kubeconfig)]
    assert main([*args, "--format", "junit", "--output", str(out)]) == 2
    xmlschema.XMLSchema(str(ROOT / "tests/data/junit.xsd")).validate(str(out))
    assert "<error" in out.read_text()
    capsys.readouterr()
    assert main(args) == 2
    text = capsys.readouterr().out
    assert "ERR   cm  A config map" in text and "cluster unavailable" in text


def test_unknown_exercise_names_the_known_ones(tiny_pack, dead_kubeconfig, capsys):
    code = main(
        ["grade", "--pack", str(tiny_pack), "--kubeconfig", str(dead_kubeconfig), "--exercise", "nope"]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "no exercise 'nope'" in err and "(known: cm)" in err


def test_an_unreadable_kubeconfig_still_writes_the_report(tiny_pack, tmp_path, capsys):
    out = tmp_path / "report.xml"
    missing = tmp_path / "no-such-kubeconfig"
    args = ["grade", "--pack", str(tiny_pack), "--kubeconfig", str(missing)]
    assert main([*args, "--format", "junit", "--output", str(out)]) == 2
    xmlschema.XMLSchema(str(ROOT / "tests/data/junit.xsd")).validate(str(out))
    assert "<error" in out.read_text() and f"cannot read kubeconfig {missing}" in out.read_text()
    assert "1 errors" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("words", "said"),
    [
        (["grade", "--timeout", "nan"], "expected seconds from 0 (one attempt) to 3600, got 'nan'"),
        (["grade", "--timeout", "-5"], "got '-5'"),
        (["grade", "--timeout", "inf"], "got 'inf'"),
        (["pack", "test", ".", "--timeout", "1e9"], "got '1e9'"),
        (["pack", "test", ".", "--jobs", "0"], "at least 1, got '0'"),
        (["exam", "--timeout", "x"], "expected a number of seconds, got 'x'"),
        (["exam", "--tasks", "0"], "at least 1, got '0'"),
        (["exam", "--duration", "nan"], "expected minutes above 0 and at most 1440, got 'nan'"),
        (["exam", "--duration", "-1"], "got '-1'"),
        (["exam", "--duration", "inf"], "got 'inf'"),
    ],
)
def test_a_bad_number_is_a_usage_error_naming_the_option(words, said, capsys):
    with pytest.raises(SystemExit) as stop:
        main(words)
    assert stop.value.code == 2
    assert said in capsys.readouterr().err


def test_the_command_lines_timeout_bound_is_the_engines():
    """tutor.commands._args keeps its own copy so `--help` does not import the grading plan."""
    from tutor.commands._args import MAX_CHECK_SECONDS
    from tutor.grading.plan import MAX_SECONDS

    assert MAX_CHECK_SECONDS == MAX_SECONDS
