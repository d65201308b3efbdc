"""The read and write views as protocols: what grading and the lifecycle need from ``tutor.cluster``.

Why: the engine, the round cache and the exercise lifecycle are tested with in-memory stand-ins, and
``ClusterReader``/``ClusterWriter`` import the Kubernetes client. Typing their parameters with these
protocols (instead of ``Any``) says exactly which calls they make, and lets mypy check both sides.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from typing import Any, Protocol


class Reader(Protocol):
    """Reads of live objects as plain JSON dicts (``tutor.cluster.reader.ClusterReader``)."""

    def list(self, api_version: str, kind: str, namespace: str | None = None) -> list[dict[str, Any]]: ...

    def get(
        self, api_version: str, kind: str, name: str, namespace: str | None = None
    ) -> dict[str, Any] | None: ...


class Writer(Protocol):
    """The guarded writes of the tutor itself (``tutor.cluster.writer.ClusterWriter``)."""

    @property
    def read(self) -> Reader: ...

    def apply(
        self, manifest_text: str, namespace: str | None = None, source: str = "<manifest>"
    ) -> list[dict[str, Any]]: ...

    def delete(
        self,
        api_version: str,
        kind: str,
        name: str,
        namespace: str | None = None,
        wait: bool = False,
        timeout: float = 60,
    ) -> bool: ...

    def ensure_namespace(self, name: str, labels: Mapping[str, str] | None = None) -> dict[str, Any]: ...

    def delete_namespace(self, name: str, wait: bool = True, timeout: float = 120) -> bool: ...

    def kubectl(
        self,
        args: Sequence[str] | str,
        namespace: str | None = None,
        check: bool = True,
        timeout: float = 120,
        input: str | None = None,
        cwd: os.PathLike[str] | str | None = None,
    ) -> subprocess.CompletedProcess[str]: ...
