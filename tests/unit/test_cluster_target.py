"""One cluster target for every command: ``exam`` selects and guards contexts exactly like ``setup``.

No cluster is needed: the kubeconfig's servers are closed loopback ports, so a command that gets past
the context guard fails on the first request, naming the server of the context it chose.
"""

from __future__ import annotations

import socket

import pytest

from tutor.cli import main
from tutor.cluster.cli_args import target_from_args
from tutor.cluster.target import ClusterTarget


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def kubeconfig(tmp_path, monkeypatch):
    """Two foreign contexts: the current one and ``someones-prod``, each on its own closed port."""
    monkeypatch.setenv("K8S_TUTOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("K8S_TUTOR_ALLOW_CONTEXT", raising=False)
    ports = {"current": _closed_port(), "someones-prod": _closed_port()}
    clusters = "".join(
        f"- name: {n}\n  cluster: {{server: 'https://127.0.0.1:{p}', insecure-skip-tls-verify: true}}\n"
        for n, p in ports.items()
    )
    contexts = "".join(f"- name: {n}\n  context: {{cluster: {n}, user: u}}\n" for n in ports)
    path = tmp_path / "kubeconfig"
    path.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: current\n"
        f"clusters:\n{clusters}contexts:\n{contexts}users:\n- name: u\n  user: {{token: t}}\n"
    )
    return str(path), ports


def _run(argv, capsys) -> tuple[int, str]:
    code = main(argv)
    return code, capsys.readouterr().err


COMMANDS = {
    "setup": ["setup", "--exercise", "namespaces-delete"],
    "exam": ["exam", "--no-tui", "--tasks", "1", "--seed", "1"],
}


@pytest.mark.parametrize("options", [["--allow-context", "someones-prod"], ["--context", "someones-prod"]])
def test_exam_selects_and_guards_the_context_like_setup(kubeconfig, options, capsys):
    path, ports = kubeconfig
    outcomes = {}
    for name, argv in COMMANDS.items():
        outcomes[name] = _run([*argv, "--kubeconfig", path, *options], capsys)
    (setup_code, setup_err), (exam_code, exam_err) = outcomes["setup"], outcomes["exam"]
    assert setup_code == exam_code == 2
    if options[0] == "--allow-context":  # allowed and selected: both reach someones-prod's server
        for err in (setup_err, exam_err):
            assert f"127.0.0.1:{ports['someones-prod']}" in err
            assert f"127.0.0.1:{ports['current']}" not in err and "--allow-context" not in err
    else:  # selected but not allowed: the same refusal, word for word
        assert setup_err == exam_err
        assert "--allow-context someones-prod" in setup_err


def test_every_command_builds_the_same_target_from_the_same_flags():
    from tutor.cli import build_parser

    parser = build_parser()
    flags = ["--kubeconfig", "k", "--allow-context", "x"]
    argvs = [
        ["setup", *flags],
        ["solve", *flags],
        ["grade", *flags],
        ["doctor", *flags],
        ["start", *flags],
        ["exam", *flags],
        ["exam", "grade", *flags],
        ["exam", "resume", *flags],
        ["pack", "test", *flags],
    ]
    targets = {" ".join(a[:2]): target_from_args(parser.parse_args(a)) for a in argvs}
    assert set(targets.values()) == {ClusterTarget(kubeconfig="k", allow_context="x")}
    assert targets["setup --kubeconfig"].selected_context == "x"


def test_the_selection_rule():
    assert ClusterTarget(context="a", allow_context="b").selected_context == "a"
    assert ClusterTarget(allow_context="b").selected_context == "b"
    assert ClusterTarget().remembering("attempt").selected_context == "attempt"
    assert ClusterTarget(allow_context="b").remembering("attempt").selected_context == "b"
    assert ClusterTarget().selected_context is None
