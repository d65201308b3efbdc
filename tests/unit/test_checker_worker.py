"""Pack code runs in the checker worker: whatever a checker does at import or while grading — exit,
interrupt, hang, eat memory, kill itself, flood its output, forge the protocol — the tutor survives,
says which file and line, and ends that check (or that import) as an error within its budget.

No cluster: the engine reads through a fake reader; the worker is the real process, started the way
every front end starts it (:func:`tutor.grading.isolation.isolated_checks`).
"""

from __future__ import annotations

import shutil
import textwrap
import time
from pathlib import Path

import pytest

from tutor.cli import main
from tutor.content import load_pack
from tutor.grading.engine import Grader
from tutor.grading.isolation import CHECK_BUDGET_ENV, IMPORT_BUDGET_ENV, isolated_checks
from tutor.results import Cause, Status

TINY = Path(__file__).resolve().parent.parent / "data" / "packs" / "tiny"
BUDGET = 1.5  # seconds: the tests' import and check budget (the default is 10 s)


class Reader:
    """A cluster with one ConfigMap ``web`` in namespace ``default``."""

    def __init__(self, fail: BaseException | None = None):
        self.fail = fail

    def list(self, api_version, kind, namespace=None, label_selector=None):
        if self.fail is not None:
            raise self.fail
        if kind != "ConfigMap":
            return []
        return [
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web", "namespace": "default"}}
        ]


@pytest.fixture(autouse=True)
def _short_budgets(monkeypatch):
    monkeypatch.setenv(IMPORT_BUDGET_ENV, str(BUDGET))
    monkeypatch.setenv(CHECK_BUDGET_ENV, str(BUDGET))


def make_pack(tmp_path: Path, checker: str, *, body: str = "") -> Path:
    """tiny with its checker file replaced: ``checker`` at import, ``body`` as the check's body."""
    root = tmp_path / "pack"
    shutil.copytree(TINY, root)
    source = "from tutor.sdk import CheckContext, CheckFailed, NotYet, check\n" + textwrap.dedent(checker)
    source += "\n\n@check('tiny.exists')\ndef exists(ctx: CheckContext, name: str) -> None:\n"
    source += textwrap.indent(textwrap.dedent(body) or "ctx.get('v1', 'ConfigMap', name)\n", "    ")
    (root / "checks" / "tiny.py").write_text(source)
    return root


def lines_of(root: Path, marker: str) -> list[int]:
    """The lines carrying ``marker`` (a busy loop may be caught on either of its two lines)."""
    lines = (root / "checks" / "tiny.py").read_text().splitlines()
    return [i for i, line in enumerate(lines, 1) if marker in line]


def located(text: str, root: Path, marker: str = "# HERE") -> bool:
    return any(
        f"tiny.py:{n}" in text for n in lines_of(root, marker) or lines_of(root, "@check('tiny.exists')")
    )


# -- at import -------------------------------------------------------------------------------------

IMPORT_CASES = {
    "sys-exit-0": ("import sys\nsys.exit(0)  # HERE\n", "SystemExit"),
    "sys-exit-3": ("raise SystemExit(3)  # HERE\n", "SystemExit"),
    "keyboard-interrupt": ("raise KeyboardInterrupt  # HERE\n", "KeyboardInterrupt"),
    "sleep": ("import time\ntime.sleep(1000)  # HERE\n", "did not finish within 1.5 s"),
    "busy-loop": ("while True:  # HERE\n    pass  # HERE\n", "did not finish within 1.5 s"),
    "memory-at-once": ("x = bytearray(8 * 1024**3)  # HERE\n", "MemoryError"),
    "memory-growing": ("x = []\nwhile True:\n    x.append(bytearray(10**8))  # HERE\n", "MemoryError"),
    "print-flood": ("while True:\n    print('x' * 10000)  # HERE\n", "File too large"),
}


@pytest.mark.parametrize("case", sorted(IMPORT_CASES))
def test_pack_lint_locates_a_checker_that_misbehaves_at_import(case, tmp_path, capsys):
    code, expected = IMPORT_CASES[case]
    root = make_pack(tmp_path, code)
    started = time.monotonic()
    assert main(["pack", "lint", str(root), "--trust"]) == 2
    out = capsys.readouterr()
    text = out.out + out.err
    assert located(text, root), text
    assert expected in text and "Traceback" not in text
    assert time.monotonic() - started < BUDGET + 10


@pytest.mark.parametrize(
    ("case", "code", "expected"),
    [
        ("os-exit", "import os\nos._exit(0)\n", "exited with code 0"),
        ("sigkill", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n", "killed by signal 9"),
        (
            "forged-protocol",
            "import os\nfor fd in range(3, 12):\n    try:\n        os.write(fd, b'garbage\\n')\n"
            "    except OSError:\n        pass\n",
            "not a JSON line",
        ),
    ],
)
def test_a_checker_file_that_ends_the_worker_is_named(case, code, expected, tmp_path, capsys):
    root = make_pack(tmp_path, code)
    assert main(["pack", "lint", str(root), "--trust"]) == 2
    out = capsys.readouterr()
    text = out.out + out.err
    assert "tiny.py:" in text and expected in text and "Traceback" not in text, text


def test_grade_refuses_a_pack_whose_checker_exits_at_import(tmp_path, capsys):
    root = make_pack(tmp_path, "import os\nos._exit(0)\n")
    report = tmp_path / "report.json"
    code = main(["grade", "--pack", str(root), "--format", "json", "--output", str(report)])
    out = capsys.readouterr()
    assert code == 2, out
    assert "tiny.py" in out.out + out.err and "Traceback" not in out.out + out.err
    assert report.is_file()


# -- while grading -----------------------------------------------------------------------------------

GRADE_CASES = {
    "sys-exit-0": ("import sys\nsys.exit(0)  # HERE\n", "SystemExit"),
    "keyboard-interrupt": ("raise KeyboardInterrupt  # HERE\n", "KeyboardInterrupt"),
    "os-exit": ("import os\nos._exit(0)\n", "exited with code 0"),  # no traceback: the checker's def line
    "sleep": ("import time\ntime.sleep(1000)  # HERE\n", "did not finish within 1.5 s"),
    "busy-loop": ("while True:  # HERE\n    pass  # HERE\n", "did not finish within 1.5 s"),
    "memory": ("x = []\nwhile True:\n    x.append(bytearray(10**8))  # HERE\n", "MemoryError"),
    "sigsegv": ("import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)  # HERE\n", "killed by signal 11"),
}


def grade_one(root: Path, reader: Reader | None = None):
    pack = load_pack(root)
    registry = isolated_checks(pack)
    assert not registry.problems, registry.problems
    grader = Grader(registry, reader or Reader(), pack, timeout=3)
    [exercise] = pack.exercises()
    started = time.monotonic()
    [result] = grader.grade([exercise])
    return result, time.monotonic() - started, registry


@pytest.mark.parametrize("case", sorted(GRADE_CASES))
def test_a_checker_that_misbehaves_while_grading_is_an_error_at_its_line(case, tmp_path):
    code, expected = GRADE_CASES[case]
    root = make_pack(tmp_path, "", body=code)
    result, took, _registry = grade_one(root)
    [check] = result.checks
    assert check.status is Status.ERROR and check.cause is Cause.CHECKER, check
    assert expected in check.message, check.message
    assert located(check.message, root), check.message
    assert took < BUDGET + 5


def test_the_worker_comes_back_after_a_check_killed_it(tmp_path):
    root = make_pack(
        tmp_path,
        "import os\nDIED = []\n",
        body="if name == 'die':\n    os._exit(1)\nctx.get('v1', 'ConfigMap', name)\n",
    )
    pack = load_pack(root)
    registry = isolated_checks(pack)
    [exercise] = pack.exercises()
    from dataclasses import replace

    dying = replace(exercise, checks=(replace(exercise.checks[0], args={"name": "die"}),))
    grader = Grader(registry, Reader(), pack, timeout=2)
    assert grader.evaluate_once(dying).checks[0].status is Status.ERROR
    assert grader.evaluate_once(exercise).checks[0].status is Status.PASS
    assert registry.worker is not None and registry.worker.starts == 2


def test_checks_read_through_the_tutor_and_see_its_errors(tmp_path):
    root = make_pack(tmp_path, "")
    passed, _took, _ = grade_one(root)
    assert passed.checks[0].status is Status.PASS
    down, _took, _ = grade_one(root, Reader(fail=ConnectionRefusedError("refused")))
    assert down.checks[0].status is Status.ERROR and down.checks[0].cause is Cause.UNAVAILABLE
    assert "refused" in down.checks[0].message


def test_a_failing_check_keeps_its_message_diffs_and_hint(tmp_path):
    root = make_pack(
        tmp_path,
        "",
        body="from tutor.results import FieldDiff\n"
        "err = CheckFailed('labels are wrong', [FieldDiff('.metadata.labels.app', 'web', object())])\n"
        "err.hint = 2\nraise err\n",
    )
    result, _took, _ = grade_one(root)
    [check] = result.checks
    assert check.status is Status.FAIL and check.message.startswith("labels are wrong")
    assert check.diffs[0].path == ".metadata.labels.app" and check.diffs[0].expected == "web"
    assert check.diffs[0].actual.startswith("<object object")  # not JSON: reported as its text


def test_no_cluster_client_is_reachable_from_a_checker(tmp_path):
    root = make_pack(
        tmp_path,
        "import gc, sys\n",
        body="clients = [type(o).__name__ for o in gc.get_objects()\n"
        "           if type(o).__name__ in ('ApiClient', 'Cluster', 'ClusterReader', 'Configuration')]\n"
        "if clients or 'kubernetes' in sys.modules:\n"
        "    raise CheckFailed(f'reachable: {clients}; modules: {sorted(sys.modules)[:50]}')\n",
    )
    result, _took, _ = grade_one(root)
    assert result.checks[0].status is Status.PASS, result.checks[0].message


def test_titles_binding_and_argument_types_work_without_importing_the_pack(tmp_path):
    root = make_pack(tmp_path, "")
    (root / "checks" / "more.py").write_text(
        "from typing import Literal\nfrom tutor.sdk import check\n\n\n"
        "@check('more.port', timeout=5)\n"
        "def port(ctx, port: int, proto: Literal['TCP', 'UDP'] = 'TCP',\n"
        "         names: list[str] | None = None) -> None:\n"
        '    """Port {port}/{proto} is open."""\n'
    )
    registry = isolated_checks(load_pack(root))
    spec = registry.get("more.port")
    assert spec.title == "Port {port}/{proto} is open" and spec.timeout == 5
    assert spec.describe({"port": 80}) == "Port 80/TCP is open"
    with pytest.raises(TypeError, match="did you mean 'port'"):
        spec.bind({"portt": 80})
    from tutor.lint.refs import arg_type_problems

    assert arg_type_problems(spec.id, spec.fn, {"port": "80"})[0][1].endswith("unquote the number")
    assert arg_type_problems(spec.id, spec.fn, {"port": 80, "proto": "SCTP"})
    assert not arg_type_problems(spec.id, spec.fn, {"port": 80, "names": ["a"]})
    assert arg_type_problems(spec.id, spec.fn, {"port": 80, "names": [1]})


def test_only_the_worker_imports_pack_checkers_in_process():
    """Every front end goes through isolated_checks: no module of tutor/ but the worker (and the
    registry that defines them) calls the in-process importers."""
    import ast

    root = Path(__file__).resolve().parents[2] / "tutor"
    allowed = {root / "grading" / "registry.py", root / "grading" / "checker_worker.py"}
    callers = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            name = getattr(node, "id", None) or getattr(node, "attr", None) or getattr(node, "name", None)
            if name in ("load_checks", "import_checker_files") and path not in allowed:
                callers.append(f"{path.relative_to(root)}:{node.lineno}")
    assert callers == [], f"pack code imported in the tutor's own process at {callers}"
