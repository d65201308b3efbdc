"""Every hostile pack (tests/unit/hostile_packs.py) is refused by every command: exit 2, the
located message, no traceback, quickly and in little memory.

``pack lint`` runs as a real process for a sample of each class, so time and peak memory are the
child's own (the largest child RSS, ``RUSAGE_CHILDREN``); every pack is linted in-process and
loaded through ``grade``, ``pack test``, ``setup``, ``solve``, ``exam`` and the TUI's pack loading
(``start``). No cluster is needed: a pack that does not load never gets as far as connecting.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from tests.unit.hostile_packs import HOSTILE, Hostile
from tutor.cli import main
from tutor.content import discover_packs, resolve_pack
from tutor.errors import FormatError
from tutor.lint import lint_pack

BY_NAME = {h.name: h for h in HOSTILE}

# One pack per class for the subprocess run (each costs an interpreter start).
SAMPLE = [
    "alias-pack-yaml",
    "alias-check-args",
    "alias-solution-manifest",
    "deep-front-matter",
    "huge-lesson",
    "fifo-lesson",
    "timeout-inf",
    "lesson-symlink-loop",
    "checks-symlink-loop",
    "checker-symlink-out",
    "kubectl-s-combined",
    "checker-memory",
    "checker-sleep",
]

WALL_LIMIT_S = 30
MEMORY_LIMIT_MB = 500


@pytest.fixture
def built(tmp_path, monkeypatch, request):
    monkeypatch.setenv("K8S_TUTOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "no-kubeconfig"))
    monkeypatch.delenv("HOSTILE", raising=False)
    monkeypatch.setenv("K8S_TUTOR_CHECKER_IMPORT_SECONDS", "2")  # a hanging import, 7 commands: 14 s
    hostile: Hostile = BY_NAME[request.param]
    root = hostile.build(tmp_path)
    return hostile, root


def _located(hostile: Hostile, root, text: str) -> None:
    file, line = hostile.location(root)
    where = f"{file}:{line}:" if line else f"{file}:"
    assert where in text, f"{hostile.name}: expected {where} in:\n{text[:3000]}"
    assert hostile.expect[2] in text, f"{hostile.name}: expected {hostile.expect[2]!r} in:\n{text[:3000]}"
    assert "Traceback" not in text
    assert "lol" * 50 not in text.replace(", ", "").replace("'", "")  # no expanded value quoted


def test_there_are_at_least_sixty_hostile_packs():
    assert len(HOSTILE) >= 60 and len(BY_NAME) == len(HOSTILE)


@pytest.mark.parametrize("built", [h.name for h in HOSTILE], indirect=True)
def test_lint_reports_each_hostile_pack_at_its_line(built, capsys):
    hostile, root = built
    started = time.monotonic()
    assert main(["pack", "lint", str(root)]) == 2
    out = capsys.readouterr()
    _located(hostile, root, out.out + out.err)
    assert time.monotonic() - started < WALL_LIMIT_S
    assert "HOSTILE" not in os.environ  # no checker outside the pack was imported


@pytest.mark.parametrize("built", [h.name for h in HOSTILE], indirect=True)
def test_every_front_end_refuses_to_load_a_hostile_pack(built, capsys):
    hostile, root = built
    commands = [
        ["grade", "--pack", str(root)],
        ["pack", "test", str(root)],
        ["setup", "--pack", str(root)],
        ["solve", "--pack", str(root)],
        ["exam", "--pack", str(root), "--no-tui"],
    ]
    for argv in commands:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        _located(hostile, root, err)
    if hostile.code:  # the files load; the TUI shows the checkers' error where it grades (an error panel)
        backend = _tui_backend(pack=str(root))
        (entry,) = backend.load_packs()
        with pytest.raises(FormatError) as exc:
            backend.registry(entry.pack)
    else:
        with pytest.raises(FormatError) as exc:
            resolve_pack(str(root))
        (entry,) = _tui_backend(pack=str(root)).load_packs()  # `start --pack`: an error panel, not a crash
        assert entry.pack is None
        _located(hostile, root, entry.error)
    _located(hostile, root, str(exc.value))
    assert not list((root.parent / "data").rglob("*.json"))  # nothing saved for a pack that did not load


@pytest.mark.parametrize("built", [h.name for h in HOSTILE], indirect=True)
def test_the_tui_catalog_lists_a_hostile_pack_without_crashing(built, monkeypatch):
    hostile, root = built
    monkeypatch.setenv("K8S_TUTOR_PACKS", str(root))
    found = [s for s in discover_packs() if s.path == root]
    assert len(found) == 1  # peeking at pack.yaml never raises; a bad one carries its error
    if hostile.expect[0] == "pack.yaml" and hostile.location(root)[1]:
        assert found[0].error or lint_pack(root).exit_code == 2


@pytest.mark.slow
@pytest.mark.parametrize("built", SAMPLE, indirect=True)
def test_lint_process_is_bounded_in_time_and_memory(built):
    hostile, root = built
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tutor.cli", "pack", "lint", str(root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        out, _ = proc.communicate(timeout=WALL_LIMIT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail(f"{hostile.name}: pack lint ran longer than {WALL_LIMIT_S}s")
    elapsed = time.monotonic() - started
    assert proc.returncode == 2, out
    _located(hostile, root, out)
    assert elapsed < WALL_LIMIT_S
    peak_mb = _peak_child_rss_mb()
    assert peak_mb < MEMORY_LIMIT_MB, f"{hostile.name}: peak RSS {peak_mb:.0f} MB"


def _tui_backend(**kw):
    from tutor.store.progress import ProgressStore
    from tutor.tui.core_backend import CoreBackend

    return CoreBackend(ProgressStore.open(), **kw)


def _peak_child_rss_mb() -> float:
    """The largest peak RSS of any child process so far (KiB on Linux)."""
    import resource

    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def test_a_checker_asking_to_poll_forever_is_an_error_not_a_wait(tmp_path):
    from tests.unit.hostile_packs import CHECKER_TIMEOUT_INF
    from tutor.content import load_pack
    from tutor.grading.plan import plan_checks
    from tutor.grading.registry import load_checks

    root = CHECKER_TIMEOUT_INF.build(tmp_path)
    report = lint_pack(root)
    file, line = CHECKER_TIMEOUT_INF.location(root)
    assert report.exit_code == 2
    assert any(p.location.line == line and "timeout inf" in p.message for p in report.errors)
    pack = load_pack(root)
    (plan,) = plan_checks(load_checks(pack), pack, pack.exercises()[0])
    assert "timeout inf" in plan.problem and f"{file}:{line}" in plan.problem
    assert plan.timing.timeout == 30.0  # the engine gets a bounded timing even so


def test_a_kubectl_folder_argument_with_a_symlink_out_is_refused(tmp_path):
    from tutor.kubectl_policy import kubectl_problem

    (tmp_path / "pack" / "setup").mkdir(parents=True)
    (tmp_path / "pack" / "setup" / "ok.yaml").write_text("kind: ConfigMap\n")
    assert kubectl_problem(["apply", "-f", "setup/"], tmp_path / "pack") is None
    (tmp_path / "pack" / "setup" / "leak.yaml").symlink_to("/etc/passwd")
    problem = kubectl_problem(["apply", "-R", "-f", "setup"], tmp_path / "pack")
    assert problem and "leak.yaml" in problem and "outside the pack folder" in problem


@pytest.mark.parametrize(
    ("manifest", "fragment"),
    [
        ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: coredns, namespace: kube-system}\n", "namespace"),
        ("apiVersion: v1\nkind: Namespace\nmetadata: {name: kube-public, labels: {a: b}}\n", "Namespace"),
    ],
)
def test_lint_refuses_steps_writing_into_the_clusters_own_namespaces(tmp_path, manifest, fragment):
    from tests.unit.hostile_packs import in_lesson

    hostile = in_lesson("system-namespace", None, "", solution=f"```yaml solution\n{manifest}```\n")
    root = hostile.build(tmp_path)
    report = lint_pack(root)
    assert report.exit_code == 2
    assert any(
        f"{fragment} 'kube-" in p.message and "belongs to the cluster" in p.message for p in report.errors
    )
