"""Fuzzing pack.yaml: any text there yields a pack or located problems, never an exception."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tutor.content.loader import load_pack_report

GOOD = Path(__file__).resolve().parent.parent / "data" / "packs" / "good"
SEED = (GOOD / "pack.yaml").read_text().split("\n")
snippets = st.sampled_from(
    [
        "lessons: basics",
        "lessons: [{a: 1}]",
        "languages: []",
        "languages: [en, en]",
        "checks: /nonexistent",
        "defaults: {timeout: -1}",
        "exam: {tasks: 0}",
        "exam: 3",
        "format_version: '1'",
        "id: UPPER",
        "---",
        "  - basics",
        "lessons: [basics, basics.md]",
        "requires: api",
        "version: 1",
        "\t",
        "lessons: [../../x]",
    ]
) | st.text(max_size=20)


@pytest.fixture(scope="module")
def pack_dir(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("fuzz") / "good"
    shutil.copytree(GOOD, target)
    return target


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_pack_yaml_loads_or_reports(pack_dir, data):
    lines = list(SEED)
    for _ in range(data.draw(st.integers(1, 3))):
        i = data.draw(st.integers(0, len(lines)))
        if data.draw(st.booleans()) and i < len(lines):
            del lines[i]
        else:
            lines.insert(i, data.draw(snippets))
    (pack_dir / "pack.yaml").write_text("\n".join(lines))
    result = load_pack_report(pack_dir)
    assert result.pack is not None or result.errors
    for problem in result.problems:
        assert problem.location.path.is_relative_to(pack_dir) and problem.message
