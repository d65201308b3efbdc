"""Smoke test in a real terminal: run `k8s-tutor start` inside tmux, send keys, read the screen.

No cluster (KUBECONFIG points nowhere), so this also covers the first-run screen and reading a
lesson without a cluster. Uses a private tmux socket so it never touches the user's sessions.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

K8S_TUTOR = Path(sys.executable).with_name("k8s-tutor")


class Tmux:
    """One detached tmux session on a private socket."""

    def __init__(self, socket: str, session: str) -> None:
        self.base = ["tmux", "-L", socket]
        self.session = session

    def run(self, *args: str) -> str:
        return subprocess.run([*self.base, *args], check=True, capture_output=True, text=True).stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.session)

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", self.session, *keys)

    def wait_for(self, text: str, timeout: float = 20.0, *, gone: bool = False) -> str:
        """Poll the screen until ``text`` shows (or, with ``gone``, no longer shows)."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if (text in screen) != gone:
                return screen
            if time.monotonic() > deadline:
                what = "stayed on screen" if gone else "did not appear"
                raise AssertionError(f"{text!r} {what} for {timeout}s; the screen was:\n{screen}")
            time.sleep(0.2)


@pytest.fixture
def tmux(tmp_path):
    t = Tmux(f"k8s-tutor-test-{secrets.token_hex(4)}", "smoke")
    yield t
    subprocess.run([*t.base, "kill-server"], capture_output=True)


def test_start_in_a_real_terminal(tmux, tmp_path):
    env = {
        **os.environ,
        "K8S_TUTOR_DATA_DIR": str(tmp_path / "data"),
        "KUBECONFIG": str(tmp_path / "no-kubeconfig"),
        "TERM": "xterm-256color",
    }
    command = f"{K8S_TUTOR} start; echo EXITED-$?; sleep 30"
    subprocess.run(
        [*tmux.base, "new-session", "-d", "-s", "smoke", "-x", "80", "-y", "24", command],
        check=True,
        env=env,
    )
    screen = tmux.wait_for("No usable Kubernetes cluster")
    assert "cannot read kubeconfig" in screen  # says plainly what is wrong
    assert "Create a" in screen and "Read without a cluster" in screen
    tmux.keys("Escape")
    tmux.wait_for("No usable Kubernetes cluster", gone=True)
    screen = tmux.wait_for("pack(s). Pick a lesson", timeout=30)
    assert "⎈ no cluster" in screen
    assert "q Quit" in screen
    if "Namespaces" in screen:  # the built-in pack loaded: read its first lesson without a cluster
        tmux.keys("Enter")
        screen = tmux.wait_for("n Next")
        assert "Exercise:" in screen
        tmux.keys("c")
        tmux.wait_for("needs a cluster")
        tmux.keys("l")
        tmux.wait_for("pack(s). Pick a lesson")
    tmux.keys("?")
    tmux.wait_for("k8s-tutor keys")
    tmux.keys("Escape")
    tmux.wait_for("k8s-tutor keys", gone=True)
    tmux.keys("q")
    tmux.wait_for("EXITED-0")
    progress = tmp_path / "data" / "progress.json"
    assert not progress.exists() or '"version": 1' in progress.read_text()
