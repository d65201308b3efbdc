"""The API server stopped in the middle of a grade → status error and exit 2, never fail.

Runs on a throwaway sim cluster of its own (never the session cluster other tests share): its
kube-apiserver is stopped by recorded PID while ``k8s-tutor grade`` is polling.
"""

from __future__ import annotations

import json
import os
import secrets
import textwrap
import threading
import time
from pathlib import Path

import jsonschema
import pytest

from tutor.cli import main

pytestmark = [pytest.mark.cluster, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def throwaway_sim(tmp_path):
    from tutor.cluster import procs, sim
    from tutor.errors import TutorError

    name = f"pytest-{os.getpid()}-{secrets.token_hex(3)}"  # the session reaper recognises this pattern
    kubeconfig = tmp_path / "kubeconfig"
    try:
        st = sim.up(name, kubeconfig=kubeconfig, build=False, timeout=180)
    except TutorError as exc:
        pytest.skip(f"cannot start a second sim cluster: {exc}")

    def stop_apiserver() -> None:
        procs.stop(st.pids["kube-apiserver"], str(st.state_dir))

    try:
        yield kubeconfig, st.context, stop_apiserver
    finally:
        sim.down(name)


def test_apiserver_stopped_mid_grade_is_an_error(throwaway_sim, tmp_path):
    kubeconfig, context, stop_apiserver = throwaway_sim
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "pack.yaml").write_text("format_version: 1\nid: down\ntitle: t\nversion: 0.1.0\nlessons: [l]\n")
    (pack / "l.md").write_text(
        textwrap.dedent("""\
        ---
        id: l
        title: L
        order: 1
        ---

        # L

        ## Exercise: Waits

        ```yaml exercise
        id: waits
        namespace: apidown
        timeout: 40
        checks:
          - check: match
            args: {apiVersion: v1, kind: ConfigMap, name: never}
          - check: match
            args: {apiVersion: v1, kind: Namespace, name: default}
          - check: absent
            args: {apiVersion: v1, kind: Pod, name: ghost, hold: 30}
        ```

        Nothing to do.
        """)
    )
    timer = threading.Timer(3.0, stop_apiserver)
    timer.start()
    out = tmp_path / "report.json"
    t0 = time.monotonic()
    code = main(
        [
            "grade",
            "--pack",
            str(pack),
            "--kubeconfig",
            str(kubeconfig),
            "--context",
            context,
            "--format",
            "json",
            "--output",
            str(out),
        ]
    )
    elapsed = time.monotonic() - t0
    timer.join()
    data = json.loads(out.read_text())
    jsonschema.Draft202012Validator(json.loads((ROOT / "docs/report.schema.json").read_text())).validate(data)
    statuses = [c["status"] for c in data["exercises"][0]["checks"]]
    assert code == 2 and data["status"] == "error"
    assert statuses == ["error", "pass", "error"], data["exercises"][0]["checks"]
    assert all(
        c["message"].startswith("cluster unavailable:")
        for c in data["exercises"][0]["checks"]
        if c["status"] == "error"
    )
    assert elapsed < 30  # errors end the poll at once instead of waiting for the 40 s timeout
