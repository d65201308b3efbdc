"""A stand-in backend for pilot tests: an in-memory "cluster" of named objects.

It implements ``tutor.tui.backend.Backend`` faithfully enough to drive every flow: a check passes
when the object its ``args['name']`` names exists (and has ``args['label']`` when given), the
watch yields on every change, and ``down = True`` makes the API unreachable.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from tutor.cluster.drivers import DriverChoice
from tutor.errors import ClusterUnavailable
from tutor.grading.batch import check_titles
from tutor.grading.outcomes import in_language, msg
from tutor.model import ApplyBlock, CheckRef, Exercise, Lesson, Pack, SolutionStep, SourceLocation
from tutor.practice.core import ClusterStatus, PackEntry, Watch
from tutor.results import CheckResult, ExerciseResult, FieldDiff, Status
from tutor.store.progress import ProgressStore

LESSON_BODY = """\
# Namespaces

Namespaces split one cluster into named rooms.

```yaml apply
apiVersion: v1
kind: Namespace
metadata:
  name: demo
```

## Exercise: Environment namespaces

```yaml exercise
id: env-namespaces
```

Create the namespaces `dev` and `prod`, each labelled `env=<name>`.

### Hints

1. `kubectl create namespace dev`
2. `kubectl label namespace dev env=dev`

### Solution

```bash solution
kubectl create namespace dev
```
"""


def demo_pack(root: Path = Path("/nonexistent/pack")) -> Pack:
    """Two lessons: one with an exercise (two checks, two hints, a solution), one to read."""
    loc = SourceLocation(root / "namespaces.md", 12)
    exercise = Exercise(
        id="env-namespaces",
        title="Environment namespaces",
        task="Create the namespaces `dev` and `prod`, each labelled `env=<name>`.",
        checks=(
            CheckRef(
                "namespaces.labelled", {"name": "dev", "label": "env"}, title="Namespace dev has env=dev"
            ),
            CheckRef(
                "namespaces.labelled", {"name": "prod", "label": "env"}, title="Namespace prod has env=prod"
            ),
        ),
        hints=("`kubectl create namespace dev`", "`kubectl label namespace dev env=dev`"),
        solution=(
            SolutionStep(kubectl="create namespace dev"),
            SolutionStep(
                manifest="apiVersion: v1\nkind: Namespace\nmetadata: {name: prod, labels: {env: prod}}\n"
            ),
        ),
        namespace="ex-env",
        lesson_id="namespaces",
        location=loc,
    )
    lessons = (
        Lesson(
            id="namespaces",
            title="Namespaces",
            order=1,
            body=LESSON_BODY,
            exercises=(exercise,),
            apply_blocks=(ApplyBlock("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: demo\n", loc),),
        ),
        Lesson(
            id="reading", title="Labels, a reading", order=2, body="# Labels\n\nJust reading.\n", exercises=()
        ),
    )
    return Pack(
        id="demo", title="Demo pack", version="1.0", root=root, lessons=lessons, checks_dir=root / "checks"
    )


LESSON_BODY_ZH = """\
# 名字空间

名字空间把一个集群分成若干个有名字的房间。

## 练习：环境名字空间

```yaml exercise
id: env-namespaces
```

创建名字空间 `dev` 和 `prod`，并分别加上标签 `env=<名字>`。
"""


def demo_pack_zh(root: Path = Path("/nonexistent/pack")) -> Pack:
    """:func:`demo_pack` as ``translated(pack, "zh")`` gives it: Chinese text, the same checks."""
    from dataclasses import replace

    pack = demo_pack(root)
    lesson, reading = pack.lessons
    [exercise] = lesson.exercises
    exercise = replace(
        exercise,
        title="环境名字空间",
        task="创建名字空间 `dev` 和 `prod`，并分别加上标签 `env=<名字>`。"
        "这一行故意写得很长，用来检查中文在窄终端里是否正确换行而不会截断字符。",
        checks=tuple(
            replace(ref, title=f"名字空间 {ref.args['name']} 带有 env={ref.args['name']}")
            for ref in exercise.checks
        ),
        hints=("`kubectl create namespace dev`", "`kubectl label namespace dev env=dev`"),
    )
    lesson = replace(lesson, title="名字空间", body=LESSON_BODY_ZH, exercises=(exercise,), language="zh")
    reading = replace(reading, title="标签（阅读）", body="# 标签\n\n只需阅读。\n", language="zh")
    return replace(pack, title="演示课程包", lessons=(lesson, reading))


class FakeBackend:
    """An in-memory cluster behind the ``Backend`` protocol; tests flip ``down`` and add objects."""

    def __init__(
        self,
        store: ProgressStore,
        *,
        entries: list[PackEntry] | None = None,
        reachable: bool = True,
        language: str | None = None,
    ):
        self.progress = store
        self.language = language  # "zh": the demo pack in Chinese, and the checks' messages too
        demo = demo_pack_zh() if language == "zh" else demo_pack()
        self.entries = entries if entries is not None else [PackEntry(spec="demo", pack=demo)]
        self.objects: dict[str, dict[str, str]] = {}  # name -> labels
        self.own_rights_notice: str | None = (
            None  # what CoreBackend.identity_notice says on a foreign context
        )
        self.down = not reachable
        self.configured = reachable
        self.calls: list[str] = []
        self.capabilities: frozenset[str] = frozenset()  # what the probe reports (empty: not known)
        self.skip_reason = ""  # set: every exercise "needs containers" this cluster lacks
        self.start_error: Exception | None = None  # set: start_exercise raises it (e.g. ContextRefused)
        # what `cluster up` would pick; tests set a notice (sim build) or can_create=False (no Go)
        self.driver_choice = DriverChoice(
            "sim", "Docker is not installed, so the Docker-free sim driver is used"
        )
        self._changed = threading.Condition()
        self._generation = 0

    # --- test controls --------------------------------------------------------------------------

    def put(self, name: str, **labels: str) -> None:
        """What a learner's ``kubectl apply`` does: create or update an object and notify watches."""
        with self._changed:
            self.objects[name] = dict(labels)
            self._generation += 1
            self._changed.notify_all()

    # --- Backend ----------------------------------------------------------------------------------

    def load_packs(self) -> list[PackEntry]:
        return self.entries

    def cluster_status(self) -> ClusterStatus:
        if not self.configured:
            return ClusterStatus(message="No kubeconfig was found (~/.kube/config is missing).")
        if self.down:
            return ClusterStatus(context="fake", message="connection refused", configured=True)
        return ClusterStatus(
            context="fake", reachable=True, version="v1.36.0", configured=True, capabilities=self.capabilities
        )

    def suggested_driver(self) -> DriverChoice:
        return self.driver_choice

    def create_cluster(self, driver: str, progress: Callable[[str], None]) -> None:
        self.calls.append(f"create:{driver}")
        for line in ("building binaries", "starting etcd", "starting kube-apiserver"):
            progress(line)
        self.configured, self.down = True, False

    def check_titles(self, pack: Pack, exercise: Exercise) -> list[str]:
        return check_titles(exercise)  # the real title rule, without a checker registry

    def start_exercise(self, pack: Pack, exercise: Exercise) -> None:
        self._guard()
        self.calls.append(f"start:{exercise.id}")
        if self.start_error:
            raise self.start_error

    def point_kubectl_at(self, exercise: Exercise) -> str:
        self.calls.append(f"point:{exercise.namespace}")
        ns = exercise.namespace
        return f"kubectl (context fake) now works in namespace {ns}" if ns else ""

    def check_once(self, pack: Pack, exercise: Exercise) -> ExerciseResult:
        self._guard()
        self.calls.append(f"check:{exercise.id}")
        if self.skip_reason:
            return ExerciseResult(
                pack.id, exercise.id, exercise.title, (), 1.0, skipped_reason=self.skip_reason
            )
        return ExerciseResult(
            pack.id, exercise.id, exercise.title, tuple(self._grade(r) for r in exercise.checks), 1.0
        )

    def _grade(self, ref: CheckRef) -> CheckResult:
        name, label = ref.args["name"], ref.args.get("label")
        title = ref.title or ref.check
        if name not in self.objects:
            said = msg(en=f"Namespace {name} not found", zh=f"找不到名字空间 {name}")
            return CheckResult(ref.check, title, Status.TIMEOUT, in_language(said, self.language))
        actual = self.objects[name].get(label) if label else name
        if label and actual != name:
            diff = FieldDiff(f"metadata.labels.{label}", name, actual)
            said = msg(
                en=f"namespace {name} has no {label} label",
                zh=f"名字空间 {name} 的标签 {label} 不是 {name}，而是 {actual}。"
                "这条消息故意写得很长，用来检查换行",
            )
            return CheckResult(ref.check, title, Status.FAIL, in_language(said, self.language), (diff,))
        return CheckResult(ref.check, title, Status.PASS)

    def watch_changes(self, pack: Pack, exercise: Exercise, watch: Watch) -> Iterator[str]:
        seen = self._generation
        while not watch.stop.is_set():
            with self._changed:
                self._changed.wait(timeout=0.2)
                generation = self._generation
            if self.down:
                raise ConnectionError("watch stream ended: connection refused")
            if generation != seen:
                seen = generation
                yield "MODIFIED"

    def identity_notice(self) -> str | None:
        return self.own_rights_notice

    def apply_block(self, block: ApplyBlock, namespace: str | None) -> str:
        self._guard()
        self.calls.append("apply-block")
        self.put("demo")
        return "created"

    def apply_solution(self, pack: Pack, exercise: Exercise) -> None:
        self._guard()
        self.calls.append(f"solution:{exercise.id}")
        self.put("dev", env="dev")
        self.put("prod", env="prod")

    def reset_exercise(self, pack: Pack, exercise: Exercise) -> None:
        self._guard()
        self.calls.append(f"reset:{exercise.id}")
        with self._changed:
            self.objects.clear()
            self._generation += 1
            self._changed.notify_all()

    def _guard(self) -> None:
        if self.down:
            raise ClusterUnavailable("the API server at https://127.0.0.1:6443 refused the connection")


# --- a real pack on disk, for tests of the real backend ---------------------------------------

SOLUTION = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {color: blue}\n"

PACK_LESSON = """\
---
id: tui-demo
title: TUI demo
order: 1
---

# TUI demo

A ConfigMap holds settings.

```yaml apply
apiVersion: v1
kind: ConfigMap
metadata:
  name: example
  namespace: NS
data: {hello: world}
```

## Exercise: Settings

```yaml exercise
id: tui-settings
namespace: NS
requires: [api]
timeout: 10
checks:
  - check: match
    args: {apiVersion: v1, kind: ConfigMap, name: settings, match: {data: {color: blue}}}
    title: ConfigMap settings has color=blue
```

Create a ConfigMap `settings` with `color=blue`.

### Hints

1. `kubectl create configmap settings --from-literal=color=blue`

### Solution

```yaml solution
SOLUTION```
"""


def write_pack(root: Path, namespace: str) -> Path:
    """A one-lesson pack on disk whose exercise works in ``namespace`` (for the real backend)."""
    root.mkdir(parents=True)
    (root / "checks").mkdir()
    (root / "pack.yaml").write_text(
        "format_version: 1\nid: tui-sim\ntitle: TUI sim test\nversion: 0.0.1\n"
        "lessons: [tui-demo]\nrequires: [api]\n"
    )
    (root / "tui-demo.md").write_text(PACK_LESSON.replace("NS", namespace).replace("SOLUTION", SOLUTION))
    return root
