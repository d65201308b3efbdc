"""Hostile and malformed packs, one per class of attack on the loader, built on the fly.

Each :class:`Hostile` is the clean ``tests/data/packs/tiny`` pack with files replaced or added
(symlinks, FIFOs and 2 MiB files cannot live in git, so every pack is built in a temp folder).
``expect`` names the file the error must point at, a text on the line it must name (None: the
whole file, line 0) and a fragment of the message. ``tests/unit/test_hostile_packs.py`` runs every
command against every pack.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

TINY = Path(__file__).resolve().parent.parent / "data" / "packs" / "tiny"

BOMB = """a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""
"""The "billion laughs": nine levels of nine aliases, 9**9 strings once expanded."""

DEEP_FLOW = "[" * 200 + "]" * 200
DEEP_BLOCK = "".join("  " * i + f"k{i}:\n" for i in range(100)) + "  " * 100 + "end: 1\n"


def lesson(
    *, front: str = "", meta: str = "", args: str = "{name: web}", body: str = "", solution: str = ""
) -> str:
    """tiny's one.md with extra front matter keys, metadata keys, check args, body text, solution."""
    solution = solution or "```bash solution\nkubectl create configmap web\n```\n"
    return (
        f"---\nid: one\ntitle: Lesson one\n{front}---\n\n# Lesson\n\n{body}## Exercise: Task\n\n"
        f"```yaml exercise\nid: one-task\n{meta}checks:\n  - check: tiny.exists\n    args: {args}\n```\n\n"
        "Create the ConfigMap `web`.\n\n### Hints\n\n1. `kubectl create configmap web`\n\n"
        f"### Solution\n\n{solution}"
    )


def pack_yaml(extra: str = "", lessons: str = "[one]") -> str:
    return f"format_version: 1\nid: tiny\ntitle: Fixture tiny\nversion: 0.1.0\nlessons: {lessons}\n{extra}"


ABSENT_WITH_HOLD = "{name: web}\n  - check: absent\n    args: {apiVersion: v1, kind: Pod, name: x, hold: %s}"
"""Check args adding a second check: the built-in ``absent`` with ``args.hold`` set."""


def indent(text: str, by: str) -> str:
    return "".join(by + line + "\n" for line in text.splitlines())


@dataclass
class Hostile:
    """One hostile pack: files to write (relative path → text) and other things to make."""

    name: str
    files: dict[str, str] = field(default_factory=dict)
    make: Callable[[Path], None] | None = None
    expect: tuple[str, str | None, str] = ("one.md", None, "")
    code: bool = False  # the pack's files are fine; its checker code misbehaves when imported

    def build(self, base: Path) -> Path:
        root = base / self.name
        shutil.copytree(TINY, root)
        (base / "outside").mkdir(exist_ok=True)
        (base / "outside" / "secret.md").write_text(lesson())
        (base / "outside" / "secret.yaml").write_text(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: s}\n"
        )
        (base / "outside" / "evil.py").write_text("import os\nos.environ['HOSTILE'] = '1'\n")
        for rel, text in self.files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text)
        if self.make:
            self.make(root)
        return root

    def location(self, root: Path) -> tuple[str, int]:
        """(file name, line) the error must name."""
        file, marker, _fragment = self.expect
        if marker is None:
            return Path(file).name, 0
        lines = (root / file).read_text().splitlines()
        return Path(file).name, next(i for i, line in enumerate(lines, 1) if marker in line)


def _symlink(rel: str, target: str) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        link = root / rel
        link.parent.mkdir(parents=True, exist_ok=True)
        if link.exists() or link.is_symlink():
            link.unlink()
        link.symlink_to(target)

    return make


def _loop(rel: str) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        link = root / rel
        link.parent.mkdir(parents=True, exist_ok=True)
        if link.is_dir() and not link.is_symlink():
            shutil.rmtree(link)
        elif link.exists():
            link.unlink()
        link.symlink_to(link.name)  # points at itself

    return make


def _fifo(rel: str) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        (root / rel).unlink()
        os.mkfifo(root / rel)

    return make


def _latin1(rel: str) -> Callable[[Path], None]:
    """``rel`` saved as Latin-1 with an ``é`` on its third line (an editor's legacy encoding)."""

    def make(root: Path) -> None:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(b"a: 1\nb: 2\ndescription: caf\xe9\n")

    return make


BIG = "x" * (2 * 1024 * 1024)


def in_lesson(name: str, marker: str | None, fragment: str, **parts: str) -> Hostile:
    """A pack whose one.md is :func:`lesson` with ``parts``; the error is on the ``marker`` line."""
    return Hostile(name, {"one.md": lesson(**parts)}, None, ("one.md", marker, fragment))


def in_pack_yaml(name: str, extra: str, marker: str | None, fragment: str, lessons: str = "[one]") -> Hostile:
    """A pack whose pack.yaml has ``extra`` lines (and ``lessons``); the error is on the ``marker`` line."""
    return Hostile(name, {"pack.yaml": pack_yaml(extra, lessons)}, None, ("pack.yaml", marker, fragment))


def linked(
    name: str, link: str, target: str | None, expect: tuple[str, str | None, str], files: dict | None = None
) -> Hostile:
    """A pack with ``files`` and a symlink ``link`` → ``target`` (None: the link points at itself)."""
    return Hostile(name, files or {}, _symlink(link, target) if target else _loop(link), expect)


def in_checker(name: str, code: str, fragment: str) -> Hostile:
    """A pack whose checker file runs ``code`` when imported; the error is on the ``# HERE`` line
    (or at the file, when the code ends the worker process before it can say where)."""
    checker = "\n\n@check('tiny.exists')\ndef exists(ctx, name):\n    pass\n"
    source = "from tutor.sdk import check\n" + code + checker
    marker = "# HERE" if "# HERE" in code else None
    return Hostile(name, {"checks/tiny.py": source}, None, ("checks/tiny.py", marker, fragment), code=True)


OUT = "outside the pack"
TWO = {"pack.yaml": pack_yaml(lessons="[one, two]")}
SETUP_X = {"one.md": lesson(meta="setup: [setup/x.yaml]\n")}
ZH = {"pack.yaml": pack_yaml("languages: [en, zh]\n")}
CLEANUP = "cleanup:\n  - {apiVersion: v1, kind: %s, name: %s%s}\n"

HOSTILE: list[Hostile] = [
    # --- checker code that misbehaves at import (it runs in the checker worker) -----------------
    in_checker("checker-sys-exit", "import sys\nsys.exit(0)  # HERE", "SystemExit"),
    in_checker("checker-exit-3", "raise SystemExit(3)  # HERE", "SystemExit"),
    in_checker("checker-interrupt", "raise KeyboardInterrupt  # HERE", "KeyboardInterrupt"),
    in_checker("checker-os-exit", "import os\nos._exit(0)", "exited with code 0"),
    in_checker("checker-sigkill", "import os\nos.kill(os.getpid(), 9)", "killed by signal 9"),
    in_checker("checker-sleep", "import time\ntime.sleep(600)  # HERE", "did not finish within"),
    in_checker("checker-memory", "x = []\nwhile True:\n    x.append(bytearray(10**8))  # HERE", "Memory"),
    # --- YAML aliases (the billion laughs) in every kind of pack file ------------------------
    in_pack_yaml("alias-pack-yaml", "x:\n" + indent(BOMB, "  "), "*a", "aliases"),
    in_lesson("alias-front-matter", "*a", "aliases", front="x:\n" + indent(BOMB, "  ")),
    in_lesson("alias-front-matter-flow", "x: *t", "aliases", front="tags: &t [a, b]\nx: *t\n"),
    in_lesson("alias-exercise-meta", "*a", "aliases", meta="x:\n" + indent(BOMB, "  ")),
    in_lesson("alias-check-args", "*a", "aliases", args="\n" + indent(BOMB, "      ")),
    in_lesson("alias-apply-block", "*a", "aliases", body="```yaml apply\n" + BOMB + "```\n\n"),
    in_lesson("alias-solution-manifest", "*a", "aliases", solution="```yaml solution\n" + BOMB + "```\n"),
    Hostile(
        "alias-setup-file",
        {"one.md": lesson(meta="setup: [setup/bomb.yaml]\n"), "setup/bomb.yaml": BOMB},
        None,
        ("setup/bomb.yaml", "*a", "aliases"),
    ),
    in_lesson(
        "alias-inline-manifest", "manifest:", "aliases", meta='setup:\n  - manifest: "a: &a [1]\\nb: *a\\n"\n'
    ),
    in_lesson("alias-merge-key", "<<: *b", "aliases", front="base: &b {x: 1}\nother:\n  <<: *b\n"),
    # --- nesting depth -----------------------------------------------------------------------
    in_lesson("deep-front-matter", "tags: [[[", "nested deeper", front=f"tags: {DEEP_FLOW}\n"),
    # exercise > checks > reference > args > k0 ...: the mapping holding k61 is 65 deep
    in_lesson("deep-check-args", "k61:", "nested deeper", args="\n" + indent(DEEP_BLOCK, "      ")),
    in_pack_yaml("deep-pack-yaml", f"x: {DEEP_FLOW}\n", "x: [[[", "nested deeper"),
    in_lesson(
        "deep-solution-manifest", "k64:", "nested deeper", solution=f"```yaml solution\n{DEEP_BLOCK}```\n"
    ),
    # --- sizes and file types ----------------------------------------------------------------
    in_lesson("huge-lesson", None, "at most 262144 bytes", body=BIG + "\n\n"),
    Hostile("latin1-lesson", {}, _latin1("one.md"), ("one.md", None, "line 3, column 17 has byte 0xe9")),
    Hostile(
        "latin1-setup-file",
        {"one.md": lesson(meta="setup: [setup/x.yaml]\n")},
        _latin1("setup/x.yaml"),
        ("one.md", "setup: [setup/x.yaml]", "'setup/x.yaml': the file is not UTF-8 text: line 3"),
    ),
    in_lesson("heading-flood", None, "at most 262144 bytes", body="# h\n" * 70_000),
    in_pack_yaml("huge-pack-yaml", f"description: {BIG}\n", None, "at most 1048576 bytes"),
    Hostile(
        "huge-setup-file",
        {"one.md": lesson(meta="setup: [big.yaml]\n"), "big.yaml": f"# {BIG}\n"},
        None,
        ("one.md", "setup: [big.yaml]", "at most 1048576 bytes"),
    ),
    Hostile("fifo-lesson", {}, _fifo("one.md"), ("one.md", None, "not a regular file")),
    # --- numbers -------------------------------------------------------------------------------
    in_lesson("timeout-inf", "timeout:", "got inf", meta="timeout: .inf\n"),
    in_lesson("timeout-nan-check", "timeout: .nan", "got nan", args="{name: web}\n    timeout: .nan"),
    in_pack_yaml("timeout-huge-default", "defaults: {timeout: 1.0e+300}\n", "defaults:", "at most 3600"),
    in_pack_yaml("poll-zero", "defaults: {poll: 0}\n", "defaults:", "poll"),
    in_lesson("hold-negative", "hold: -1", "at least 0", args="{name: web}\n    hold: -1"),
    in_lesson("hold-inf", "hold:", "got inf", args="{name: web}\n    hold: .inf"),
    in_lesson("points-inf", "points:", "got inf", meta="points: .inf\n"),
    in_lesson("weight-negative", "weight:", "at least 0", args="{name: web}\n    weight: -5"),
    in_lesson("minutes-absurd", "minutes:", "at most 1440", front="minutes: 1000000000\n"),
    in_lesson("exercise-minutes-nan", "minutes:", "nan", meta="minutes: .nan\n"),
    in_pack_yaml("exam-duration-zero", "exam: {duration: 0}\n", "exam:", "at least 1"),
    in_pack_yaml("exam-tasks-huge", "exam: {tasks: 100000000}\n", "exam:", "at most 500"),
    in_pack_yaml("exam-pass-mark-nan", "exam: {pass_mark: .nan}\n", "exam:", "got nan"),
    in_lesson("order-inf", "order:", "got inf", front="order: .inf\n"),
    in_lesson("huge-integer", "id: one-task", "does not parse", meta="points: " + "9" * 5000 + "\n"),
    in_lesson("args-hold-inf", "kind: Pod", "at most 3600", args=ABSENT_WITH_HOLD % ".inf"),
    in_lesson("args-hold-text", "kind: Pod", "args.hold", args=ABSENT_WITH_HOLD % "soon"),
    # --- cleanup values that would become kubectl flags or API paths ------------------------
    in_lesson(
        "cleanup-name-flag",
        "--kubeconfig",
        "object name",
        meta=CLEANUP % ("Node", '"--kubeconfig=/k"', ", label: a"),
    ),
    in_lesson(
        "cleanup-label-flag",
        "--context",
        "label key",
        meta=CLEANUP % ("Node", "n1", ', label: "--context=p"'),
    ),
    in_lesson(
        "cleanup-name-path",
        "../../kube-system",
        "object name",
        meta=CLEANUP % ("Namespace", "../../kube-system", ""),
    ),
    # --- the cluster's own namespaces: reset would delete them ---------------------------------
    in_lesson(
        "namespace-kube-system", "namespace:", "belongs to the cluster", meta="namespace: kube-system\n"
    ),
    Hostile(
        "exercise-id-default",
        {"one.md": lesson().replace("id: one-task", "id: default")},
        None,
        ("one.md", "id: default", "belongs to the cluster"),
    ),
    in_lesson(
        "cleanup-kube-system",
        "kube-system",
        "belongs to the cluster",
        meta=CLEANUP % ("Namespace", "kube-system", ""),
    ),
    # --- paths leaving the pack ----------------------------------------------------------------
    in_pack_yaml(
        "lesson-dotdot", "", "lessons:", "leads outside the pack", lessons="[one, ../outside/secret]"
    ),
    in_pack_yaml("lesson-absolute", "", "lessons:", "is absolute", lessons="[one, /etc/passwd]"),
    in_pack_yaml("lesson-nul-byte", "", "lessons:", "NUL byte", lessons='[one, "tw\\0o"]'),
    linked("lesson-symlink-out", "two.md", "../outside/secret.md", ("pack.yaml", "lessons:", OUT), TWO),
    linked("lesson-symlink-loop", "two.md", None, ("two.md", None, "cannot read the file"), TWO),
    in_pack_yaml("checks-dotdot", "checks: ../outside\n", "checks:", "leads outside the pack"),
    in_pack_yaml("checks-absolute", "checks: /tmp\n", "checks:", "is absolute"),
    linked("checks-symlink-loop", "checks", None, ("pack.yaml", "format_version", "is not a folder")),
    Hostile("checker-fifo", {}, _fifo("checks/tiny.py"), ("checks/tiny.py", None, "not a regular file")),
    linked("checker-symlink-loop", "checks/loop.py", None, ("checks/loop.py", None, "not a regular file")),
    linked("checker-symlink-out", "checks/evil.py", "../../outside/evil.py", ("checks/evil.py", None, OUT)),
    in_lesson("setup-absolute", "setup:", "is absolute", meta="setup: [/etc/passwd]\n"),
    in_lesson(
        "solution-dotdot", "solution:", "leads outside the pack", meta="solution: [../outside/secret.yaml]\n"
    ),
    linked(
        "setup-symlink-out", "setup/x.yaml", "../../outside/secret.yaml", ("one.md", "setup:", OUT), SETUP_X
    ),
    linked("setup-symlink-loop", "setup/x.yaml", None, ("one.md", "setup:", "cannot read"), SETUP_X),
    linked("translation-symlink-out", "one.zh.md", "../outside/secret.md", ("one.zh.md", None, OUT), ZH),
    in_pack_yaml("language-path", "languages: [en, ../../x]\n", "languages:", "language tags"),
    # --- kubectl steps choosing the cluster, the identity or files ---------------------------
    *[
        in_lesson(
            f"kubectl-{slug}",
            f"kubectl {command}",
            fragment,
            solution=f"```bash solution\nkubectl {command}\n```\n",
        )
        for slug, command, fragment in [
            ("context-eq", "--context=prod create configmap web", "--context"),
            ("context-after", "create configmap web --context prod", "--context"),
            ("kubeconfig", "--kubeconfig /tmp/k create configmap web", "--kubeconfig"),
            ("cluster", "create configmap web --cluster=c", "--cluster"),
            ("user", "create configmap web --user u", "--user"),
            ("server", "--server=https://x create configmap web", "--server"),
            ("token", "create configmap web --token=t", "--token"),
            ("s-eq", "-s=https://x create configmap web", "-s (--server)"),
            ("s-glued", "-shttps://x create configmap web", "-s (--server)"),
            ("s-combined", "create configmap web -Rs https://x", "-s (--server)"),
            ("as", "--as=system:admin create configmap web", "--as"),
            ("as-group", "create configmap web --as-group system:masters", "--as-group"),
            ("as-uid", "create configmap web --as-uid 0", "--as-uid"),
            ("config", "config set-context prod --namespace=x", "kubectl config"),
            ("config-after-flag", "-n x config use-context prod", "kubectl config"),
            ("proxy", "proxy --port=8001", "kubectl proxy"),
            ("cp", "cp pod:/etc/passwd ./x", "kubectl cp"),
            ("plugin", "evil-plugin run", "not allowed"),
            ("file-absolute", "apply -f /etc/passwd", "inside the pack folder"),
            ("file-dotdot", "apply --filename=../outside/secret.yaml", "inside the pack folder"),
            ("from-file", "create secret generic s --from-file=key=/etc/shadow", "inside the pack folder"),
            ("url", "apply -f https://example.com/x.yaml", "URLs"),
            ("jsonpath-file", "get cm -o jsonpath-file=/etc/passwd", "inside the pack folder"),
            ("watch", "get pods -w", "never ends"),
            ("kube-system", "-n kube-system delete configmap coredns", "belongs to the cluster"),
            ("all-namespaces", "delete pods --all -A", "--all-namespaces"),
            ("global-value-flag", "--log-flush-frequency get config view", "before the command"),
            ("bool-short-then-flag", "logs -p --context=prod web", "--context"),
            ("follow", "logs web -f", "never ends"),
            ("port-forward", "port-forward svc/web 8080:80", "never ends"),
        ]
    ],
    in_lesson(
        "kubectl-metadata-step", "- kubectl:", "--token", meta="setup:\n  - kubectl: --token t get pods\n"
    ),
]

CHECKER_TIMEOUT_INF = Hostile(
    "checker-timeout-inf",
    {
        "checks/tiny.py": "from tutor.sdk import check\n\n\n@check('tiny.exists', timeout=float('inf'))\n"
        "def exists(ctx, name):\n    ctx.get('v1', 'ConfigMap', name)\n"
    },
    None,
    ("one.md", "- check: tiny.exists", "timeout inf"),
)
"""Not in HOSTILE: the pack's files are fine, its checker code asks to poll forever. Lint reports
it; grading makes each such check an error instead of waiting (tests/unit/test_hostile_packs.py)."""
