"""``k8s-tutor pack new``: copy the template pack (``tutor/templates/pack``) into a new folder.

The template is a complete, lint-clean pack (one lesson, one exercise, one checker, a solution
file); only ``__PACK_ID__`` and ``__PACK_TITLE__`` are replaced.
"""

from __future__ import annotations

import re
from pathlib import Path

from tutor.errors import TutorError

TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "pack"
SKIP = {"__pycache__"}


def default_id(path: Path) -> str:
    """A pack id derived from the folder name (lowercase, '-' for anything else)."""
    slug = re.sub(r"[^a-z0-9]+", "-", path.resolve().name.lower()).strip("-")
    return slug[:63].strip("-") or "my-pack"


def create_pack(
    path: Path, *, pack_id: str | None = None, title: str | None = None, force: bool = False
) -> list[Path]:
    """Write a new pack into ``path`` (created if missing) and return the files written.

    Raises:
        TutorError: ``path`` exists and is not empty (unless ``force``), or ``pack_id`` is not an id.
    """
    from tutor.content.schema import IDENT

    pack_id = pack_id or default_id(path)
    if not IDENT.match(pack_id):
        raise TutorError(f"pack id {pack_id!r} must be lowercase letters, digits and '-'")
    if path.exists() and any(path.iterdir()) and not force:
        raise TutorError(f"{path} is not empty; choose a new folder (or --force to write into it)")
    title = title or pack_id.replace("-", " ").capitalize()
    written = []
    for source in sorted(TEMPLATE.rglob("*")):
        if source.is_dir() or SKIP & set(source.parts):
            continue
        target = path / source.relative_to(TEMPLATE)
        target.parent.mkdir(parents=True, exist_ok=True)
        text = (
            source.read_text(encoding="utf-8")
            .replace("__PACK_ID__", pack_id)
            .replace("__PACK_TITLE__", title)
        )
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written
