"""Practice mode without a screen: ``PracticeSession`` on a ``ClusterSession`` against the sim cluster.

One learner's whole path through an exercise — open, a wrong answer, a hint, the right answer, the
solution, reset, skip — and what the progress store says after each step. No Textual: this is the
headless core the TUI drives (``tests/unit/test_core_imports.py`` checks the import side).
"""

from __future__ import annotations

import secrets
import textwrap

import pytest

from tutor.cluster.target import ClusterTarget
from tutor.content import load_pack
from tutor.practice.cluster_session import ClusterSession
from tutor.practice.practice_session import PracticeSession
from tutor.results import Status
from tutor.store.progress import ProgressStatus, ProgressStore

pytestmark = pytest.mark.cluster

CHECKER = '''\
from tutor.sdk import CheckContext, check


@check("settings.has_key")
def has_key(ctx: CheckContext, name: str, key: str) -> None:
    """ConfigMap {name} has the key {key}."""
    cm = ctx.get("v1", "ConfigMap", name)
    ctx.expect_field(cm, f"data.{key}", "blue")
'''

LESSON = """\
---
id: settings
title: Settings
---

# Settings

## Exercise: Settings

```yaml exercise
id: settings-color
namespace: NS
requires: [api]
timeout: 5
checks:
  - check: match
    args: {apiVersion: v1, kind: ConfigMap, name: settings, match: {data: {color: blue}}}
    title: ConfigMap settings has color=blue
  - check: settings.has_key
    args: {name: settings, key: color}
```

Create a ConfigMap `settings` with `color=blue`.

### Hints

1. `kubectl create configmap settings --from-literal=color=blue`

### Solution

```yaml solution
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {color: blue}
```
"""


def _configmap(color: str) -> str:
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: settings}}\ndata: {{color: {color}}}\n"


@pytest.fixture
def practice_pack(tmp_path):
    ns = f"practice-{secrets.token_hex(3)}"
    root = tmp_path / "pack"
    (root / "checks").mkdir(parents=True)
    (root / "pack.yaml").write_text(
        "format_version: 1\nid: practice-test\ntitle: Practice\nversion: 0.0.1\nlessons: [settings]\n"
    )
    (root / "settings.md").write_text(LESSON.replace("NS", ns))
    (root / "checks" / "settings.py").write_text(textwrap.dedent(CHECKER))
    return load_pack(root)


@pytest.fixture
def cluster_session(sim_cluster, cluster):
    target = ClusterTarget(str(sim_cluster.kubeconfig), sim_cluster.context, allow_context=cluster.context)
    with ClusterSession(target) as session:
        yield session


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_whole_practice_flow_is_recorded(practice_pack, cluster_session, cluster, tmp_path):
    pack = practice_pack
    exercise = pack.exercise("settings-color")
    ns = exercise.namespace
    store = ProgressStore.open(tmp_path / "progress.json")
    clock = Clock()
    practice = PracticeSession(cluster_session, store, pack, exercise, clock=clock)
    writer = cluster.writer()
    try:
        # open: recorded; the checklist already shows the titles the verdicts will carry
        assert practice.open().status is ProgressStatus.PENDING
        assert store.get(pack.id, pack.version, exercise.id).first_opened
        titles = practice.titles()
        # a checker docstring's final "." is dropped from the title
        assert titles == ["ConfigMap settings has color=blue", "ConfigMap settings has the key color"]

        # set up, then a first round: nothing there yet
        practice.start()
        assert cluster.read.get("v1", "Namespace", ns) is not None
        first = practice.check()
        assert first.result.status is not Status.PASS and not first.passed and not first.changed
        assert [c.title for c in first.result.checks] == titles

        # a wrong answer: the verdict changes (an attempt), still no pass
        writer.apply(_configmap("red"), ns)
        wrong = practice.check()
        assert wrong.result.status is Status.FAIL and wrong.changed and not wrong.passed
        assert store.get(pack.id, pack.version, exercise.id).attempts == 1

        # a hint, then there is no further one
        assert practice.next_hint() == "`kubectl create configmap settings --from-literal=color=blue`"
        assert practice.next_hint() is None
        assert store.get(pack.id, pack.version, exercise.id).hints_used == 1

        # the right answer: the first pass, without the solution's help
        writer.apply(_configmap("blue"), ns)
        right = practice.check()
        assert right.result.status is Status.PASS and right.passed and not right.with_solution
        assert practice.check().passed is False  # a pass is recorded once
        assert store.get(pack.id, pack.version, exercise.id).status is ProgressStatus.PASSED

        # the solution: revealed and remembered
        practice.reveal_solution()
        assert practice.solution_revealed

        # reset: the learner's object is gone, the checks fail again, the next verdict starts afresh
        practice.reset()
        assert practice.last_result is None
        assert cluster.read.get("v1", "ConfigMap", "settings", ns) is None
        after_reset = practice.check()
        assert after_reset.result.status is not Status.PASS and not after_reset.changed

        # skip: the solution is applied and passes, but a skip never counts as a pass
        practice.skip()
        skipped = practice.check()
        assert skipped.result.status is Status.PASS and not skipped.passed

        # progress: the real pass is kept, the hint, the solution and the time are recorded
        clock.now += 42
        assert practice.leave() == 42
        rec = store.get(pack.id, pack.version, exercise.id)
        assert rec.status is ProgressStatus.PASSED and rec.solution_revealed and rec.hints_used == 1
        assert rec.time_spent == 42 and rec.attempts >= 2
        reopened = ProgressStore.open(tmp_path / "progress.json").get(pack.id, pack.version, exercise.id)
        assert reopened == rec  # saved, not only in memory

        # a learner who only skips is recorded as skipped, never as passed
        other = ProgressStore.open(tmp_path / "other.json")
        skipper = PracticeSession(cluster_session, other, pack, exercise)
        skipper.open()
        skipper.reset()
        skipper.skip()
        assert skipper.check().result.status is Status.PASS
        assert other.get(pack.id, pack.version, exercise.id).status is ProgressStatus.SKIPPED
    finally:
        writer.delete_namespace(ns, wait=False)
