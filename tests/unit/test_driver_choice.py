"""One rule picks the default cluster driver for `cluster up`, doctor and the TUI (tutor.cluster.drivers)."""

from __future__ import annotations

from tutor.cli import main
from tutor.cluster.binaries import pins
from tutor.cluster.drivers import choose_driver


def test_docker_installed_but_stopped_picks_sim_with_the_reason(fake_tools, monkeypatch):
    monkeypatch.setenv("FAKE_DOCKER", "down")  # docker and kind on PATH, engine does not answer
    choice = choose_driver()
    assert choice.driver == "sim"
    assert "engine does not answer" in choice.reason


def test_answering_docker_and_kind_pick_kind(fake_tools):
    choice = choose_driver()
    assert choice.driver == "kind" and "28.2.2" in choice.reason
    assert choice.notice == "" and choice.can_create


def test_cluster_up_with_stopped_docker_uses_sim_and_names_the_build_command(fake_tools, monkeypatch, capsys):
    monkeypatch.setenv("FAKE_DOCKER", "down")
    assert main(["cluster", "up", "--kubeconfig", str(fake_tools.kubeconfig)]) == 2
    err = capsys.readouterr().err
    assert "using the sim driver" in err and "engine does not answer" in err
    # the sim driver failed on its missing binaries (kind was never tried) and says what to run
    assert "k8s-tutor cluster up --driver sim --build" in err and "build.sh" in err
    assert fake_tools.calls("kind") == []


def test_sim_without_go_downloads_where_binaries_are_published(fake_tools, monkeypatch):
    fake_tools.use("kubectl")  # no docker, no go; the sim binary cache is empty
    monkeypatch.setattr(pins, "current_platform", lambda: "linux/amd64")
    choice = choose_driver()
    assert choice.driver == "sim" and choice.can_create
    assert "downloads the pinned official releases" in choice.notice and "No Go needed" in choice.notice
    assert f"about {pins.APPROX_DOWNLOAD_MB} MB" in choice.notice


def test_sim_without_go_and_without_published_binaries_cannot_be_created(fake_tools, monkeypatch):
    fake_tools.use("kubectl")  # no docker, no go; the sim binary cache is empty
    monkeypatch.setattr(pins, "current_platform", lambda: "darwin/arm64")  # no kube-apiserver for macOS
    choice = choose_driver()
    assert choice.driver == "sim" and "Docker is not installed" in choice.reason
    assert not choice.can_create
    assert "`go` is not on PATH" in choice.notice and "Go >= 1.26" in choice.notice
    assert "darwin/arm64" in choice.notice


def test_sim_with_go_warns_of_the_long_build_where_nothing_is_published(fake_tools, monkeypatch):
    monkeypatch.setattr(pins, "current_platform", lambda: "darwin/arm64")
    bindir = fake_tools.use("kubectl")
    go = bindir / "go"
    go.write_text("#!/bin/sh\nexit 0\n")
    go.chmod(0o755)
    choice = choose_driver()
    assert choice.can_create
    assert "10 minutes" in choice.notice and "Go >= 1.26" in choice.notice
