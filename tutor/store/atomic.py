"""Atomic files: a crash or a full disk never leaves a half-written progress file or kubeconfig behind.

The one helper every writer of a file someone else reads uses (progress, saved runs, exam attempts,
settings, the cluster records, kubeconfig contexts).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def write_text_atomic(path: Path, text: str, *, mode: int | None = None) -> None:
    """Write ``text`` to ``path`` via a temp file in the same folder and ``os.replace``.

    The temp file is fsynced before the rename so the new content is durable before it becomes visible;
    ``mode`` (e.g. ``0o600`` for a kubeconfig holding keys) is set before it becomes visible too.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json_atomic(path: Path, data: Any) -> None:
    """Write ``data`` as indented, key-sorted JSON to ``path`` (see :func:`write_text_atomic`)."""
    write_text_atomic(path, json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
