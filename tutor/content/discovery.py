"""Finding packs: entry points, the ``K8S_TUTOR_PACKS`` search path, and explicit paths.

Every pack, the built-in one included, is found the same way: an entry point in the
``k8s_tutor.packs`` group names a callable returning the pack folder (the built-in pack is
``builtin = "tutor.content.builtin:pack_path"``), or a folder is on ``K8S_TUTOR_PACKS``
(``os.pathsep``-separated; each entry is a pack folder or a folder of pack folders), or a path
is given with ``--pack``. All of them are then read by :func:`tutor.content.load_pack`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path

from tutor.content.loader import PACK_FILE, load_pack, pack_file, read_text
from tutor.content.packfiles import real
from tutor.content.yamlsrc import YamlSource, load_mapping
from tutor.errors import FormatProblem, TutorError
from tutor.model import Pack

ENTRY_POINT_GROUP = "k8s_tutor.packs"
SEARCH_PATH_ENV = "K8S_TUTOR_PACKS"
BUILTIN = "builtin"


@dataclass(frozen=True)
class PackSource:
    """A pack found but not loaded: enough to list it and to load it later.

    Attributes:
        id: the pack id from pack.yaml (the folder name if pack.yaml cannot be read).
        title: its title.
        path: the folder holding pack.yaml.
        origin: ``entry point <name>``, ``K8S_TUTOR_PACKS`` or ``path``.
        version: its version.
        error: why pack.yaml could not be read, else empty.
    """

    id: str
    title: str
    path: Path
    origin: str
    version: str = ""
    error: str = ""


def _peek(path: Path, origin: str) -> PackSource:
    """Read only pack.yaml's id/title/version (lessons are not parsed).

    pack.yaml goes through the same bounded reader and YAML loader as a full load (size cap, no
    aliases, depth cap): the TUI peeks at every discovered pack before the learner picks one.
    """
    problems: list[FormatProblem] = []
    file = pack_file(path)
    text = read_text(file, problems)
    data = load_mapping(text, YamlSource(file, 1, problems), "pack.yaml") if text is not None else None
    if data is None:
        first = problems[0] if problems else None
        return PackSource(path.name, "", path, origin, error=first.message if first else "unreadable")
    fields = (("id", path.name), ("title", ""), ("version", ""))
    pack_id, title, version = (_short(data.get(key), default) for key, default in fields)
    return PackSource(pack_id, title, path, origin, version)


def _short(value: object, default: str) -> str:
    """A pack.yaml field as display text (at most 200 characters), or ``default`` when absent."""
    return default if value is None else str(value)[:200]


def _entry_point_paths() -> list[tuple[str, Path]]:
    found: list[tuple[str, Path]] = []
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: (e.name != BUILTIN, e.name)):
        try:
            target = ep.load()
            found.append((ep.name, Path(target() if callable(target) else target)))
        except Exception as exc:  # noqa: BLE001 - a broken third-party plugin must not hide the others
            found.append((ep.name, Path(f"<entry point {ep.name} failed: {exc}>")))
    return found


def _search_path_dirs() -> list[Path]:
    dirs: list[Path] = []
    for entry in filter(None, os.environ.get(SEARCH_PATH_ENV, "").split(os.pathsep)):
        base = Path(entry).expanduser()
        if (base / PACK_FILE).is_file():
            dirs.append(base)
        elif base.is_dir():
            dirs.extend(sorted(p.parent for p in base.glob(f"*/{PACK_FILE}")))
    return dirs


def discover_packs() -> list[PackSource]:
    """Every pack reachable by entry point or search path, built-in first, without loading lessons."""
    sources: list[PackSource] = []
    seen: set[Path] = set()
    candidates = [(p, f"entry point {n}") for n, p in _entry_point_paths()]
    candidates += [(p, SEARCH_PATH_ENV) for p in _search_path_dirs()]
    for path, origin in candidates:
        key = real(path)  # never raises, even on a symlink loop
        if key in seen:
            continue
        seen.add(key)
        sources.append(_peek(path, origin))
    return sources


def builtin_path() -> Path:
    """The built-in pack folder, through its entry point (falling back to the module if not installed)."""
    for name, path in _entry_point_paths():
        if name == BUILTIN:
            return path
    from tutor.content.builtin import pack_path

    return pack_path()


def resolve_pack(spec: str | os.PathLike[str] | None = None) -> Pack:
    """Load a pack named by ``spec``.

    Args:
        spec: None for the built-in pack; a path to a pack folder or pack.yaml; or the id of a
            discovered pack (entry point or ``K8S_TUTOR_PACKS``).

    Raises:
        TutorError: nothing matches ``spec`` (the message lists the known ids).
        FormatError: the pack has errors.
    """
    if spec is None:
        return load_pack(builtin_path())
    path = Path(spec).expanduser()
    if path.exists():
        return load_pack(path)
    sources = discover_packs()
    for source in sources:
        if str(spec) in (source.id, f"{source.id}@{source.version}"):
            return load_pack(source.path)
    known = ", ".join(s.id for s in sources) or "none"
    raise TutorError(f"no pack {str(spec)!r}: not a path and not a known pack id (known: {known})")
