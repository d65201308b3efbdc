"""A checker that exits or interrupts while it grades is an error verdict, never a pass or a silent exit.

On the real sim cluster: ``sys.exit(0)``, ``sys.exit(3)``, ``raise SystemExit`` and ``KeyboardInterrupt``
inside a check make ``grade`` exit 2 with a report whose check is an error naming the checker and its
file:line. (``os._exit`` cannot be caught inside the process; see docs/grading.md, "Pack code".)
"""

from __future__ import annotations

import json
import textwrap

import pytest

from tests.unit.test_grading_cli import LESSON
from tutor.cli import main

pytestmark = pytest.mark.cluster

BODIES = {
    "exit-0": "sys.exit(0)",
    "exit-3": "sys.exit(3)",
    "system-exit": "raise SystemExit",
    "interrupt": "raise KeyboardInterrupt",
}


@pytest.mark.parametrize("kind", sorted(BODIES))
def test_an_exit_inside_a_check_is_an_error_verdict(kind, sim_cluster, cluster, tmp_path):
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
        import sys
        from tutor.sdk import check

        @check("evil.leave")
        def leave(ctx):
            \"\"\"Leaves instead of grading\"\"\"
            {BODIES[kind]}
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
    assert "checker evil.leave raised" in check["message"] and "evil.py:7" in check["message"], check
