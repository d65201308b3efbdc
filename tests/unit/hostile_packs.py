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


def absent_with_hold(hold: str) -> str:
    """tiny's lesson with a second check: the built-in ``absent`` with ``args.hold`` set to ``hold``."""
    return lesson(
        args="{name: web}\n  - check: absent\n    args: {apiVersion: v1, kind: Pod, name: x, hold: "
        + hold
        + "}"
    )


def kubectl_solution(command: str) -> str:
    return lesson(solution=f"```bash solution\nkubectl {command}\n```\n")


def indent(text: str, by: str) -> str:
    return "".join(by + line + "\n" for line in text.splitlines())


@dataclass
class Hostile:
    """One hostile pack: files to write (relative path → text) and other things to make."""

    name: str
    files: dict[str, str] = field(default_factory=dict)
    make: Callable[[Path], None] | None = None
    expect: tuple[str, str | None, str] = ("one.md", None, "")

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


BIG = "x" * (2 * 1024 * 1024)

HOSTILE: list[Hostile] = [
    # --- YAML aliases (the billion laughs) in every kind of pack file ------------------------
    Hostile(
        "alias-pack-yaml",
        {"pack.yaml": pack_yaml("x:\n" + indent(BOMB, "  "))},
        None,
        ("pack.yaml", "*a", "aliases"),
    ),
    Hostile(
        "alias-front-matter",
        {"one.md": lesson(front="x:\n" + indent(BOMB, "  "))},
        None,
        ("one.md", "*a", "aliases"),
    ),
    Hostile(
        "alias-front-matter-flow",
        {"one.md": lesson(front="tags: &t [a, b]\nx: *t\n")},
        None,
        ("one.md", "x: *t", "aliases"),
    ),
    Hostile(
        "alias-exercise-meta",
        {"one.md": lesson(meta="x:\n" + indent(BOMB, "  "))},
        None,
        ("one.md", "*a", "aliases"),
    ),
    Hostile(
        "alias-check-args",
        {"one.md": lesson(args="\n" + indent(BOMB, "      "))},
        None,
        ("one.md", "*a", "aliases"),
    ),
    Hostile(
        "alias-apply-block",
        {"one.md": lesson(body="```yaml apply\n" + BOMB + "```\n\n")},
        None,
        ("one.md", "*a", "aliases"),
    ),
    Hostile(
        "alias-solution-manifest",
        {"one.md": lesson(solution="```yaml solution\n" + BOMB + "```\n")},
        None,
        ("one.md", "*a", "aliases"),
    ),
    Hostile(
        "alias-setup-file",
        {"one.md": lesson(meta="setup: [setup/bomb.yaml]\n"), "setup/bomb.yaml": BOMB},
        None,
        ("setup/bomb.yaml", "*a", "aliases"),
    ),
    Hostile(
        "alias-inline-manifest",
        {"one.md": lesson(meta='setup:\n  - manifest: "a: &a [1]\\nb: *a\\n"\n')},
        None,
        ("one.md", "manifest:", "aliases"),
    ),
    Hostile(
        "alias-merge-key",
        {"one.md": lesson(front="base: &b {x: 1}\nother:\n  <<: *b\n")},
        None,
        ("one.md", "<<: *b", "aliases"),
    ),
    # --- nesting depth -----------------------------------------------------------------------
    Hostile(
        "deep-front-matter",
        {"one.md": lesson(front=f"tags: {DEEP_FLOW}\n")},
        None,
        ("one.md", "tags: [[[", "nested deeper"),
    ),
    Hostile(
        "deep-check-args",
        {"one.md": lesson(args="\n" + indent(DEEP_BLOCK, "      "))},
        None,
        ("one.md", "k61:", "nested deeper"),
    ),  # exercise > checks > ref > args > k0...: depth 4 + i
    Hostile(
        "deep-pack-yaml",
        {"pack.yaml": pack_yaml(f"x: {DEEP_FLOW}\n")},
        None,
        ("pack.yaml", "x: [[[", "nested deeper"),
    ),
    Hostile(
        "deep-solution-manifest",
        {"one.md": lesson(solution="```yaml solution\n" + DEEP_BLOCK + "```\n")},
        None,
        ("one.md", "k64:", "nested deeper"),
    ),
    # --- sizes ---------------------------------------------------------------------------------
    Hostile(
        "huge-lesson", {"one.md": lesson(body=BIG + "\n\n")}, None, ("one.md", None, "at most 262144 bytes")
    ),
    Hostile(
        "heading-flood", {"one.md": lesson(body="# h\n" * 70_000)}, None, ("one.md", None, "at most 262144")
    ),
    Hostile(
        "huge-pack-yaml",
        {"pack.yaml": pack_yaml(f"description: {BIG}\n")},
        None,
        ("pack.yaml", None, "at most 1048576 bytes"),
    ),
    Hostile(
        "huge-setup-file",
        {"one.md": lesson(meta="setup: [big.yaml]\n"), "big.yaml": f"# {BIG}\n"},
        None,
        ("one.md", "setup: [big.yaml]", "at most 1048576 bytes"),
    ),
    Hostile("fifo-lesson", {}, _fifo("one.md"), ("one.md", None, "not a regular file")),
    # --- numbers -------------------------------------------------------------------------------
    Hostile(
        "timeout-inf", {"one.md": lesson(meta="timeout: .inf\n")}, None, ("one.md", "timeout:", "got inf")
    ),
    Hostile(
        "timeout-nan-check",
        {"one.md": lesson(args="{name: web}\n    timeout: .nan")},
        None,
        ("one.md", "timeout: .nan", "got nan"),
    ),
    Hostile(
        "timeout-huge-default",
        {"pack.yaml": pack_yaml("defaults: {timeout: 1.0e+300}\n")},
        None,
        ("pack.yaml", "defaults:", "at most 3600"),
    ),
    Hostile(
        "poll-zero",
        {"pack.yaml": pack_yaml("defaults: {poll: 0}\n")},
        None,
        ("pack.yaml", "defaults:", "poll"),
    ),
    Hostile(
        "hold-negative",
        {"one.md": lesson(args="{name: web}\n    hold: -1")},
        None,
        ("one.md", "hold: -1", "at least 0"),
    ),
    Hostile(
        "hold-inf",
        {"one.md": lesson(args="{name: web}\n    hold: .inf")},
        None,
        ("one.md", "hold:", "got inf"),
    ),
    Hostile("points-inf", {"one.md": lesson(meta="points: .inf\n")}, None, ("one.md", "points:", "got inf")),
    Hostile(
        "weight-negative",
        {"one.md": lesson(args="{name: web}\n    weight: -5")},
        None,
        ("one.md", "weight:", "at least 0"),
    ),
    Hostile(
        "minutes-absurd",
        {"one.md": lesson(front="minutes: 1000000000\n")},
        None,
        ("one.md", "minutes:", "at most 1440"),
    ),
    Hostile(
        "exercise-minutes-nan",
        {"one.md": lesson(meta="minutes: .nan\n")},
        None,
        ("one.md", "minutes:", "nan"),
    ),
    Hostile(
        "exam-duration-zero",
        {"pack.yaml": pack_yaml("exam: {duration: 0}\n")},
        None,
        ("pack.yaml", "exam:", "at least 1"),
    ),
    Hostile(
        "exam-tasks-huge",
        {"pack.yaml": pack_yaml("exam: {tasks: 100000000}\n")},
        None,
        ("pack.yaml", "exam:", "at most 500"),
    ),
    Hostile(
        "exam-pass-mark-nan",
        {"pack.yaml": pack_yaml("exam: {pass_mark: .nan}\n")},
        None,
        ("pack.yaml", "exam:", "got nan"),
    ),
    Hostile("order-inf", {"one.md": lesson(front="order: .inf\n")}, None, ("one.md", "order:", "got inf")),
    Hostile(
        "huge-integer",
        {"one.md": lesson(meta="points: " + "9" * 5000 + "\n")},
        None,
        ("one.md", "id: one-task", "does not parse"),
    ),
    Hostile(
        "args-hold-inf",
        {"one.md": absent_with_hold(".inf")},
        None,
        ("one.md", "args: {apiVersion: v1, kind: Pod", "at most 3600"),
    ),
    Hostile(
        "args-hold-text",
        {"one.md": absent_with_hold("soon")},
        None,
        ("one.md", "args: {apiVersion: v1, kind: Pod", "args.hold"),
    ),
    # --- cleanup values that would become kubectl flags or API paths ------------------------
    Hostile(
        "cleanup-name-flag",
        {
            "one.md": lesson(
                meta='cleanup:\n  - {apiVersion: v1, kind: Node, name: "--kubeconfig=/tmp/k", label: a}\n'
            )
        },
        None,
        ("one.md", "--kubeconfig=/tmp/k", "Kubernetes object name"),
    ),
    Hostile(
        "cleanup-label-flag",
        {
            "one.md": lesson(
                meta='cleanup:\n  - {apiVersion: v1, kind: Node, name: n1, label: "--context=prod"}\n'
            )
        },
        None,
        ("one.md", "--context=prod", "label key"),
    ),
    Hostile(
        "cleanup-name-path",
        {"one.md": lesson(meta="cleanup:\n  - {apiVersion: v1, kind: Namespace, name: ../../kube-system}\n")},
        None,
        ("one.md", "../../kube-system", "Kubernetes object name"),
    ),
    # --- paths leaving the pack ----------------------------------------------------------------
    Hostile(
        "lesson-dotdot",
        {"pack.yaml": pack_yaml(lessons="[one, ../outside/secret]")},
        None,
        ("pack.yaml", "lessons:", "leads outside the pack"),
    ),
    Hostile(
        "lesson-absolute",
        {"pack.yaml": pack_yaml(lessons="[one, /etc/passwd]")},
        None,
        ("pack.yaml", "lessons:", "is absolute"),
    ),
    Hostile(
        "lesson-nul-byte",
        {"pack.yaml": pack_yaml(lessons='[one, "tw\\0o"]')},
        None,
        ("pack.yaml", "lessons:", "NUL byte"),
    ),
    Hostile(
        "lesson-symlink-out",
        {"pack.yaml": pack_yaml(lessons="[one, two]")},
        _symlink("two.md", "../outside/secret.md"),
        ("pack.yaml", "lessons:", "leads outside the pack"),
    ),
    Hostile(
        "lesson-symlink-loop",
        {"pack.yaml": pack_yaml(lessons="[one, two]")},
        _loop("two.md"),
        ("two.md", None, "cannot read the file"),
    ),
    Hostile(
        "checks-dotdot",
        {"pack.yaml": pack_yaml("checks: ../outside\n")},
        None,
        ("pack.yaml", "checks:", "leads outside the pack"),
    ),
    Hostile(
        "checks-absolute",
        {"pack.yaml": pack_yaml("checks: /tmp\n")},
        None,
        ("pack.yaml", "checks:", "is absolute"),
    ),
    Hostile("checks-symlink-loop", {}, _loop("checks"), ("pack.yaml", "format_version", "is not a folder")),
    Hostile(
        "checker-symlink-out",
        {},
        _symlink("checks/evil.py", "../../outside/evil.py"),
        ("checks/evil.py", None, "outside the pack"),
    ),
    Hostile(
        "setup-absolute",
        {"one.md": lesson(meta="setup: [/etc/passwd]\n")},
        None,
        ("one.md", "setup:", "is absolute"),
    ),
    Hostile(
        "solution-dotdot",
        {"one.md": lesson(meta="solution: [../outside/secret.yaml]\n")},
        None,
        ("one.md", "solution:", "leads outside the pack"),
    ),
    Hostile(
        "setup-symlink-out",
        {"one.md": lesson(meta="setup: [setup/x.yaml]\n")},
        _symlink("setup/x.yaml", "../../outside/secret.yaml"),
        ("one.md", "setup:", "leads outside the pack"),
    ),
    Hostile(
        "setup-symlink-loop",
        {"one.md": lesson(meta="setup: [x.yaml]\n")},
        _loop("x.yaml"),
        ("one.md", "setup:", "cannot read"),
    ),
    Hostile(
        "translation-symlink-out",
        {"pack.yaml": pack_yaml("languages: [en, zh]\n")},
        _symlink("one.zh.md", "../outside/secret.md"),
        ("one.zh.md", None, "outside the pack"),
    ),
    Hostile(
        "language-path",
        {"pack.yaml": pack_yaml("languages: [en, ../../x]\n")},
        None,
        ("pack.yaml", "languages:", "language tags"),
    ),
    # --- kubectl steps choosing the cluster, the identity or files ---------------------------
    *[
        Hostile(
            f"kubectl-{slug}",
            {"one.md": kubectl_solution(command)},
            None,
            ("one.md", "kubectl " + command, frag),
        )
        for slug, command, frag in [
            ("context-eq", "--context=prod create configmap web", "--context"),
            ("context-after", "create configmap web --context prod", "--context"),
            ("kubeconfig", "--kubeconfig /tmp/k create configmap web", "--kubeconfig"),
            ("cluster", "create configmap web --cluster=c", "--cluster"),
            ("user", "create configmap web --user u", "--user"),
            ("server", "--server=https://x create configmap web", "--server"),
            ("token", "create configmap web --token=t", "--token"),
            ("s-eq", "-s=https://x create configmap web", "-s (--server)"),
            ("s-glued", "-shttps://x create configmap web", "-s (--server)"),
            ("s-combined", "create configmap web -As https://x", "-s (--server)"),
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
        ]
    ],
    Hostile(
        "kubectl-metadata-step",
        {"one.md": lesson(meta="setup:\n  - kubectl: --token t get pods\n")},
        None,
        ("one.md", "- kubectl:", "--token"),
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
