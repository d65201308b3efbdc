"""Which language the learner reads: ``--lang``, else the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``).

A locale such as ``zh_CN.UTF-8`` or ``zh-Hans`` means the pack language ``zh``; ``C``/``POSIX`` means
none (the pack's default language). A language the pack has no translation for simply shows the
default text, lesson by lesson.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")


def language_of_locale(locale: str) -> str | None:
    """``zh_CN.UTF-8`` -> ``zh``; ``pt_BR`` -> ``pt-BR``; ``C`` / ``POSIX`` / "" -> None."""
    base = locale.split(".", 1)[0].split("@", 1)[0].strip()
    if not base or base in ("C", "POSIX"):
        return None
    language, _, region = base.replace("-", "_").partition("_")
    language = language.lower()
    if language == "zh" or not region or len(region) != 2:  # one Chinese translation, simplified
        return language or None
    return f"{language}-{region.upper()}"


def chosen_language(explicit: str | None, environ: Mapping[str, str] | None = None) -> str | None:
    """``--lang`` if given, else the first locale variable that is set (as POSIX reads them)."""
    if explicit:
        return language_of_locale(explicit) or explicit
    env = os.environ if environ is None else environ
    for name in LOCALE_VARIABLES:
        if env.get(name):
            return language_of_locale(env[name])
    return None
