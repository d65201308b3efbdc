"""A checker that exits, interrupts, dies or hangs while it grades is an error verdict, never a pass
or a silent exit.

On the real sim cluster: ``sys.exit(0)``, ``sys.exit(3)``, ``raise SystemExit``, ``KeyboardInterrupt``,
``os._exit(0)``, a SIGKILL of its own process and an endless loop inside a check make ``grade`` exit 2
with a report whose check is an error naming the checker and its file:line (checks run in the checker
worker, :mod:`tutor.grading.isolation`; tests/unit/test_checker_worker.py has the cases without a cluster).
"""

from __future__ import annotations

import json
import textwrap

import pytest

from tests.unit.test_grading_cli import LESSON
from tutor.cli import main

pytestmark = pytest.mark.cluster

BODIES = {  # the check's body, what the message says, the line it names (7: the body, 5: the @check)
    "exit-0": ("sys.exit(0)", "checker evil.leave raised SystemExit", 7),
    "exit-3": ("sys.exit(3)", "checker evil.leave raised SystemExit", 7),
    "system-exit": ("raise SystemExit", "checker evil.leave raised SystemExit", 7),
    "interrupt": ("raise KeyboardInterrupt", "checker evil.leave raised KeyboardInterrupt", 7),
    "os-exit": ("os._exit(0)", "the checker process exited with code 0", 4),
    "sigkill": ("os.kill(os.getpid(), 9)", "the checker process was killed by signal 9", 4),
    "endless-loop": ("while True: pass", "did not finish within 2 s: the checker worker was stopped", 7),
}


@pytest.mark.parametrize("kind", sorted(BODIES))
def test_an_exit_inside_a_check_is_an_error_verdict(kind, sim_cluster, cluster, tmp_path, monkeypatch):
    body, message, line = BODIES[kind]
    monkeypatch.setenv("K8S_TUTOR_CHECKER_SECONDS", "2")
    root = tmp_path / "pack"
    (root / "checks").mkdir(parents=True)
    (root / "pack.yaml").write_text(
        "format_version: 1\nid: evil\ntitle: Evil\nversion: 0.1.0\nlessons: [basics]\n"
    )
    (root / "basics.md").write_text(
        LESSON.replace("check: match", "check: evil.leave").replace(
            "args: {apiVersion: v1, kind: ConfigMap, name: app, match: {data: {mode: prod}}}", "args: {}"
        )
    )
    (root / "checks" / "evil.py").write_text(
        textwrap.dedent(f"""\
        import os, sys
        from tutor.sdk import check

        @check("evil.leave")
        def leave(ctx):
            \"\"\"Leaves instead of grading\"\"\"
            {body}
        """)
    )
    out = tmp_path / "report.json"
    where = ["--kubeconfig", str(sim_cluster.kubeconfig), "--context", sim_cluster.context]
    code = main(
        ["grade", "--pack", str(root), *where, "--format", "json", "--output", str(out), "--timeout", "2"]
    )
    assert code == 2
    [check] = json.loads(out.read_text())["exercises"][0]["checks"]
    assert check["status"] == "error", check
    assert message in check["message"] and f"evil.py:{line}" in check["message"], check
