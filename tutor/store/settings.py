"""The learner's preferences (the theme, the language), kept next to the progress file.

A theme or language picked in the command palette should still be there tomorrow, for the app and
for the commands the learner runs beside it (``progress``, ``setup``). Stored as a small JSON
object in ``settings.json`` in the data dir; a file that cannot be read is ignored (preferences
are never worth an error).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tutor.store.atomic import write_json_atomic
from tutor.store.progress import default_data_dir

FILE_NAME = "settings.json"


def settings_path() -> Path:
    return default_data_dir() / FILE_NAME


def load_settings(path: Path | None = None) -> dict[str, Any]:
    """The saved preferences, or {} when there are none or the file is unreadable."""
    try:
        data = json.loads((path or settings_path()).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_setting(key: str, value: Any, path: Path | None = None) -> None:
    """Remember one preference (atomically; other keys are kept)."""
    path = path or settings_path()
    data = load_settings(path)
    if data.get(key) != value:
        data[key] = value
        write_json_atomic(path, data)


def learner_language(explicit: str | None = None) -> str | None:
    """The language a learner-facing command speaks: ``--lang``, else the one picked in the app
    (saved here), else LC_ALL / LC_MESSAGES / LANG; None means English."""
    from tutor.content.languages import chosen_language

    if explicit:
        return chosen_language(explicit)
    saved = load_settings().get("language")
    return saved if isinstance(saved, str) else chosen_language(None)
