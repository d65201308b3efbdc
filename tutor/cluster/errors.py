"""The cluster module's errors, defined with the others in :mod:`tutor.errors` (so every layer can
match them with ``isinstance`` without importing the cluster module) and re-exported here."""

from __future__ import annotations

from tutor.errors import ApiError, UnknownKind

__all__ = ["ApiError", "UnknownKind"]
