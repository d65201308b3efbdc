"""The two ways a checker says "no", kept apart because they mean different things to the learner.

``NotYet``: the state is not there (yet) — the engine polls again until the check's timeout.
``CheckFailed``: the state is there and wrong — reported as a failure with its field diffs
if it is still wrong on the last attempt. Any other exception is an *error* (environment or checker bug).
"""

from __future__ import annotations

from collections.abc import Mapping

from tutor.results import FieldDiff


class Message(str):
    """A checker's message in several languages: the string itself is the English text.

    Why a ``str``: every place that takes a message (``CheckFailed``, ``NotYet``, a checker's return
    value, ``ctx.expect``) keeps working; the engine picks the learner's language when it reports
    (:meth:`in_language`), and a message without the language falls back to English.
    """

    translations: dict[str, str]

    def __new__(cls, en: str, translations: Mapping[str, str] | None = None) -> Message:
        made = super().__new__(cls, en)
        made.translations = {k: v for k, v in (translations or {}).items() if isinstance(v, str) and v}
        return made

    def in_language(self, language: str | None) -> str:
        """The text in ``language`` (``zh``, ``pt-BR``; its base language too), else English."""
        if not language or language == "en":
            return str(self)
        found = self.translations.get(language) or self.translations.get(language.split("-", 1)[0])
        return found if found is not None else str(self)


def msg(en: str, **translations: str) -> Message:
    """A message in several languages: ``raise CheckFailed(msg(en=f"...", zh=f"..."))``.

    Keyword names are language codes (``zh``, ``ja``; ``pt_BR`` for ``pt-BR``). Learners reading the
    lesson in one of them (``start --lang zh``, ``grade --lang zh``, their locale) see that text; the
    JSON/JUnit report carries the text shown and ``meta.language``.
    """
    return Message(en, {k.replace("_", "-"): v for k, v in translations.items()})


def in_language(text: str, language: str | None) -> str:
    """``text`` in ``language`` if it is a :class:`Message` that has it, else ``text`` as it is."""
    return text.in_language(language) if isinstance(text, Message) else text


class NotYet(Exception):
    """The expected state has not appeared yet; poll again."""


class CheckFailed(Exception):
    """The learner's answer is wrong; ``diffs`` say which fields differ.

    ``hint`` (1-based, optional) names the exercise hint that fits *this* failure, for checkers with
    several sub-checks; without it the check reference's own ``hint`` is shown.
    """

    def __init__(
        self, message: str, diffs: tuple[FieldDiff, ...] | list[FieldDiff] = (), hint: int | None = None
    ):
        super().__init__(message)
        self.message = message
        self.diffs = tuple(diffs)
        self.hint = hint
