"""Key descriptions in the app's current language.

Why not ``_()`` in ``BINDINGS``: a class attribute is evaluated once, when the module is imported, so
the footer would keep the language of that moment. ``BINDINGS`` hold the English text (marked with
``N_`` for the catalog) and :class:`TranslatedBindings` translates a copy for each screen or app
instance when it is created: a screen opened after a language switch speaks the new language.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from tutor.i18n import _


class TranslatedBindings:
    """Mixin for a Screen or App: its key descriptions go through the catalog at construction."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bindings = self._bindings  # type: ignore[attr-defined]  # Textual's per-instance copy
        for key, items in list(bindings.key_to_bindings.items()):
            bindings.key_to_bindings[key] = [
                replace(b, description=_(b.description)) if b.description else b for b in items
            ]
