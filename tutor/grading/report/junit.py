"""JUnit XML: one ``<testsuite>`` per exercise, one ``<testcase>`` per check.

Valid against the common Jenkins/Ant JUnit schema (``tests/data/junit.xsd``). That schema has no
``<properties>`` inside a testcase, so per-check data (checker id, weight, hint, attempts) are suite
properties named ``check.<n>.<what>``, where ``<n>`` is the 1-based position also prefixed to the
testcase name. FAIL and TIMEOUT are ``<failure>`` (type ``fail``/``timeout``), ERROR is ``<error>``
(never a failure), SKIPPED is ``<skipped>``; diffs and diagnostics go in the element text and
``<system-out>``.
"""

from __future__ import annotations

import socket
import xml.etree.ElementTree as ET

from tutor.grading.matcher import describe_diffs
from tutor.results import CheckResult, ExerciseResult, GradeReport, Status


def _time(seconds: float) -> str:
    return f"{max(seconds, 0.0):.3f}"


def _counts(checks: tuple[CheckResult, ...]) -> dict[str, str]:
    def n(*statuses: Status) -> str:
        return str(sum(c.status in statuses for c in checks))

    return {
        "tests": str(len(checks)),
        "failures": n(Status.FAIL, Status.TIMEOUT),
        "errors": n(Status.ERROR),
        "skipped": n(Status.SKIPPED),
    }


def _suite(parent: ET.Element, ex: ExerciseResult, timestamp: str, language: str = "") -> None:
    suite = ET.SubElement(
        parent,
        "testsuite",
        {
            "name": f"{ex.pack_id}/{ex.exercise_id}" if ex.pack_id else ex.exercise_id,
            **_counts(ex.checks),
            "time": _time(ex.duration),
            "timestamp": timestamp,
            "hostname": socket.gethostname(),
            "package": ex.pack_id or "k8s-tutor",
        },
    )
    props = ET.SubElement(suite, "properties")
    values = [
        ("exercise", ex.exercise_id),
        ("title", ex.title),
        ("status", ex.status.value),
        ("points", f"{ex.points:g}"),
        ("points_possible", f"{ex.points_possible:g}"),
    ]
    if language:
        values.append(("language", language))  # the language of titles and messages; names never change
    if ex.skipped_reason:
        values.append(("skipped_reason", ex.skipped_reason))
    for i, check in enumerate(ex.checks, 1):
        values += [
            (f"check.{i}.id", check.check_id),
            (f"check.{i}.weight", f"{check.weight:g}"),
            (f"check.{i}.attempts", str(check.attempts)),
        ]
        if check.hint is not None:
            values.append((f"check.{i}.hint", str(check.hint)))
    for name, value in values:
        ET.SubElement(props, "property", {"name": name, "value": value})
    classname = f"{ex.pack_id}.{ex.exercise_id}" if ex.pack_id else ex.exercise_id
    for i, check in enumerate(ex.checks, 1):
        _case(suite, check, f"{i}. {check.title}", classname)


def _case(suite: ET.Element, check: CheckResult, name: str, classname: str) -> None:
    case = ET.SubElement(
        suite, "testcase", {"name": name, "classname": classname, "time": _time(check.duration)}
    )
    detail = "\n".join([describe_diffs(list(check.diffs), 20)] if check.diffs else [])
    if check.status in (Status.FAIL, Status.TIMEOUT):
        ET.SubElement(case, "failure", {"type": check.status.value, "message": check.message}).text = (
            detail or None
        )
    elif check.status is Status.ERROR:
        ET.SubElement(case, "error", {"type": "error", "message": check.message}).text = detail or None
    elif check.status is Status.SKIPPED:
        ET.SubElement(case, "skipped", {"message": check.message})
    lines = ([f"hint: {check.hint}"] if check.hint is not None else []) + list(check.diagnostics)
    if lines:
        ET.SubElement(case, "system-out").text = "\n".join(lines)


def render_junit(report: GradeReport) -> str:
    """The report as a JUnit XML document (UTF-8 declaration, indented)."""
    all_checks = tuple(c for e in report.exercises for c in e.checks)
    counts = _counts(all_checks)
    counts.pop("skipped")  # <testsuites> has no skipped attribute in the schema
    root = ET.Element("testsuites", {"name": "k8s-tutor grade", "time": _time(report.duration), **counts})
    for ex in report.exercises:
        _suite(root, ex, report.started_at, str(report.meta.get("language", "")))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
