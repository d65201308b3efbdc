"""Reading the files a pack names, without ever leaving the pack.

Every path a pack writes (``lessons:`` entries, ``checks:``, ``setup:``/``solution:`` files) is
resolved with symlinks followed and must land inside the pack folder: ``../x.md``, ``/etc/passwd``
and a symlink pointing out of the pack are refused with the pack's ``file:line``. A symlink loop,
a name with a NUL byte or a name too long for the OS is an ordinary "cannot read" problem, never a
traceback. Files are opened without blocking (a FIFO named ``one.md`` must not hang the loader),
must be regular files and at most :data:`tutor.limits.MAX_FILE_BYTES` long.

The built-in pack is the one exception: it is trusted and keeps its checkers beside it
(``checks: ../checks``), so its boundary is the folder holding ``lessons/`` and ``checks/``.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from tutor.limits import MAX_FILE_BYTES, shorten


class PackPathError(ValueError):
    """A path a pack names that may not be read; the message says why (no location: callers add it)."""


def real(path: Path) -> Path:
    """``path`` with every symlink followed, never raising (a loop stays unresolved, a later open fails)."""
    try:
        return Path(os.path.realpath(path))
    except (OSError, ValueError):
        return Path(os.path.abspath(path))


def pack_boundary(root: Path) -> Path:
    """The folder nothing a pack reads may leave: the pack folder (the built-in pack: its parent)."""
    from tutor.content.builtin import pack_path

    root = real(root)
    return root.parent if root == real(pack_path()) else root


def inside(boundary: Path, base: Path, name: str) -> Path:
    """``base / name`` resolved, if it stays inside ``boundary``.

    Raises:
        PackPathError: an absolute name, a name leaving the pack (``..`` or a symlink), or a name
            the OS cannot use (NUL byte, too long).
    """
    if "\x00" in name:
        raise PackPathError(f"path {shorten(name)} contains a NUL byte")
    if os.path.isabs(name):
        raise PackPathError(f"path {shorten(name)} is absolute; name a file inside the pack")
    path = base / name
    resolved = real(path)
    if not resolved.is_relative_to(real(boundary)):
        raise PackPathError(f"path {shorten(name)} leads outside the pack (to {shorten(str(resolved))})")
    return path


def is_regular_file(path: Path) -> bool:
    """True for a regular file (following symlinks); False for anything else or any OS error."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def is_folder(path: Path) -> bool:
    """True for a directory (following symlinks); False for anything else or any OS error."""
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def read_pack_text(path: Path, limit: int = MAX_FILE_BYTES) -> str:
    """The file as UTF-8 text: a regular file of at most ``limit`` bytes, opened without blocking.

    Raises:
        PackPathError: not a regular file, too large, unreadable (the OS reason), not UTF-8.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except (OSError, ValueError) as exc:
        raise PackPathError(f"cannot read the file: {_reason(exc)}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise PackPathError("not a regular file")
        if info.st_size > limit:
            raise PackPathError(f"the file is {info.st_size} bytes; pack files may be at most {limit} bytes")
        data = os.read(fd, limit + 1)
        while len(data) <= limit and (chunk := os.read(fd, limit + 1 - len(data))):
            data += chunk
    except OSError as exc:
        raise PackPathError(f"cannot read the file: {_reason(exc)}") from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise PackPathError(f"the file grew past {limit} bytes while it was read")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise PackPathError(
            f"the file is not UTF-8 text: line {line}, column {column} has byte 0x{data[exc.start]:02x} "
            "(save it as UTF-8)"
        ) from None


def _reason(exc: BaseException) -> str:
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
