"""Where the built-in pack lives, registered as the ``builtin`` entry point of ``k8s_tutor.packs``.

In a wheel the pack ships inside the package (``tutor/_builtin_pack/lessons`` and ``.../checks``,
see ``[tool.hatch.build.targets.wheel.force-include]``); in a source or editable checkout it is the
repository's top-level ``lessons/`` (with ``checks/`` beside it). ``pack.yaml`` says
``checks: ../checks``, which is right in both layouts.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent


def pack_path() -> Path:
    """The folder holding the built-in pack's ``pack.yaml``."""
    shipped = _PACKAGE / "_builtin_pack" / "lessons"
    if (shipped / "pack.yaml").is_file():
        return shipped
    return _PACKAGE.parent / "lessons"
