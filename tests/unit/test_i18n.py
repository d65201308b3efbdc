"""The app's message catalog: every ``_()`` message of tutor/ has a Chinese translation with the same
placeholders, the ``.po`` is what ``python -m tutor.i18n update zh`` writes, our ``.po`` → ``.mo``
compiler gives what gettext reads, and the language falls back to English when there is no catalog.
"""

from __future__ import annotations

import gettext
import io
import string
from pathlib import Path

import pytest

from tutor import i18n
from tutor.i18n import (
    LOCALE_DIR,
    CatalogError,
    catalog_path,
    compile_catalog,
    messages_in,
    po_text,
    read_po,
    set_language,
)


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    set_language(None)


def placeholders(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}


def test_every_message_is_translated_with_the_same_placeholders():
    messages = messages_in(LOCALE_DIR.parent)
    assert len(messages) > 150  # the TUI, the exam screens and review, the core's own sentences
    zh = read_po(catalog_path("zh").read_text(encoding="utf-8"))
    missing = [m for m in messages if not zh.get(m)]
    assert not missing, f"untranslated (run python -m tutor.i18n update zh, then translate): {missing}"
    drift = [m for m in messages if placeholders(m) != placeholders(zh[m])]
    assert not drift, f"placeholders differ: {drift}"


def test_the_catalog_is_what_update_writes_no_fuzzy_or_obsolete_entries():
    text = catalog_path("zh").read_text(encoding="utf-8")
    assert "#, fuzzy" not in text
    assert text == po_text(messages_in(LOCALE_DIR.parent), read_po(text), "zh")


def test_our_compiler_writes_what_gettext_reads():
    entries = {"": "Content-Type: text/plain; charset=UTF-8\n", "Quit": "退出", 'say "{x}"\n': "说“{x}”\n"}
    catalog = gettext.GNUTranslations(io.BytesIO(compile_catalog(entries)))
    assert catalog.gettext("Quit") == "退出" and catalog.gettext('say "{x}"\n') == "说“{x}”\n"
    assert catalog.gettext("unknown") == "unknown"
    po = po_text({'say "{x}"\n': ["a.py:1"], "Quit": ["b.py:2"]}, entries, "zh")
    assert read_po(po)['say "{x}"\n'] == "说“{x}”\n"


def test_a_broken_po_names_its_line():
    with pytest.raises(CatalogError, match="line 3"):
        read_po('msgid "a"\nmsgstr "b"\nnonsense\n')
    assert read_po('#, fuzzy\nmsgid "a"\nmsgstr "b"\n') == {}


@pytest.mark.parametrize(
    ("asked", "used"),
    [("zh", "zh"), ("zh_CN.UTF-8", "zh"), ("zh-Hans", "zh"), ("fr", "en"), ("C", "en"), (None, "en")],
)
def test_the_language_falls_back_to_english(asked, used):
    assert set_language(asked) == used
    assert i18n._("Quit") == ("退出" if used == "zh" else "Quit")


def test_a_stale_mo_is_not_used(tmp_path, monkeypatch):
    folder = tmp_path / "zh_CN" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po = folder / "k8s_tutor.po"
    po.write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "Quit"\nmsgstr "退出"\n'
    )
    (folder / "k8s_tutor.mo").write_bytes(compile_catalog({"Quit": "旧的"}))
    import os

    os.utime(folder / "k8s_tutor.mo", (0, 0))  # older than the .po
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    assert set_language("zh") == "zh" and i18n._("Quit") == "退出"


def test_the_exercise_pane_and_review_speak_chinese():
    from tutor.model import Exercise

    set_language("zh")
    exercise = Exercise(id="x", title="t", task="", checks=(), namespace="web")
    assert exercise.where == "请在名字空间 `web` 中操作。"
    from tutor.exam.review import solution_markdown

    assert solution_markdown(()) == "_这道题没有参考答案。_\n"


def test_grade_lang_zh_summarises_in_chinese_and_the_next_command_is_english_again(tmp_path, capsys):
    """``grade --lang zh`` on a cluster that is not there: the text report's own words are Chinese,
    statuses and the exit code are not, and the language does not leak into the next command."""
    from tutor.cli import main
    from tutor.i18n import current_language

    tiny = Path(__file__).resolve().parent.parent / "data" / "packs" / "tiny"
    dead = tmp_path / "kubeconfig"
    dead.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: dead\n"
        "clusters: [{name: dead, cluster: {server: 'https://127.0.0.1:9'}}]\n"
        "users: [{name: dead, user: {token: x}}]\n"
        "contexts: [{name: dead, context: {cluster: dead, user: dead}}]\n"
    )
    args = ["grade", "--pack", str(tiny), "--kubeconfig", str(dead), "--timeout", "1"]
    assert main([*args, "--lang", "zh"]) == 2
    out = capsys.readouterr().out
    assert "0 个通过，0 个失败，1 个错误，0 个跳过" in out and "exit 2" in out and "ERR" in out
    assert current_language() == "en"
    assert main(args) == 2
    assert "0 passed, 0 failed, 1 errors, 0 skipped" in capsys.readouterr().out
