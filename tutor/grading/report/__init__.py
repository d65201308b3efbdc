"""Reporters for a :class:`~tutor.results.GradeReport`: text (CI logs, terminals), JSON, JUnit XML.

All three are rendered from the same report, so ``grade`` and ``pack test`` can write any of them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TextIO

from tutor.grading.report.json_report import render_json
from tutor.grading.report.junit import render_junit
from tutor.grading.report.text import render_text
from tutor.results import GradeReport

FORMATS = ("text", "json", "junit")


def use_colour(stream: TextIO) -> bool:
    """Colour only on a terminal, and never when ``NO_COLOR`` is set to a non-empty value (no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def render(report: GradeReport, fmt: str, *, colour: bool = False) -> str:
    """The report in ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "json":
        return render_json(report)
    if fmt == "junit":
        return render_junit(report)
    if fmt == "text":
        return render_text(report, colour=colour)
    raise ValueError(f"unknown report format {fmt!r} (choose from {', '.join(FORMATS)})")


def write(
    report: GradeReport, fmt: str, output: str | os.PathLike[str] | None = None, stream: TextIO | None = None
) -> None:
    """Write the report to ``output`` (a file; ``-`` or None = ``stream``/stdout).

    With a file output and a non-text format, a one-line text summary still goes to the stream so a
    CI log shows the outcome.
    """
    stream = stream or sys.stdout
    if output and str(output) != "-":
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        Path(output).write_text(render(report, fmt), encoding="utf-8")
        print(
            render(report, "text", colour=use_colour(stream))
            if fmt == "text"
            else render_text(report, colour=use_colour(stream), summary_only=True),
            file=stream,
        )
        return
    stream.write(render(report, fmt, colour=use_colour(stream) and fmt == "text"))
    stream.flush()
