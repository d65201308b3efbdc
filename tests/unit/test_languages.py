"""Which language a learner reads: --lang, else LC_ALL / LC_MESSAGES / LANG (tutor.content.languages)."""

from __future__ import annotations

import pytest

from tutor.content.languages import chosen_language, language_of_locale


@pytest.mark.parametrize(
    ("locale", "language"),
    [
        ("zh_CN.UTF-8", "zh"),
        ("zh_TW.UTF-8", "zh"),
        ("zh-Hans", "zh"),
        ("en_US.UTF-8", "en-US"),
        ("de", "de"),
        ("pt_BR", "pt-BR"),
        ("C", None),
        ("POSIX", None),
        ("C.UTF-8", None),
        ("", None),
    ],
)
def test_a_locale_names_a_pack_language(locale, language):
    assert language_of_locale(locale) == language


def test_lang_wins_then_the_locale_variables_in_posix_order():
    env = {"LANG": "de_DE.UTF-8", "LC_MESSAGES": "fr_FR.UTF-8", "LC_ALL": "zh_CN.UTF-8"}
    assert chosen_language("en", env) == "en"
    assert chosen_language(None, env) == "zh"
    assert chosen_language(None, {"LANG": "de_DE.UTF-8", "LC_MESSAGES": "fr_FR"}) == "fr-FR"
    assert chosen_language(None, {}) is None


def test_the_exam_reads_its_tasks_in_the_chosen_language(monkeypatch):
    from argparse import Namespace

    from tutor.commands.exam import _in_language
    from tutor.content import resolve_pack

    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    pack = _in_language(resolve_pack(None), Namespace(lang=None))
    assert pack.exercise("namespaces-exam-team").title == "为 A 团队准备的名字空间"
    assert _in_language(resolve_pack(None), Namespace(lang="en")).exercise("namespaces-exam-team").title == (
        "A namespace for team A"
    )
