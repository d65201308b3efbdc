"""The typed core stays mypy-clean: ``tutor/grading``, ``tutor/practice`` and ``tutor/cluster`` strictly.

Runs the mypy of the interpreter running the tests with the project's configuration (pyproject.toml
``[tool.mypy]``: the files, strict on those packages, the untyped Kubernetes client ignored).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(
    importlib.util.find_spec("mypy") is None, reason="mypy is not installed (pip install -e '.[test]')"
)
@pytest.mark.timeout(300)
def test_mypy_is_clean_on_the_typed_packages():
    proc = subprocess.run(
        [sys.executable, "-m", "mypy"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, f"mypy failed:\n{proc.stdout}{proc.stderr}"
    assert "no issues found" in proc.stdout
