"""The JSON report, described by ``docs/report.schema.json`` (keep the two in step)."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from typing import Any

from tutor import __version__
from tutor.grading.fieldpath import MISSING
from tutor.results import GradeReport, Status

REPORT_FORMAT = 1
"""Bumped on any incompatible change to the JSON report's shape."""


def overall_status(report: GradeReport) -> str:
    """``pass``/``fail``/``error`` in the sense of the exit code."""
    return {0: "pass", 1: "fail", 2: "error"}[report.exit_code]


def summary(report: GradeReport) -> dict[str, int]:
    """Counts of check statuses over every exercise, plus the number of exercises."""
    counts = Counter(c.status.value for e in report.exercises for c in e.checks)
    out = {
        s.value: counts.get(s.value, 0)
        for s in (Status.PASS, Status.FAIL, Status.TIMEOUT, Status.ERROR, Status.SKIPPED)
    }
    return {"exercises": len(report.exercises), "checks": sum(counts.values()), **out}


def _jsonable(value: Any) -> Any:
    if value is MISSING:
        return None
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def report_dict(report: GradeReport) -> dict[str, Any]:
    """The report as JSON data; a diff's ``actual`` is null with ``missing: true`` for an absent field."""
    exercises = []
    for ex in report.exercises:
        data = ex.to_dict()
        for position, (check, result) in enumerate(zip(data["checks"], ex.checks, strict=True), 1):
            # the engine numbers checks in reference order; results built elsewhere get their position
            check["index"] = result.index or position
            check["diffs"] = [
                {
                    "path": d.path,
                    "expected": _jsonable(d.expected),
                    "actual": _jsonable(d.actual),
                    "missing": d.actual is MISSING,
                }
                for d in result.diffs
            ]
        exercises.append(data)
    return {
        "format": REPORT_FORMAT,
        "tool": {"name": "k8s-tutor", "version": __version__},
        "status": overall_status(report),
        "exit_code": report.exit_code,
        "context": report.context,
        "server_version": report.server_version,
        "started_at": report.started_at,
        "duration": report.duration,
        "points": report.points,
        "points_possible": report.points_possible,
        "summary": summary(report),
        "meta": _jsonable(dict(report.meta)),
        "exercises": exercises,
    }


def render_json(report: GradeReport) -> str:
    """``report_dict`` as indented JSON text with a trailing newline."""
    return json.dumps(report_dict(report), indent=2, ensure_ascii=False) + "\n"
