"""``pack lint`` on one fixture pack per error class (tests/data/packs/<class>/).

Each row says which file and line the problem must name, the field, a fragment of the message and
the severity — so a regression in locations is caught as surely as a missed problem.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tutor.cli import main
from tutor.lint import lint_pack

PACKS = Path(__file__).resolve().parent.parent / "data" / "packs"

# fixture: (file, line, field, message fragment, severity)
CASES = {
    "bad-front-matter": ("one.md", 3, "titel", "did you mean 'title'?", "error"),
    "no-front-matter": ("one.md", 1, "front matter", "starts with YAML front matter", "error"),
    "unknown-exercise-key": ("one.md", 12, "point", "did you mean 'points'?", "error"),
    "bad-value": ("one.md", 13, "requires", "unknown capability 'ingres' (did you mean 'ingress'?)", "error"),
    "bad-pack-yaml": ("pack.yaml", 5, "language", "did you mean 'languages'?", "error"),
    "future-format": ("pack.yaml", 1, "format_version", "upgrade k8s-tutor", "error"),
    "unparsable-metadata": ("one.md", 13, "", "exercise metadata does not parse", "error"),
    "duplicate-yaml-key": ("one.md", 13, "points", "duplicate key (first written on line 12)", "error"),
    "duplicate-ids": ("two.md", 8, "id", "duplicate exercise id 'one-task'", "error"),
    "duplicate-lesson": ("pack.yaml", 5, "lessons[1]", "listed twice", "error"),
    "lesson-id-mismatch": ("one.md", 2, "id", "differs from the file name", "error"),
    "missing-lesson": ("pack.yaml", 5, "lessons[1]", "two.md not found", "error"),
    "unknown-check": (
        "one.md",
        13,
        "checks[0].check",
        "no checker 'tiny.exist' in pack 'unknown-check' (did you mean 'tiny.exists'?)",
        "error",
    ),
    "bad-args": (
        "one.md",
        13,
        "checks[0].args",
        "unknown argument 'nmae' (did you mean 'name'?); missing 'name'",
        "error",
    ),
    "missing-setup-file": ("one.md", 12, "setup[0]", "file 'setup/missing.yaml' not found", "error"),
    "missing-solution-file": ("one.md", 12, "solution[0]", "file 'solutions/nope.yaml' not found", "error"),
    "bad-manifest-yaml": ("one.md", 28, "", "solution manifest does not parse", "error"),
    "manifest-without-kind": ("one.md", 26, "solution", "manifest lacks kind", "error"),
    "removed-api": ("ingress.yaml", 1, "apiVersion", "Ingress extensions/v1beta1 is not served", "error"),
    "unknown-field": ("one.md", 36, "spec.rules[0].http.paths[0].backend.serviceName", "unknown", "error"),
    "no-checks": ("one.md", 11, "checks", "exercise has no checks", "error"),
    "no-solution": ("one.md", 8, "solution", "has no solution", "error"),
    "no-hints": ("one.md", 8, "hints", "has no hints", "warning"),
    "bad-kubectl-step": ("one.md", 26, "solution", "steps are kubectl commands", "error"),
    "hint-out-of-range": ("one.md", 15, "checks[0].hint", "hint 3 but the exercise has 1 hint(s)", "error"),
    "arg-type": (
        "one.md",
        15,
        "checks[1].args.port",
        "port is '80', but tiny.port takes an int: unquote",
        "error",
    ),
    "exam-yes": ("one.md", 12, "exam", "write `exam: also` (practice and exam) or `exam: only`", "error"),
    "shell-syntax": ("one.md", 26, "solution", "`&&` needs a shell, and steps do not run in one", "error"),
    "match-typo": ("one.md", 15, "checks[1].args.match.dta", "no field dta (did you mean 'data'?)", "error"),
    "translation-hints": ("one.zh.md", 8, "hints", "has 2 hint(s), the en lesson 1", "error"),
    "translation-checks": ("one.zh.md", 13, "checks[0]", "checks[0] differs from the en lesson", "error"),
    "missing-step-file": ("one.md", 26, "solution", "nope.yaml': no such file in the pack", "error"),
    "checker-syntax-error": ("broken.py", 3, "", "syntax error", "error"),
    "checker-import-error": ("broken.py", 3, "", "RuntimeError('boom')", "error"),
    "duplicate-checker": ("tiny.py", 4, "check", "checker id 'tiny.exists' is already defined at", "error"),
    "unused-checker": ("extra.py", 4, "check", "checker 'tiny.extra' is never used", "warning"),
    "stray-exercise-fence": ("one.md", 8, "fence", "outside an exercise section", "error"),
    "unlisted-lesson": ("extra.md", 0, "lessons", "not listed under lessons", "warning"),
    "bad-translation": ("one.zh.md", 8, "id", "exercise 'other-task' is not in the en lesson", "error"),
    "exam-task-not-only": ("one.md", 12, "exam", "exam-only", "error"),
    "task-name-mismatch": (
        "one.md",
        13,
        "checks[0].args.name",
        "'backup-job' is not mentioned in the task",
        "warning",
    ),
    "exam-pool-too-small": ("pack.yaml", 1, "exam.tasks", "draws 8 tasks (8 is the default", "warning"),
    "cleanup-unknown-kind": (
        "one.md",
        8,
        "cleanup[0].kind",
        "no kind 'Namespce' (did you mean 'Namespace'?)",
        "error",
    ),
    "shared-namespace": ("two.md", 8, "namespace", "also the namespace of exercise 'one-task'", "warning"),
    "foreign-namespace": ("one.md", 30, "metadata.namespace", "survive a reset", "warning"),
    "command-other-namespace": (
        "one.md",
        8,
        "hints[1]",
        "works in namespace default, but exercise 'one-task' works in one-task",
        "error",
    ),
    # Hostile input (the full set, built on the fly, is tests/unit/hostile_packs.py):
    "alias-bomb": ("pack.yaml", 7, "", "YAML aliases (*a) are not allowed", "error"),
    "non-finite-timeout": ("one.md", 12, "timeout", "at most 3600 (seconds), got inf", "error"),
    "kubectl-context-flag": ("one.md", 26, "solution", "--context is not allowed in a step", "error"),
    "lesson-outside-pack": ("pack.yaml", 5, "lessons[1]", "leads outside the pack", "error"),
    "check-args-removed-api": (
        "one.md",
        15,
        "checks[1].args.apiVersion",
        "CronJob batch/v1beta1 is not served",
        "error",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_error_class_is_found_where_it_is(name):
    file, line, field, fragment, severity = CASES[name]
    report = lint_pack(PACKS / name)
    at = [
        p for p in report.problems if (p.location.path.name, p.location.line, p.field) == (file, line, field)
    ]
    hits = [p for p in at if fragment in p.message]
    found = "\n".join(map(str, report.problems))
    assert hits, f"expected {file}:{line} {field}: ...{fragment}... in:\n{found}"
    assert hits[0].severity == severity
    assert report.exit_code == (2 if severity == "error" else 0)


def test_task_name_mismatch_also_names_the_solution():
    messages = [p.message for p in lint_pack(PACKS / "task-name-mismatch").warnings]
    assert messages == [
        "'backup-job' is not mentioned in the task text",
        "no setup or solution step mentions 'backup-job'",
    ]


def test_removed_api_versions_all_reported():
    messages = [p.message for p in lint_pack(PACKS / "removed-api").errors]
    assert any("CronJob batch/v1beta1" in m and "batch/v1" in m for m in messages)
    assert any("autoscaling/v2beta2" in m and "autoscaling/v2" in m for m in messages)
    assert len(messages) == 3


@pytest.mark.parametrize("name", ["good", "tiny"])
def test_clean_packs_have_no_problems(name):
    report = lint_pack(PACKS / name, strict=True)
    assert report.problems == [] and report.exit_code == 0


def test_strict_turns_warnings_into_errors():
    assert lint_pack(PACKS / "no-hints").exit_code == 0
    strict = lint_pack(PACKS / "no-hints", strict=True)
    assert strict.exit_code == 2 and [p.severity for p in strict.problems] == ["error"]


def test_cli_text_output_and_exit_code(capsys):
    assert main(["pack", "lint", str(PACKS / "unknown-check")]) == 2
    out = capsys.readouterr().out
    assert "one.md:13: error: checks[0].check: no checker 'tiny.exist'" in out
    assert out.rstrip().endswith("unknown-check: 1 error, 1 warning in 1 lesson, 1 exercise")


def test_cli_json_output(capsys):
    assert main(["pack", "lint", str(PACKS / "no-hints"), "--format", "json", "--strict"]) == 2
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False and data["pack"] == "no-hints" and data["errors"] == 1
    (problem,) = data["problems"]
    assert problem["file"].endswith("one.md") and problem["line"] == 8 and problem["field"] == "hints"


def test_cli_clean_pack_exits_zero(capsys):
    assert main(["pack", "lint", str(PACKS / "good" / "pack.yaml")]) == 0
    assert "good: 0 errors, 0 warnings in 2 lessons, 4 exercises" in capsys.readouterr().out


def test_missing_pack_folder_is_an_error(tmp_path):
    report = lint_pack(tmp_path / "nowhere")
    assert report.exit_code == 2 and "no pack.yaml here" in report.errors[0].message


def test_an_object_in_another_namespace_listed_under_cleanup_lints_clean_with_strict():
    """The warning's own advice ("list them under cleanup") makes it go away, so --strict is possible."""
    report = lint_pack(PACKS / "foreign-namespace-cleaned", strict=True)
    assert [str(p) for p in report.problems] == []
