"""Start, identify and stop the sim cluster's processes — by recorded PID, never by name.

Every command line the sim driver starts contains its cluster's state folder (data dir, config or
certificate paths), so before signalling a recorded PID we check that the process behind it still
has that folder in its command line: a PID the OS reused for something else is never touched.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def spawn(cmd: list[str], log: Path, cwd: Path) -> int:
    """Start ``cmd`` detached (own session, survives the CLI), output to ``log``; returns the PID."""
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            cmd,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=cwd,
            start_new_session=True,
        )
    proc.returncode = 0  # we never wait on it here; silence "still running" ResourceWarnings
    return proc.pid


def cmdline(pid: int) -> str | None:
    """The command line of ``pid``, or None if no such (non-zombie) process exists."""
    proc = Path(f"/proc/{pid}")
    if proc.is_dir():
        try:
            if (proc / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                _reap(pid)
                return None
            return (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace").strip()
        except (OSError, IndexError):
            return None
    if sys.platform.startswith("linux"):
        return None
    out = subprocess.run(["ps", "-o", "stat=,args=", "-p", str(pid)], capture_output=True, text=True)
    text = out.stdout.strip()
    if out.returncode != 0 or not text or text.startswith("Z"):
        return None
    return text.split(None, 1)[1] if " " in text else text


def is_ours(pid: int, marker: str) -> bool:
    """True if ``pid`` runs and its command line contains ``marker`` (the cluster's state folder)."""
    line = cmdline(pid)
    return line is not None and marker in line


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def stop(pid: int, marker: str, grace: float = 10.0) -> bool:
    """SIGTERM ``pid`` if it is ours, SIGKILL after ``grace`` seconds; True if it was running."""
    if not is_ours(pid, marker):
        return False
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        _reap(pid)
        if cmdline(pid) is None:
            return True
        time.sleep(0.1)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return True
    for _ in range(50):
        _reap(pid)
        if cmdline(pid) is None:
            break
        time.sleep(0.1)
    return True


def tail(path: Path, lines: int = 12) -> str:
    """The last lines of a log file, for error messages."""
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""
