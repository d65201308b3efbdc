"""The tree stays `ruff check` clean, so style problems fail the suite instead of piling up.

Runs the ruff of the interpreter running the tests (``sys.executable -m ruff``) with the project's
own configuration (pyproject.toml: line length, rule selection, the excluded fixture packs).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHECKED = ("tutor", "checks", "tests", "benchmarks")


@pytest.mark.skipif(
    importlib.util.find_spec("ruff") is None, reason="ruff is not installed (pip install -e '.[test]')"
)
def test_ruff_check_is_clean():
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", *CHECKED],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, f"ruff check {' '.join(CHECKED)} failed:\n{proc.stdout}{proc.stderr}"
