"""Trust on first use: a pack's code runs only once trusted for its content; lint without trust runs none.

The conftest trusts every fixture pack through K8S_TUTOR_TRUST=1; each test here removes it and uses a
data folder of its own.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tutor.cli import main
from tutor.content import load_pack
from tutor.content.builtin import pack_path
from tutor.grading.registry import load_checks
from tutor.lint import lint_pack
from tutor.store.trust import (
    TRUST_ENV,
    TrustStore,
    UntrustedPack,
    accept_this_run,
    pack_digest,
    require_trusted,
)

DATA = Path(__file__).resolve().parent.parent / "data" / "packs"

MARKER_CHECKER = '''
import pathlib

from tutor.sdk import CheckContext, check

pathlib.Path(__file__).with_name("IMPORTED").write_text("the pack's code ran")


@check("tiny.exists", timeout=3)
def exists(ctx: CheckContext, name: str, color: str = "red") -> None:
    """ConfigMap {name} exists."""
    ctx.get("v1", "ConfigMap", name)
'''


@pytest.fixture(autouse=True)
def untrusting(monkeypatch, tmp_path):
    monkeypatch.delenv(TRUST_ENV, raising=False)
    monkeypatch.setenv("K8S_TUTOR_DATA_DIR", str(tmp_path / "data"))
    accept_this_run(False)
    yield
    accept_this_run(False)


@pytest.fixture
def tiny(tmp_path):
    """The tiny fixture pack whose checker file leaves a marker when it is imported."""
    root = tmp_path / "tiny"
    shutil.copytree(DATA / "tiny", root)
    (root / "checks" / "tiny.py").write_text(MARKER_CHECKER)
    return root


def test_an_untrusted_pack_runs_no_code_and_says_what_to_do(tiny):
    pack = load_pack(tiny)
    with pytest.raises(UntrustedPack) as err:
        load_checks(pack)
    text = str(err.value)
    assert "has not been trusted yet" in text and "checks/tiny.py" in text and "--trust" in text
    assert str(tiny / "pack.yaml") in text and TRUST_ENV in text
    assert not (tiny / "checks" / "IMPORTED").exists()


def test_trust_is_remembered_per_content_and_a_change_asks_again(tiny, tmp_path):
    store = TrustStore(tmp_path / "data" / "trust.json")
    pack = load_pack(tiny)
    store.trust(pack)
    require_trusted(pack, store)
    assert load_checks(pack).find("tiny.exists") is not None
    before = pack_digest(pack)
    (tiny / "checks" / "_helper.py").write_text("X = 1\n")  # a helper counts: it is code too
    assert pack_digest(pack) != before
    with pytest.raises(UntrustedPack, match="changed since you trusted it"):
        require_trusted(pack, store)
    store.trust(pack)
    (tiny / "pack.yaml").write_text((tiny / "pack.yaml").read_text() + "description: changed\n")
    assert store.decide(load_pack(tiny)).state == "changed"


def test_the_builtin_pack_is_trusted_without_asking(tmp_path):
    pack = load_pack(pack_path())
    require_trusted(pack, TrustStore(tmp_path / "nowhere.json"))
    assert not (tmp_path / "nowhere.json").exists()


@pytest.mark.parametrize("garbage", ["{not json", '{"packs": []}', "[" * 100_000, '\xff\xfe"'])
def test_a_damaged_trust_file_is_set_aside_and_said(tiny, tmp_path, garbage):
    path = tmp_path / "data" / "trust.json"
    path.parent.mkdir(parents=True)
    path.write_bytes(garbage.encode("utf-8", "surrogateescape") if garbage != '\xff\xfe"' else b'\xff\xfe"')
    pack = load_pack(tiny)
    with pytest.raises(UntrustedPack) as err:
        require_trusted(pack, TrustStore(path))
    assert "could not be read" in str(err.value) and "kept as" in str(err.value)
    [aside] = list(path.parent.glob("trust.json.corrupt-*"))
    assert aside.read_bytes()[:3] == (b'\xff\xfe"' if garbage == '\xff\xfe"' else garbage.encode()[:3])
    TrustStore(path).trust(pack)  # a new file next to the kept one; nothing lost
    assert json.loads(path.read_text())["packs"] and aside.exists()


def test_two_packs_trusted_one_after_the_other_are_both_kept(tiny, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(tiny, other)
    store = TrustStore(tmp_path / "data" / "trust.json")
    store.trust(load_pack(tiny))
    TrustStore(store.path).trust(load_pack(other))
    assert store.decide(load_pack(tiny)).state == "trusted"
    assert store.decide(load_pack(other)).state == "trusted"


def test_grade_refuses_an_untrusted_pack_with_exit_2_and_accepts_it_with_trust(tiny, tmp_path, capsys):
    dead = tmp_path / "kubeconfig"  # no cluster is needed to be refused, nor to get past trust
    dead.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: dead\n"
        "clusters: [{name: dead, cluster: {server: 'https://127.0.0.1:9'}}]\n"
        "users: [{name: dead, user: {token: x}}]\n"
        "contexts: [{name: dead, context: {cluster: dead, user: dead}}]\n"
    )
    args = ["grade", "--pack", str(tiny), "--kubeconfig", str(dead), "--timeout", "1"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "has not been trusted yet" in err and "--trust" in err and "Traceback" not in err
    assert not (tiny / "checks" / "IMPORTED").exists()
    assert main([*args, "--trust"]) == 2  # now past trust: the dead cluster is the error
    out = capsys.readouterr()
    assert "cluster unavailable" in out.out + out.err and "not been trusted" not in out.err
    assert (tiny / "checks" / "IMPORTED").exists()
    (tiny / "checks" / "IMPORTED").unlink()
    assert main(args) == 2  # remembered: no --trust needed the second time
    assert "not been trusted" not in capsys.readouterr().err
    assert (tiny / "checks" / "IMPORTED").exists()


def test_the_trust_variable_trusts_for_one_run_without_remembering(tiny, monkeypatch, tmp_path):
    monkeypatch.setenv(TRUST_ENV, "1")
    require_trusted(load_pack(tiny))
    assert not (tmp_path / "data" / "trust.json").exists()


def test_lint_without_trust_reads_the_checkers_without_running_them(tiny, capsys):
    report = lint_pack(tiny)
    assert not (tiny / "checks" / "IMPORTED").exists()
    assert report.exit_code == 0, report.problems
    assert any("were read, not run" in n for n in report.notes)
    # the args still bind against the statically read signature
    lesson = tiny / "one.md"
    lesson.write_text(lesson.read_text().replace("args: {name: web}", "args: {name: web, colour: blue}"))
    problems = [str(p) for p in lint_pack(tiny).problems]
    assert any("unknown argument 'colour' (did you mean 'color'?)" in p for p in problems), problems
    assert main(["pack", "lint", str(tiny)]) == 2
    assert "note: the checkers of pack 'tiny' were read, not run" in capsys.readouterr().out
    assert not (tiny / "checks" / "IMPORTED").exists()
    assert main(["pack", "lint", str(tiny), "--trust"]) == 2  # the same error, found by importing
    assert (tiny / "checks" / "IMPORTED").exists()


def test_static_lint_reports_syntax_errors_and_computed_ids(tiny):
    (tiny / "checks" / "tiny.py").write_text(
        "from tutor.sdk import check\n\nfor n in ['a']:\n    pass\n\n"
        "@check(f'tiny.{n}')\ndef x(ctx):\n    pass\n"
    )
    (tiny / "checks" / "broken.py").write_text("def (:\n")
    problems = lint_pack(tiny).problems
    text = "\n".join(str(p) for p in problems)
    assert "broken.py:1: error: syntax error" in text
    assert "tiny.py:6: warning: check: the checker id is not a string literal" in text
    assert "no checker 'tiny.exists'" not in text  # it may be one of the computed ids


@pytest.mark.parametrize(
    "command",
    [
        ["setup", "--pack", "{pack}"],
        ["solve", "--pack", "{pack}"],
        ["pack", "test", "{pack}"],
        ["exam", "--pack", "{pack}", "--no-tui"],
    ],
)
def test_every_command_that_runs_pack_code_refuses_an_untrusted_pack(tiny, tmp_path, capsys, command):
    argv = [a.format(pack=tiny) for a in command] + ["--kubeconfig", str(tmp_path / "none")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "has not been trusted yet" in err and "--trust" in err and "Traceback" not in err
    assert not (tiny / "checks" / "IMPORTED").exists()
    assert not list((tmp_path / "data").rglob("*.json"))  # no exam attempt drawn, nothing recorded


def test_a_pack_made_by_pack_new_is_trusted_until_its_checkers_change(tmp_path, capsys):
    path = tmp_path / "mine"
    assert main(["pack", "new", str(path)]) == 0
    assert "trusted" in capsys.readouterr().out
    assert TrustStore().decide(load_pack(path)).state == "trusted"
    assert not lint_pack(path).notes  # lint imports the template's checkers: they are trusted
    (path / "checks" / "hello.py").write_text((path / "checks" / "hello.py").read_text() + "\n# edited\n")
    assert TrustStore().decide(load_pack(path)).state == "changed"
