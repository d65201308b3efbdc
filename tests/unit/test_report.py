"""Reporters: JSON vs docs/report.schema.json, JUnit vs tests/data/junit.xsd, text colour rules."""

from __future__ import annotations

import dataclasses
import io
import json
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
import xmlschema

from tutor.grading import report as reporters
from tutor.grading.fieldpath import MISSING
from tutor.results import CheckResult, ExerciseResult, FieldDiff, GradeReport, Status

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "report.schema.json").read_text())
XSD = xmlschema.XMLSchema(str(ROOT / "tests" / "data" / "junit.xsd"))


def sample_report(with_error: bool = True) -> GradeReport:
    checks = (
        CheckResult(
            "match",
            "Deployment web has 3 replicas",
            Status.FAIL,
            "replicas differ",
            (
                FieldDiff(".spec.replicas", 3, 2),
                FieldDiff(".spec.template.spec.containers[name=db]", {"name": "db"}, MISSING),
            ),
            hint=2,
            diagnostics=("event Warning FailedScheduling on Pod web-1: 0/3 nodes",),
            attempts=30,
            duration=30.01,
            weight=2,
        ),
        CheckResult("pods.ready", "Pods are ready <&>", Status.PASS, attempts=3, duration=2.5),
        CheckResult(
            "absent",
            "Pod tmp does not exist",
            Status.TIMEOUT,
            "timed out after 3 s: Pod tmp not found",
            attempts=4,
            duration=3.0,
        ),
        CheckResult(
            "res.cpu", "cpu request", Status.FAIL, "cpu", (FieldDiff(".cpu", Decimal("0.5"), "250m"),)
        ),
    )
    if with_error:
        checks += (CheckResult("buggy", "crashes", Status.ERROR, "checker buggy raised ZeroDivisionError"),)
    exercises = (
        ExerciseResult("k8s-basics", "deploy-web", "Deploy web", checks, points_possible=4, duration=31.2),
        ExerciseResult(
            "k8s-basics",
            "probes",
            "Probes",
            (CheckResult("probes.x", "probe", Status.SKIPPED, "needs containers"),),
            points_possible=2,
            skipped_reason="the cluster lacks containers",
        ),
    )
    return GradeReport(
        exercises,
        context="k8s-tutor-sim",
        server_version="v1.36.1",
        started_at="2026-11-27T06:00:00Z",
        duration=31.5,
        meta={"pack": "k8s-basics"},
    )


@pytest.mark.parametrize("with_error,exit_code", [(True, 2), (False, 1)])
def test_json_report_validates_against_schema(with_error, exit_code):
    data = json.loads(reporters.render(sample_report(with_error), "json"))
    jsonschema.Draft202012Validator(SCHEMA).validate(data)
    assert data["exit_code"] == exit_code and data["status"] == {1: "fail", 2: "error"}[exit_code]
    first = data["exercises"][0]["checks"][0]
    assert first["diffs"][1] == {
        "path": ".spec.template.spec.containers[name=db]",
        "expected": {"name": "db"},
        "actual": None,
        "missing": True,
    }
    assert first["hint"] == 2 and first["weight"] == 2
    assert (
        data["summary"]["fail"] == 2 and data["summary"]["timeout"] == 1 and data["summary"]["skipped"] == 1
    )


def test_schema_is_not_vacuous():
    data = json.loads(reporters.render(sample_report(), "json"))
    data["exercises"][0]["checks"][0]["status"] = "kinda"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(SCHEMA).validate(data)
    del data["exercises"][0]["checks"][0]["status"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(SCHEMA).validate(data)


def test_junit_validates_and_has_one_testcase_per_check():
    text = reporters.render(sample_report(), "junit")
    XSD.validate(text)
    root = ET.fromstring(text)
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["k8s-basics/deploy-web", "k8s-basics/probes"]
    cases = suites[0].findall("testcase")
    assert len(cases) == 5 and cases[1].get("name") == "2. Pods are ready <&>"
    assert (suites[0].get("tests"), suites[0].get("failures"), suites[0].get("errors")) == ("5", "3", "1")
    props = {p.get("name"): p.get("value") for p in suites[0].find("properties")}
    assert props["check.1.weight"] == "2" and props["check.1.hint"] == "2" and props["points"] == "0.6667"
    assert (
        cases[0].find("failure").get("type") == "fail"
        and ".spec.replicas: expected 3, got 2" in cases[0].find("failure").text
    )
    assert cases[2].find("failure").get("type") == "timeout"
    assert cases[4].find("error") is not None and cases[4].find("failure") is None
    assert "FailedScheduling" in cases[0].find("system-out").text
    assert suites[1].find("testcase").find("skipped") is not None


def test_xsd_is_not_vacuous():
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        XSD.validate(
            '<testsuites><testsuite name="x" tests="1" failures="0" errors="0"><testcase/></testsuite>'
            "</testsuites>"
        )
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        XSD.validate(
            '<testsuites><testsuite name="x" tests="1" failures="0" errors="0">'
            '<testcase name="a"><properties/></testcase></testsuite></testsuites>'
        )


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_text_is_readable_and_coloured_only_on_a_tty(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    plain = io.StringIO()
    reporters.write(sample_report(), "text", stream=plain)
    out = plain.getvalue()
    assert "\x1b[" not in out
    assert "ERR   deploy-web  Deploy web  [0.6667/4 points, 31.2 s]" in out
    assert "    FAIL  Deployment web has 3 replicas" in out and "    TIME  Pod tmp does not exist" in out
    assert ".spec.template.spec.containers[name=db]: expected {'name': 'db'}, got (missing)" in out
    assert "hint #2 fits this failure" in out and "| event Warning FailedScheduling" in out
    assert out.rstrip().endswith(
        "0 passed, 0 failed, 1 errors, 1 skipped - 0.6667/4 points - 31.5 s - exit 2"
    )
    tty = _Tty()
    reporters.write(sample_report(), "text", stream=tty)
    assert "\x1b[31mFAIL\x1b[0m" in tty.getvalue() and "\x1b[35mERR \x1b[0m" in tty.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    tty = _Tty()
    reporters.write(sample_report(), "text", stream=tty)
    assert "\x1b[" not in tty.getvalue()


@pytest.mark.parametrize(
    "meta,title",
    [
        ({}, "k8s-tutor grade"),
        ({"command": "pack test"}, "k8s-tutor pack test"),
        ({"exam": {}}, "k8s-tutor exam grade"),
    ],
)
def test_text_header_names_the_command_that_made_the_report(meta, title):
    report = dataclasses.replace(sample_report(), meta=meta)
    assert reporters.render(report, "text").startswith(f"{title}: context k8s-tutor-sim, server v1.36.1\n")


def test_write_to_file_keeps_a_summary_on_the_log(tmp_path):
    log = io.StringIO()
    target = tmp_path / "out" / "report.xml"
    reporters.write(sample_report(), "junit", target, stream=log)
    XSD.validate(str(target))
    assert log.getvalue().startswith("0 passed, 0 failed, 1 errors, 1 skipped")
    with pytest.raises(ValueError, match="unknown report format"):
        reporters.render(sample_report(), "yaml")


def _env_error_exercise(ex_id: str, message: str, n: int = 3) -> ExerciseResult:
    checks = tuple(CheckResult(f"c{i}", f"check {i}", Status.ERROR, message) for i in range(1, n + 1))
    return ExerciseResult("k8s-basics", ex_id, ex_id, checks, points_possible=1)


def test_text_prints_a_shared_environment_error_once_per_exercise():
    kubeconfig = "kubeconfig /home/me/.kube/config is unreadable"
    failing = sample_report().exercises[0]  # its failures keep their own messages
    report = dataclasses.replace(sample_report(), exercises=(_env_error_exercise("a", kubeconfig), failing))
    out = reporters.render(report, "text")
    assert out.count(kubeconfig) == 1 and f"      every check: {kubeconfig}" in out
    assert out.count("    ERR   check ") == 3  # each check is still listed
    assert "replicas differ" in out and "timed out after 3 s: Pod tmp not found" in out
    assert "checker buggy raised ZeroDivisionError" in out
    assert "every check of this run" not in out


def test_text_prints_an_error_shared_by_the_whole_run_once():
    down = "the API server at https://127.0.0.1:6443 does not answer"
    report = dataclasses.replace(
        sample_report(), exercises=(_env_error_exercise("a", down), _env_error_exercise("b", down, 4))
    )
    out = reporters.render(report, "text")
    assert out.count(down) == 1 and f"every check of this run: {down}" in out
    assert out.count("    ERR   check ") == 7
    # different messages are not merged
    mixed = (_env_error_exercise("a", down), _env_error_exercise("b", "another error"))
    out = reporters.render(dataclasses.replace(report, exercises=mixed), "text")
    assert out.count(down) == 1 and out.count("another error") == 1 and "of this run" not in out


def test_json_checks_carry_a_one_based_index_even_when_ids_repeat():
    checks = (
        CheckResult("match", "a", Status.PASS, index=1),
        CheckResult("match", "b", Status.FAIL, "no b", index=2),
        CheckResult("absent", "c", Status.ERROR, "boom"),  # built by hand: its position stands in
    )
    ex = ExerciseResult("p", "e", "E", checks, points_possible=1)
    data = json.loads(reporters.render(dataclasses.replace(sample_report(), exercises=(ex,)), "json"))
    jsonschema.validate(data, SCHEMA)
    assert [(c["check_id"], c["index"]) for c in data["exercises"][0]["checks"]] == [
        ("match", 1),
        ("match", 2),
        ("absent", 3),
    ]
    del data["exercises"][0]["checks"][0]["index"]
    with pytest.raises(jsonschema.ValidationError, match="'index' is a required property"):
        jsonschema.validate(data, SCHEMA)
