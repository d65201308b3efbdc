"""The real backend without a cluster: a dead API server is a status message, never an exception,
and a broken pack becomes a catalog entry carrying its file:line errors."""

from __future__ import annotations

import socket

import pytest

from tests.tui.fakes import write_pack
from tutor.cluster.target import ClusterTarget
from tutor.errors import ClusterUnavailable
from tutor.store.progress import ProgressStore
from tutor.tui.core_backend import CoreBackend


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dead_kubeconfig(tmp_path):
    path = tmp_path / "kubeconfig"
    path.write_text(
        f"""apiVersion: v1
kind: Config
clusters:
- name: dead
  cluster: {{server: "https://127.0.0.1:{_closed_port()}", insecure-skip-tls-verify: true}}
users:
- name: u
  user: {{token: x}}
contexts:
- name: dead
  context: {{cluster: dead, user: u}}
current-context: dead
"""
    )
    return path


def test_dead_api_server_is_an_unreachable_status(tmp_path, dead_kubeconfig):
    backend = CoreBackend(
        ProgressStore.open(tmp_path / "p.json"), target=ClusterTarget(kubeconfig=str(dead_kubeconfig))
    )
    status = backend.cluster_status()
    assert status.configured and not status.reachable
    assert status.context == "dead"
    assert status.message
    assert "unreachable" in status.label


def test_missing_kubeconfig_is_not_configured(tmp_path):
    backend = CoreBackend(
        ProgressStore.open(tmp_path / "p.json"), target=ClusterTarget(kubeconfig=str(tmp_path / "nope"))
    )
    status = backend.cluster_status()
    assert not status.configured and not status.reachable
    assert "cannot read kubeconfig" in status.message
    with pytest.raises(ClusterUnavailable):
        backend.writer()


def test_broken_pack_is_an_entry_with_its_errors(tmp_path):
    pack = tmp_path / "broken"
    pack.mkdir()
    (pack / "pack.yaml").write_text(
        'format_version: 1\nid: broken\ntitle: Broken\nversion: "1.0"\nlessons: [gone]\n'
    )
    backend = CoreBackend(ProgressStore.open(tmp_path / "p.json"), pack=str(pack))
    [entry] = backend.load_packs()
    assert entry.pack is None
    assert "pack.yaml:5" in entry.error and "gone" in entry.error


def test_unknown_pack_id_is_an_entry_not_a_crash(tmp_path):
    backend = CoreBackend(ProgressStore.open(tmp_path / "p.json"), pack="no-such-pack-id")
    [entry] = backend.load_packs()
    assert entry.pack is None and "no-such-pack-id" in entry.error


def test_start_is_the_default_command_and_needs_a_terminal(capsys):
    from tutor.cli import main

    assert main([]) == 2  # pytest captures stdout: no terminal to draw on
    assert "needs a terminal" in capsys.readouterr().err
    assert main(["start", "--pack", "x", "--lesson", "pods", "--theme", "nord"]) == 2


def test_lang_reads_translated_prose_with_the_same_checks(tmp_path):
    pack_dir = write_pack(tmp_path / "pack", "tui-lang")
    text = (
        (pack_dir / "pack.yaml")
        .read_text()
        .replace("requires: [api]", "requires: [api]\nlanguages: [en, zh]")
    )
    (pack_dir / "pack.yaml").write_text(text)
    (pack_dir / "tui-demo.zh.md").write_text(
        "---\nid: tui-demo\ntitle: 演示\n---\n\n# 演示\n\n配置。\n\n## Exercise: 设置\n\n"
        "```yaml exercise\nid: tui-settings\n```\n\n创建 ConfigMap。\n"
    )
    english = CoreBackend(ProgressStore.open(tmp_path / "p.json"), pack=str(pack_dir))
    chinese = CoreBackend(ProgressStore.open(tmp_path / "p.json"), pack=str(pack_dir), language="zh")
    [en], [zh] = english.load_packs(), chinese.load_packs()
    assert zh.pack is not None, zh.error
    assert zh.pack.lessons[0].title == "演示" and "配置" in zh.pack.lessons[0].body
    ex_en, ex_zh = en.pack.exercise("tui-settings"), zh.pack.exercise("tui-settings")
    assert ex_zh.task.strip() == "创建 ConfigMap。" and ex_zh.checks == ex_en.checks
