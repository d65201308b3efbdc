"""The headless core never imports Textual (only ``tutor.tui`` may), checked in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys

CORE = (
    "tutor.model",
    "tutor.results",
    "tutor.errors",
    "tutor.content",
    "tutor.lint",
    "tutor.grading",
    "tutor.cluster",
    "tutor.store",
    "tutor.exam",
    "tutor.practice",
    "tutor.sdk",
    "tutor.cli",
    "tutor.commands",
)

PROBE = r"""
import importlib, json, pkgutil, sys
roots, walk = {roots!r}, {walk!r}
imported, missing = [], []
for root in roots:
    try:
        module = importlib.import_module(root)
    except ModuleNotFoundError as exc:
        if exc.name == root:
            missing.append(root)
            continue
        raise
    imported.append(root)
    for info in pkgutil.walk_packages(getattr(module, "__path__", []) if walk else [], root + "."):
        importlib.import_module(info.name)
        imported.append(info.name)
print(json.dumps({{"imported": imported, "missing": missing,
                  "textual": sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))}}))
"""


def _probe(roots: tuple[str, ...], walk: bool = True) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(roots=roots, walk=walk)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_core_modules_do_not_import_textual():
    result = _probe(CORE)
    assert {"tutor.model", "tutor.content", "tutor.grading", "tutor.store"} <= set(result["imported"])
    assert "tutor.content.parser" in result["imported"] and "tutor.grading.registry" in result["imported"]
    assert result["textual"] == [], f"textual imported by the core: {result['textual'][:5]}"


def test_the_probe_would_notice_textual():
    """The check itself works: importing the TUI does pull Textual in."""
    result = _probe(("textual.app",), walk=False)
    assert "textual" in result["textual"]
