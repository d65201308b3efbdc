"""Finding packs: the built-in entry point, K8S_TUTOR_PACKS, paths and ids."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tutor.content import discover_packs, resolve_pack
from tutor.content.builtin import pack_path
from tutor.content.discovery import builtin_path
from tutor.errors import TutorError

PACKS = Path(__file__).resolve().parent.parent / "data" / "packs"
REPO = Path(__file__).resolve().parents[2]


def test_builtin_registers_through_its_entry_point():
    (first, *_rest) = discover_packs()
    assert first.origin == "entry point builtin" and first.id == "k8s-basics"
    assert builtin_path() == pack_path() == REPO / "lessons"


def test_search_path_finds_single_packs_and_folders_of_packs(monkeypatch, tmp_path):
    shutil.copytree(PACKS / "tiny", tmp_path / "many" / "tiny")
    shutil.copytree(PACKS / "no-hints", tmp_path / "many" / "no-hints")
    monkeypatch.setenv("K8S_TUTOR_PACKS", f"{PACKS / 'good'}:{tmp_path / 'many'}:{tmp_path / 'missing'}")
    found = {s.id: s for s in discover_packs()}
    assert {"good", "tiny", "no-hints", "k8s-basics"} <= set(found)
    assert found["good"].origin == "K8S_TUTOR_PACKS" and found["good"].title == "A good pack"
    assert found["good"].version == "1.2.3"


def test_resolve_by_id_path_and_file(monkeypatch):
    monkeypatch.setenv("K8S_TUTOR_PACKS", str(PACKS / "good"))
    assert resolve_pack("good").id == "good"
    assert resolve_pack("good@1.2.3").id == "good"
    assert resolve_pack(str(PACKS / "tiny")).id == "tiny"
    assert resolve_pack(PACKS / "tiny" / "pack.yaml").id == "tiny"


def test_unknown_spec_lists_known_ids(monkeypatch):
    monkeypatch.setenv("K8S_TUTOR_PACKS", str(PACKS / "good"))
    with pytest.raises(TutorError, match=r"no pack 'nope'.*known: .*good"):
        resolve_pack("nope")


def test_broken_pack_yaml_is_listed_with_its_error(monkeypatch, tmp_path):
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "pack.yaml").write_text("id: [unclosed\n")
    monkeypatch.setenv("K8S_TUTOR_PACKS", str(tmp_path))
    (broken,) = [s for s in discover_packs() if s.path == tmp_path / "broken"]
    assert broken.error and broken.id == "broken"


def test_pack_list_command(monkeypatch, capsys):
    from tutor.cli import main

    monkeypatch.setenv("K8S_TUTOR_PACKS", str(PACKS / "good"))
    assert main(["pack", "list"]) == 0
    out = capsys.readouterr().out
    assert "k8s-basics" in out and "good" in out and "K8S_TUTOR_PACKS" in out
