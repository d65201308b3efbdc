"""``pack lint --coverage``: a value the task asks for in backticks that no check reads is a warning at
the exercise (a wrong answer on that clause would pass); commands, prose, the exercise namespace and
values the setup gives are not requirements."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from tutor.cli import main
from tutor.lint import lint_pack
from tutor.lint.coverage import requirements, uncovered
from tutor.model import CheckRef, Exercise, SolutionStep

PACKS = Path(__file__).resolve().parent.parent / "data" / "packs"


def test_the_fixture_names_the_unchecked_value_at_the_exercise(capsys):
    assert main(["pack", "lint", str(PACKS / "task-not-checked"), "--coverage"]) == 0  # warnings only
    out = capsys.readouterr().out
    assert "one.md:8: warning: task: exercise 'one-task': the task asks for `mode=prod`" in out
    assert "`web`" not in out  # the check's own argument
    assert not lint_pack(PACKS / "task-not-checked").problems  # off by default: lint stays as it was


def test_requirements_skip_commands_and_prose():
    text = "Run `kubectl get pods` and read `the output`; create `web` with `nginx:1.25` and `tier=fe`."
    assert requirements(text) == ["web", "nginx:1.25", "tier=fe"]


def test_setup_values_and_the_namespace_are_context_not_requirements():
    ex = Exercise(
        id="x",
        title="t",
        task="In namespace `shop`, ConfigMap `settings` exists. Run `busybox:1.36` reading `settings`.",
        checks=(CheckRef("config.env_from", {"name": "worker", "source": "settings"}),),
        setup=(SolutionStep(manifest="kind: ConfigMap\nmetadata: {name: settings}\n"),),
        namespace="shop",
    )
    assert uncovered(ex) == ["busybox:1.36"]


def test_a_container_command_is_a_requirement_until_a_check_holds_its_words():
    task = "Run Pod `log` (`busybox:1.36`) whose container runs `sh -c 'tail -F /logs/access.log'`."
    assert requirements(task) == ["log", "busybox:1.36", "sh -c 'tail -F /logs/access.log'"]
    image_only = CheckRef("match", {"kind": "Pod", "name": "log", "match": {"image": "busybox:1.36"}})
    ex = Exercise(id="x", title="t", task=task, checks=(image_only,))
    assert uncovered(ex) == ["sh -c 'tail -F /logs/access.log'"]  # a different command would pass
    command = {"spec": {"containers": [{"command": ["sh", "-c", "tail -F /logs/access.log"]}]}}
    both = (image_only, CheckRef("match", {"kind": "Pod", "name": "log", "match": command}))
    assert uncovered(replace(ex, checks=both)) == []


def test_a_check_id_counts_as_a_mention_of_its_subject():
    task = "Give Pod `shared` an `emptyDir` volume."
    ex = Exercise(id="x", title="t", task=task, checks=(CheckRef("volumes.emptydir", {"pod": "shared"}),))
    assert uncovered(ex) == []
    ex = replace(ex, checks=(CheckRef("volumes.mount", {"pod": "shared"}),))
    assert uncovered(ex) == ["emptyDir"]
