"""Rendering a :class:`~tutor.lint.LintReport` as text (people) or JSON (editors, CI)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tutor.errors import FormatProblem
from tutor.lint import LintReport


def shown_path(path: Path) -> str:
    """``path`` relative to the current directory when it is below it, so messages stay short.

    Symlinks are not followed: the path is shown as the pack names it (and a symlink loop in a
    hostile pack must not raise here).
    """
    try:
        return os.path.relpath(path) if Path(os.path.abspath(path)).is_relative_to(Path.cwd()) else str(path)
    except (ValueError, OSError):
        return str(path)


def _line(p: FormatProblem) -> str:
    where = shown_path(p.location.path) + (f":{p.location.line}" if p.location.line else "")
    what = f"{p.field}: " if p.field else ""
    return f"{where}: {p.severity}: {what}{p.message}"


def summary(report: LintReport) -> str:
    """``k8s-basics: 2 errors, 1 warning in 14 lessons, 60 exercises``."""
    pack = report.pack
    scope = (
        f" in {_count(len(pack.lessons), 'lesson')}, "
        f"{_count(len(pack.exercises(include_exam_only=True)), 'exercise')}"
        if pack
        else ""
    )
    name = pack.id if pack else shown_path(report.path)
    return f"{name}: {_count(len(report.errors), 'error')}, {_count(len(report.warnings), 'warning')}{scope}"


def _count(n: int, noun: str) -> str:
    """``1 lesson``, ``2 lessons``."""
    return f"{n} {noun}{'s' * (n != 1)}"


def render_text(report: LintReport) -> str:
    """One line per problem (``file:line: severity: field: message``) and a summary line."""
    return "\n".join(
        [*(_line(p) for p in report.problems), *(f"note: {n}" for n in report.notes), summary(report)]
    )


def render_json(report: LintReport) -> str:
    """JSON: ``{ok, pack, path, errors, warnings, problems: [{file, line, field, severity, message}]}``."""
    data = {
        "ok": not report.errors,
        "pack": report.pack.id if report.pack else None,
        "path": str(report.path),
        "errors": len(report.errors),
        "warnings": len(report.warnings),
        "notes": report.notes,
        "problems": [
            {
                "file": str(p.location.path),
                "line": p.location.line,
                "field": p.field,
                "severity": p.severity,
                "message": p.message,
            }
            for p in report.problems
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False)
