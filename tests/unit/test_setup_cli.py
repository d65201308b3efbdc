"""``setup`` and ``solve`` without a cluster: bad input and a missing kubeconfig are exit 2 with a
message, and nothing is saved; the subcommands are listed in ``--help``."""

from __future__ import annotations

import pytest

from tutor.cli import main


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("K8S_TUTOR_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


@pytest.mark.parametrize("command", ["setup", "solve"])
def test_an_unknown_exercise_is_exit_2_naming_the_known_ones(command, capsys, data_dir):
    assert main([command, "--exercise", "no-such-exercise", "--kubeconfig", "/nonexistent"]) == 2
    err = capsys.readouterr().err
    assert "has no exercise 'no-such-exercise'" in err and "namespaces-delete" in err
    assert not data_dir.exists()


@pytest.mark.parametrize("command", ["setup", "solve"])
def test_a_missing_kubeconfig_is_exit_2(command, tmp_path, capsys, data_dir):
    missing = tmp_path / "missing-kubeconfig"
    assert main([command, "--exercise", "namespaces-delete", "--kubeconfig", str(missing)]) == 2
    assert f"cannot read kubeconfig {missing}" in capsys.readouterr().err
    assert not data_dir.exists()


def test_help_lists_setup_and_solve(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "setup     start exercises headlessly" in out and "solve     apply exercises'" in out
